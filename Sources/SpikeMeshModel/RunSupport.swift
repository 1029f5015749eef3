import Foundation
import SpikeMeshCore

/// What the reference simulator and the emulator share about running images: the
/// channels-last layout of populations, Poisson draws, the split of images over workers,
/// and seeded batches over a dataset. One implementation, so the two cannot drift apart.
package enum RunSupport {
    /// HWC index → CHW index of every neuron of a population of `shape`.
    package static func chwIndex(_ shape: [Int]) -> [Int] {
        let (c, h, w) = CompiledProjection.dims(shape)
        var map = [Int](repeating: 0, count: c * h * w)
        for y in 0..<h { for x in 0..<w { for ch in 0..<c { map[(y * w + x) * c + ch] = (ch * h + y) * w + x } } }
        return map
    }

    /// The inverse permutation of `chwIndex`: CHW index → HWC index.
    package static func hwcIndex(_ shape: [Int]) -> [Int] {
        let forward = chwIndex(shape)
        var inverse = [Int](repeating: 0, count: forward.count)
        for (hwc, chw) in forward.enumerated() { inverse[chw] = hwc }
        return inverse
    }

    /// One Poisson input draw (RMP-SNN §3.1): sign(x) with probability min(|x|, 1), else 0.
    @inline(__always) package static func poissonSpike(_ x: Float, _ rng: inout SplitMix) -> Float {
        rng.unitFloat() < min(abs(x), 1) ? (x < 0 ? -1 : 1) : 0
    }

    /// A per-image seed: the run's seed mixed with the image's index (SplitMix64 finalizer).
    package static func imageSeed(_ seed: UInt64, _ image: Int) -> UInt64 {
        var z = seed &+ UInt64(truncatingIfNeeded: image) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Checks checkpoints and SRP/delivery, returning the checkpoints sorted.
    package static func checkpoints(_ checkpoints: [Int], srpTau: Int, delivery: DeliveryMode) throws -> [Int] {
        let sorted = checkpoints.sorted()
        guard let first = sorted.first, first >= 1 else {
            throw SpikeMeshError(.invalidArgument, "timesteps must be positive")
        }
        if srpTau > 0 && delivery == .pipelined {
            throw SpikeMeshError(.unsupported, "SRP (--srp-tau) runs with layerSynchronous delivery only")
        }
        return sorted
    }
}

extension SpikingNetwork {
    /// Per projection, the axon delay that makes every path into its target as long as the
    /// longest one (pipelined delivery).
    public var axonDelays: [Int] {
        let d = depths
        return projections.map { d[$0.target] - d[$0.source] - 1 }
    }

    /// Per population, the indices of the projections into it.
    package var incomingIndices: [[Int]] {
        populations.indices.map { p in projections.indices.filter { projections[$0].target == p } }
    }
}

/// Throws unless `input` holds `count` images of `inputSize` values: the simulators' `run`
/// takes a flat batch, and a batch of another shape is the caller's error, not a trap.
public func checkBatch(_ input: [Float], count: Int, inputSize: Int) throws {
    let (want, overflow) = count.multipliedReportingOverflow(by: inputSize)
    guard count >= 0, !overflow, input.count == want else {
        throw SpikeMeshError(
            .invalidArgument,
            "the input holds \(input.count) values; \(count) images of \(inputSize) need \(overflow ? "more than Int.max" : "\(want)")"
        )
    }
}

extension Dataset {
    /// Calls `body(start, count, input, seed)` on consecutive normalized batches. The run's seed
    /// is offset per batch, so every image keeps its own Poisson stream whatever the batching;
    /// `simulate`, `run`, the reference's and the emulator's accuracy all batch this way.
    /// Throws first unless the images fit the network's `inputShape` (`model` names it) and the
    /// normalization their channels.
    public func forEachSeededBatch(
        _ normalization: Normalization, inputShape: [Int], model: String, seed: UInt64, batch: Int = 64,
        _ body: (Int, Int, [Float], UInt64) throws -> Void
    ) throws {
        try check(fits: inputShape, of: model, normalization: normalization)
        var done = 0
        while done < count {
            let n = Swift.min(batch, count - done)
            try body(
                done, n, normalizedBatch(done..<(done + n), mean: normalization.mean, std: normalization.std),
                seed &+ UInt64(done) &* 0x9E37_79B9)
            done += n
        }
    }
}
