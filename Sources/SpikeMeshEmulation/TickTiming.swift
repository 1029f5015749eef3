import SpikeMeshHardware

/// One time table (`HardwareModel.Time`) made ready to price ticks (Docs/Emulation.md, "Time
/// per tick"): its per-event times, the tick barrier for the tiles the mapping uses, and each
/// route class's time on the wire. A chip prices every tick by each of its plan's timings
/// from the same counts, so tables that differ only in times share one emulation (time never
/// changes a spike).
struct TickTiming: Sendable {
    let time: HardwareModel.Time
    /// Per-event core time (`HardwareModel.Time.hasDetailedCoreTime`).
    let detailed: Bool
    /// Per `SynapseClass`: one synaptic op's time.
    let classNs: [Double]
    let idleNs: Double
    /// The tick barrier: the model's, or its table's entry for the tiles in use.
    let barrierNs: Double
    /// Per route class (`RouteTable.classHops`): hops × their times, ns.
    let wireNs: [Double]

    init(_ time: HardwareModel.Time, routes: RouteTable, tilesInUse: Int) {
        self.time = time
        detailed = time.hasDetailedCoreTime
        classNs = SynapseClass.allCases.map { time.synapticOpNs($0) }
        idleNs = time.idleNeuronUpdateNs ?? time.neuronUpdateNs
        barrierNs = time.barrierNs(tilesInUse: tilesInUse)
        wireNs = routes.classHops.map { h in
            if let northSouth = time.hopNorthSouthNs {
                Double(h.within - h.northSouth) * time.hopNs + Double(h.northSouth) * northSouth + Double(h.between)
                    * time.hopBetweenChipsNs
            } else {
                Double(h.within) * time.hopNs + Double(h.between) * time.hopBetweenChipsNs
            }
        }
    }

    /// Per core, the events that per-event core time prices (`TickScratch.coreEvents`): the SOPs
    /// of each `SynapseClass` at its raw value, then spikes, packets out, packets in.
    static let spikeEvent = SynapseClass.allCases.count, packetOutEvent = spikeEvent + 1, packetInEvent = spikeEvent + 2
    static let eventStride = spikeEvent + 3

    /// The slowest core's work in a tick: SOPs × synapticOpNs + updates × neuronUpdateNs (every
    /// mapped neuron for every-tick somas); with per-event time, its SOPs by class, spikes and
    /// packets × their times + updated neurons × neuronUpdateNs + (every-tick somas) the
    /// other mapped neurons × idleNeuronUpdateNs.
    func slowestCore(_ scratch: TickScratch, coreNeurons: [Int], everyTick: Bool) -> Double {
        var slowest = 0.0
        if detailed {
            for k in scratch.coreSOPs.indices {
                let e = k * Self.eventStride
                let updated = scratch.coreUpdates[k]
                var ns = 0.0
                for c in classNs.indices { ns += Double(scratch.coreEvents[e + c]) * classNs[c] }
                ns += Double(scratch.coreEvents[e + Self.spikeEvent]) * time.spikeNs
                ns += Double(scratch.coreEvents[e + Self.packetOutEvent]) * time.packetOutNs
                ns += Double(scratch.coreEvents[e + Self.packetInEvent]) * time.packetInNs
                let idle = everyTick ? max(0, coreNeurons[k] - updated) : 0
                slowest = max(slowest, ns + Double(updated) * time.neuronUpdateNs + Double(idle) * idleNs)
            }
        } else {
            for k in scratch.coreSOPs.indices {
                let updates = everyTick ? coreNeurons[k] : scratch.coreUpdates[k]
                slowest = max(
                    slowest, Double(scratch.coreSOPs[k]) * time.synapticOpNs + Double(updates) * time.neuronUpdateNs)
            }
        }
        return slowest
    }
}
