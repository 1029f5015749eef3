import SpikeMeshCore
import SpikeMeshModel

extension Emulator {
    /// What `evaluate` measured over a dataset.
    public struct Evaluation: Sendable {
        public var checkpoints: [Int]
        /// Accuracy at each checkpoint.
        public var accuracy: [Double]
        public var counters: EmulationCounters
        public var images: Int
        public var ticksRun: Int
        /// Spike rate R (RMP-SNN eq. 8) over hidden populations at the last checkpoint.
        public var spikeRate: Double
    }

    /// Runs every image of `data` in batches (seeds offset per batch as `simulate` does).
    public func evaluate(
        _ data: Dataset, normalization: Normalization, options: EmulationOptions,
        batch: Int = 64, progress: ((Int) -> Void)? = nil
    ) throws -> Evaluation {
        let checkpoints = Array(Set(options.checkpoints)).sorted()
        var o = options
        o.checkpoints = checkpoints
        var correct = [Int](repeating: 0, count: checkpoints.count)
        var counters: EmulationCounters?
        var ticks = 0
        try data.forEachSeededBatch(
            normalization, inputShape: network.populations[0].shape, model: network.metadata["source"] ?? "the network",
            seed: options.seed, batch: batch
        ) { start, n, input, seed in
            o.seed = seed
            let r = try run(input, count: n, options: o)
            for k in checkpoints.indices { correct[k] += data.correct(r.predictions[k], from: start) }
            if counters == nil { counters = r.counters } else { counters!.add(r.counters) }
            ticks = r.ticksRun
            progress?(start + n)
        }
        guard let c = counters else { throw SpikeMeshError(.invalidArgument, "no images to emulate") }
        let hidden = network.hidden.filter { network.populations[$0].relay == nil }
        let neurons = hidden.reduce(0) { $0 + network.populations[$1].count }
        let spikes = hidden.reduce(0) { $0 + c.populationSpikes[$1] }
        let rate = Double(spikes) / Double(max(1, neurons * (checkpoints.last ?? 1) * data.count))
        return Evaluation(
            checkpoints: checkpoints, accuracy: correct.map { Double($0) / Double(max(data.count, 1)) },
            counters: c, images: data.count, ticksRun: ticks, spikeRate: rate)
    }
}
