import SpikeMeshCore
import SpikeMeshModel

/// Float spiking network → fixed-point network (Docs/Emulation.md, "Fixed point").
///
/// Per target population q, every incoming weight is first written in units of q's
/// threshold, `w' = w · a_source / θ_q` (a = θ_source, or 1 for the input), so that a spike
/// adds `w'` thresholds. The integer threshold is the largest that keeps every weight in
/// `weightBits` (signed): `Θ_q = ⌊(2^(b−1) − 1) / max|w'|⌋`, at least 1. Then
///
/// ```
/// W = round(w' · Θ_q)     B = round(b / θ_q · Θ_q)     V0 = round(V0 / θ_q · Θ_q)
/// ```
///
/// rounding half away from zero. A weight whose rounded value does not fit (only possible
/// when Θ had to be raised to 1) is clipped and counted; so is a bias or initial potential
/// clamped to `potentialBits`. The result is a `FixedPointNetwork`: its spikes carry
/// amplitude 1, and the reference simulator runs it as the emulator does.
public enum Quantizer {
    public struct Entry: Sendable {
        public var population: Int
        public var name: String
        public var threshold: Float
        public var integerThreshold: Int
        /// Θ/θ: integer units per float unit.
        public var scale: Float
        public var weights: Int
        /// Weights that did not fit and were clipped to ±(2^(b−1) − 1).
        public var clipped: Int
        /// Non-zero weights that rounded to zero.
        public var zeroed: Int
        /// RMS of (W/Θ − w') over RMS of w': the relative weight error.
        public var relativeError: Double
        /// Largest |W|.
        public var largestWeight: Int
        /// Biases and initial potentials that did not fit `potentialBits` and were clamped.
        public var clampedValues: Int
    }

    public struct Report: Sendable {
        public var hardware: String
        public var weightBits: Int
        public var potentialBits: Int
        public var entries: [Entry]
    }

    /// Widths for `--exact`: wide enough that the fixed-point network is the float network
    /// to 16 bits per weight, while every membrane stays below 2^24 so Float arithmetic on
    /// the same integers is exact (the output, which accumulates over all ticks, gets 12).
    public static let exactWeightBits = 16
    public static let exactOutputWeightBits = 12
    public static let exactPotentialBits = 32

    /// Quantizes `network` to the given widths; `name` is recorded as the hardware's.
    public static func quantize(
        _ network: SpikingNetwork, weightBits: Int, potentialBits: Int, name: String,
        outputWeightBits: Int? = nil
    ) throws -> (FixedPointNetwork, Report) {
        guard FixedPointInfo.weightBitsRange.contains(weightBits),
            FixedPointInfo.potentialBitsRange.contains(potentialBits)
        else {
            throw SpikeMeshError(
                .invalidArgument, "weightBits \(weightBits) must be in 2…24 and potentialBits \(potentialBits) in 2…32")
        }
        try network.validate()
        var projections = [FixedPointProjection?](repeating: nil, count: network.projections.count)
        var populations = [
            FixedPointPopulation(
                name: network.populations[0].name, shape: network.populations[0].shape, threshold: 1,
                reset: network.populations[0].reset, initialPotential: 0, bias: nil,
                layer: network.populations[0].layer, qcfsLambda: nil)
        ]
        var entries: [Entry] = []
        var scales = [Float](repeating: 1, count: network.populations.count)
        let potentialLimit = Double((Int64(1) << Int64(potentialBits - 1)) - 1)
        // A relay shares its target's units (the root: the first population down its identity
        // chain that is not a relay), so its partial sum is already in the target's integers.
        // The root's Θ comes from every weight into the root and its relays, except the
        // relays' own identity projections (weight 1, graded; Θ_relay, signed).
        var root = Array(network.populations.indices)
        // (A splitter is its own root: it copies its source's spikes to many targets.)
        for q in network.populations.indices.reversed() where network.populations[q].relay?.carriesPartialSum == true {
            if let out = network.projections.first(where: { $0.source == q }) { root[q] = root[out.target] }
        }
        func fromRelayOfSameRoot(_ proj: Projection) -> Bool {
            network.populations[proj.source].relay?.carriesPartialSum == true && root[proj.source] == root[proj.target]
        }
        var effective: [Int: [Double]] = [:]
        var largestOf = [Double](repeating: 0, count: network.populations.count)
        for (j, proj) in network.projections.enumerated() where !fromRelayOfSameRoot(proj) {
            let target = network.populations[proj.target]
            let factor = Double(network.amplitude(proj.source)) / Double(target.threshold)
            let raw: [Float]
            switch proj.kind {
            case .dense(let w): raw = w
            case .conv(let c): raw = c.weights
            case .avgPool: raw = avgPoolWeights(proj, network: network)
            case .identity: raw = [proj.positionWeights?.first ?? 1]
            }
            let values = raw.map { Double($0) * factor }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw SpikeMeshError(
                    .invalidModel,
                    "projection \(j) into \(Text.quoted(target.name)): weight [\(bad)] × θ(source) / θ = \(values[bad]) is not finite; the thresholds are too far apart"
                )
            }
            effective[j] = values
            largestOf[root[proj.target]] = max(largestOf[root[proj.target]], values.map(abs).max() ?? 0)
        }
        for q in network.populations.indices.dropFirst() {
            let pop = network.populations[q]
            let bits = root[q] == network.output ? (outputWeightBits ?? weightBits) : weightBits
            let wMax = Double((1 << (bits - 1)) - 1)
            let incoming = network.projections.indices.filter { network.projections[$0].target == q }
            let largest = largestOf[root[q]]
            if q != root[q], network.populations[root[q]].threshold != pop.threshold {
                throw SpikeMeshError(
                    .invalidModel,
                    "relay \(Text.quoted(pop.name)): θ \(pop.threshold) differs from its target's θ \(network.populations[root[q]].threshold)"
                )
            }
            let theta =
                largest > 0 ? max(1, min((wMax / largest).rounded(.down), potentialLimit)) : min(wMax, potentialLimit)
            scales[q] = Float(theta) / pop.threshold
            // A signed relay's spike carries Θ_relay into its target, as a weight: at most wMax.
            let relayTheta = min(theta, wMax)
            let integerThreshold = pop.relay == .signed ? relayTheta : theta
            var clipped = 0
            var zeroed = 0
            var count = 0
            var big = 0
            var errorSquares = 0.0
            var valueSquares = 0.0
            for j in incoming {
                let proj = network.projections[j]
                if fromRelayOfSameRoot(proj) {
                    // Weight 1 for a graded relay's payload; Θ_relay for a signed relay's spike.
                    let w: Int32 = network.populations[proj.source].relay == .graded ? 1 : Int32(relayTheta)
                    count += 1
                    projections[j] = FixedPointProjection(source: proj.source, target: q, kind: .identity(weight: w))
                    continue
                }
                let ints: [Int32] = effective[j]!.map { w in
                    var v = (w * theta).rounded(.toNearestOrAwayFromZero)
                    if abs(v) > wMax {
                        v = v < 0 ? -wMax : wMax
                        clipped += 1
                    }
                    if v == 0 && w != 0 { zeroed += 1 }
                    errorSquares += (v / theta - w) * (v / theta - w)
                    valueSquares += w * w
                    big = max(big, Int(abs(v)))
                    return Int32(v)
                }
                count += ints.count
                let kind: FixedPointProjection.Kind
                switch proj.kind {
                case .dense: kind = .dense(weights: ints)
                case .conv(let c):
                    kind = .conv(window: c.window, inChannels: c.inChannels, outChannels: c.outChannels, weights: ints)
                case .avgPool(let pool): kind = .avgPool(window: pool.window, weights: ints)
                case .identity: kind = .identity(weight: ints[0])
                }
                projections[j] = FixedPointProjection(
                    source: proj.source, target: q, kind: kind, sourceRange: proj.sourceRange)
            }
            let scale = theta / Double(pop.threshold)
            var clamped = 0
            func integer(_ x: Float) -> Int64 {
                let v = (Double(x) * scale).rounded(.toNearestOrAwayFromZero)
                if abs(v) > potentialLimit { clamped += 1 }
                return Int64(max(-potentialLimit, min(potentialLimit, v)))
            }
            populations.append(
                FixedPointPopulation(
                    name: pop.name, shape: pop.shape, threshold: Int64(integerThreshold), reset: pop.reset,
                    initialPotential: integer(pop.initialPotential), bias: pop.bias.map { $0.map(integer) },
                    layer: pop.layer, qcfsLambda: pop.qcfsLambda,
                    channelInitialPotential: pop.channelInitialPotential.map {
                        $0.map { v in
                            // A calibrated V(0) below θ stays below Θ after rounding, so
                            // no neuron fires before its first input arrives.
                            v < pop.threshold ? min(integer(v), Int64(theta) - 1) : integer(v)
                        }
                    }, relay: pop.relay))
            entries.append(
                Entry(
                    population: q, name: pop.name, threshold: pop.threshold, integerThreshold: Int(integerThreshold),
                    scale: Float(scale), weights: count, clipped: clipped, zeroed: zeroed,
                    relativeError: valueSquares > 0 ? (errorSquares / valueSquares).squareRoot() : 0,
                    largestWeight: big, clampedValues: clamped))
        }
        let format = FixedPointInfo(
            hardware: name, weightBits: weightBits, potentialBits: potentialBits, scales: scales)
        let fixed = try FixedPointNetwork(
            populations: populations, projections: projections.map { $0! }, output: network.output,
            metadata: network.metadata, format: format)
        return (fixed, Report(hardware: name, weightBits: weightBits, potentialBits: potentialBits, entries: entries))
    }

    /// With the widths of a hardware model.
    public static func quantize(_ network: SpikingNetwork, for hardware: HardwareModel) throws -> (
        FixedPointNetwork, Report
    ) {
        try quantize(
            network, weightBits: hardware.core.weightBits, potentialBits: hardware.core.potentialBits,
            name: hardware.name)
    }

    /// `--exact`: integers wide enough to reproduce the float network (see `exactWeightBits`).
    public static func exact(_ network: SpikingNetwork) throws -> (FixedPointNetwork, Report) {
        try quantize(
            network, weightBits: exactWeightBits, potentialBits: exactPotentialBits, name: "exact",
            outputWeightBits: exactOutputWeightBits)
    }

    /// The report of an already fixed-point network (from a file): thresholds and scales;
    /// the errors are not known any more and are reported as 0.
    public static func describe(_ network: FixedPointNetwork) -> Report {
        let f = network.format
        let entries = network.populations.indices.dropFirst().map { q in
            let p = network.populations[q]
            return Entry(
                population: q, name: p.name, threshold: Float(p.threshold) / f.scales[q],
                integerThreshold: Int(p.threshold),
                scale: f.scales[q], weights: 0, clipped: 0, zeroed: 0, relativeError: 0, largestWeight: 0,
                clampedValues: 0)
        }
        return Report(hardware: f.hardware, weightBits: f.weightBits, potentialBits: f.potentialBits, entries: entries)
    }

    /// The weight of each target position of an average pooling (1/divisor, or explicit).
    static func avgPoolWeights(_ proj: Projection, network: SpikingNetwork) -> [Float] {
        if case .avgPool(_, let inverse) = CompiledProjection(proj, network: network).op { return inverse }
        return []
    }
}
