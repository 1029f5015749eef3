import Foundation
import SpikeMeshConversion
import SpikeMeshCore
import SpikeMeshEmulation
import SpikeMeshEnergy
import SpikeMeshFormats
import SpikeMeshHardware
import SpikeMeshInference
import SpikeMeshMapping
import SpikeMeshModel
import SpikeMeshReference
import SpikeMeshReports

/// A spiking network ready to run: converted here from an ONNX model, or loaded from a
/// network file written by `spikemesh convert -o`.
public struct LoadedNetwork: Sendable {
    /// The network as loaded: float (converted here, or a float file), or fixed point (a
    /// file written with `convert --hardware H -o` or `--exact -o`).
    public let contents: NetworkFile.Contents
    /// Its structure — names, shapes, projections, metadata — as a float-layout network: the
    /// float network itself, or a fixed-point file's `integerView()`. For mapping, MAC counts
    /// and reports; `reference` is what simulates it.
    public let structure: SpikingNetwork
    /// The ANN, when the source was a model.
    public var graph: ANNGraph?
    /// Calibration summary, when converted here.
    public var summary: CalibrationSummary?
    public var normalization: Normalization
    public var source: String

    public init(
        contents: NetworkFile.Contents, graph: ANNGraph?, summary: CalibrationSummary?, normalization: Normalization,
        source: String
    ) {
        self.contents = contents
        switch contents {
        case .float(let n): structure = n
        case .fixedPoint(let n): structure = n.integerView()
        }
        (self.graph, self.summary, self.normalization, self.source) = (graph, summary, normalization, source)
    }

    /// The float network, unless the file was fixed point.
    public var float: SpikingNetwork? {
        if case .float(let n) = contents { n } else { nil }
    }

    /// The reference simulator for this network: float, or in the fixed-point file's integer units.
    public var reference: ReferenceSimulator {
        switch contents {
        case .float(let n): ReferenceSimulator(network: n)
        case .fixedPoint(let n): ReferenceSimulator(network: n)
        }
    }
}

/// The pipeline Docs/Architecture.md draws — load → convert → quantize → map → emulate → summary — as
/// library calls with explicit settings, so the CLI, the benchmarks and a study script run
/// the same code. `progress` labels long steps (nil = quiet).
public struct Pipeline: Sendable {
    public var input = InputSettings()
    public var conversion = ConversionSettings()
    public var hardware = HardwareSettings()
    public var mapping = MappingSettings()
    public var run = RunSettings()
    /// Show progress on stderr.
    public var showProgress = false
    /// Work estimated beyond this is refused before it is allocated (`MemoryEstimate`).
    public var memory = MemoryBudget.standard
    /// `map`: when no images were asked for (no `--data`, no `--calibration-data`) and the
    /// bundled sample does not fit the model's input, convert from structure alone (every
    /// θ = 1, `Converter.structure`) instead of failing: thresholds affect neither slicing nor
    /// placement. The network's metadata `structureOnly` says why.
    public var structureOnly = false

    public init() {}

    func progress(_ label: String, total: Int) -> SpikeMeshCore.Progress {
        SpikeMeshCore.Progress(label, total: total, enabled: showProgress)
    }

    // MARK: Data

    /// The images `input` names (the bundled test sample by default), limited to `limit` or,
    /// when no limit is set, to `defaultLimit`.
    public func dataset(defaultLimit: Int? = nil) throws -> Dataset {
        var data = try loadDataset(input.dataPath, split: input.split)
        if let limit = input.limit ?? defaultLimit { data = data.limited(to: limit) }
        return data
    }

    /// Calibration images: `--calibration-data`, else the train split of an IDX `--data`
    /// folder, else (no `--data` at all) the bundled training sample. A single `--data` file
    /// has no training split, and nothing stands in for it silently.
    public func calibrationData() throws -> Dataset {
        if let path = conversion.calibrationData { return try loadDataset(path, split: .train) }
        if let path = input.data {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return try loadDataset(path, split: .train)
            }
            throw SpikeMeshError(
                .usage,
                "--data \(path) is a single file with no training split; give calibration images with --calibration-data PATH"
            )
        }
        return try loadDataset(BundledExample.calibrationData, split: .test)
    }

    func loadDataset(_ path: String, split: DatasetSplit) throws -> Dataset {
        try checkMemory(MemoryEstimate.dataset(path: path, split: split), "loading \(Text.escaped(path))")
        return try Dataset.load(path: path, split: split)
    }

    /// `count` images of `data`, normalized, after checking their size against `memory`.
    public func normalizedImages(_ data: Dataset, count: Int, _ normalization: Normalization, for what: String) throws
        -> [Float]
    {
        try checkMemory(
            MemoryEstimate.images(count, inputSize: data.channels * data.height * data.width),
            "normalizing \(count) \(what) images")
        return data.normalizedBatch(0..<count, mean: normalization.mean, std: normalization.std)
    }

    // MARK: Load and convert

    /// Loads a network file, or imports and converts an ONNX model (`path` nil = the bundled
    /// example).
    public func load(_ path: String?) throws -> LoadedNetwork {
        let path = path ?? BundledExample.model
        let graph: ANNGraph
        let normalization: Normalization
        switch try read(path) {
        case .network(let loaded): return loaded
        case .model(let g, let n): (graph, normalization) = (g, n)
        }
        if structureOnly, conversion.calibrationData == nil, input.data == nil,
            conversion.options(for: graph).method != .qcfs
        {
            let sample = try calibrationData()
            do {
                try sample.check(fits: graph.inputShape, of: graph.source, normalization: normalization)
            } catch let e as SpikeMeshError where [sample.channels, sample.height, sample.width] != graph.inputShape {
                var network = try Converter.structure(
                    of: graph, reset: conversion.reset, pooling: conversion.options(for: graph).pooling)
                network.metadata.merge(normalization.metadata) { _, new in new }
                network.metadata["source"] = path
                network.metadata["structureOnly"] =
                    "no images fit the model (\(e.message)); mapped from structure alone, every θ = 1"
                return LoadedNetwork(
                    contents: .float(network), graph: graph, summary: nil, normalization: normalization, source: path)
            }
        }
        var (network, summary) = try convert(graph, normalization: normalization)
        network.metadata.merge(normalization.metadata) { _, new in new }
        network.metadata["source"] = path
        return LoadedNetwork(
            contents: .float(network), graph: graph, summary: summary, normalization: normalization, source: path)
    }

    /// Reads the model or network at `path` (nil = the bundled example) without converting it,
    /// and checks that `data` fits its input and normalization: what a study checks before its
    /// grid, so that a model that cannot be read fails the command, not every point.
    public func checkModel(_ path: String?, data: Dataset) throws {
        let path = path ?? BundledExample.model
        switch try read(path) {
        case .network(let loaded):
            try data.check(fits: loaded.structure.inputShape, of: path, normalization: loaded.normalization)
        case .model(let graph, let normalization):
            try data.check(fits: graph.inputShape, of: path, normalization: normalization)
        }
    }

    /// What `path` holds, read after checking its size against `memory`: a network file,
    /// loaded as it is, or an ONNX model not yet converted; each with its normalization.
    private enum Read {
        case network(LoadedNetwork)
        case model(ANNGraph, Normalization)
    }

    private func read(_ path: String) throws -> Read {
        try checkMemory(try MemoryEstimate.load(path: path), "loading \(Text.escaped(path))")
        if NetworkFile.looks(path) {
            let contents = try NetworkFile.load(path: path)
            let normalization = try Normalization.resolve(mean: input.mean, std: input.std, metadata: contents.metadata)
            return .network(
                LoadedNetwork(contents: contents, graph: nil, summary: nil, normalization: normalization, source: path))
        }
        let graph = try ONNXImporter.load(path: path)
        return .model(graph, try Normalization.resolve(mean: input.mean, std: input.std, graph: graph))
    }

    /// Converts `graph`: thresholds balanced on calibration images (none for qcfs).
    public func convert(_ graph: ANNGraph, normalization: Normalization) throws -> (SpikingNetwork, CalibrationSummary)
    {
        let options = conversion.options(for: graph)
        var images: [Float] = []
        var count = 0
        if options.method != .qcfs {
            let all = try calibrationData()
            count = min(conversion.calibrationImages, all.count)
            let calibration = all.limited(to: count)
            try calibration.check(fits: graph.inputShape, of: graph.source, normalization: normalization)
            images = try normalizedImages(calibration, count: count, normalization, for: "calibration")
        }
        let progress = progress("calibrate (\(options.method.rawValue))", total: options.method == .rmp ? 1 : count)
        defer { progress.finish() }
        return try Converter.convert(graph, calibration: images, count: count, options: options) { stage, done, total in
            progress.update(done, of: total, phase: Self.conversionPhases[stage] ?? stage)
        }
    }

    /// How the progress line names each phase of a conversion (`Converter`'s stage names):
    /// ANN passes count images, calibration and balancing count layers.
    static let conversionPhases = [
        "calibrate": "ANN pass: activation maxima (images)", "percentile": "ANN pass: percentile histograms (images)",
        "bias targets": "ANN pass: calibration targets (images)", "bias": "bias calibration (layers)",
        "potential": "potential calibration (layers)", "rmp": "RMP threshold balancing (layers)",
    ]

    // MARK: Hardware, rates, mapping

    /// The hardware model `hardware` names (or `name`), with every override applied in order.
    public func hardwareModel(named name: String? = nil) throws -> HardwareModel {
        try HardwareModel.load(
            name ?? hardware.hardware, overrides: hardware.overrides + hardware.varied.map(\.override),
            labels: hardware.overrides.map { "--set \(Text.escaped($0))" } + hardware.varied.map(\.typed))
    }

    /// Expected spike rates for placement, measured by the reference simulator on
    /// `mapping.rateImages` calibration images, and where they came from. They depend on the
    /// network only, so one measurement serves every hardware model.
    public func rates(_ loaded: LoadedNetwork) throws -> SpikeRates {
        guard mapping.rateImages > 0 else {
            return SpikeRates(values: nil, origin: "assumed \(Mapper.Options().defaultRate) spikes/neuron/tick")
        }
        let data = try calibrationData()
        do {
            try data.check(fits: loaded.structure.inputShape, of: loaded.source, normalization: loaded.normalization)
        } catch let e as SpikeMeshError
            where conversion.calibrationData == nil && input.data == nil
            && [data.channels, data.height, data.width] != loaded.structure.inputShape
        {
            // No data was asked for, and the bundled sample does not fit this network: the
            // mapping works from structure alone, at assumed rates, and says so.
            return SpikeRates(
                values: nil,
                origin:
                    "assumed \(Mapper.Options().defaultRate) spikes/neuron/tick: the bundled sample does not fit (\(e.message)); give --calibration-data for measured rates"
            )
        } catch let e as SpikeMeshError {
            throw SpikeMeshError(
                e.code,
                "\(e.message) — give spike-rate images with --calibration-data PATH, or --rate-images 0 to assume rates"
            )
        }
        let count = min(mapping.rateImages, data.count)
        let images = try normalizedImages(data, count: count, loaded.normalization, for: "spike-rate")
        try checkSimulation(loaded, " for spike rates")
        let progress = progress("estimate spike rates", total: 1)
        defer { progress.finish() }
        let values = try loaded.reference.spikeRates(images: images, count: count, timesteps: mapping.rateTimesteps)
        return SpikeRates(values: values, origin: "\(count) calibration images, T = \(mapping.rateTimesteps)")
    }

    /// `loaded` decomposed for `hardware` (`mapping.split`): relay populations where one neuron
    /// needs more input axons or synapse memory than a core has (`FanInDecomposition`). The
    /// network is unchanged when nothing needs relays or splitting is off.
    public func decompose(_ loaded: LoadedNetwork, for hardware: HardwareModel) throws -> DecomposedNetwork {
        guard mapping.split else { return DecomposedNetwork(loaded: loaded, decomposition: nil) }
        let d = try FanInDecomposition.decompose(loaded.structure, hardware: hardware)
        guard !d.relays.isEmpty else { return DecomposedNetwork(loaded: loaded, decomposition: d) }
        guard let float = loaded.float else {
            throw SpikeMeshError(
                .unsupported,
                "\(loaded.source) is a fixed-point network file and \(d.relays.count) relays or splitters are needed on \(hardware.name) (first for \(Text.quoted(d.relays[0].targetName))); convert from the model, write a float network file, or map with --no-split"
            )
        }
        var network = d.network
        network.metadata = float.metadata.merging(d.network.metadata) { _, new in new }
        let decomposed = LoadedNetwork(
            contents: .float(network), graph: loaded.graph, summary: loaded.summary,
            normalization: loaded.normalization, source: loaded.source)
        return DecomposedNetwork(loaded: decomposed, decomposition: d)
    }

    /// Rates of the undecomposed network for the decomposed one: a relay gets its target's.
    public func rates(_ rates: SpikeRates, for decomposed: DecomposedNetwork) -> SpikeRates {
        guard let d = decomposed.decomposition, !d.relays.isEmpty, let values = rates.values else { return rates }
        var expanded = [Double](repeating: 0, count: d.network.populations.count)
        for (old, new) in d.newIndex.enumerated() { expanded[new] = values[old] }
        for r in d.relays { expanded[r.population] = expanded[r.target] }
        let what =
            d.relays.contains { $0.kind == .splitter }
            ? "; each relay at its target's rate, each splitter at its source's" : "; each relay at its target's rate"
        return SpikeRates(values: expanded, origin: rates.origin + what)
    }

    /// Decomposes (`decompose`) and maps `loaded` on `hardware`; `rates` are the undecomposed
    /// network's.
    public func mapDecomposed(_ loaded: LoadedNetwork, on hardware: HardwareModel, rates: SpikeRates) throws -> (
        DecomposedNetwork, Mapping
    ) {
        let decomposed = try decompose(loaded, for: hardware)
        return (
            decomposed, try map(decomposed.loaded.structure, on: hardware, rates: self.rates(rates, for: decomposed))
        )
    }

    /// Maps `network` on `hardware` with the given rates.
    public func map(_ network: SpikingNetwork, on hardware: HardwareModel, rates: SpikeRates) throws -> Mapping {
        var options = Mapper.Options()
        options.seed = conversion.seed
        options.movesPerCore = mapping.anneal
        options.rates = rates.values
        let progress = progress("map onto \(hardware.name)", total: 1)
        defer { progress.finish() }
        return try Mapper.map(network, on: hardware, options: options)
    }

    // MARK: Emulate

    /// The fixed-point network for `hardware`: a fixed-point file runs as it is; otherwise
    /// quantized to the chip's widths, or exactly with `run.exact`.
    public func quantize(_ loaded: LoadedNetwork, for hardware: HardwareModel) throws -> (
        FixedPointNetwork, Quantizer.Report
    ) {
        switch loaded.contents {
        case .fixedPoint(let network): return (network, Quantizer.describe(network))
        case .float(let network):
            return run.exact ? try Quantizer.exact(network) : try Quantizer.quantize(network, for: hardware)
        }
    }

    public var emulationOptions: EmulationOptions {
        var options = EmulationOptions()
        options.checkpoints = run.timesteps
        options.encoding = run.encoding
        options.delivery = run.delivery
        options.readout = run.readout
        options.srpTau = run.srpTau
        options.seed = conversion.seed
        options.workers = run.workers
        return options
    }

    public var simulationOptions: SimulationOptions {
        var options = SimulationOptions()
        options.checkpoints = Array(Set(run.timesteps)).sorted()
        options.encoding = run.encoding
        options.delivery = run.delivery
        options.readout = run.readout
        options.srpTau = run.srpTau
        options.seed = conversion.seed
        options.workers = run.workers
        return options
    }

    /// Quantize, map, emulate `loaded` on `hardware` over `data`. `rates`: measured once by
    /// the caller when it emulates on several hardware models (nil = measured here).
    public func emulate(
        _ loaded: LoadedNetwork, on hardware: HardwareModel, data: Dataset,
        rates: SpikeRates? = nil
    ) throws -> EmulationSummary {
        try emulate(try prepare(loaded, on: hardware, rates: rates), data: data)
    }

    /// Decomposes, maps and quantizes `loaded` for `hardware`: everything an emulation needs
    /// but the images (a sweep reuses it for every point of the same topology).
    public func prepare(_ loaded: LoadedNetwork, on hardware: HardwareModel, rates: SpikeRates? = nil) throws
        -> PreparedChip
    {
        let expected = try rates ?? self.rates(loaded)
        let (decomposed, mapping) = try mapDecomposed(loaded, on: hardware, rates: expected)
        let loaded = decomposed.loaded
        try checkMemory(
            ByteCount.sum(
                MemoryEstimate.resident(loaded),
                MemoryEstimate.emulation(loaded.structure, mapping: mapping, workers: run.workers)),
            "emulating \(loaded.source) on \(hardware.name) (\(mapping.cores.count) cores, \(run.workers) workers)")
        var (network, quantization) = try quantize(loaded, for: hardware)
        network.metadata["rates"] = expected.origin
        return PreparedChip(
            hardware: hardware, decomposed: decomposed, mapping: mapping, network: network, quantization: quantization)
    }

    /// Emulates a prepared chip over `data` with `run`'s settings, timing every tick also by
    /// `alternativeTimes` (`EmulationCounters.times[1...]`).
    public func emulate(_ chip: PreparedChip, data: Dataset, alternativeTimes: [HardwareModel.Time] = []) throws
        -> EmulationSummary
    {
        var options = emulationOptions
        options.alternativeTimes = alternativeTimes
        let emulator = try Emulator(network: chip.network, mapping: chip.mapping)
        let progress = progress("emulate on \(chip.hardware.name)", total: data.count)
        let start = Date()
        let evaluation = try emulator.evaluate(
            data, normalization: chip.decomposed.loaded.normalization, options: options
        ) { progress.update($0) }
        progress.finish()
        return EmulationSummary(
            hardware: chip.hardware, mapping: chip.mapping, network: chip.network, quantization: chip.quantization,
            evaluation: evaluation, options: options, seconds: Date().timeIntervalSince(start),
            relays: chip.decomposed.relays)
    }
}

/// A network decomposed, mapped and quantized for one hardware model, ready to emulate.
public struct PreparedChip: Sendable {
    public var hardware: HardwareModel
    public var decomposed: DecomposedNetwork
    public var mapping: Mapping
    public var network: FixedPointNetwork
    public var quantization: Quantizer.Report
}

/// A network as it is mapped: the loaded network with any relays, and what was inserted
/// (nil when splitting is off).
public struct DecomposedNetwork: Sendable {
    public var loaded: LoadedNetwork
    public var decomposition: FanInDecomposition.Result?
    public var relays: [FanInDecomposition.Relay] { decomposition?.relays ?? [] }
}

/// Expected spikes per neuron per tick of every population (nil = assumed), and their origin.
public struct SpikeRates: Sendable {
    public var values: [Double]?
    public var origin: String
}
