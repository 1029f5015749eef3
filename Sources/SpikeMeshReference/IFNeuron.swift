/// The integrate-and-fire neuron of every spiking population, in float.
///
/// One tick: `V ← V + I`; if `V ≥ θ` the neuron fires once and resets, by subtraction
/// (`V ← V − θ`, soft reset, the RMP neuron of Han et al. 2020, which keeps the residual) or
/// to zero (hard reset). Under a constant input x from V(0) with soft reset and no
/// saturation, the spikes after N ticks are `floor((N·x + V(0))/θ)` while x ≤ θ.
public enum IFNeuron {
    @inline(__always)
    public static func step(_ v: Float, current: Float, threshold: Float, subtract: Bool, canFire: Bool = true) -> (
        Float, Bool
    ) {
        let u = v + current
        guard canFire, u >= threshold else { return (u, false) }
        return (subtract ? u - threshold : 0, true)
    }

    /// `step` for `count` neurons that may all fire, eight at a time: updates `v`, writes
    /// 1 or 0 to `spikes`, writes the indices that fired, in order, to `fired`, and returns
    /// how many fired. Same arithmetic as `step`.
    public static func stepAll(
        _ v: UnsafeMutablePointer<Float>, current: UnsafePointer<Float>,
        spikes: UnsafeMutablePointer<Float>, fired: UnsafeMutablePointer<Int32>,
        count: Int, threshold: Float, subtract: Bool
    ) -> Int {
        var i = 0
        var total = 0
        let theta = SIMD8<Float>(repeating: threshold)
        let one = SIMD8<Float>(repeating: 1)
        let zero = SIMD8<Float>(repeating: 0)
        while i + 8 <= count {
            let u =
                UnsafeRawPointer(v + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(current + i).loadUnaligned(as: SIMD8<Float>.self)
            let fire = u .>= theta
            let after = subtract ? u - theta : zero
            UnsafeMutableRawPointer(v + i).storeBytes(of: u.replacing(with: after, where: fire), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(spikes + i).storeBytes(
                of: zero.replacing(with: one, where: fire), as: SIMD8<Float>.self)
            if any(fire) {
                for lane in 0..<8 where fire[lane] {
                    fired[total] = Int32(i + lane)
                    total += 1
                }
            }
            i += 8
        }
        while i < count {
            let (nv, spiked) = step(v[i], current: current[i], threshold: threshold, subtract: subtract)
            v[i] = nv
            spikes[i] = spiked ? 1 : 0
            if spiked {
                fired[total] = Int32(i)
                total += 1
            }
            i += 1
        }
        return total
    }
}
