// swift-tools-version: 6.0
// SpikeMesh: an event-driven neuromorphic hardware emulator. No package dependencies.
import PackageDescription

let package = Package(
    name: "SpikeMesh",
    products: [
        .library(name: "SpikeMesh", targets: ["SpikeMesh"]),
        .executable(name: "spikemesh", targets: ["spikemesh"]),
    ],
    targets: [
        .target(name: "SpikeMesh", path: "Sources/SpikeMesh"),
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
