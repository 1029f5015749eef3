extension Chip {
    /// Sends population p's spikes of tick t (`scratch.fired`): one packet per destination
    /// entry, walked over its precomputed route through the link window (a full link makes it
    /// wait, counted) and queued for the tick it is due. Returns (spikes, packets).
    mutating func emit(_ p: Int, tick t: Int) throws -> (spikes: Int, packets: Int) {
        let fired = scratch.fired
        if plan.schedule.counts(p, at: t) { counters.populationSpikes[p] += fired.count }
        guard !fired.isEmpty else { return (0, 0) }
        // A splitter neuron's spike is one spike of each of its hardware copies.
        let copies = plan.mapping.copies[p]
        let hardwareSpikes = copies.isEmpty ? fired.count : fired.reduce(0) { $0 + Int(copies[Int($1)]) }
        let effective = plan.effectiveSynapses[p]
        counters.effectiveACs += fired.reduce(0) { $0 + Int(effective[Int($1)]) }
        counters.tickSpikes[t - 1] += hardwareSpikes
        let pop = plan.network.populations[p]
        if p == plan.network.output { for i in fired { state.outputSpikes[Int(i)] += 1 } }
        if plan.options.keepSpikeTrains, let tick = plan.schedule.recordedTick(t) {
            let chw = plan.chwIndex[p]
            state.trains[p] += fired.map { (tick - 1) * pop.count + chw[Int($0)] }.sorted()
        }
        let packets = try route(fired, from: p, tick: t)
        counters.tickPackets[t - 1] += packets
        return (hardwareSpikes, packets)
    }

    /// The routing of `emit`: link use, per-link counters and the route table are read and
    /// written through pointers taken once per call.
    private mutating func route(_ fired: [Int32], from p: Int, tick t: Int) throws -> Int {
        let plan = plan
        let mapping = plan.mapping
        let emulator = plan.emulator
        let travel = plan.pipelined ? t + 1 : t
        let o = mapping.destinationOffsets[p]
        let entryProjection = mapping.destinationProjection[p]
        let entryCore = mapping.destinationCore[p]
        let entryRoute = emulator.routes.entryRoute[p]
        let entryTaps = emulator.plan.entryTaps[p]
        let table = emulator.routes
        let cores = emulator.neuronCore[p]
        let copies = mapping.copies[p]
        let capacity = state.links.capacity
        let lc = state.links.linkCount
        var packets = 0
        var within = 0
        var northSouth = 0
        var between = 0
        var stalled = 0
        var late = 0
        let detailed = plan.detailedCoreTime
        let stride = TickTiming.eventStride
        // The route classes this call's packets take, each once, for the tick's mesh time.
        var seen: [Int32] = []
        swap(&seen, &scratch.seenClasses)
        seen.removeAll(keepingCapacity: true)
        scratch.routeCall += 1
        let call = scratch.routeCall
        let routeClass = table.routeClass
        try state.links.withPointer { use in
            try table.links.withUnsafeBufferPointer { routeLinks in
                try counters.linkPackets.withUnsafeMutableBufferPointer { linkPackets in
                    try counters.linkPeak.withUnsafeMutableBufferPointer { linkPeak in
                        try state.queues.write { queues in
                            try scratch.classStamp.withUnsafeMutableBufferPointer { stamp in
                                let payloads = scratch.payloads
                                for (n, i32) in fired.enumerated() {
                                    let i = Int(i32)
                                    let payload = payloads.isEmpty ? 1 : payloads[n]
                                    let src = Int(cores[i])
                                    let (first, end) = (Int(o[i]), Int(o[i + 1]))
                                    let spikes = copies.isEmpty ? 1 : Int(copies[i])
                                    counters.coreSpikes[src] += spikes
                                    counters.corePacketsOut[src] += end - first
                                    if detailed {
                                        scratch.coreEvents[src * stride + TickTiming.spikeEvent] += spikes
                                        scratch.coreEvents[src * stride + TickTiming.packetOutEvent] += end - first
                                    }
                                    packets += end - first
                                    for k in first..<end {
                                        let j = Int(entryProjection[k])
                                        let r = Int(entryRoute[k])
                                        let path = UnsafeBufferPointer(
                                            rebasing: routeLinks[Int(table.start[r])..<Int(table.start[r + 1])])
                                        let (arrival, stalls) = try LinkWindow.place(
                                            links: path, leaving: travel, emitted: t, use: use, linkCount: lc,
                                            capacity: capacity, mesh: mapping.mesh
                                        ) { link, load in
                                            linkPackets[link] += 1
                                            linkPeak[link] = max(linkPeak[link], Int(load))
                                        }
                                        stalled += stalls
                                        within += Int(table.hopsWithin[r])
                                        northSouth += Int(table.hopsNorthSouth[r])
                                        between += Int(table.hopsBetween[r])
                                        let c = Int(routeClass[r])
                                        if stamp[c] != call {
                                            stamp[c] = call
                                            seen.append(Int32(c))
                                        }
                                        let due = plan.pipelined ? t + 1 + emulator.delays[j] : t
                                        if arrival > due { late += 1 }
                                        let tick = max(arrival, due)
                                        guard tick - t < plan.queueLength else {
                                            throw plan.queueOverflow(waiting: tick - t)
                                        }
                                        queues.append(
                                            Packet(
                                                core: entryCore[k], projection: Int32(j), neuron: i32, sign: payload,
                                                taps: entryTaps[k]),
                                            population: emulator.targets[j], tick: tick)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        counters.hopsWithinChip += within
        counters.hopsNorthSouth += northSouth
        counters.hopsBetweenChips += between
        counters.stalledPacketTicks += stalled
        counters.latePackets += late
        state.links.noteRoutes(seen, travel: travel, timings: plan.timings)
        swap(&seen, &scratch.seenClasses)
        return packets
    }
}
