import Foundation
import SpikeMeshCore
import SpikeMeshModel
import SpikeMeshInference
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
    }
    public var method: ThresholdMethod
    public var alpha: Float
    public var images: Int
    public var entries: [Entry]
}

public enum Converter {
    /// The network's structure with every θ = 1 (for mapping without data).
    public static func structure(of graph: ANNGraph, reset: ResetMode = .subtract,
                                 pooling: PoolingMode = .spiking) throws -> SpikingNetwork {
        try NetworkBuilder.build(graph, reset: reset, pooling: pooling)
    }

    /// Converts and balances thresholds on `count` calibration images (NCHW, normalized).
    /// `progress(stage, done, total)` is called as calibration advances.
    public static func convert(_ graph: ANNGraph, calibration: [Float], count: Int, options: ConversionOptions,
                               progress: ((String, Int, Int) -> Void)? = nil) throws -> (SpikingNetwork, CalibrationSummary) {
        var network = try NetworkBuilder.build(graph, reset: options.reset, pooling: options.pooling)
        guard options.alpha > 0, options.alpha <= ConversionOptions.maximumAlpha else {
            throw SpikeMeshError(.usage, "alpha \(options.alpha) must be in (0, \(ConversionOptions.maximumAlpha)]")
        }
        let hidden = network.hidden
        var statistic = [Float](repeating: 1, count: network.populations.count)
        var maxima: [Float?] = Array(repeating: nil, count: network.populations.count)
        switch options.method {
        case .max, .percentile:
            guard count > 0 else { throw SpikeMeshError(.usage, "calibration needs at least one image") }
            let layers = hidden.map { network.populations[$0].layer }
            let stats = try activationStatistics(graph, layers: layers, calibration: calibration, count: count,
                                                 percentile: options.method == .percentile ? options.percentile : nil, progress: progress)
            for (k, p) in hidden.enumerated() {
                maxima[p] = stats[k].max
                statistic[p] = options.method == .max ? stats[k].max : stats[k].percentile
            }
        case .qcfs:
            for p in hidden {
                guard let lambda = network.populations[p].qcfsLambda else {
                    throw SpikeMeshError(.usage, "method qcfs needs a QCFS activation before every spiking layer; layer \(Text.quoted(network.populations[p].name)) has none (use --method max)")
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
        for p in hidden {
            let s = statistic[p]
            let theta = (s > 0 && s.isFinite ? s : 1) * options.alpha
            guard theta.isFinite, theta >= Float.leastNormalMagnitude else {
                throw SpikeMeshError(.invalidModel, "layer \(Text.quoted(network.populations[p].name)): threshold \(s) × α \(options.alpha) = \(theta) is not a positive normal Float")
            }
            network.populations[p].threshold = theta
            network.populations[p].initialPotential = options.method == .qcfs ? theta / 2 : 0
            entries.append(.init(population: p, name: network.populations[p].name, neurons: network.populations[p].count,
                                 statistic: s, maxActivation: maxima[p], threshold: theta))
        }
        network.metadata["method"] = options.method.rawValue
        network.metadata["alpha"] = "\(options.alpha)"
        if options.method == .percentile { network.metadata["percentile"] = "\(options.percentile)" }
        network.metadata["reset"] = options.reset.rawValue
        network.metadata["calibrationImages"] = "\(count)"
        try network.validate()
        return (network, CalibrationSummary(method: options.method, alpha: options.alpha, images: count, entries: entries))
    }

    /// Max (and optionally a percentile of the non-zero values) of ANN layers' outputs.
    ///
    /// The percentile comes from a second pass over a 16,384-bin histogram on [0, max],
    /// linearly interpolated inside the bin, so memory does not grow with the data.
    static func activationStatistics(_ graph: ANNGraph, layers: [Int], calibration: [Float], count: Int,
                                     percentile: Double?, progress: ((String, Int, Int) -> Void)?) throws -> [(max: Float, percentile: Float)] {
        let engine = ANNEngine(graph: graph)
        let wanted = Set(layers)
        let inputSize = graph.inputShape.reduce(1, *)
        let batch = 256
        var maxima = [Float](repeating: 0, count: layers.count)
        func forEachBatch(_ body: ([[Float]]) -> Void, stage: String) {
            var done = 0
            while done < count {
                let n = min(batch, count - done)
                let outputs = engine.run(Array(calibration[(done * inputSize)..<((done + n) * inputSize)]), count: n, keep: { wanted.contains($0) })
                body(outputs)
                done += n
                progress?(stage, done, count)
            }
        }
        forEachBatch({ outputs in
            for (k, l) in layers.enumerated() {
                for v in outputs[l] where !(v <= maxima[k]) { maxima[k] = v.isNaN ? .infinity : v }
            }
        }, stage: "calibrate")
        if let k = maxima.firstIndex(where: { !$0.isFinite }) {
            throw SpikeMeshError(.invalidModel, "layer \(Text.quoted(graph.layers[layers[k]].name)): its activations overflow Float (infinity or NaN) on the calibration images; the weights are too large")
        }
        guard let p = percentile else { return maxima.map { ($0, $0) } }
        guard p > 0, p <= 100 else { throw SpikeMeshError(.usage, "percentile \(p) must be in (0, 100]") }
        let bins = 16_384
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: bins), count: layers.count)
        forEachBatch({ outputs in
            for (k, l) in layers.enumerated() where maxima[k] > 0 {
                let scale = Float(bins) / maxima[k]
                for v in outputs[l] where v > 0 { histograms[k][min(bins - 1, Int(v * scale))] += 1 }
            }
        }, stage: "percentile")
        return layers.indices.map { k in
            let total = histograms[k].reduce(0, +)
            guard total > 0 else { return (maxima[k], maxima[k]) }
            let target = p / 100 * Double(total)
            var cumulative = 0
            for (b, n) in histograms[k].enumerated() {
                if Double(cumulative + n) >= target {
                    let within = n > 0 ? (target - Double(cumulative)) / Double(n) : 1
                    return (maxima[k], Float((Double(b) + within) / Double(bins)) * maxima[k])
                }
                cumulative += n
            }
            return (maxima[k], maxima[k])
        }
    }
}
