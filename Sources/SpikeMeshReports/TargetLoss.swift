import Foundation
import SpikeMeshCore

/// `--target-loss P`: the smallest T of an accuracy curve whose accuracy is within P of the
/// ANN's, and (for `run`) the latency and energy per inference at that T.
public struct TargetLoss: Sendable {
    /// The accepted loss, a fraction of 1 (0.01 = one percentage point).
    public var loss: Double
    /// The ANN's accuracy on the same images.
    public var reference: Double
    /// The smallest T that reaches `reference − loss`, nil when none does.
    public var timesteps: Int?
    public var accuracy: Double?
    /// At `timesteps`, for `run`.
    public var latencyTicks: Double?, latencyMicroseconds: Double?, energyMicrojoules: Double?

    /// Reads the curve; accuracies are compared after rounding to 1e-9 so that an accuracy
    /// equal to the bound in decimal counts as within it.
    public init(loss: Double, reference: Double, checkpoints: [Int], accuracies: [Double]) {
        self.loss = loss
        self.reference = reference
        let bound = reference - loss
        let hit = zip(checkpoints, accuracies).sorted { $0.0 < $1.0 }.first { ($0.1 - bound) > -1e-9 }
        timesteps = hit?.0
        accuracy = hit?.1
    }

    public func text() -> String {
        var out = String(
            format: "target loss %.2f %% (accuracy ≥ %.2f %%, the ANN's %.2f %% − %.2f %%): ",
            100 * loss, 100 * (reference - loss), 100 * reference, 100 * loss)
        guard let t = timesteps, let a = accuracy else { return out + "no T in the curve reaches it; try larger T\n" }
        out += String(format: "T = %d (%.2f %%)", t, 100 * a)
        if let us = latencyMicroseconds, let uj = energyMicrojoules, let ticks = latencyTicks {
            out += String(format: ", latency %.0f ticks, %.2f µs, energy %.3f µJ per inference", ticks, us, uj)
        }
        return out + "\n"
    }

    public func json() -> JSON {
        .object(
            [
                ("loss", .number(loss)), ("annAccuracy", .number(reference)),
                ("timesteps", timesteps.map { .int($0) } ?? .null), ("accuracy", accuracy.map { .number($0) } ?? .null),
            ]
                + (latencyTicks == nil
                    ? []
                    : [
                        ("latencyTicks", .number(latencyTicks!)),
                        ("latencyMicroseconds", .number(latencyMicroseconds!)),
                        ("energyMicrojoules", .number(energyMicrojoules!)),
                    ]))
    }
}
