import Foundation

@testable import SpikeMeshConversion
@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshEnergy
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel
@testable import SpikeMeshPipeline

/// One fixed configuration of the whole pipeline (convert → quantize → estimate rates → map →
/// emulate → price), and the canonical JSON of everything it produces: every counter (totals,
/// per core, per population, per link, per tick), spikes per population, every energy part,
/// latency, accuracy per checkpoint, the quantization and the mapping's shape.
///
/// The golden files in `Fixtures/golden/` are this JSON as committed. Regenerate them with
///
/// ```
/// SPIKEMESH_REGENERATE_GOLDEN=1 swift test -c release --filter GoldenRegression
/// ```
///
/// and say in the commit why they changed: a change that is meant to preserve behaviour must
/// leave them byte for byte identical.
struct GoldenConfiguration: Sendable, CustomStringConvertible {
    var name: String
    var model: String
    var hardware: String
    var overrides: [String] = []
    var method: ThresholdMethod? = nil
    /// The conversion the golden files were made with, before the low-latency defaults
    /// (Docs/Conversion.md): V(0) = 0, one θ per layer and no potential calibration (pooling
    /// kept its default).
    /// `lowLatency` runs today's defaults instead.
    var lowLatency = false
    var calibrationImages = 100
    var rateImages = 16
    var images = 8
    var checkpoints = [16]
    var encoding = InputEncoding.direct
    var delivery = DeliveryMode.layerSynchronous
    var srpTau = 0
    var exact = false
    var seed: UInt64 = 3
    /// Fan-in relays (Docs/Mapping.md, "Relays"). Off for the files recorded before relays
    /// existed, which over-commit cores instead; on for the relay configurations.
    var split = false

    var description: String { name }

    static let all: [GoldenConfiguration] = [
        GoldenConfiguration(
            name: "cnn-loihi-direct", model: Fixtures.example("fmnist_cnn.onnx"), hardware: "loihi",
            images: 16, checkpoints: [8, 16, 32]),
        GoldenConfiguration(
            name: "cnn-generic-small-poisson-pipelined-stalls", model: Fixtures.example("fmnist_cnn.onnx"),
            hardware: "generic-small", overrides: ["mesh.linkCapacity=64"],
            encoding: .poisson, delivery: .pipelined),
        GoldenConfiguration(
            name: "resnet-loihi", model: Fixtures.path("models/fmnist_resnet_small.onnx"), hardware: "loihi",
            checkpoints: [8, 16]),
        GoldenConfiguration(
            name: "qcfs-srp-truenorth", model: Fixtures.example("fmnist_cnn_qcfs.onnx"), hardware: "truenorth",
            checkpoints: [4, 8], srpTau: 4),
        GoldenConfiguration(
            name: "cnn-exact-generic-small", model: Fixtures.example("fmnist_cnn_nobias.onnx"),
            hardware: "generic-small", exact: true),
        GoldenConfiguration(
            name: "cnn-loihi-lowlatency-defaults", model: Fixtures.example("fmnist_cnn.onnx"), hardware: "loihi",
            lowLatency: true, checkpoints: [4, 8, 16]),
        GoldenConfiguration(
            name: "cnn-saturating-generic-small", model: Fixtures.example("fmnist_cnn.onnx"),
            hardware: "generic-small", overrides: ["core.potentialBits=8"]),
        // Relays on TrueNorth's 256-axon cores: signed on the chip as it is, graded with a payload.
        GoldenConfiguration(
            name: "cnn-truenorth-signed-relays", model: Fixtures.example("fmnist_cnn.onnx"), hardware: "truenorth",
            rateImages: 4, images: 4, checkpoints: [16], delivery: .pipelined, split: true),
        GoldenConfiguration(
            name: "cnn-truenorth-graded-relays", model: Fixtures.example("fmnist_cnn.onnx"), hardware: "truenorth",
            overrides: ["core.gradedSpikeBits=24"], rateImages: 4, images: 4, checkpoints: [16], split: true),
    ]

    var goldenPath: String { Fixtures.path("golden/\(name).json") }
}

enum GoldenRun {
    static let test = Result { try Dataset.load(path: Fixtures.example("fashion-mnist-test-1000.smds.gz")) }

    /// Runs `config` through the library's `Pipeline`, as `spikemesh run` does with the same
    /// options (before the pipeline moved into the library, this harness called each stage
    /// itself; the golden files did not change when it switched).
    static func run(_ config: GoldenConfiguration, workers: Int? = nil) throws -> JSON {
        var pipeline = Pipeline()
        if let workers { pipeline.run.workers = workers }
        pipeline.input.limit = config.images
        pipeline.conversion.method = config.method
        pipeline.conversion.calibrationImages = config.calibrationImages
        pipeline.conversion.seed = config.seed
        if !config.lowLatency {
            pipeline.conversion.initialPotential = .zero
            pipeline.conversion.thresholdScope = .layer
            pipeline.conversion.potentialCalibrationTicks = 0
        }
        pipeline.conversion.calibrationData = Fixtures.example("fashion-mnist-train-1000.smds.gz")
        pipeline.hardware.hardware = config.hardware
        pipeline.hardware.overrides = config.overrides
        pipeline.mapping.rateImages = config.rateImages
        pipeline.mapping.split = config.split
        pipeline.run.timesteps = config.checkpoints
        pipeline.run.encoding = config.encoding
        pipeline.run.delivery = config.delivery
        pipeline.run.srpTau = config.srpTau
        pipeline.run.exact = config.exact
        let loaded = try pipeline.load(config.model)
        let hardware = try pipeline.hardwareModel()
        let data = try test.get().limited(to: config.images)
        let s = try pipeline.emulate(loaded, on: hardware, data: data)
        return canonical(
            config, fixed: s.network, quantization: s.quantization, mapping: s.mapping, evaluation: s.evaluation,
            hardware: hardware)
    }

    static func canonical(
        _ config: GoldenConfiguration, fixed: FixedPointNetwork, quantization: Quantizer.Report,
        mapping: Mapping, evaluation: Emulator.Evaluation, hardware: HardwareModel
    ) -> JSON {
        let c = evaluation.counters
        let energy = EnergyEstimate(counters: c, hardware: hardware, chips: mapping.chipsUsed)
        func ints(_ a: [Int]) -> JSON { .array(a.map { .int($0) }) }
        let totals: [(String, Int)] = [
            ("packets", c.packets), ("inputPackets", c.inputPackets), ("delivered", c.delivered),
            ("pendingAtEnd", c.pendingAtEnd),
            ("hopsWithinChip", c.hopsWithinChip), ("hopsBetweenChips", c.hopsBetweenChips),
            ("stalledPacketTicks", c.stalledPacketTicks), ("latePackets", c.latePackets),
            ("synapticOps", c.synapticOps),
            ("neuronUpdates", c.neuronUpdates), ("everyTickNeuronUpdates", c.everyTickNeuronUpdates),
            ("saturations", c.saturations), ("spikes", c.spikes), ("ticks", c.ticks), ("timePs", c.timePs),
            ("coreTimePs", c.coreTimePs), ("meshTimePs", c.meshTimePs), ("barrierTimePs", c.barrierTimePs),
            ("images", c.images),
        ]
        return .object([
            ("configuration", .string(config.name)),
            ("regenerate", .string("SPIKEMESH_REGENERATE_GOLDEN=1 swift test -c release --filter GoldenRegression")),
            (
                "mapping",
                .object([
                    ("cores", .int(mapping.cores.count)), ("chips", .int(mapping.chipsUsed)),
                    ("fits", .bool(mapping.fits)),
                    ("violations", .array(mapping.violations.map { .string($0.description) })),
                    ("placement", ints(mapping.placement)),
                    ("placementCost", .number(mapping.placementCost)), ("baselineCost", .number(mapping.baselineCost)),
                ])
            ),
            (
                "quantization",
                .array(
                    quantization.entries.map { e in
                        .object([
                            ("layer", .string(e.name)), ("threshold", .float(e.threshold)),
                            ("integerThreshold", .int(e.integerThreshold)),
                            ("weights", .int(e.weights)), ("clipped", .int(e.clipped)), ("zeroed", .int(e.zeroed)),
                            ("relativeError", .number(e.relativeError)), ("largestWeight", .int(e.largestWeight)),
                            ("clampedValues", .int(e.clampedValues)),
                        ])
                    })
            ),
            ("checkpoints", ints(evaluation.checkpoints)),
            ("accuracy", .array(evaluation.accuracy.map { .number($0) })),
            ("ticksRun", .int(evaluation.ticksRun)),
            ("spikeRate", .number(evaluation.spikeRate)),
            ("totals", .object(totals.map { ($0.0, .int($0.1)) })),
            (
                "perCore",
                .object([
                    ("synapticOps", ints(c.coreSynapticOps)), ("neuronUpdates", ints(c.coreNeuronUpdates)),
                    ("packetsOut", ints(c.corePacketsOut)), ("packetsIn", ints(c.corePacketsIn)),
                    ("spikes", ints(c.coreSpikes)), ("saturations", ints(c.coreSaturations)),
                ])
            ),
            (
                "perPopulation",
                .object([
                    ("spikes", ints(c.populationSpikes)), ("synapticOps", ints(c.populationSynapticOps)),
                    ("neuronUpdates", ints(c.populationNeuronUpdates)), ("saturations", ints(c.populationSaturations)),
                ])
            ),
            ("perLink", .object([("packets", ints(c.linkPackets)), ("peak", ints(c.linkPeak))])),
            (
                "perTick",
                .object([
                    ("spikes", ints(c.tickSpikes)), ("packets", ints(c.tickPackets)),
                    ("synapticOps", ints(c.tickSynapticOps)),
                ])
            ),
            (
                "energy",
                .object(
                    energy.parts.map { ($0.name, .number($0.microjoules)) } + [
                        ("totalMicrojoules", .number(energy.totalMicrojoules)),
                        ("latencyTicks", .number(energy.latencyTicks)),
                        ("latencyMicroseconds", .number(energy.latencyMicroseconds)),
                    ])
            ),
        ])
    }
}
