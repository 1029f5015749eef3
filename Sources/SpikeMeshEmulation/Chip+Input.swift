import SpikeMeshCore
import SpikeMeshModel

extension Chip {
    /// Prepares the chip for an image: membranes at their initial potential (the output at
    /// 0), nothing queued or suppressed, the link window empty, the image's random stream
    /// seeded, and — for direct input — the first layer's current computed once by the host
    /// (the same Float arithmetic as the reference, rounded to the chip's integer units, and
    /// clamped to ±2·limit: a current that large saturates the membrane in one tick anyway,
    /// and the clamp keeps it, plus any synaptic sum, inside Int64).
    mutating func reset(image: Int, pixels chw: [Float]) {
        let network = plan.network
        let pops = network.populations
        let output = network.output
        counters.images += 1
        for p in pops.indices {
            let v0 = p == output ? [0] : pops[p].channelInitialPotential ?? [pops[p].initialPotential]
            state.populations[p].membranes.withUnsafeMutableBufferPointer { m in
                for i in m.indices { m[i] = v0[i % v0.count] }  // channels last: channel i mod C
            }
            state.populations[p].suppressed.withUnsafeMutableBufferPointer { $0.update(repeating: false) }
            state.populations[p].active.removeAll(keepingCapacity: true)
            if p > 0 && p != output { state.populations[p].refreshActive(threshold: pops[p].threshold) }
        }
        _ = state.queues.clear()
        state.links.reset()
        state.pixels = chw
        state.rng = SplitMix(state: RunSupport.imageSeed(plan.options.seed, image))
        state.outputSpikes = [Int](repeating: 0, count: pops[output].count)
        state.trains = [[Int]](repeating: [], count: plan.options.keepSpikeTrains ? pops.count : 0)
        state.predictions = []
        state.inputEffectiveMACs = []
        guard plan.options.encoding == .direct else { return }
        let hwc = plan.chwIndex[0].map { chw[$0] }
        state.inputEffectiveMACs = plan.inputEffectiveSynapses.map { nz in
            hwc.indices.reduce(0) { hwc[$1] != 0 ? $0 + Int(nz[$1]) : $0 }
        }
        for j in plan.inputProjections {
            let t = network.projections[j].target
            var current = [Float](repeating: 0, count: pops[t].count)
            hwc.withUnsafeBufferPointer { s in
                current.withUnsafeMutableBufferPointer {
                    plan.emulator.compiled[j].accumulate(s, amplitude: 1, into: $0.baseAddress!)
                }
            }
            let bound = Float(2 * plan.limit)
            state.populations[t].inputCurrent = current.map { x in
                precondition(!x.isNaN, "direct input current is NaN: the normalized pixels must be finite")
                return Int64(Swift.min(Swift.max(x.rounded(.toNearestOrAwayFromZero), -bound), bound))
            }
        }
    }

    /// Poisson input: per pixel, drawn in CHW order exactly as the reference draws them, a
    /// signed spike becomes one packet per destination core, injected by the host at its
    /// destination (no hops). Direct input sends no packets; its train is the non-zero pixels.
    mutating func inject(_ t: Int) throws {
        let chw = state.pixels
        let recorded = plan.options.keepSpikeTrains ? plan.schedule.recordedTick(t) : nil
        guard plan.options.encoding == .poisson else {
            if let tick = recorded {
                for i in 0..<chw.count where chw[i] != 0 { state.trains[0].append((tick - 1) * chw.count + i) }
            }
            return
        }
        let mapping = plan.mapping
        let emulator = plan.emulator
        let plan = plan
        let o = mapping.destinationOffsets[0]
        var rng = state.rng
        var train: [Int] = []
        var injected = 0
        var effective = 0
        try state.queues.write { queues in
            for chwIdx in 0..<chw.count {
                let spike = RunSupport.poissonSpike(chw[chwIdx], &rng)
                guard spike != 0 else { continue }
                let i = plan.inputInverse[chwIdx]
                if let tick = recorded { train.append((tick - 1) * chw.count + chwIdx) }
                for k in Int(o[i])..<Int(o[i + 1]) {
                    let j = Int(mapping.destinationProjection[0][k])
                    let due = plan.pipelined ? t + 1 + emulator.delays[j] : t
                    guard due - t < plan.queueLength else { throw plan.queueOverflow(waiting: due - t) }
                    queues.append(
                        Packet(
                            core: mapping.destinationCore[0][k], projection: Int32(j), neuron: Int32(i),
                            sign: Int32(spike), taps: emulator.plan.entryTaps[0][k]),
                        population: emulator.targets[j], tick: due)
                    injected += 1
                }
                effective += Int(plan.effectiveSynapses[0][i])
            }
        }
        state.rng = rng
        counters.inputPackets += injected
        counters.effectiveACs += effective
        if recorded != nil { state.trains[0] += train }
    }

    /// The direct input's current into population p this tick (pipelined: once the input
    /// can have reached it through the projection's delay).
    mutating func addInputCurrent(_ p: Int, tick t: Int) {
        guard let current = state.populations[p].inputCurrent else { return }
        for (k, j) in plan.inputProjections.enumerated() where plan.emulator.targets[j] == p {
            if plan.pipelined && t - 1 - plan.emulator.delays[j] < 1 { continue }
            counters.effectiveMACs += state.inputEffectiveMACs[k]
            state.populations[p].accumulator.withUnsafeMutableBufferPointer { ap in
                for i in current.indices { ap[i] &+= current[i] }
            }
        }
    }

}

extension ChipPlan {
    func queueOverflow(waiting ticks: Int) -> SpikeMeshError {
        SpikeMeshError(
            .invalidArgument,
            "a packet would wait \(ticks) ticks (more than \(queueLength - 1)); the mesh is too congested — raise mesh.linkCapacity"
        )
    }
}
