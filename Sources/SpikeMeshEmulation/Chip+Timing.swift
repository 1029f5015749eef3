import SpikeMeshCore
import SpikeMeshModel

extension Chip {
    /// Tick t begins: its link-window slot and the cores' work are cleared.
    mutating func beginTick(_ t: Int) {
        state.links.beginTick(t)
        for k in scratch.coreSOPs.indices { scratch.coreSOPs[k] = 0; scratch.coreUpdates[k] = 0 }
        if plan.detailedCoreTime { for k in scratch.coreNs.indices { scratch.coreNs[k] = 0 } }
    }

    /// Tick t ends (DESIGN.md, "Emulation and counters"): tick time = the slowest core's work
    /// (SOPs × synapticOpNs + updates × neuronUpdateNs; every neuron for every-tick somas) + the
    /// mesh (the longest route that travelled + one hop per packet queued behind another on
    /// the busiest link) + the barrier, at least minimumTickNs. With per-event core time
    /// (`ChipPlan.detailedCoreTime`) a core's work is instead its SOPs by class × their times +
    /// spikes, packets out and packets in × theirs + updated neurons × neuronUpdateNs + (every-
    /// tick somas) the other mapped neurons × idleNeuronUpdateNs. The barrier is
    /// `ChipPlan.barrierNs` (by the tiles in use where the model tables it). Times are summed in integer
    /// picoseconds, so totals do not depend on the order images are added in; a total beyond
    /// Int.max ps (about 107 days of chip time) is an error, never a wrap.
    mutating func closeTick(_ t: Int) throws -> TickCost {
        let time = plan.hardware.time
        var slowest = 0.0
        if plan.detailedCoreTime {
            let idleNs = time.idleNeuronUpdateNs ?? time.neuronUpdateNs
            for k in scratch.coreSOPs.indices {
                let updated = scratch.coreUpdates[k]
                let idle = plan.everyTick ? max(0, plan.coreNeurons[k] - updated) : 0
                slowest = max(slowest, scratch.coreNs[k] + Double(updated) * time.neuronUpdateNs + Double(idle) * idleNs)
                counters.coreNeuronUpdates[k] += updated
            }
        } else {
            for k in scratch.coreSOPs.indices {
                let updates = plan.everyTick ? plan.coreNeurons[k] : scratch.coreUpdates[k]
                slowest = max(slowest, Double(scratch.coreSOPs[k]) * time.synapticOpNs + Double(updates) * time.neuronUpdateNs)
                counters.coreNeuronUpdates[k] += scratch.coreUpdates[k]
            }
        }
        let (busiest, routeNs) = state.links.closeTick(t)
        let mesh = routeNs + Double(max(0, busiest - 1)) * time.hopNs
        let barrier = plan.barrierNs
        let tickNs = max(time.minimumTickNs, slowest + mesh + barrier)
        try Self.addPicoseconds(tickNs, to: &counters.timePs, tick: t)
        try Self.addPicoseconds(slowest, to: &counters.coreTimePs, tick: t)
        try Self.addPicoseconds(mesh, to: &counters.meshTimePs, tick: t)
        try Self.addPicoseconds(barrier, to: &counters.barrierTimePs, tick: t)
        counters.everyTickNeuronUpdates += plan.mappedNeurons
        counters.ticks += 1
        return TickCost(ns: tickNs, coreNs: slowest, meshNs: mesh, barrierNs: barrier)
    }

    static func addPicoseconds(_ ns: Double, to total: inout Int, tick t: Int) throws {
        let ps = (ns * 1000).rounded()
        guard ps < 9.2e18, case let (sum, false) = total.addingReportingOverflow(Int(ps)) else {
            throw SpikeMeshError(.invalidArgument, "tick \(t) ends past \(Int.max) ps of emulated time (about 107 days): the hardware model's times are too large")
        }
        total = sum
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
            ordered[c] = plan.options.readout == .membrane ? state.populations[output].membranes[hwc] : Int64(state.outputSpikes[hwc])
        }
        var best = 0
        for k in ordered.indices where ordered[k] > ordered[best] { best = k }
        return best
    }
}
