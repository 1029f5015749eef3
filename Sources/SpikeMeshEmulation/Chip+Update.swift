import SpikeMeshModel

/// How a population's neurons are updated in a tick; chosen per population and tick.
enum UpdateStrategy {
    /// Every neuron (a bias or the direct input feeds it), eight at a time; the bias is added
    /// first.
    case dense
    /// The touched blocks (a position's run of one core's channels), or one sweep of the whole
    /// population when they cover a quarter of it.
    case blocks
    /// At least a quarter of the neurons touched: one SIMD pass over the population. An
    /// untouched neuron that is not active has no input and V < Θ, so it does not change; only
    /// touched and active neurons count as updated.
    case sweep
    /// The touched neurons and the active ones, one by one.
    case touched
}

extension Chip {
    func strategy(_ p: Int) -> UpdateStrategy {
        if plan.denseUpdate[p] { return .dense }
        if plan.blockGroups[p] > 0 { return .blocks }
        return state.populations[p].touchedCount * 4 >= plan.network.populations[p].count ? .sweep : .touched
    }

    /// Updates population p: V ← sat(V + I) for the neurons the strategy visits, then every
    /// neuron with V ≥ Θ (and not suppressed) fires once and resets. The spikes are left in
    /// `scratch.fired`; updates and saturations are counted.
    mutating func update(_ p: Int, tick t: Int, strategy: UpdateStrategy) {
        let pop = plan.network.populations[p]
        let fires = p != plan.network.output || plan.options.readout == .spikeCount
        let bias = plan.schedule.biasFlows(p, at: t) ? plan.biases[p] : nil
        let cores = plan.emulator.neuronCore[p]
        var kernel = UpdateKernel(
            limit: plan.limit, theta: pop.threshold, fires: fires, subtract: pop.reset == .subtract)
        // The kernel borrows the scratch lists' storage (a swap, so nothing is copied).
        swap(&kernel.fired, &scratch.fired)
        swap(&kernel.saturated, &scratch.saturated)
        defer {
            swap(&kernel.fired, &scratch.fired)
            swap(&kernel.saturated, &scratch.saturated)
        }
        kernel.fired.removeAll(keepingCapacity: true)
        kernel.saturated.removeAll(keepingCapacity: true)
        scratch.payloads.removeAll(keepingCapacity: true)
        let previouslyActive = state.populations[p].active
        let updates: Int
        switch strategy {
        case .dense:
            state.populations[p].updateDense(&kernel, bias: bias)
            let first = plan.mapping.firstCore[p]
            for k in first..<(first + plan.mapping.grids[p]!.count) { scratch.coreUpdates[k] += plan.coreNeurons[k] }
            updates = pop.count
        case .blocks:
            let grid = plan.mapping.grids[p]!
            updates = state.populations[p].updateBlocks(
                &kernel, groups: plan.blockGroups[p], channels: grid.channels,
                perCore: grid.channelsPerCore, previouslyActive: previouslyActive,
                cores: cores, coreUpdates: &scratch.coreUpdates)
        case .sweep:
            updates = state.populations[p].updateSweep(
                &kernel, previouslyActive: previouslyActive, cores: cores,
                coreUpdates: &scratch.coreUpdates)
        case .touched:
            updates = state.populations[p].updateTouched(
                &kernel, previouslyActive: previouslyActive, cores: cores,
                coreUpdates: &scratch.coreUpdates)
        }
        state.populations[p].active = kernel.active
        state.populations[p].touchedCount = 0
        for i in kernel.saturated { counters.coreSaturations[Int(cores[Int(i)])] += 1 }
        counters.populationSaturations[p] += kernel.saturated.count
        counters.populationNeuronUpdates[p] += updates
    }
}

extension Chip {
    /// Updates relay population p (`Relay`): every neuron touched this tick (all of them when
    /// it is updated densely) and every signed relay still at |V| ≥ Θ. `V ← sat(V + I)`; a
    /// graded relay then sends V as its payload (saturated at ±payloadLimit, counted) and
    /// resets to 0; a signed relay sends +1 at V ≥ Θ (V ← V − Θ) or −1 at V ≤ −Θ (V ← V + Θ);
    /// a splitter fires at V ≥ Θ (V ← V − Θ), and each of its copies counts as an update.
    /// Spikes go to `scratch.fired`, payloads to `scratch.payloads`.
    mutating func updateRelay(_ p: Int, _ relay: Relay) {
        let pop = plan.network.populations[p]
        let cores = plan.emulator.neuronCore[p]
        let (limit, theta, payloadLimit) = (plan.limit, pop.threshold, plan.payloadLimit)
        let dense = plan.denseUpdate[p]
        let copies = plan.mapping.copies[p]
        scratch.fired.removeAll(keepingCapacity: true)
        scratch.payloads.removeAll(keepingCapacity: true)
        var updates = 0
        var saturations = 0
        var state = state.populations[p]
        self.state.populations[p] = PopulationState(count: 0, flags: 0)  // moved out while updated, and back below
        defer { self.state.populations[p] = state }
        let previouslyActive = state.active
        state.active.removeAll(keepingCapacity: true)
        func visit(_ i: Int) {
            var u = state.membranes[i] &+ state.accumulator[i]
            state.accumulator[i] = 0
            if u > limit || u < -limit {
                u = u > 0 ? limit : -limit
                saturations += 1
                counters.coreSaturations[Int(cores[i])] += 1
            }
            // A splitter's neuron is its copies on one core, each updated.
            let n = copies.isEmpty ? 1 : Int(copies[i])
            updates += n
            scratch.coreUpdates[Int(cores[i])] += n
            switch relay {
            case .graded:
                state.membranes[i] = 0
                guard u != 0 else { return }
                if u > payloadLimit || u < -payloadLimit {
                    u = u > 0 ? payloadLimit : -payloadLimit
                    saturations += 1
                    counters.coreSaturations[Int(cores[i])] += 1
                }
                scratch.fired.append(Int32(i))
                scratch.payloads.append(Int32(u))
            case .signed:
                let out: Int64 = u >= theta ? 1 : u <= -theta ? -1 : 0
                u -= out * theta
                state.membranes[i] = u
                if out != 0 {
                    scratch.fired.append(Int32(i))
                    scratch.payloads.append(Int32(out))
                }
                if u >= theta || u <= -theta { state.active.append(Int32(i)) }
            case .splitter:
                if u >= theta {
                    u -= theta
                    scratch.fired.append(Int32(i))
                }
                state.membranes[i] = u
                if u >= theta { state.active.append(Int32(i)) }
            }
        }
        if dense {
            for i in 0..<pop.count { visit(i) }
        } else {
            let listed = state.touchedCount
            for k in 0..<listed { visit(Int(state.touchedList[k])) }
            for i in previouslyActive where !state.touched[Int(i)] { visit(Int(i)) }
            for k in 0..<listed { state.touched[Int(state.touchedList[k])] = false }
            state.touchedCount = 0
        }
        counters.populationSaturations[p] += saturations
        counters.populationNeuronUpdates[p] += updates
    }
}

/// The neuron arithmetic of one population's update, on pointers to its membranes and input
/// current: `V ← sat(V + I)`, `I ← 0`; if V ≥ Θ (and the neuron may fire), a spike and
/// `V ← V − Θ` (subtract) or `V ← 0`; a neuron still ≥ Θ stays active.
struct UpdateKernel {
    let limit: Int64, theta: Int64, fires: Bool, subtract: Bool
    var fired: [Int32] = []
    var saturated: [Int32] = []
    var active: [Int32] = []

    init(limit: Int64, theta: Int64, fires: Bool, subtract: Bool) {
        (self.limit, self.theta, self.fires, self.subtract) = (limit, theta, fires, subtract)
    }

    /// One neuron.
    @inline(__always)
    mutating func step(
        _ i: Int, _ mp: UnsafeMutablePointer<Int64>, _ ap: UnsafeMutablePointer<Int64>, _ sup: UnsafePointer<Bool>
    ) {
        var u = mp[i] &+ ap[i]
        ap[i] = 0
        if u > limit || u < -limit {
            u = u > 0 ? limit : -limit
            saturated.append(Int32(i))
        }
        if fires && u >= theta && !sup[i] {
            u = subtract ? u - theta : 0
            fired.append(Int32(i))
            if u >= theta { active.append(Int32(i)) }
        }
        mp[i] = u
    }

    /// Neurons start..<end, eight at a time: V + I for all; only lanes that saturate or reach Θ
    /// take the scalar step (which then sees I = 0 and V already summed).
    @inline(__always)
    mutating func sweep(
        _ start: Int, _ end: Int, _ mp: UnsafeMutablePointer<Int64>, _ ap: UnsafeMutablePointer<Int64>,
        _ sup: UnsafePointer<Bool>
    ) {
        let hi = SIMD8<Int64>(repeating: limit)
        let lo = SIMD8<Int64>(repeating: -limit)
        let th = SIMD8<Int64>(repeating: fires ? theta : .max)
        var i = start
        while i + 8 <= end {
            let vm = UnsafeMutableRawPointer(mp + i)
            let va = UnsafeMutableRawPointer(ap + i)
            let u = vm.loadUnaligned(as: SIMD8<Int64>.self) &+ va.loadUnaligned(as: SIMD8<Int64>.self)
            vm.storeBytes(of: u, as: SIMD8<Int64>.self)
            va.storeBytes(of: .zero, as: SIMD8<Int64>.self)
            let attention = (u .> hi) .| (u .< lo) .| (u .>= th)
            if any(attention) {
                for l in 0..<8 where attention[l] { step(i + l, mp, ap, sup) }
            }
            i += 8
        }
        while i < end {
            step(i, mp, ap, sup)
            i += 1
        }
    }
}

extension PopulationState {
    /// Membrane, input-current and suppression pointers for one update.
    mutating func withUpdatePointers<R>(
        _ body: (UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafePointer<Bool>) throws -> R
    ) rethrows -> R {
        try membranes.withUnsafeMutableBufferPointer { m in
            try accumulator.withUnsafeMutableBufferPointer { a in
                try suppressed.withUnsafeBufferPointer { s in try body(m.baseAddress!, a.baseAddress!, s.baseAddress!) }
            }
        }
    }

    /// `.dense`: the bias into this tick's input current (eight at a time), then every neuron.
    mutating func updateDense(_ k: inout UpdateKernel, bias: [Int64]?) {
        let n = membranes.count
        withUpdatePointers { mp, ap, sup in
            if let bias {
                bias.withUnsafeBufferPointer { b in
                    let bp = b.baseAddress!
                    var i = 0
                    while i + 8 <= n {
                        let va = UnsafeMutableRawPointer(ap + i)
                        va.storeBytes(
                            of: va.loadUnaligned(as: SIMD8<Int64>.self)
                                &+ UnsafeRawPointer(bp + i).loadUnaligned(as: SIMD8<Int64>.self), as: SIMD8<Int64>.self)
                        i += 8
                    }
                    while i < n {
                        ap[i] &+= bp[i]
                        i += 1
                    }
                }
            }
            k.sweep(0, n, mp, ap, sup)
        }
    }

    /// `.blocks`: the touched blocks' neurons (or one sweep of all), then the active neurons
    /// outside them. Returns the neurons updated; per-core updates go to `coreUpdates`.
    mutating func updateBlocks(
        _ k: inout UpdateKernel, groups: Int, channels: Int, perCore: Int, previouslyActive: [Int32],
        cores: [Int32], coreUpdates: inout [Int]
    ) -> Int {
        let n = membranes.count
        let listed = touchedList[0..<touchedCount]
        @inline(__always) func neurons(ofBlock b: Int32) -> Range<Int> {
            let (position, g) = Int(b).quotientAndRemainder(dividingBy: groups)
            let first = position * channels + g * perCore
            return first..<(first + min(perCore, channels - g * perCore))
        }
        var updates = 0
        for b in listed {
            let run = neurons(ofBlock: b)
            updates += run.count
            coreUpdates[Int(cores[run.lowerBound])] += run.count
        }
        let all = updates * 4 >= n
        var flags = touched
        touched = []  // moved out while the pointers are held, and back below: no copy
        defer { touched = flags }
        withUpdatePointers { mp, ap, sup in
            if all {
                k.sweep(0, n, mp, ap, sup)  // untouched, inactive neurons do not change (see `.sweep`)
            } else {
                for b in listed {
                    let run = neurons(ofBlock: b)
                    k.sweep(run.lowerBound, run.upperBound, mp, ap, sup)
                }
            }
            for i in previouslyActive {
                let (position, c) = Int(i).quotientAndRemainder(dividingBy: channels)
                guard !flags[position * groups + c / perCore] else { continue }
                if !all { k.step(Int(i), mp, ap, sup) }
                coreUpdates[Int(cores[Int(i)])] += 1
                updates += 1
            }
        }
        for b in listed { flags[Int(b)] = false }
        return updates
    }

    /// `.sweep`: one pass over the population; counts the touched and the active neurons.
    mutating func updateSweep(
        _ k: inout UpdateKernel, previouslyActive: [Int32], cores: [Int32], coreUpdates: inout [Int]
    ) -> Int {
        let n = membranes.count
        withUpdatePointers { mp, ap, sup in k.sweep(0, n, mp, ap, sup) }
        let listed = touchedList[0..<touchedCount]
        for i in listed { coreUpdates[Int(cores[Int(i)])] += 1 }
        var updates = listed.count
        for i in previouslyActive where !touched[Int(i)] {
            coreUpdates[Int(cores[Int(i)])] += 1
            updates += 1
        }
        for i in listed { touched[Int(i)] = false }
        return updates
    }

    /// `.touched`: the touched neurons, then the active ones not touched. Touched neurons keep
    /// their flag while the active ones are visited, so a neuron both touched and active is
    /// updated once.
    mutating func updateTouched(
        _ k: inout UpdateKernel, previouslyActive: [Int32], cores: [Int32], coreUpdates: inout [Int]
    ) -> Int {
        let listed = touchedList[0..<touchedCount]
        var flags = touched
        touched = []
        defer { touched = flags }
        var updates = listed.count
        withUpdatePointers { mp, ap, sup in
            for i in listed {
                k.step(Int(i), mp, ap, sup)
                coreUpdates[Int(cores[Int(i)])] += 1
            }
            for i in previouslyActive where !flags[Int(i)] {
                flags[Int(i)] = true
                k.step(Int(i), mp, ap, sup)
                coreUpdates[Int(cores[Int(i)])] += 1
                updates += 1
            }
        }
        for i in listed { flags[Int(i)] = false }
        for i in previouslyActive { flags[Int(i)] = false }
        return updates
    }
}
