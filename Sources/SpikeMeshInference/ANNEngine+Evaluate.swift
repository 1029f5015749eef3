import Foundation
import SpikeMeshCore
import SpikeMeshModel

/// Accuracy of the float ANN over a dataset.
public struct EvaluationResult: Sendable {
    public var count: Int
    public var correct: Int
    public var seconds: Double
    public var predictions: [Int]

    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
    public var imagesPerSecond: Double { seconds > 0 ? Double(count) / seconds : 0 }
}

extension ANNEngine {
    /// Index of the largest value of each row of `logits` (`count × classes`); ties go to the lower index.
    public static func argmax(_ logits: [Float], count: Int) -> [Int] {
        let classes = logits.count / max(count, 1)
        return (0..<count).map { i in
            var best = 0
            for c in 1..<max(classes, 1) where logits[i * classes + c] > logits[i * classes + best] { best = c }
            return best
        }
    }

    /// Runs the whole dataset in batches; `progress` gets images done so far.
    public static let defaultBatchSize = 256

    public func evaluate(
        _ dataset: Dataset, normalization: Normalization, batchSize: Int = defaultBatchSize,
        progress: ((Int) -> Void)? = nil
    ) throws -> EvaluationResult {
        try dataset.check(fits: graph.inputShape, of: graph.source, normalization: normalization)
        let start = Date()
        var predictions: [Int] = []
        predictions.reserveCapacity(dataset.count)
        var correct = 0
        var done = 0
        while done < dataset.count {
            let n = min(batchSize, dataset.count - done)
            let input = dataset.normalizedBatch(done..<(done + n), mean: normalization.mean, std: normalization.std)
            let predicted = Self.argmax(forward(input, count: n), count: n)
            for (i, p) in predicted.enumerated() where p == Int(dataset.labels[done + i]) { correct += 1 }
            predictions += predicted
            done += n
            progress?(done)
        }
        return EvaluationResult(
            count: dataset.count, correct: correct, seconds: Date().timeIntervalSince(start), predictions: predictions)
    }
}
