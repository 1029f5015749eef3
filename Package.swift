// swift-tools-version: 6.0
// SpikeMesh: an event-driven neuromorphic hardware emulator. No package dependencies.
import Foundation
import PackageDescription

// Release builds use AVX2 + FMA when the building machine has them (like -march=native):
// the float engines run about 1.6× faster, and the GEMM uses fused multiply-adds
// (SPIKEMESH_FMA). SPIKEMESH_PORTABLE=1 builds for baseline x86-64.
let cpuFlags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
let useAVX2 = ProcessInfo.processInfo.environment["SPIKEMESH_PORTABLE"] == nil
    && cpuFlags.contains(" avx2") && cpuFlags.contains(" fma")
let engineSettings: [SwiftSetting] = useAVX2
    ? [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release)),
       .define("SPIKEMESH_FMA", .when(configuration: .release))] : []

let package = Package(
    name: "SpikeMesh",
    products: [
        .library(name: "SpikeMesh", targets: ["SpikeMesh"]),
        .executable(name: "spikemesh", targets: ["spikemesh"]),
    ],
    targets: [
        .target(name: "SpikeMesh", path: "Sources/SpikeMesh", swiftSettings: engineSettings),
        .executableTarget(name: "spikemesh", dependencies: ["SpikeMesh"], path: "Sources/spikemesh"),
        .executableTarget(
            name: "spikemesh-bench", dependencies: ["SpikeMesh"],
            path: "Benchmarks/SpikeMeshBenchmarks"),
        .testTarget(
            name: "SpikeMeshTests", dependencies: ["SpikeMesh"], path: "Tests/SpikeMeshTests",
            exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
