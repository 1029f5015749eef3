import SpikeMeshModel

/// How a chip stores a projection's synapses, for per-kind synaptic costs (SANA-FE's Loihi
/// model prices a convolutional, a dense and a sparse synapse differently: 24.0, 35.5 and
/// 33.6 pJ per synaptic op).
public enum SynapseClass: Int, Sendable, CaseIterable {
    /// Kernel windows: convolutions and average pooling (shared weights).
    case conv
    /// A full weight matrix.
    case dense
    /// One-to-one: identity paths (residual shortcuts, relay forwarding, splitters).
    case sparse

    public init(_ kind: FixedPointProjection.Kind) {
        switch kind {
        case .conv, .avgPool: self = .conv
        case .dense: self = .dense
        case .identity: self = .sparse
        }
    }

    public var name: String {
        switch self {
        case .conv: "conv"
        case .dense: "dense"
        case .sparse: "sparse"
        }
    }
}
