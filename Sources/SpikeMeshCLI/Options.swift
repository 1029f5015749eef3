import Foundation
import SpikeMesh

/// Every option of the command line, declared once, grouped as the library's settings are
/// (`InputSettings`, `ConversionSettings`, `HardwareSettings`, `MappingSettings`,
/// `RunSettings`). Defaults shown in `--help` are read from those settings.
enum Opt {
    // Input (InputSettings).
    static let data = Option(
        "data", "PATH",
        help:
            "A folder with the four MNIST-format IDX files (plain or .gz), one .smds[.gz] sample file, or a NumPy .npz with arrays x (images) and y (labels) (Docs/Data.md).",
        default: BundledExample.sampleData, file: .input, parse: Parse.path)
    static let split = Option(
        "split", Parse.choices(DatasetSplit.self), help: "Which split of an IDX folder to read.",
        default: InputSettings().split.rawValue, parse: Parse.choice(DatasetSplit.self))
    static let limit = Option("limit", "N", help: "Use only the first N images.", parse: Parse.int(1))
    static let mean = Option(
        "mean", "M[,M…]", help: "Normalization mean, one value or one per channel; x = (pixel/255 − mean)/std.",
        default: "the model's spikemesh.mean metadata, else 0", parse: Parse.numbers)
    static let std = Option(
        "std", "S[,S…]", help: "Normalization standard deviation.",
        default: "the model's spikemesh.std metadata, else 1", parse: Parse.numbers)
    static let input: [OptionSpec] = [data.spec, split.spec, limit.spec, mean.spec, std.spec]

    // Conversion (ConversionSettings).
    static let method = Option(
        "method", Parse.choices(ThresholdMethod.self), help: "Threshold balancing.",
        default: "qcfs for QCFS-trained models, else percentile", parse: Parse.choice(ThresholdMethod.self))
    static let percentile = Option(
        "percentile", "P", help: "For --method percentile.", default: "\(ConversionSettings().percentile)",
        parse: { Double(try Parse.number($0)) })
    static let alpha = Option(
        "alpha", "A", help: "Scale every threshold by A (the RMP paper's α).", default: "\(ConversionSettings().alpha)",
        parse: Parse.number)
    static let pooling = Option(
        "pooling", Parse.choices(PoolingMode.self),
        help:
            "Average pooling as IF neurons, or folded into the next layer's weights, no neurons, as Bu et al. 2022 (larger fan-in).",
        default: "linear for qcfs, else spiking", parse: Parse.choice(PoolingMode.self))
    static let v0 = Option(
        "v0", Parse.choices(InitialPotentialMode.self),
        help:
            "Initial membrane of hidden neurons: 0, or θ/2 (Bu et al. 2022: round(T·x/θ) spikes instead of floor, half the error).",
        default: ConversionSettings().initialPotential.rawValue + " (qcfs: always half)",
        parse: Parse.choice(InitialPotentialMode.self))
    static let thresholds = Option(
        "thresholds", Parse.choices(ThresholdScope.self),
        help:
            "One threshold per layer, or one per output channel (Kim et al. 2020) folded into the weights; populations read through a residual skip or spiking pooling keep one.",
        default: "channel for max and percentile, else layer", parse: Parse.choice(ThresholdScope.self))
    static let calibrateBias = Option(
        "calibrate-bias", "T",
        help:
            "Bias calibration (Li et al. 2021): layer by layer, shift each channel's bias by the mean error of T simulated ticks on the calibration images; 0 = off.",
        default: "\(ConversionSettings().biasCalibrationTicks)",
        parse: Parse.int(0, ConversionOptions.maximumCalibrationTicks))
    static let calibratePotential = Option(
        "calibrate-potential", "T",
        help:
            "Potential calibration (Li et al. 2021): layer by layer, shift each channel's initial membrane by T × the mean error of T simulated ticks; the shift keeps helping at other T. 0 = off.",
        default: "\(ConversionSettings.defaultPotentialCalibrationTicks) (qcfs: 0)",
        parse: Parse.int(0, ConversionOptions.maximumCalibrationTicks))
    static let reset = Option(
        "reset", Parse.choices(ResetMode.self), help: "Soft reset V ← V − θ (RMP) or hard reset V ← 0.",
        default: ConversionSettings().reset.rawValue, parse: Parse.choice(ResetMode.self))
    static let calibrationImages = Option(
        "calibration-images", "N", help: "Calibration images.",
        default: "\(ConversionSettings().calibrationImages)", parse: Parse.int(1))
    static let calibrationData = Option(
        "calibration-data", "PATH", help: "Where calibration (and spike-rate) images come from.",
        default: "the train split of an IDX --data folder, else \(BundledExample.calibrationData)", file: .input,
        parse: Parse.path)
    static let seed = Option(
        "seed", "S", help: "Seed of every random draw (Poisson input, placement).",
        default: "\(ConversionSettings().seed)", parse: { UInt64(try Parse.int(0)($0)) })
    static let conversion: [OptionSpec] = [
        method.spec, percentile.spec, alpha.spec, thresholds.spec, v0.spec, calibrateBias.spec, calibratePotential.spec,
        pooling.spec, reset.spec,
        calibrationImages.spec, calibrationData.spec, seed.spec,
    ]
    /// Options that only make sense when a model is converted.
    static let conversionOnly: [OptionSpec] = [
        method.spec, percentile.spec, alpha.spec, thresholds.spec, v0.spec, calibrateBias.spec, calibratePotential.spec,
        pooling.spec, reset.spec,
        calibrationImages.spec,
    ]

    // Hardware (HardwareSettings).
    static let hardware = Option(
        "hardware", "NAME|FILE",
        help:
            "A shipped model (\(HardwareModel.shipped.joined(separator: ", "))) or a hardware-model JSON file. Keys: Docs/HardwareModels.md.",
        default: HardwareSettings().hardware, file: .input, parse: Parse.path)
    static let set = Option(
        "set", "K=V[,K=V…]",
        help:
            "Override hardware keys for a what-if study, e.g. core.neurons=512,energy.hopPJ=2; a table's commas stay in its value (time.barrierNsByTilesInUse=1:600,2:1000).",
        repeatable: true, parse: Parse.overrides)
    static let hardwareGroup: [OptionSpec] = [hardware.spec, set.spec]

    // Mapping (MappingSettings).
    static let rateImages = Option(
        "rate-images", "N",
        help:
            "Calibration images simulated (T = \(MappingSettings().rateTimesteps)) to estimate spike rates for placement; 0 = assume \(Mapper.Options().defaultRate).",
        default: "\(MappingSettings().rateImages)", parse: Parse.int(0))
    static let anneal = Option(
        "anneal", "N", help: "Placement annealing moves per core (0 = snake baseline only).",
        default: "\(MappingSettings().anneal)", parse: Parse.int(0, 1_000_000))
    static let noSplit = Flag(
        "no-split",
        help:
            "No fan-in relays: a layer whose single neuron needs more input axons or synapse memory than a core has is mapped over-committed and reported as DOES NOT FIT (what-if studies of the raw network)."
    )
    static let mapping: [OptionSpec] = [rateImages.spec, anneal.spec, noSplit.spec]

    // Run (RunSettings).
    static let timesteps = Option(
        "timesteps", "T[,T…]",
        help: "Input-presentation ticks; accuracy is read at each, energy and latency at the largest.",
        default: RunSettings().timesteps.map(String.init).joined(separator: ","), repeatable: true,
        parse: Parse.timesteps)
    static let encoding = Option(
        "encoding", Parse.choices(InputEncoding.self),
        help: "Analog input current every tick, or signed Poisson spikes with probability |x| (sent as packets).",
        default: RunSettings().encoding.rawValue, parse: Parse.choice(InputEncoding.self))
    static let delivery = Option(
        "delivery", Parse.choices(DeliveryMode.self),
        help: "Zero-delay layers within a tick, or one tick per hop as on a chip.",
        default: RunSettings().delivery.rawValue, parse: Parse.choice(DeliveryMode.self))
    static let readout = Option(
        "readout", Parse.choices(ReadoutMode.self), help: "Argmax of output membranes or of output spike counts.",
        default: RunSettings().readout.rawValue, parse: Parse.choice(ReadoutMode.self))
    static let srpTau = Option(
        "srp-tau", "τ",
        help:
            "SRP (Hao et al. 2023): τ preliminary ticks, then suppress neurons with non-positive residual potential (latency τ + T).",
        default: "\(RunSettings().srpTau) (off)", parse: Parse.int(0, 1_000_000))
    static let exact = Flag(
        "exact",
        help:
            "Quantize with integers wide enough to reproduce the float network (\(Quantizer.exactWeightBits)-bit weights, \(Quantizer.exactPotentialBits)-bit potentials) instead of the hardware's widths."
    )
    static let threads = Option(
        "threads", "N", help: "Worker threads; spikes, counters and predictions are identical for any N.",
        default: "\(RunSettings().workers) (the cores of this machine)", parse: Parse.int(1, 1024))
    static let run: [OptionSpec] = [
        timesteps.spec, encoding.spec, delivery.spec, srpTau.spec, exact.spec, threads.spec,
    ]

    static let maxMemory = Option(
        "max-memory", "SIZE",
        help: "Refuse, before allocating, work estimated above SIZE (512M, 8G, 50%: a share of physical memory).",
        default: "\(Int(MemoryBudget.defaultFraction * 100))% of physical memory",
        parse: { try MemoryBudget.parse($0) })

    static let targetLoss = Option(
        "target-loss", "P%",
        help:
            "Report the smallest T whose accuracy is within P percentage points of the ANN's (e.g. 1%); needs an .onnx model.",
        parse: Parse.percentagePoints)

    // Output.
    static let quiet = Flag("quiet", help: "No progress on stderr.")
    static func json(_ help: String) -> Flag { Flag("json", help: help) }
    /// For reading: flags are matched by their declared name.
    static let json = Flag("json", help: "Print one JSON object on stdout.")
    static let output = Option(
        "output", "NET", help: "Write the network here (also -o; by convention NAME.smnet).", file: .output,
        parse: Parse.path)
    static let requireFit = Flag(
        "require-fit",
        help: "Exit with status 3 (after the report) when a layer does not fit a core, for scripts and CI.")
    static let svg = Option(
        "svg", "FILE", help: "Draw the mesh: cores coloured by layer, shaded by use; links by expected load.",
        file: .output, parse: Parse.path)
    static let html = Option(
        "html", "FILE",
        help: "Also write one self-contained HTML file (inline SVG plots and CSS, no script, no network) to FILE.",
        file: .output, parse: Parse.path)
    /// The command line as the user typed it, for a report's "made by" line.
    static var commandLine: String {
        (["spikemesh"] + CommandLine.arguments.dropFirst()).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(
            separator: " ")
    }
    static let batch = Option(
        "batch", "N", help: "Images per batch.", default: "\(ANNEngine.defaultBatchSize)", parse: Parse.int(1))

    static let modelPositional = (
        "MODEL|NET",
        "An .onnx model (converted first) or a network file from 'spikemesh convert -o' (default: \(BundledExample.model))."
    )
}

/// `--target-loss` compares with the ANN's accuracy, which a network file does not have.
func requireANN(for targetLoss: Double?, _ loaded: LoadedNetwork) throws {
    guard targetLoss == nil || loaded.graph != nil else {
        throw SpikeMeshError(
            .usage, "--target-loss compares with the ANN's accuracy; \(loaded.source) is a network file with no ANN")
    }
}

/// Reads the option groups into a `Pipeline`.
extension Pipeline {
    init(_ args: Arguments, quiet: Bool) throws {
        self.init()
        showProgress = !quiet
        input.data = try args.value(Opt.data)
        input.split = try args.value(Opt.split) ?? input.split
        input.limit = try args.value(Opt.limit)
        input.mean = try args.value(Opt.mean)
        input.std = try args.value(Opt.std)
        conversion.method = try args.value(Opt.method)
        conversion.percentile = try args.value(Opt.percentile) ?? conversion.percentile
        conversion.alpha = try args.value(Opt.alpha) ?? conversion.alpha
        conversion.pooling = try args.value(Opt.pooling)
        conversion.reset = try args.value(Opt.reset) ?? conversion.reset
        conversion.initialPotential = try args.value(Opt.v0) ?? conversion.initialPotential
        conversion.thresholdScope = try args.value(Opt.thresholds)
        conversion.biasCalibrationTicks = try args.value(Opt.calibrateBias) ?? conversion.biasCalibrationTicks
        conversion.potentialCalibrationTicks =
            try args.value(Opt.calibratePotential) ?? conversion.potentialCalibrationTicks
        conversion.calibrationImages = try args.value(Opt.calibrationImages) ?? conversion.calibrationImages
        conversion.calibrationData = try args.value(Opt.calibrationData)
        conversion.seed = try args.value(Opt.seed) ?? conversion.seed
        hardware.hardware = try args.value(Opt.hardware) ?? hardware.hardware
        hardware.overrides = try args.all(Opt.set)
        mapping.rateImages = try args.value(Opt.rateImages) ?? mapping.rateImages
        mapping.anneal = try args.value(Opt.anneal) ?? mapping.anneal
        if args.flag(Opt.noSplit) { mapping.split = false }
        let timesteps = try args.all(Opt.timesteps)
        if !timesteps.isEmpty { run.timesteps = timesteps }
        run.encoding = try args.value(Opt.encoding) ?? run.encoding
        run.delivery = try args.value(Opt.delivery) ?? run.delivery
        run.readout = try args.value(Opt.readout) ?? run.readout
        run.srpTau = try args.value(Opt.srpTau) ?? run.srpTau
        run.workers = try args.value(Opt.threads) ?? run.workers
        run.exact = args.flag(Opt.exact)
        memory = try args.value(Opt.maxMemory) ?? memory
    }

    /// Loads the positional network; conversion options on an already converted file are an error.
    func load(_ args: Arguments) throws -> LoadedNetwork {
        let path = args.positional(0)
        if let path, NetworkFile.looks(path) {
            for o in Opt.conversionOnly where args.given(o.name) {
                throw SpikeMeshError(
                    .usage, "--\(o.name) converts a model, but \(path) is an already converted network")
            }
        }
        return try load(path)
    }
}

extension ThresholdTable {
    static func text(_ loaded: LoadedNetwork) -> String { loaded.summary.map { text($0) } ?? text(loaded.structure) }
}

/// Writes the command's files (`OutputFile`: checked before the work by `CLI.checkFiles`),
/// each that can be, and returns the first failure instead of throwing it, so that the caller
/// prints its results before it fails: a file that cannot be written late never loses what was
/// computed. `contents` is rendered only for the files that are written.
func writeFiles(_ args: Arguments, _ files: [(option: Option<String>, contents: () throws -> [UInt8])]) -> Error? {
    var first: Error?
    for file in files {
        do {
            guard let path = try args.value(file.option) else { continue }
            try OutputFile.write(try file.contents(), to: path, option: args.spelling(file.option.spec.name))
        } catch { first = first ?? error }
    }
    return first
}

/// Prints a command's text output with every control character from an input file's names
/// escaped (`Text.terminal`), so no name can drive the terminal.
func printText(_ text: String, terminator: String = "\n") {
    print(Text.terminal(text), terminator: terminator)
}

func printJSON(_ value: JSON) {
    print(value.rendered())
}
