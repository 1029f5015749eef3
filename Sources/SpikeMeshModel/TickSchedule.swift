import SpikeMeshCore

/// The tick schedule the reference simulator and the emulator share (Docs/Conversion.md,
/// "Ticks"): how many ticks a run lasts, when SRP resets, which ticks count toward a
/// population's spikes and toward each checkpoint, and when a bias starts. The two engines
/// share this and nothing of their neuron arithmetic, so the oracle stays independent.
///
/// Ticks are numbered 1…`totalTicks` = τ + T + (pipelined ? output depth : 0), where τ is
/// SRP's preliminary phase (0 = off) and T the largest checkpoint.
package struct TickSchedule: Sendable {
    /// Input-presentation ticks at which accuracy is read, ascending.
    package let checkpoints: [Int]
    package let srpTau: Int
    package let pipelined: Bool
    /// Per population: its depth (longest path from the input, in projections).
    package let depths: [Int]
    package let output: Int

    package init(checkpoints: [Int], srpTau: Int, delivery: DeliveryMode, depths: [Int], output: Int) throws {
        self.checkpoints = try RunSupport.checkpoints(checkpoints, srpTau: srpTau, delivery: delivery)
        self.srpTau = srpTau
        pipelined = delivery == .pipelined
        self.depths = depths
        self.output = output
    }

    /// T: the largest checkpoint.
    package var presentationTicks: Int { checkpoints.last! }
    /// Ticks a pipelined run adds for input to reach the output.
    package var pipelineTicks: Int { pipelined ? depths[output] : 0 }
    package var totalTicks: Int { srpTau + presentationTicks + pipelineTicks }

    /// SRP's reset happens at the end of tick τ.
    package func isSRPReset(_ t: Int) -> Bool { srpTau > 0 && t == srpTau }
    /// After τ, neurons SRP marked stay silent.
    package func suppresses(_ t: Int) -> Bool { srpTau > 0 && t > srpTau }
    /// Spike trains are recorded from tick τ + 1 on, as presentation tick t − τ.
    package func recordedTick(_ t: Int) -> Int? { t > srpTau ? t - srpTau : nil }

    /// Whether population p's spikes at tick t count toward its total: each population is
    /// counted over its own T ticks (pipelined: depth + 1 … depth + T, when it carries input
    /// ticks 1 … T; else τ + 1 … τ + T).
    package func counts(_ p: Int, at t: Int) -> Bool {
        let own = pipelined ? t - depths[p] : t - srpTau
        return own >= 1 && own <= presentationTicks
    }

    /// Whether population p's bias flows at tick t (pipelined: once input can have reached it).
    package func biasFlows(_ p: Int, at t: Int) -> Bool { !pipelined || t > depths[p] }

    /// The checkpoints (indices into `checkpoints`) read at the end of tick t.
    package func checkpointsRead(at t: Int) -> Range<Int> {
        let counted = t - srpTau - pipelineTicks
        let first = checkpoints.firstIndex { $0 >= counted } ?? checkpoints.count
        let end = checkpoints[first...].firstIndex { $0 != counted } ?? checkpoints.count
        return first..<end
    }
}
