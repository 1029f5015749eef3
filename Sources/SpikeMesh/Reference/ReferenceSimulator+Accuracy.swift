extension ReferenceSimulator {
    /// Accuracy at each checkpoint over a dataset (batches of 64, seeds offset per batch as
    /// `simulate` and the emulator do).
    public func accuracy(_ data: Dataset, normalization: Normalization, options: SimulationOptions) throws -> [Double] {
        let checkpoints = Array(Set(options.checkpoints)).sorted()
        var o = options
        o.checkpoints = checkpoints
        var correct = [Int](repeating: 0, count: checkpoints.count)
        var done = 0
        while done < data.count {
            let n = min(64, data.count - done)
            o.seed = options.seed &+ UInt64(done) &* 0x9E37_79B9
            let r = try run(data.normalizedBatch(done..<(done + n), mean: normalization.mean, std: normalization.std), count: n, options: o)
            for k in checkpoints.indices { for i in 0..<n where r.predictions[k][i] == Int(data.labels[done + i]) { correct[k] += 1 } }
            done += n
        }
        return correct.map { Double($0) / Double(max(1, data.count)) }
    }
}
