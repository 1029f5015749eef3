import Foundation
import SpikeMeshConversion
import SpikeMeshCore
import SpikeMeshModel

/// Every setting of a pipeline run, grouped as the command line groups its options. Each
/// default is written here and only here: the CLI renders `--help` from these values.

/// Paths of the bundled example, relative to the package root (the working directory of
/// `swift run`).
public enum BundledExample {
    public static let model = "Examples/fmnist_cnn.onnx"
    public static let sampleData = "Examples/fashion-mnist-test-1000.smds.gz"
    public static let calibrationData = "Examples/fashion-mnist-train-1000.smds.gz"
}

/// Which images a run reads and how they are normalized.
public struct InputSettings: Sendable {
    /// An IDX folder (four MNIST-format files) or one `.smds[.gz]` sample file.
    public var data: String? = nil
    public var split = DatasetSplit.test
    /// Only the first N images (nil = all, or the command's own default).
    public var limit: Int? = nil
    /// Normalization, one value or one per channel; nil = the model's metadata, else 0 and 1.
    public var mean: [Float]? = nil
    public var std: [Float]? = nil
    public var dataPath: String { data ?? BundledExample.sampleData }
    public init() {}
}

/// How a model is converted (Docs/Conversion.md).
public struct ConversionSettings: Sendable {
    /// nil = qcfs for a QCFS-trained model, else percentile.
    public var method: ThresholdMethod? = nil
    public var percentile = ConversionOptions().percentile
    public var alpha = ConversionOptions().alpha
    /// nil = linear for qcfs, else spiking. Linear pooling measures better at low T, but its
    /// larger fan-in no longer fits the bundled CNN on Loihi's 4,096 axons (Docs/Conversion.md).
    public var pooling: PoolingMode? = nil
    public var reset = ResetMode.subtract
    /// V(0) of hidden neurons (ReLU conversions; qcfs always uses θ/2): θ/2 by default,
    /// measured better at every T below 64 (Docs/Conversion.md).
    public var initialPotential = InitialPotentialMode.half
    /// nil = one θ per channel for `max` and `percentile`, one per layer for `rmp` and `qcfs`.
    public var thresholdScope: ThresholdScope? = nil
    /// Bias calibration ticks (0 = off).
    public var biasCalibrationTicks = ConversionOptions().biasCalibrationTicks
    /// Potential calibration ticks (0 = off); nil = 32 for ReLU conversions, off for qcfs.
    /// Measured: on the bundled CNN it lifts T = 8 from 85 to 91 % and T = 32 to within 0.5 %
    /// of the ANN, with no loss at T = 256 (Docs/Conversion.md).
    public var potentialCalibrationTicks: Int? = nil
    public static let defaultPotentialCalibrationTicks = 32
    public var calibrationImages = 1000
    /// nil = the train split of an IDX `--data` folder, else the bundled training sample.
    public var calibrationData: String? = nil
    /// Seed of every random draw (Poisson input, placement).
    public var seed: UInt64 = 0
    public init() {}

    /// The conversion policy: QCFS-trained layers imply the qcfs method, and qcfs folds
    /// average pooling into the next layer (as Bu et al. keep it); ReLU conversions start at
    /// V(0) = θ/2 with one θ per channel, then calibrate each channel's V(0) at 32 ticks.
    /// `ConversionOptions()` itself is the plain baseline (V(0) = 0, one θ per layer, spiking
    /// pooling, no calibration) that these defaults were measured against.
    public func options(for graph: ANNGraph) -> ConversionOptions {
        var o = ConversionOptions()
        let qcfs = graph.layers.contains { if case .qcfs = $0.op { true } else { false } }
        o.method = method ?? (qcfs ? .qcfs : .percentile)
        o.percentile = percentile
        o.alpha = alpha
        o.reset = reset
        o.initialPotential = initialPotential
        o.thresholdScope = thresholdScope ?? (o.method == .max || o.method == .percentile ? .channel : .layer)
        o.biasCalibrationTicks = biasCalibrationTicks
        o.potentialCalibrationTicks =
            potentialCalibrationTicks ?? (o.method == .qcfs ? 0 : Self.defaultPotentialCalibrationTicks)
        o.pooling = pooling ?? (o.method == .qcfs ? .linear : .spiking)
        o.seed = seed
        return o
    }
}

/// Which chip, with what-if overrides.
public struct HardwareSettings: Sendable {
    public var hardware = "loihi"
    /// `key=value` overrides, applied in order (Docs/HardwareModels.md).
    public var overrides: [String] = []
    /// A sweep point's own `key=value` overrides, applied after `overrides`, each with how the
    /// user typed it (`--vary KEY=VALUE`) for error messages.
    public var varied: [(override: String, typed: String)] = []
    public init() {}
}

/// Placement.
public struct MappingSettings: Sendable {
    /// Calibration images simulated (T = 32) to estimate spike rates; 0 = assume `defaultRate`.
    public var rateImages = 16
    public var rateTimesteps = 32
    /// Annealing moves per core (0 = the snake baseline only).
    public var anneal = 2_000
    /// Fan-in decomposition (`FanInDecomposition`): relays where one neuron needs more of a
    /// core than it has. Off (`--no-split`): such cores are over-committed and reported.
    public var split = true
    public init() {}
}

/// The emulated (or simulated) run.
public struct RunSettings: Sendable {
    /// Input-presentation ticks at which accuracy is read; energy and latency at the largest.
    public var timesteps = [64]
    public var encoding = InputEncoding.direct
    public var delivery = DeliveryMode.layerSynchronous
    public var readout = ReadoutMode.membrane
    /// SRP's preliminary ticks (0 = off).
    public var srpTau = 0
    /// Quantize to integers wide enough to reproduce the float network, not the chip's widths.
    public var exact = false
    /// Worker threads of the simulators and the emulator. Spikes, counters and predictions
    /// are identical for every count (images are split into contiguous ranges, every image
    /// has its own seeded stream, and counters are integer sums).
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    public init() {}
}
