/// A converted spiking network: populations of integrate-and-fire neurons joined by
/// projections, in topological order. Population 0 is the input encoder.
///
/// Values travel as spikes of amplitude θ: a spike of population p stands for the value
/// `θ_p`, so a neuron's input current in one tick is
///
/// ```
/// I = Σ_projections Σ_sources w · θ_source · s_source + bias
/// ```
///
/// (`s` is 0 or 1; for the direct-encoded input, `s` is the analog pixel value and θ = 1).
/// A neuron with threshold θ then fires at the rate `a/θ` of the ANN activation `a` it
/// replaces — the data-based normalization of Diehl et al. 2015, written with thresholds.
public struct SpikingNetwork: Sendable, Codable {
    public var populations: [Population]
    public var projections: [Projection]
    /// Index of the population that is read out (never fires; its membranes accumulate).
    public var output: Int
    /// Metadata: the model's source, conversion method, α, normalization.
    public var metadata: [String: String]

    public init(populations: [Population], projections: [Projection], output: Int, metadata: [String: String]) {
        self.populations = populations
        self.projections = projections
        self.output = output
        self.metadata = metadata
    }

    public var inputShape: [Int] { populations[0].shape }

    /// Projections into population `p`.
    public func incoming(_ p: Int) -> [Projection] { projections.filter { $0.target == p } }

    /// Longest path from the input to each population, in projections.
    public var depths: [Int] {
        var depth = [Int](repeating: 0, count: populations.count)
        for p in populations.indices.dropFirst() {
            depth[p] = (incoming(p).map { depth[$0.source] }.max() ?? -1) + 1
        }
        return depth
    }

    /// Hidden populations: every population but the input and the output.
    public var hidden: [Int] { populations.indices.filter { $0 != 0 && $0 != output } }

    /// The value one spike of population `p` carries into its targets' weights: θ_p, or 1 for
    /// the input. (A `FixedPointNetwork`'s spikes carry 1: its weights already hold θ_source.)
    /// A graded relay's spikes carry their payload (its partial sum) with amplitude 1, as the
    /// direct input does.
    public func amplitude(_ p: Int) -> Float {
        p == 0 || populations[p].relay == .graded ? 1 : populations[p].threshold
    }

    /// The part of its source projection `proj` reads (`Projection.sourceRange`, else the whole
    /// source): conv, source channels; dense, source neurons in CHW order.
    public func readRange(of proj: Projection) -> Range<Int> {
        if let r = proj.sourceRange { return r }
        let src = populations[proj.source]
        if case .dense = proj.kind { return 0..<src.count }
        return 0..<src.channels
    }

    /// Hidden populations that are neurons of the converted network, not relays: SRP resets
    /// and suppresses these.
    public var hiddenNeurons: [Int] { hidden.filter { populations[$0].relay == nil } }
}

public enum ResetMode: String, Sendable, Codable, CaseIterable {
    /// Soft reset (RMP): `V ← V − θ` on a spike, keeping the residual.
    case subtract
    /// Hard reset: `V ← 0` on a spike.
    case zero
}

/// A population inserted by fan-in decomposition or fan-out splitting (Docs/Mapping.md, "Relays", "Splitters"):
/// it integrates one group of a neuron's inputs and forwards the partial sum to it through an
/// identity projection of weight 1.
public enum Relay: String, Sendable, Codable, CaseIterable {
    /// Each tick the relay sends its whole partial sum as one packet with a payload and resets
    /// to 0 (chips with graded spikes, Loihi 2): exact.
    case graded
    /// A signed soft-reset relay (binary-spike chips): on V ≥ θ a +1 spike and V ← V − θ, on
    /// V ≤ −θ a −1 spike and V ← V + θ, at most one per tick. On a chip it is a pair of
    /// neurons for the positive and the negative part that reset each other; the residual
    /// (|V| < θ) is what the target has not yet received.
    case signed
    /// A splitter (fan-out splitting, chips with `core.neuronFanOut`): an identity copy of its
    /// source, a soft-reset neuron of the source's θ fed with weight 1, so it fires exactly when
    /// the source does, one tick later in pipelined delivery. On a chip each neuron is as many
    /// hardware copies as its destination entries need (`Mapping.copies`), each within the
    /// neuron fan-out limit; all copies of a neuron share its core.
    case splitter

    /// Whether the relay carries a partial sum for one target in the target's units (graded,
    /// signed); a splitter copies its source's spikes to many targets instead.
    public var carriesPartialSum: Bool { self != .splitter }
}

public struct Population: Sendable, Codable {
    public var name: String
    /// Per-sample shape, `[C, H, W]` or `[F]` (as the ANN layer it replaces).
    public var shape: [Int]
    /// Firing threshold θ (in the units of the ANN activation).
    public var threshold: Float
    public var reset: ResetMode
    /// Membrane potential at t = 0 (absolute, same units as θ).
    public var initialPotential: Float
    /// Constant input current per tick, one value per channel (shape[0]); nil for none.
    public var bias: [Float]?
    /// The ANN layer whose activation this population carries.
    public var layer: Int
    /// λ of the QCFS activation this population replaces, if any.
    public var qcfsLambda: Float?
    /// V(0) per channel (shape[0] values), replacing `initialPotential` where present: set by
    /// potential calibration (`--calibrate-potential`); nil for one V(0) for every neuron.
    public var channelInitialPotential: [Float]?
    /// Set for a relay population inserted by fan-in decomposition; nil for a neuron population.
    public var relay: Relay?

    public var count: Int { shape.reduce(1, *) }
    public var channels: Int { shape[0] }

    public init(
        name: String, shape: [Int], threshold: Float, reset: ResetMode, initialPotential: Float, bias: [Float]?,
        layer: Int, qcfsLambda: Float?, channelInitialPotential: [Float]? = nil, relay: Relay? = nil
    ) {
        self.name = name
        self.shape = shape
        self.threshold = threshold
        self.reset = reset
        self.initialPotential = initialPotential
        self.bias = bias
        self.layer = layer
        self.qcfsLambda = qcfsLambda
        self.channelInitialPotential = channelInitialPotential
        self.relay = relay
    }
}

public struct Projection: Sendable, Codable {
    public enum Kind: Sendable, Codable {
        /// `weights` row-major `[out][in]`, `in` in the source's C·H·W order.
        case dense(weights: [Float])
        /// A convolution, weights OIHW, as in `Conv2d` (bias lives on the population).
        case conv(Conv2d)
        /// Average pooling: a convolution of each channel with weights 1/(window size).
        case avgPool(Pool)
        /// One-to-one, weight 1 (residual paths).
        case identity
    }

    public var source: Int
    public var target: Int
    public var kind: Kind
    /// Explicit weights where the kind implies them: for `avgPool`, one weight per target
    /// position (H·W, row-major) replacing 1/window; for `identity`, one weight replacing 1.
    /// Fixed-point networks set it; nil means the implied weights.
    public var positionWeights: [Float]?
    /// The part of the source a `conv` or `dense` projection reads, its weights laid out for
    /// that part alone: for `conv`, a range of source channels (`inChannels` = its count); for
    /// `dense`, a range of source neurons in CHW order, the ANN's flatten order (`in` = its
    /// count). Fan-in decomposition sets it; nil reads the whole source.
    public var sourceRange: Range<Int>?

    public init(source: Int, target: Int, kind: Kind, positionWeights: [Float]? = nil, sourceRange: Range<Int>? = nil) {
        self.source = source
        self.target = target
        self.kind = kind
        self.positionWeights = positionWeights
        self.sourceRange = sourceRange
    }

    public var typeName: String {
        switch kind {
        case .dense: "dense"
        case .conv: "conv"
        case .avgPool: "avgPool"
        case .identity: "identity"
        }
    }
}
