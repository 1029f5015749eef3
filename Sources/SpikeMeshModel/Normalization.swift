import SpikeMeshCore

/// Input normalization `x = (pixel / 255 − mean[c]) / std[c]`.
///
/// Resolved from, in order: the command line (`--mean`, `--std`), the model's metadata
/// (`spikemesh.mean`, `spikemesh.std`, comma-separated, written by `Tools/` scripts), or
/// none (mean 0, std 1: pixels scaled to [0, 1]).
public struct Normalization: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    /// Where the values came from: "command line", "model metadata" or "default".
    public var origin: String

    public init(mean: [Float], std: [Float], origin: String) {
        self.mean = mean
        self.std = std
        self.origin = origin
    }

    public static func resolve(mean: [Float]?, std: [Float]?, graph: ANNGraph) throws -> Normalization {
        try resolve(mean: mean, std: std, metadata: graph.metadata)
    }

    /// From the command line, else `metadata` (a model's or a network file's), else none.
    public static func resolve(mean: [Float]?, std: [Float]?, metadata: [String: String]) throws -> Normalization {
        let fromModel = ANNGraph.normalization(in: metadata)
        let result = Normalization(
            mean: mean ?? fromModel?.mean ?? [0],
            std: std ?? fromModel?.std ?? [1],
            origin: mean != nil || std != nil ? "command line" : (fromModel != nil ? "model metadata" : "default"))
        for s in result.std where !(s > 0) || !s.isFinite {
            throw SpikeMeshError(.usage, "std \(s) must be a positive number")
        }
        for m in result.mean where !m.isFinite { throw SpikeMeshError(.usage, "mean \(m) must be a finite number") }
        return result
    }

    /// The values as metadata entries, so a converted network remembers its normalization.
    public var metadata: [String: String] {
        ["spikemesh.mean": mean.map { "\($0)" }.joined(separator: ","), "spikemesh.std": std.map { "\($0)" }.joined(separator: ",")]
    }

    /// Checks that there is one value, or one per channel.
    public func check(channels: Int) throws {
        for (name, values) in [("mean", mean), ("std", std)] where values.count != 1 && values.count != channels {
            throw SpikeMeshError(.usage, "\(name) has \(values.count) values; the images have \(channels) channel(s): give one value or one per channel")
        }
    }
}
