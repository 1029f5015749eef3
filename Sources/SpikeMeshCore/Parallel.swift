import Dispatch
import Synchronization

/// A data-race-free parallel map over contiguous ranges of work items.
///
/// `count` items are split into at most `workers` contiguous ranges of equal length (the last
/// may be shorter); `body` runs once per non-empty range, concurrently, and the results come
/// back in range order, so a caller that combines them in that order gets the same answer
/// whatever the worker count. The compiler checks the sharing: `body` and its results must be
/// `Sendable`.
public enum Parallel {
    public static func map<T: Sendable>(
        count: Int, workers: Int,
        _ body: @Sendable (Range<Int>) -> T
    ) -> [T] {
        let workerCount = max(1, min(workers, count))
        let chunk = (count + workerCount - 1) / workerCount
        let results = Mutex<[T?]>(Array(repeating: nil, count: workerCount))
        DispatchQueue.concurrentPerform(iterations: workerCount) { w in
            let range = (w * chunk)..<min(count, (w + 1) * chunk)
            guard !range.isEmpty else { return }
            let r = body(range)
            results.withLock { $0[w] = r }
        }
        return results.withLock { $0 }.compactMap { $0 }
    }

    /// `map` for a body that can fail: every range runs to its end, then the first error in
    /// range order is rethrown.
    public static func map<T: Sendable>(
        count: Int, workers: Int,
        _ body: @Sendable (Range<Int>) throws -> T
    ) throws -> [T] {
        try map(count: count, workers: workers) { range in Result { try body(range) } }.map { try $0.get() }
    }
}
