import SpikeMeshModel

extension ReferenceSimulator {
    /// Accuracy at each checkpoint over a dataset (seeded batches of 64, as `simulate` and the
    /// emulator batch).
    public func accuracy(_ data: Dataset, normalization: Normalization, options: SimulationOptions) throws -> [Double] {
        var o = options
        o.checkpoints = Array(Set(options.checkpoints)).sorted()
        var correct = [Int](repeating: 0, count: o.checkpoints.count)
        try data.forEachSeededBatch(
            normalization, inputShape: network.inputShape, model: network.metadata["source"] ?? "the network",
            seed: options.seed
        ) { start, n, input, seed in
            o.seed = seed
            let r = try run(input, count: n, options: o)
            for k in correct.indices { correct[k] += data.correct(r.predictions[k], from: start) }
        }
        return correct.map { Double($0) / Double(max(1, data.count)) }
    }
}
