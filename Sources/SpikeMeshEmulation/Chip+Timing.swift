import SpikeMeshCore
import SpikeMeshModel

extension Chip {
    /// Tick t begins: its link-window slot and the cores' work are cleared.
    mutating func beginTick(_ t: Int) {
        state.links.beginTick(t)
        for k in scratch.coreSOPs.indices {
            scratch.coreSOPs[k] = 0
            scratch.coreUpdates[k] = 0
        }
        if plan.detailedCoreTime { for k in scratch.coreEvents.indices { scratch.coreEvents[k] = 0 } }
    }

    /// Tick t ends (Docs/Emulation.md, "Time per tick"): tick time = the slowest core's work
    /// (`TickTiming.slowestCore`) + the mesh (the longest route that travelled + one hop per
    /// packet queued behind another on the busiest link) + the barrier (`TickTiming.barrierNs`),
    /// at least minimumTickNs — by each of the plan's timings, from the same counts. Times are
    /// summed in integer picoseconds, so totals do not depend on the order images are added
    /// in; a total beyond Int.max ps (about 107 days of chip time) is an error for the run's
    /// own table and marks an alternative one (`TimeTotals.overflowed`), never a wrap.
    /// Returns the cost by the run's own table.
    mutating func closeTick(_ t: Int) throws -> TickCost {
        let busiest = state.links.closeTick(t, longest: &scratch.routeNs)
        var cost = TickCost(ns: 0, coreNs: 0, meshNs: 0, barrierNs: 0)
        for (k, timing) in plan.timings.enumerated() {
            let slowest = timing.slowestCore(scratch, coreNeurons: plan.coreNeurons, everyTick: plan.everyTick)
            let mesh = scratch.routeNs[k] + Double(max(0, busiest - 1)) * timing.time.hopNs
            let tickNs = max(timing.time.minimumTickNs, slowest + mesh + timing.barrierNs)
            if !counters.times[k].addTick(ns: tickNs, coreNs: slowest, meshNs: mesh, barrierNs: timing.barrierNs),
                k == 0
            {
                throw SpikeMeshError(
                    .invalidArgument,
                    "tick \(t) ends past \(Int.max) ps of emulated time (about 107 days): the hardware model's times are too large"
                )
            }
            if k == 0 { cost = TickCost(ns: tickNs, coreNs: slowest, meshNs: mesh, barrierNs: timing.barrierNs) }
        }
        for k in scratch.coreUpdates.indices { counters.coreNeuronUpdates[k] += scratch.coreUpdates[k] }
        counters.everyTickNeuronUpdates += plan.mappedNeurons
        counters.ticks += 1
        return cost
    }

    /// SRP (Hao et al. 2023) at the end of tick τ: hidden neurons whose residual is not positive
    /// are silenced; hidden membranes go to Θ/2 (rounded half away from zero), the output's to
    /// 0, and the output's spike counts restart.
    mutating func resetForSRP() {
        let network = plan.network
        for p in network.hidden where network.populations[p].relay == nil {
            let pop = network.populations[p]
            let half = pop.halfThreshold
            for i in 0..<pop.count {
                state.populations[p].suppressed[i] = state.populations[p].membranes[i] <= 0
                state.populations[p].membranes[i] = half
            }
            state.populations[p].refreshActive(threshold: pop.threshold)
        }
        let output = network.output
        state.populations[output].membranes.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for i in state.outputSpikes.indices { state.outputSpikes[i] = 0 }
    }

    /// The predicted class: argmax over the output in CHW order (class k is the ANN's output
    /// k) of its membranes, or of its spike counts.
    func readout() -> Int {
        let output = plan.network.output
        let order = plan.chwIndex[output]
        var ordered = [Int64](repeating: 0, count: order.count)
        for (hwc, c) in order.enumerated() {
            ordered[c] =
                plan.options.readout == .membrane
                ? state.populations[output].membranes[hwc] : Int64(state.outputSpikes[hwc])
        }
        var best = 0
        for k in ordered.indices where ordered[k] > ordered[best] { best = k }
        return best
    }
}
