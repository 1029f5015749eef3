import Foundation
import SpikeMeshCore
import SpikeMeshInference
import SpikeMeshModel
import SpikeMeshReference

/// How thresholds are chosen (`--method`).
public enum ThresholdMethod: String, Sendable, Codable, CaseIterable {
    /// θ = the largest ANN activation of the layer over the calibration set (Diehl et al. 2015).
    case max
    /// θ = the p-th percentile of the layer's non-zero activations (Rueckauer et al. 2017).
    case percentile
    /// The RMP-SNN paper's layer-wise scheme (Han et al. 2020, §4.1): run the SNN, set θ of
    /// layer l to its largest weighted input sum over neurons and ticks, freeze, go on.
    case rmp
    /// θ = λ of each QCFS activation and V(0) = θ/2 (Bu et al. 2022).
    case qcfs
}

/// V(0) of the hidden populations of a ReLU conversion (`--v0`).
public enum InitialPotentialMode: String, Sendable, Codable, CaseIterable {
    /// V(0) = 0: after N ticks of a constant input x a neuron has fired floor(N·x/θ) times.
    case zero
    /// V(0) = θ/2, the "shift" of Bu et al. 2022 and Deng & Gu 2021: round(N·x/θ) spikes,
    /// half the worst-case error.
    case half
}

/// How many thresholds a population gets (`--thresholds`).
public enum ThresholdScope: String, Sendable, Codable, CaseIterable {
    /// One θ per population.
    case layer
    /// One per output channel (Kim et al. 2020's channel-wise normalization), folded into
    /// the weights so that the network keeps one θ per population (Docs/Conversion.md).
    case channel
}

public struct ConversionOptions: Sendable {
    /// `percentile` (99.9) by default, as in SNN Toolbox: one outlier activation no longer sets
    /// θ, so the network reaches its ANN accuracy in fewer ticks and sits on the flat part of
    /// its curve, where 8-bit weights cost little (Docs/Emulation.md).
    public var method: ThresholdMethod = .percentile
    /// For `percentile`.
    public var percentile: Double = 99.9
    /// Scales every threshold (the RMP paper's α; its Fig. 4 sweeps 0.5–1.5).
    public var alpha: Float = 1
    /// The largest α accepted: beyond it every neuron is silent for any T the tool runs.
    public static let maximumAlpha: Float = 1000
    public var reset: ResetMode = .subtract
    /// Ticks the `rmp` method simulates per calibration image.
    public var rmpTimesteps: Int = 32
    /// Input encoding the `rmp` method simulates with.
    public var encoding: InputEncoding = .direct
    public var seed: UInt64 = 0
    /// Average pooling as IF populations, or folded into the next layer's weights.
    public var pooling: PoolingMode = .spiking
    /// V(0) of hidden populations for `max`, `percentile` and `rmp` (`qcfs` always uses θ/2).
    public var initialPotential: InitialPotentialMode = .zero
    /// Per-layer or per-channel thresholds (`max` and `percentile` only).
    public var thresholdScope: ThresholdScope = .layer
    /// Bias calibration (Li et al. 2021) at this many ticks after thresholds are set; 0 = off.
    public var biasCalibrationTicks: Int = 0
    /// Potential calibration (the same paper's V(0) correction) at this many ticks, after
    /// any bias calibration; 0 = off.
    public var potentialCalibrationTicks: Int = 0
    /// The largest `biasCalibrationTicks` or `potentialCalibrationTicks` accepted.
    public static let maximumCalibrationTicks = 4096
    public init() {}
}

/// What calibration measured, per hidden population.
public struct CalibrationSummary: Sendable {
    public struct Entry: Sendable {
        public var population: Int
        public var name: String
        public var neurons: Int
        /// The statistic the method used (max activation, percentile, max input sum, λ).
        public var statistic: Float
        /// The largest ANN activation (max/percentile methods), else nil.
        public var maxActivation: Float?
        public var threshold: Float
        /// With `--thresholds channel`, θ of each output channel (in the ANN's units) where
        /// the population could take them; nil where it keeps one θ.
        public var channelThresholds: [Float]?
        /// With `--calibrate-bias`, the shift added to each channel's bias.
        public var biasShift: [Float]?
        /// With `--calibrate-potential`, how far each channel's V(0) moved.
        public var potentialShift: [Float]?
    }
    public var method: ThresholdMethod
    public var alpha: Float
    public var images: Int
    public var entries: [Entry]
}

public enum Converter {
    /// The network's structure with every θ = 1 (for mapping without data).
    public static func structure(
        of graph: ANNGraph, reset: ResetMode = .subtract,
        pooling: PoolingMode = .spiking
    ) throws -> SpikingNetwork {
        try NetworkBuilder.build(graph, reset: reset, pooling: pooling)
    }

    /// Converts and balances thresholds on `count` calibration images (NCHW, normalized).
    /// `progress(stage, done, total)` is called as calibration advances.
    public static func convert(
        _ graph: ANNGraph, calibration: [Float], count: Int, options: ConversionOptions,
        progress: ((String, Int, Int) -> Void)? = nil
    ) throws -> (SpikingNetwork, CalibrationSummary) {
        var network = try NetworkBuilder.build(graph, reset: options.reset, pooling: options.pooling)
        guard options.alpha > 0, options.alpha <= ConversionOptions.maximumAlpha else {
            throw SpikeMeshError(.usage, "alpha \(options.alpha) must be in (0, \(ConversionOptions.maximumAlpha)]")
        }
        let hidden = network.hidden
        var statistic = [Float](repeating: 1, count: network.populations.count)
        var maxima: [Float?] = Array(repeating: nil, count: network.populations.count)
        var channelStatistic: [[Float]?] = Array(repeating: nil, count: network.populations.count)
        let perChannel = options.thresholdScope == .channel
        if perChannel && options.method != .max && options.method != .percentile {
            throw SpikeMeshError(
                .usage, "--thresholds channel works with --method max or percentile, not \(options.method.rawValue)")
        }
        switch options.method {
        case .max, .percentile:
            guard count > 0 else { throw SpikeMeshError(.usage, "calibration needs at least one image") }
            let layers = hidden.map { network.populations[$0].layer }
            let stats = try activationStatistics(
                graph, layers: layers, calibration: calibration, count: count,
                percentile: options.method == .percentile ? options.percentile : nil,
                perChannel: perChannel, progress: progress)
            let eligible = perChannel ? ChannelThresholds.eligible(network) : []
            for (k, p) in hidden.enumerated() {
                maxima[p] = stats[k].max
                statistic[p] = options.method == .max ? stats[k].max : stats[k].percentile
                if eligible.contains(p) { channelStatistic[p] = stats[k].channelPercentiles }
            }
        case .qcfs:
            for p in hidden {
                guard let lambda = network.populations[p].qcfsLambda else {
                    throw SpikeMeshError(
                        .usage,
                        "method qcfs needs a QCFS activation before every spiking layer; layer \(Text.quoted(network.populations[p].name)) has none (use --method max)"
                    )
                }
                statistic[p] = lambda
            }
        case .rmp:
            guard count > 0 else { throw SpikeMeshError(.usage, "calibration needs at least one image") }
            for (k, p) in hidden.enumerated() {
                var options2 = SimulationOptions()
                options2.checkpoints = [options.rmpTimesteps]
                options2.encoding = options.encoding
                options2.seed = options.seed
                options2.lastPopulation = p
                options2.recordMaxCurrentOf = p
                let sim = ReferenceSimulator(network: network)
                let r = try sim.run(calibration, count: count, options: options2)
                statistic[p] = r.maxCurrent
                network.populations[p].threshold = r.maxCurrent > 0 ? r.maxCurrent : 1
                progress?("rmp", k + 1, hidden.count)
            }
        }
        var entries: [CalibrationSummary.Entry] = []
        var channelScale = [[Float]?](repeating: nil, count: network.populations.count)
        for p in hidden {
            let s = statistic[p]
            let theta = (s > 0 && s.isFinite ? s : 1) * options.alpha
            guard theta.isFinite, theta >= Float.leastNormalMagnitude else {
                throw SpikeMeshError(
                    .invalidModel,
                    "layer \(Text.quoted(network.populations[p].name)): threshold \(s) × α \(options.alpha) = \(theta) is not a positive normal Float"
                )
            }
            network.populations[p].threshold = theta
            let half = options.method == .qcfs || options.initialPotential == .half
            network.populations[p].initialPotential = half ? theta / 2 : 0
            var channels: [Float]?
            if let lambdas = channelStatistic[p] {
                channels = ChannelThresholds.fold(
                    &network, population: p, channelThresholds: lambdas.map { $0 * options.alpha })
                channelScale[p] = channels!.map { theta / $0 }
            }
            entries.append(
                .init(
                    population: p, name: network.populations[p].name, neurons: network.populations[p].count,
                    statistic: s, maxActivation: maxima[p], threshold: theta, channelThresholds: channels))
        }
        for (kind, ticks) in [
            (BiasCalibration.Kind.bias, options.biasCalibrationTicks), (.potential, options.potentialCalibrationTicks),
        ] where ticks != 0 {
            guard (1...ConversionOptions.maximumCalibrationTicks).contains(ticks) else {
                throw SpikeMeshError(
                    .usage,
                    "\(kind) calibration ticks \(ticks) must be in 1...\(ConversionOptions.maximumCalibrationTicks)")
            }
            guard count > 0 else { throw SpikeMeshError(.usage, "\(kind) calibration needs at least one image") }
            let shifts = try BiasCalibration.calibrate(
                &network, kind, graph: graph, channelScale: channelScale, calibration: calibration,
                count: count, ticks: ticks, encoding: options.encoding,
                seed: options.seed, progress: progress)
            for k in entries.indices {
                switch kind {
                case .bias: entries[k].biasShift = shifts[entries[k].population]
                case .potential: entries[k].potentialShift = shifts[entries[k].population]
                }
            }
            network.metadata[kind == .bias ? "calibrateBias" : "calibratePotential"] = "\(ticks)"
        }
        network.metadata["method"] = options.method.rawValue
        network.metadata["alpha"] = "\(options.alpha)"
        if options.method == .percentile { network.metadata["percentile"] = "\(options.percentile)" }
        network.metadata["reset"] = options.reset.rawValue
        network.metadata["v0"] =
            options.method == .qcfs ? InitialPotentialMode.half.rawValue : options.initialPotential.rawValue
        network.metadata["thresholds"] = options.thresholdScope.rawValue
        network.metadata["calibrationImages"] = "\(count)"
        try network.validate()
        return (
            network, CalibrationSummary(method: options.method, alpha: options.alpha, images: count, entries: entries)
        )
    }

    /// Runs the ANN over the calibration images 256 at a time, keeping the outputs of the
    /// layers in `keep`, so that no statistic holds the whole calibration set's activations.
    static func forEachCalibrationBatch(
        _ engine: ANNEngine, graph: ANNGraph, calibration: [Float], count: Int, keep: Set<Int>,
        stage: String, progress: ((String, Int, Int) -> Void)?, _ body: ([[Float]]) -> Void
    ) {
        let inputSize = graph.inputShape.reduce(1, *)
        var done = 0
        while done < count {
            let n = min(256, count - done)
            body(
                engine.run(
                    Array(calibration[(done * inputSize)..<((done + n) * inputSize)]), count: n,
                    keep: { keep.contains($0) }))
            done += n
            progress?(stage, done, count)
        }
    }

    /// What `activationStatistics` measured for one layer.
    struct LayerStatistics {
        var max: Float
        var percentile: Float
        /// Per channel (shape[0]) when asked for: the percentile of the channel's non-zero
        /// values, 0 for a channel that never fired.
        var channelPercentiles: [Float]?
    }

    /// Max (and optionally a percentile of the non-zero values) of ANN layers' outputs, and
    /// optionally the same percentile per channel.
    ///
    /// The percentile comes from a second pass over a 16,384-bin histogram on [0, max]
    /// (2,048 bins on [0, channel max] per channel), linearly interpolated inside the bin, so
    /// memory does not grow with the data.
    static func activationStatistics(
        _ graph: ANNGraph, layers: [Int], calibration: [Float], count: Int,
        percentile: Double?, perChannel: Bool = false,
        progress: ((String, Int, Int) -> Void)?
    ) throws -> [LayerStatistics] {
        let engine = ANNEngine(graph: graph)
        let wanted = Set(layers)
        let channels = layers.map { perChannel ? graph.layers[$0].shape[0] : 0 }
        let plane = layers.map { l in graph.layers[l].outputCount / max(1, graph.layers[l].shape[0]) }
        var maxima = [Float](repeating: 0, count: layers.count)
        var channelMaxima = channels.map { [Float](repeating: 0, count: $0) }
        func forEachBatch(_ body: ([[Float]]) -> Void, stage: String) {
            forEachCalibrationBatch(
                engine, graph: graph, calibration: calibration, count: count, keep: wanted,
                stage: stage, progress: progress, body)
        }
        forEachBatch(
            { outputs in
                for (k, l) in layers.enumerated() {
                    for v in outputs[l] where !(v <= maxima[k]) { maxima[k] = v.isNaN ? .infinity : v }
                    guard channels[k] > 0 else { continue }
                    let size = graph.layers[l].outputCount
                    for (i, v) in outputs[l].enumerated() {
                        let c = (i % size) / plane[k]
                        if v > channelMaxima[k][c] { channelMaxima[k][c] = v }
                    }
                }
            }, stage: "calibrate")
        if let k = maxima.firstIndex(where: { !$0.isFinite }) {
            throw SpikeMeshError(
                .invalidModel,
                "layer \(Text.quoted(graph.layers[layers[k]].name)): its activations overflow Float (infinity or NaN) on the calibration images; the weights are too large"
            )
        }
        guard let p = percentile else {
            return layers.indices.map {
                LayerStatistics(
                    max: maxima[$0], percentile: maxima[$0],
                    channelPercentiles: channels[$0] > 0 ? channelMaxima[$0] : nil)
            }
        }
        guard p > 0, p <= 100 else { throw SpikeMeshError(.usage, "percentile \(p) must be in (0, 100]") }
        let bins = 16_384
        let channelBins = 2_048
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: bins), count: layers.count)
        var channelHistograms = channels.map { [UInt32](repeating: 0, count: $0 * channelBins) }
        forEachBatch(
            { outputs in
                for (k, l) in layers.enumerated() where maxima[k] > 0 {
                    let scale = Float(bins) / maxima[k]
                    for v in outputs[l] where v > 0 { histograms[k][min(bins - 1, Int(v * scale))] += 1 }
                    guard channels[k] > 0 else { continue }
                    let size = graph.layers[l].outputCount
                    let scales = channelMaxima[k].map { $0 > 0 ? Float(channelBins) / $0 : 0 }
                    for (i, v) in outputs[l].enumerated() where v > 0 {
                        let c = (i % size) / plane[k]
                        channelHistograms[k][c * channelBins + min(channelBins - 1, Int(v * scales[c]))] &+= 1
                    }
                }
            }, stage: "percentile")
        /// The interpolated p-th percentile of a histogram on [0, top].
        func quantile<C: Collection>(_ histogram: C, top: Float) -> Float where C.Element: BinaryInteger {
            let total = histogram.reduce(0) { $0 + Int($1) }
            guard total > 0 else { return top }
            let target = p / 100 * Double(total)
            var cumulative = 0
            for (b, n) in histogram.map({ Int($0) }).enumerated() {
                if Double(cumulative + n) >= target {
                    let within = n > 0 ? (target - Double(cumulative)) / Double(n) : 1
                    return Float((Double(b) + within) / Double(histogram.count)) * top
                }
                cumulative += n
            }
            return top
        }
        return layers.indices.map { k in
            let perChannel: [Float]? =
                channels[k] > 0
                ? (0..<channels[k]).map { c in
                    quantile(
                        channelHistograms[k][(c * channelBins)..<((c + 1) * channelBins)], top: channelMaxima[k][c])
                } : nil
            return LayerStatistics(
                max: maxima[k], percentile: quantile(histograms[k], top: maxima[k]), channelPercentiles: perChannel)
        }
    }
}
