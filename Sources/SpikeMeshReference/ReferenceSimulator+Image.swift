import SpikeMeshCore
import SpikeMeshModel

/// One worker's state: the whole network for one image at a time.
struct ImageState {
    let sim: ReferenceSimulator
    let options: SimulationOptions
    let network: SpikingNetwork
    /// Ticks of spike history kept per population (1 + the longest axon delay).
    let history: Int
    var membranes: [[Float]]
    /// `spikes[p][slot]`, slot = tick mod history.
    var spikes: [[[Float]]]
    /// `active[p][slot][0..<activeCount[p][slot]]`: the HWC indices where `spikes[p][slot]` is non-zero.
    var active: [[[Int32]]]
    var activeCount: [[Int]]
    var current: [[Float]]
    var suppressed: [[Bool]]
    /// HWC index → CHW index, per population (spike trains are reported in CHW order).
    let chwIndex: [[Int]]
    /// CHW index → HWC index of the input.
    let inputInverse: [Int]

    init(simulator: ReferenceSimulator, options: SimulationOptions) {
        sim = simulator
        self.options = options
        network = simulator.network
        let depthOfHistory = options.delivery == .pipelined ? (simulator.delays.max() ?? 0) + 2 : 1
        history = depthOfHistory
        membranes = network.populations.map { [Float](repeating: 0, count: $0.count) }
        spikes = network.populations.map { p in
            Array(repeating: [Float](repeating: 0, count: p.count), count: depthOfHistory)
        }
        active = network.populations.map { p in
            Array(repeating: [Int32](repeating: 0, count: p.count), count: depthOfHistory)
        }
        activeCount = network.populations.map { _ in Array(repeating: 0, count: depthOfHistory) }
        current = network.populations.map { [Float](repeating: 0, count: $0.count) }
        suppressed = network.populations.map { [Bool](repeating: false, count: $0.count) }
        chwIndex = network.populations.map { RunSupport.chwIndex($0.shape) }
        inputInverse = RunSupport.hwcIndex(network.populations[0].shape)
    }

    struct ImageResult {
        var predictions: [Int]
        var spikes: [Int]
        var maxCurrent: Float
        var channelSpikes: [Int]
        var trains: [[Int]]
    }

    /// What one image's run accumulates besides the network's state.
    struct Tally {
        var counts: [Int]
        var outputSpikes: [Int]
        var predictions: [Int] = []
        var maxCurrent = -Float.infinity
        var channelSpikes: [Int]
        var trains: [[Int]]
        /// The direct input's current per projection out of the input, computed once per image.
        var directCurrent: [[Float]?]
    }

    /// Runs one image (CHW, normalized) through the schedule. Per tick: the input's spikes
    /// (or analog values), then every population in topological order integrates its
    /// sources' spikes and its bias and fires; SRP resets at τ; checkpoints read the output.
    mutating func simulate(image: Int, pixels chw: [Float], schedule: TickSchedule) -> ImageResult {
        let populations = network.populations
        var rng = SplitMix(state: RunSupport.imageSeed(options.seed, image))
        for p in populations.indices {
            let v0 =
                p == network.output ? [0] : populations[p].channelInitialPotential ?? [populations[p].initialPotential]
            for i in membranes[p].indices { membranes[p][i] = v0[i % v0.count] }  // HWC: channel i mod C
            for s in spikes[p].indices { for i in spikes[p][s].indices { spikes[p][s][i] = 0 } }
            for s in activeCount[p].indices { activeCount[p][s] = 0 }
            for i in suppressed[p].indices { suppressed[p][i] = false }
        }
        var tally = Tally(
            counts: [Int](repeating: 0, count: populations.count),
            outputSpikes: [Int](repeating: 0, count: populations[network.output].count),
            channelSpikes: [Int](
                repeating: 0, count: options.recordChannelSpikesOf.map { populations[$0].channels } ?? 0),
            trains: [[Int]](repeating: [], count: options.keepSpikeTrains ? populations.count : 0),
            directCurrent: [[Float]?](repeating: nil, count: network.projections.count))
        let last = options.lastPopulation ?? (populations.count - 1)
        for t in 1...schedule.totalTicks {
            let slot = t % history
            present(chw, tick: t, slot: slot, rng: &rng)
            if options.keepSpikeTrains, let tick = schedule.recordedTick(t) {
                recordTrain(&tally.trains[0], population: 0, slot: slot, tick: tick)
            }
            for p in 1...last {
                integrate(p, tick: t, schedule: schedule, tally: &tally)
                let fired = fire(p, slot: slot, suppressing: schedule.suppresses(t), outputSpikes: &tally.outputSpikes)
                if schedule.counts(p, at: t) {
                    tally.counts[p] += fired
                    if options.recordChannelSpikesOf == p, fired > 0 {
                        countByChannel(p, slot: slot, fired: fired, into: &tally.channelSpikes)
                    }
                }
                if options.keepSpikeTrains, let tick = schedule.recordedTick(t), fired > 0 {
                    recordTrain(&tally.trains[p], population: p, slot: slot, tick: tick)
                }
            }
            if schedule.isSRPReset(t) { resetForSRP(outputSpikes: &tally.outputSpikes) }
            for _ in schedule.checkpointsRead(at: t) { tally.predictions.append(readout(tally.outputSpikes)) }
        }
        while tally.predictions.count < schedule.checkpoints.count {
            tally.predictions.append(readout(tally.outputSpikes))
        }
        return ImageResult(
            predictions: tally.predictions, spikes: tally.counts, maxCurrent: tally.maxCurrent,
            channelSpikes: tally.channelSpikes, trains: tally.trains)
    }

    /// Adds this tick's spikes of population p to their channels (membranes are HWC, so the
    /// channel of index i is i mod C).
    private func countByChannel(_ p: Int, slot: Int, fired: Int, into counts: inout [Int]) {
        let c = network.populations[p].channels
        for k in 0..<fired { counts[Int(active[p][slot][k]) % c] += 1 }
    }

    /// The input population's spikes of tick t: the analog image (direct), or Poisson draws
    /// in CHW order, so the train does not depend on the memory layout.
    private mutating func present(_ chw: [Float], tick t: Int, slot: Int, rng: inout SplitMix) {
        if options.encoding == .direct {
            let inputMap = chwIndex[0]
            for i in inputMap.indices { spikes[0][slot][i] = chw[inputMap[i]] }
        } else {
            for chwIdx in 0..<chw.count {
                spikes[0][slot][inputInverse[chwIdx]] = RunSupport.poissonSpike(chw[chwIdx], &rng)
            }
        }
        var inputActive = 0
        for i in 0..<chw.count where spikes[0][slot][i] != 0 {
            active[0][slot][inputActive] = Int32(i)
            inputActive += 1
        }
        activeCount[0][slot] = inputActive
    }

    /// Population p's input current of tick t: every source spike of amplitude θ_source adds
    /// its weights (pipelined: spikes of tick t − 1 − delay), then the bias.
    private mutating func integrate(_ p: Int, tick t: Int, schedule: TickSchedule, tally: inout Tally) {
        let pop = network.populations[p]
        let pipelined = options.delivery == .pipelined
        var cur = current[p]
        current[p] = []  // moved out while it is written through a pointer, and back below
        defer { current[p] = cur }
        cur.withUnsafeMutableBufferPointer { cur in
            cur.update(repeating: 0)
            for j in sim.incoming[p] {
                let sourceTick = pipelined ? t - 1 - sim.delays[j] : t
                guard sourceTick >= 1 else { continue }
                accumulate(projection: j, slot: sourceTick % history, into: cur, directCurrent: &tally.directCurrent)
            }
            if let bias = pop.bias, schedule.biasFlows(p, at: t) {
                let c = pop.channels
                for position in 0..<(cur.count / c) {
                    for k in 0..<c { cur[position * c + k] += bias[k] }
                }
            }
            if options.recordMaxCurrentOf == p, let m = cur.max() { tally.maxCurrent = max(tally.maxCurrent, m) }
        }
    }

    /// Adds projection j's source spikes of `slot` into `cur`. The direct input is the same
    /// current every tick: computed once per image; in fixed point the host rounds it to the
    /// chip's integer units.
    private func accumulate(
        projection j: Int, slot sourceSlot: Int, into cur: UnsafeMutableBufferPointer<Float>,
        directCurrent: inout [[Float]?]
    ) {
        let proj = sim.compiled[j]
        let amplitude = sim.amplitude(proj.source)
        let sourceActive = activeCount[proj.source][sourceSlot]
        active[proj.source][sourceSlot].withUnsafeBufferPointer { all in
            let list = UnsafeBufferPointer(rebasing: all[0..<sourceActive])
            spikes[proj.source][sourceSlot].withUnsafeBufferPointer { s in
                guard options.encoding == .direct && proj.source == 0 else {
                    proj.accumulate(s.baseAddress!, active: list, amplitude: amplitude, into: cur.baseAddress!)
                    return
                }
                if directCurrent[j] == nil {
                    var tmp = [Float](repeating: 0, count: cur.count)
                    tmp.withUnsafeMutableBufferPointer {
                        proj.accumulate(s.baseAddress!, active: list, amplitude: amplitude, into: $0.baseAddress!)
                    }
                    if sim.integerUnits { for i in tmp.indices { tmp[i] = tmp[i].rounded(.toNearestOrAwayFromZero) } }
                    directCurrent[j] = tmp
                }
                directCurrent[j]!.withUnsafeBufferPointer { d in
                    for i in 0..<cur.count { cur[i] += d[i] }
                }
            }
        }
    }

    /// Population p's IF update (`IFNeuron`): every neuron integrates its current; those at
    /// V ≥ θ that may fire spike once and reset. Returns the spikes; the output's are tallied.
    private mutating func fire(_ p: Int, slot: Int, suppressing: Bool, outputSpikes: inout [Int]) -> Int {
        let pop = network.populations[p]
        if let relay = pop.relay { return fireRelay(p, relay, slot: slot) }
        let fires = p != network.output || options.readout == .spikeCount
        let theta = pop.threshold
        let subtract = pop.reset == .subtract
        var fired = 0
        membranes[p].withUnsafeMutableBufferPointer { vm in
            current[p].withUnsafeBufferPointer { cur in
                spikes[p][slot].withUnsafeMutableBufferPointer { sp in
                    active[p][slot].withUnsafeMutableBufferPointer { list in
                        if !fires || suppressing {
                            suppressed[p].withUnsafeBufferPointer { sup in
                                for i in 0..<pop.count {
                                    let (v, spiked) = IFNeuron.step(
                                        vm[i], current: cur[i], threshold: theta,
                                        subtract: subtract, canFire: fires && !sup[i])
                                    vm[i] = v
                                    sp[i] = spiked ? 1 : 0
                                    if spiked {
                                        list[fired] = Int32(i)
                                        fired += 1
                                    }
                                }
                            }
                        } else {
                            fired = IFNeuron.stepAll(
                                vm.baseAddress!, current: cur.baseAddress!, spikes: sp.baseAddress!,
                                fired: list.baseAddress!, count: pop.count, threshold: theta, subtract: subtract)
                        }
                    }
                }
            }
        }
        activeCount[p][slot] = fired
        if p == network.output && fires {
            for i in 0..<pop.count where spikes[p][slot][i] != 0 { outputSpikes[i] += 1 }
        }
        return fired
    }

    /// A relay's tick (`Relay`): graded relays send their whole partial sum and reset to 0;
    /// signed relays send ±1 when |V| ≥ θ and move V toward 0 by θ; a splitter sends 1 at
    /// V ≥ θ and subtracts θ (a copy of its source). Never suppressed by SRP.
    private mutating func fireRelay(_ p: Int, _ relay: Relay, slot: Int) -> Int {
        let theta = network.populations[p].threshold
        var fired = 0
        for i in 0..<membranes[p].count {
            let u = membranes[p][i] + current[p][i]
            var out: Float = 0
            switch relay {
            case .graded:
                out = u
                membranes[p][i] = 0
            case .signed:
                out = u >= theta ? 1 : u <= -theta ? -1 : 0
                membranes[p][i] = u - out * theta
            case .splitter:
                out = u >= theta ? 1 : 0
                membranes[p][i] = u - out * theta
            }
            spikes[p][slot][i] = out
            if out != 0 {
                active[p][slot][fired] = Int32(i)
                fired += 1
            }
        }
        activeCount[p][slot] = fired
        return fired
    }

    /// SRP at the end of tick τ: mark hidden neurons whose residual potential is not positive,
    /// reset hidden membranes to θ/2 and the output's to 0, restart the output's spike counts.
    private mutating func resetForSRP(outputSpikes: inout [Int]) {
        let populations = network.populations
        for p in network.hiddenNeurons {
            // θ/2, rounded half away from zero in integer units (the chip's
            // `FixedPointPopulation.halfThreshold`).
            let half = populations[p].threshold / 2
            let srpPotential = sim.integerUnits ? half.rounded(.toNearestOrAwayFromZero) : half
            for i in 0..<populations[p].count {
                suppressed[p][i] = membranes[p][i] <= 0
                membranes[p][i] = srpPotential
            }
        }
        for i in membranes[network.output].indices { membranes[network.output][i] = 0 }
        for i in outputSpikes.indices { outputSpikes[i] = 0 }
    }

    private func readout(_ outputSpikes: [Int]) -> Int {
        let values: [Float] = options.readout == .membrane ? membranes[network.output] : outputSpikes.map(Float.init)
        // Output neurons in CHW order, so class k is the ANN's output k.
        let order = chwIndex[network.output]
        var ordered = [Float](repeating: 0, count: values.count)
        for (hwc, c) in order.enumerated() { ordered[c] = values[hwc] }
        var best = 0
        for k in ordered.indices where ordered[k] > ordered[best] { best = k }
        return best
    }

    private func recordTrain(_ train: inout [Int], population p: Int, slot: Int, tick: Int) {
        let n = network.populations[p].count
        for i in 0..<n where spikes[p][slot][i] != 0 { train.append((tick - 1) * n + chwIndex[p][i]) }
    }
}
