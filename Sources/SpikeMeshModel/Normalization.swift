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

    /// Limits on the values: pixels are in [0, 1], so a std below 10⁻⁶ or a mean beyond ±10⁶
    /// is a typo, and the bounds keep every normalized pixel below 10¹³ (finite in Float, and
    /// its direct-input current within the emulator's clamp).
    public static let minimumStd: Float = 1e-6
    public static let maximumStd: Float = 1e6
    public static let maximumMean: Float = 1e6

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
        let code: SpikeMeshError.Code = result.origin == "command line" ? .usage : .invalidModel
        for s in result.std where !(s >= minimumStd) || !(s <= maximumStd) {
            throw SpikeMeshError(code, "std \(s) is outside \(minimumStd)…\(maximumStd) (\(result.origin))")
        }
        for m in result.mean where !(abs(m) <= maximumMean) {
            throw SpikeMeshError(code, "mean \(m) is outside ±\(maximumMean) (\(result.origin))")
        }
        return result
    }

    /// The values as metadata entries, so a converted network remembers its normalization.
    public var metadata: [String: String] {
        [
            "spikemesh.mean": mean.map { "\($0)" }.joined(separator: ","),
            "spikemesh.std": std.map { "\($0)" }.joined(separator: ","),
        ]
    }

    /// Checks that there is one value, or one per channel.
    public func check(channels: Int) throws {
        for (name, values) in [("mean", mean), ("std", std)] where values.count != 1 && values.count != channels {
            throw SpikeMeshError(
                .usage,
                "\(name) has \(values.count) values; the images have \(channels) channel(s): give one value or one per channel"
            )
        }
    }
}
