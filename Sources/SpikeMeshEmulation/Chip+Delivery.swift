extension Chip {
    /// Delivers the packets due at population p in tick t: each fans out through its
    /// destination core's synapses into p's input current (flagging what it touched); returns
    /// the synaptic ops. Every per-packet counter is updated here, once per packet. A packet
    /// into a splitter reaches each of the neuron's hardware copies: one synaptic op per copy.
    mutating func deliver(_ p: Int, tick t: Int) -> Int {
        let plan = plan
        let track = plan.tracking(p)
        let copies = plan.mapping.copies[p]
        let detailed = plan.detailedCoreTime
        let stride = TickTiming.eventStride
        let packetIn = TickTiming.packetInEvent
        let sops =
            state.queues.drain(p, tick: t) { packets in
                var sops = 0
                plan.emulator.plan.withPointers { delivery in
                    state.populations[p].withDeliveryPointers { acc, flags, list, listed in
                        scratch.coreSOPs.withUnsafeMutableBufferPointer { work in
                            scratch.coreEvents.withUnsafeMutableBufferPointer { events in
                                counters.coreSynapticOps.withUnsafeMutableBufferPointer { coreOps in
                                    counters.corePacketsIn.withUnsafeMutableBufferPointer { packetsIn in
                                        counters.synapticOpsByClass.withUnsafeMutableBufferPointer { byClass in
                                            for packet in packets {
                                                let core = Int(packet.core)
                                                let projection = Int(packet.projection)
                                                let synapses = DeliveryPlan.deliver(
                                                    neuron: Int(packet.neuron), sign: Int64(packet.sign),
                                                    projection: projection, core: core, taps: Int(packet.taps),
                                                    delivery,
                                                    acc: acc, flags: flags, list: list, listed: &listed, track: track)
                                                let n =
                                                    copies.isEmpty
                                                    ? synapses : synapses * Int(copies[Int(packet.neuron)])
                                                let c = plan.projectionClass[projection]
                                                work[core] += n
                                                coreOps[core] += n
                                                packetsIn[core] += 1
                                                byClass[c] += n
                                                if detailed {
                                                    events[core * stride + c] += n
                                                    events[core * stride + packetIn] += 1
                                                }
                                                sops += n
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                return sops
            } ?? 0
        counters.populationSynapticOps[p] += sops
        counters.tickSynapticOps[t - 1] += sops
        return sops
    }
}

extension PopulationState {
    /// The input current, touched flags and touched list as pointers, for one tick's deliveries.
    mutating func withDeliveryPointers<R>(
        _ body: (
            UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Bool>,
            UnsafeMutablePointer<Int32>, inout Int
        ) throws -> R
    ) rethrows -> R {
        var listed = touchedCount
        defer { touchedCount = listed }
        return try accumulator.withUnsafeMutableBufferPointer { a in
            try touched.withUnsafeMutableBufferPointer { f in
                try touchedList.withUnsafeMutableBufferPointer { l in
                    try body(a.baseAddress!, f.baseAddress!, l.baseAddress!, &listed)
                }
            }
        }
    }
}
