// swift-tools-version: 6.2
// SpikeMesh: an event-driven neuromorphic hardware emulator. No package dependencies.
import PackageDescription

// Portable by default: no CPU-specific flags, so the package can be depended on by version
// and a binary built here runs on any x86-64 or arm64 machine. `SPIKEMESH_NATIVE=1 swift
// build -c release` adds `-target-cpu native` to the engines for local benchmarking; it
// changes speed only, never results (the engines use no fused multiply-add, and Swift does
// not contract `a * b + c`), so every recorded number is the same in either build.
let native = Context.environment["SPIKEMESH_NATIVE"] == "1"
// Warnings are errors in every configuration (SE-0480 settings apply to this package only).
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]
let engineSettings: [SwiftSetting] = strict + (native
    ? [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))] : [])

let package = Package(
    name: "SpikeMesh",
    products: [
        .library(name: "SpikeMesh", targets: ["SpikeMesh"]),
        .executable(name: "spikemesh", targets: ["spikemesh"]),
    ],
    targets: [
        .target(name: "SpikeMesh", path: "Sources/SpikeMesh", swiftSettings: engineSettings),
        .executableTarget(name: "spikemesh", dependencies: ["SpikeMesh"], path: "Sources/spikemesh", swiftSettings: strict),
        .executableTarget(
            name: "spikemesh-bench", dependencies: ["SpikeMesh"],
            path: "Benchmarks/SpikeMeshBenchmarks", swiftSettings: strict),
        .testTarget(
            name: "SpikeMeshTests", dependencies: ["SpikeMesh"], path: "Tests/SpikeMeshTests",
            exclude: ["Fixtures"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
