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
let engine: [SwiftSetting] =
    strict
    + (native
        ? [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))] : [])

/// The pipeline's stages, bottom to top (Docs/Architecture.md). A stage imports only stages
/// listed before it, so an arrow that points back up the pipeline does not compile.
let stages: [(name: String, imports: [String])] = [
    ("Core", []),  // errors, RNG, run modes, JSON, parallel map
    ("Model", ["Core"]),  // ANN graph, spiking network, dataset, windows
    ("Formats", ["Core", "Model"]),  // protobuf/ONNX, IDX/gzip/inflate, network files
    ("Inference", ["Core", "Model"]),  // float ANN engine
    ("Reference", ["Core", "Model"]),  // the float reference simulator (the oracle)
    ("Conversion", ["Core", "Model", "Inference", "Reference"]),
    ("Hardware", ["Core", "Model"]),  // hardware models, quantization
    ("Mapping", ["Core", "Model", "Hardware"]),
    ("Emulation", ["Core", "Model", "Hardware", "Mapping"]),
    ("Energy", ["Core", "Model", "Hardware", "Emulation"]),
    ("Reports", ["Core", "Model", "Inference", "Conversion", "Hardware", "Mapping", "Emulation", "Energy"]),
    (
        "Pipeline",
        [
            "Core", "Model", "Formats", "Inference", "Reference", "Conversion", "Hardware", "Mapping", "Emulation",
            "Energy", "Reports",
        ]
    ),  // load → convert → map → quantize → emulate, with settings
]
let moduleNames = stages.map { "SpikeMesh" + $0.name }

let package = Package(
    name: "SpikeMesh",
    products: [
        .library(name: "SpikeMesh", targets: ["SpikeMesh"]),
        .executable(name: "spikemesh", targets: ["spikemesh"]),
    ],
    targets: stages.map { stage in
        .target(
            name: "SpikeMesh" + stage.name,
            dependencies: stage.imports.map { .target(name: "SpikeMesh" + $0) },
            path: "Sources/SpikeMesh" + stage.name, swiftSettings: engine)
    } + [
        .target(
            name: "SpikeMesh", dependencies: moduleNames.map { .target(name: $0) },
            path: "Sources/SpikeMesh", swiftSettings: strict),
        // The command line: parsing and printing over the library; a library so tests reach it.
        .target(name: "SpikeMeshCLI", dependencies: ["SpikeMesh"], path: "Sources/SpikeMeshCLI", swiftSettings: strict),
        .executableTarget(
            name: "spikemesh", dependencies: ["SpikeMeshCLI"], path: "Sources/spikemesh", swiftSettings: strict),
        .executableTarget(
            name: "spikemesh-bench", dependencies: ["SpikeMesh"],
            path: "Benchmarks/SpikeMeshBenchmarks", swiftSettings: strict),
        // The fuzz targets (Docs/Fuzzing.md): replays files here; Tools/fuzz.sh builds it with libFuzzer.
        .executableTarget(
            name: "spikemesh-fuzz", dependencies: ["SpikeMesh", "SpikeMeshCLI"],
            path: "Tools/Fuzz", swiftSettings: strict),
        .testTarget(
            name: "SpikeMeshTests",
            dependencies: ["SpikeMesh", "SpikeMeshCLI", "spikemesh", "spikemesh-fuzz"]
                + moduleNames.map { .target(name: $0) },
            path: "Tests/SpikeMeshTests", exclude: ["Fixtures"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
