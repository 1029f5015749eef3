import SpikeMeshModel

/// Channel-wise thresholds (`--thresholds channel`; Kim et al. 2020, Spiking-YOLO), folded
/// into the weights so that every population keeps one θ.
///
/// A neuron of channel c should fire at λ_c and send spikes worth λ_c. With s_c = θ/λ_c it
/// is the same neuron, in units scaled by s_c, to fire at θ: multiply the weights and the bias
/// into channel c by s_c, and the weights that read channel c by 1/s_c. V(0) = θ/2 is then
/// λ_c/2 in the ANN's units. The float network computes the same rates as one with per-channel
/// θ; only the population's projections change.
///
/// Only populations whose every projection in and out is a convolution or dense layer can be
/// scaled this way: an identity (a residual skip, the output read-out) or a pooling projection
/// has no per-channel weight to carry the scale, so such populations keep one θ.
enum ChannelThresholds {
    /// The smallest λ_c accepted, as a fraction of the population's θ: s_c ≤ 8 spends at most
    /// 3 bits of a hardware weight's range on the spread of the scales. A channel that fired
    /// only a few tiny values would otherwise scale its incoming weights by up to 1,000 and
    /// leave the rest of the layer's weights rounded to zero (the bundled CNN's dense layer on
    /// Loihi: 59 % zeroed at 1/1,000, 13.5 % at 1/8, with the same float accuracy).
    static let smallestFraction: Float = 1.0 / 8

    /// Hidden populations that can take per-channel thresholds.
    static func eligible(_ network: SpikingNetwork) -> Set<Int> {
        func scalable(_ q: Projection) -> Bool {
            switch q.kind {
            case .conv, .dense: q.positionWeights == nil
            case .avgPool, .identity: false
            }
        }
        return Set(
            network.hidden.filter { p in
                network.populations[p].qcfsLambda == nil
                    && network.projections.allSatisfy { ($0.source != p && $0.target != p) || scalable($0) }
            })
    }

    /// Folds `channelThresholds` (λ_c, ANN units, one per channel; ≤ 0 for a channel that
    /// never fired) into population `p`'s projections, keeping its θ. Returns the λ_c in
    /// effect.
    static func fold(_ network: inout SpikingNetwork, population p: Int, channelThresholds lambdas: [Float]) -> [Float]
    {
        let theta = network.populations[p].threshold
        let channels = network.populations[p].channels
        precondition(lambdas.count == channels, "one threshold per channel")
        let effective = lambdas.map { $0 > 0 ? max($0, theta * smallestFraction) : theta }
        let scale = effective.map { theta / $0 }
        let plane = network.populations[p].count / channels
        for k in network.projections.indices {
            let q = network.projections[k]
            if q.target == p {
                switch q.kind {
                case .conv(var c):
                    let per = c.fanIn
                    for o in 0..<c.outChannels { for i in 0..<per { c.weights[o * per + i] *= scale[o] } }
                    network.projections[k].kind = .conv(c)
                case .dense(var w):
                    let per = w.count / network.populations[p].count
                    for o in 0..<network.populations[p].count {
                        for i in 0..<per { w[o * per + i] *= scale[o / plane] }
                    }
                    network.projections[k].kind = .dense(weights: w)
                case .avgPool, .identity: preconditionFailure("not eligible")
                }
            }
            if q.source == p {
                switch network.projections[k].kind {
                case .conv(var c):
                    let taps = c.kernelHeight * c.kernelWidth
                    for o in 0..<c.outChannels {
                        for ci in 0..<c.inChannels {
                            let base = (o * c.inChannels + ci) * taps
                            for t in 0..<taps { c.weights[base + t] /= scale[ci] }
                        }
                    }
                    network.projections[k].kind = .conv(c)
                case .dense(var w):
                    let inputs = network.populations[p].count
                    for o in 0..<(w.count / inputs) {
                        for i in 0..<inputs { w[o * inputs + i] /= scale[i / plane] }
                    }
                    network.projections[k].kind = .dense(weights: w)
                case .avgPool, .identity: preconditionFailure("not eligible")
                }
            }
        }
        if var bias = network.populations[p].bias {
            for c in 0..<channels { bias[c] *= scale[c] }
            network.populations[p].bias = bias
        }
        return effective
    }
}
