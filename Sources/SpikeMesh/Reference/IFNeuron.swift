/// The integrate-and-fire neuron of every spiking population, in float.
///
/// One tick: `V ← V + I`; if `V ≥ θ` the neuron fires once and resets, by subtraction
/// (`V ← V − θ`, soft reset, the RMP neuron of Han et al. 2020, which keeps the residual) or
/// to zero (hard reset). Under a constant input x from V(0) with soft reset and no
/// saturation, the spikes after N ticks are `floor((N·x + V(0))/θ)` while x ≤ θ.
public enum IFNeuron {
    @inline(__always)
    public static func step(_ v: Float, current: Float, threshold: Float, subtract: Bool, canFire: Bool = true) -> (Float, Bool) {
        let u = v + current
        guard canFire, u >= threshold else { return (u, false) }
        return (subtract ? u - threshold : 0, true)
    }
}
