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
        spikes = network.populations.map { p in Array(repeating: [Float](repeating: 0, count: p.count), count: depthOfHistory) }
        active = network.populations.map { p in Array(repeating: [Int32](repeating: 0, count: p.count), count: depthOfHistory) }
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
        var trains: [[Int]]
    }


    mutating func simulate(image: Int, pixels chw: [Float], checkpoints: [Int], maxT: Int) -> ImageResult {
        let populations = network.populations
        let output = network.output
        let pipelined = options.delivery == .pipelined
        let extra = pipelined ? sim.depth : 0
        let tau = options.srpTau
        let total = tau + maxT + extra
        let last = options.lastPopulation ?? (populations.count - 1)
        let roundInput = network.fixedPoint != nil && options.encoding == .direct
        let direct = options.encoding == .direct
        var directCurrent = [[Float]?](repeating: nil, count: network.projections.count)
        // Input in HWC.
        let inputMap = chwIndex[0]
        let pixels = inputMap.map { chw[$0] }
        var rng = SplitMix(state: RunSupport.imageSeed(options.seed, image))
        for p in populations.indices {
            let v0 = populations[p].initialPotential
            for i in membranes[p].indices { membranes[p][i] = p == output ? 0 : v0 }
            for s in spikes[p].indices { for i in spikes[p][s].indices { spikes[p][s][i] = 0 } }
            for s in activeCount[p].indices { activeCount[p][s] = 0 }
            for i in suppressed[p].indices { suppressed[p][i] = false }
        }
        var counts = [Int](repeating: 0, count: populations.count)
        var outputSpikes = [Int](repeating: 0, count: populations[output].count)
        var predictions: [Int] = []
        var nextCheckpoint = 0
        var maxCurrent = -Float.infinity
        var trains = [[Int]](repeating: [], count: options.keepSpikeTrains ? populations.count : 0)

        for t in 1...total {
            let slot = t % history
            let srpSuppresses = tau > 0 && t > tau
            // Input spikes for this tick.
            if options.encoding == .direct {
                for i in pixels.indices { spikes[0][slot][i] = pixels[i] }
            } else {
                // Drawn in CHW order, so the train does not depend on the memory layout.
                for chwIdx in 0..<chw.count {
                    spikes[0][slot][inputInverse[chwIdx]] = RunSupport.poissonSpike(chw[chwIdx], &rng)
                }
            }
            var inputActive = 0
            for i in pixels.indices where spikes[0][slot][i] != 0 { active[0][slot][inputActive] = Int32(i); inputActive += 1 }
            activeCount[0][slot] = inputActive
            let counted = t - tau - extra
            if options.keepSpikeTrains, t > tau {
                recordTrain(&trains[0], population: 0, slot: slot, tick: t - tau)
            }
            for p in 1...last {
                let pop = populations[p]
                current[p].withUnsafeMutableBufferPointer { cur in
                    cur.update(repeating: 0)
                    for j in sim.incoming[p] {
                        let proj = sim.compiled[j]
                        let sourceTick = pipelined ? t - 1 - sim.delays[j] : t
                        guard sourceTick >= 1 else { continue }
                        let amplitude = network.amplitude(proj.source)
                        let sourceSlot = sourceTick % history
                        let sourceActive = activeCount[proj.source][sourceSlot]
                        active[proj.source][sourceSlot].withUnsafeBufferPointer { all in
                            let list = UnsafeBufferPointer(rebasing: all[0..<sourceActive])
                            spikes[proj.source][sourceSlot].withUnsafeBufferPointer { s in
                                if direct && proj.source == 0 {
                                    // The direct input is the same current every tick: computed
                                    // once per image. In fixed point the host rounds it to the
                                    // integer units of the chip.
                                    if directCurrent[j] == nil {
                                        var tmp = [Float](repeating: 0, count: cur.count)
                                        tmp.withUnsafeMutableBufferPointer {
                                            proj.accumulate(s.baseAddress!, active: list, amplitude: amplitude, into: $0.baseAddress!)
                                        }
                                        if roundInput { for i in tmp.indices { tmp[i] = tmp[i].rounded(.toNearestOrAwayFromZero) } }
                                        directCurrent[j] = tmp
                                    }
                                    directCurrent[j]!.withUnsafeBufferPointer { d in
                                        for i in 0..<cur.count { cur[i] += d[i] }
                                    }
                                } else {
                                    proj.accumulate(s.baseAddress!, active: list, amplitude: amplitude, into: cur.baseAddress!)
                                }
                            }
                        }
                    }
                    if let bias = pop.bias, !pipelined || t > sim.depths[p] {
                        let c = pop.channels
                        for position in 0..<(cur.count / c) {
                            for k in 0..<c { cur[position * c + k] += bias[k] }
                        }
                    }
                    if options.recordMaxCurrentOf == p, let m = cur.max() { maxCurrent = max(maxCurrent, m) }
                }
                let fires = p != output || options.readout == .spikeCount
                let theta = pop.threshold
                let subtract = pop.reset == .subtract
                var fired = 0
                let isOutput = p == output
                membranes[p].withUnsafeMutableBufferPointer { vm in
                    current[p].withUnsafeBufferPointer { cur in
                        spikes[p][slot].withUnsafeMutableBufferPointer { sp in
                          active[p][slot].withUnsafeMutableBufferPointer { list in
                            if !fires || srpSuppresses {
                                suppressed[p].withUnsafeBufferPointer { sup in
                                    for i in 0..<pop.count {
                                        let (v, spiked) = IFNeuron.step(vm[i], current: cur[i], threshold: theta,
                                                                         subtract: subtract, canFire: fires && !sup[i])
                                        vm[i] = v
                                        sp[i] = spiked ? 1 : 0
                                        if spiked { list[fired] = Int32(i); fired += 1 }
                                    }
                                }
                            } else {
                                fired = IFNeuron.stepAll(vm.baseAddress!, current: cur.baseAddress!, spikes: sp.baseAddress!,
                                                         fired: list.baseAddress!, count: pop.count, threshold: theta,
                                                         subtract: subtract)
                            }
                          }
                        }
                    }
                }
                activeCount[p][slot] = fired
                if isOutput && fires {
                    for i in 0..<pop.count where spikes[p][slot][i] != 0 { outputSpikes[i] += 1 }
                }
                // Each population is counted over its own T ticks: in pipelined mode those are
                // ticks depth+1 … depth+T, when it carries input ticks 1 … T.
                let own = pipelined ? t - sim.depths[p] : t - tau
                if own >= 1 && own <= maxT { counts[p] += fired }
                if options.keepSpikeTrains, t > tau, fired > 0 {
                    recordTrain(&trains[p], population: p, slot: slot, tick: t - tau)
                }
            }
            if tau > 0 && t == tau {
                // SRP: mark neurons whose residual potential is not positive, reset membranes to θ/2.
                for p in network.hidden {
                    for i in 0..<populations[p].count {
                        suppressed[p][i] = membranes[p][i] <= 0
                        membranes[p][i] = RunSupport.srpPotential(populations[p].threshold, fixedPoint: network.fixedPoint != nil)
                    }
                }
                for i in membranes[output].indices { membranes[output][i] = 0 }
                for i in outputSpikes.indices { outputSpikes[i] = 0 }
            }
            while nextCheckpoint < checkpoints.count && counted == checkpoints[nextCheckpoint] {
                predictions.append(readout(outputSpikes))
                nextCheckpoint += 1
            }
        }
        while predictions.count < checkpoints.count { predictions.append(readout(outputSpikes)) }
        return ImageResult(predictions: predictions, spikes: counts, maxCurrent: maxCurrent, trains: trains)
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
