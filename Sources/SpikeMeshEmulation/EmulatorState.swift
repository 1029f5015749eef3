import SpikeMeshCore
import SpikeMeshModel
import SpikeMeshHardware
import SpikeMeshMapping

/// One worker's chip state, reused image after image.
struct EmulatorState {
    struct Packet {
        var core: Int32
        var projection: Int32
        var neuron: Int32
        /// +1, or −1 for a negative Poisson input spike.
        var sign: Int32
        /// The entry's window-tap range in the delivery plan (−1 for dense and identity).
        var taps: Int32
    }

    let emu: Emulator
    let options: EmulationOptions
    let network: SpikingNetwork
    let mapping: Mapping
    let hw: HardwareModel
    let totalTicks: Int
    let limit: Int64
    var counters: EmulationCounters

    var membranes: [[Int64]]
    var accumulator: [[Int64]]
    var touched: [[Bool]]
    /// The neurons touched this tick, `touchedList[p][0..<touchedCount[p]]` (sized to the population).
    var touchedList: [[Int32]]
    var touchedCount: [Int]
    /// Neurons whose residual is still ≥ Θ (they fire next tick without input).
    var active: [[Int32]]
    var suppressed: [[Bool]]
    /// Direct input current per neuron of each population the input feeds (integer units).
    var inputCurrent: [[Int64]?]
    /// Packets waiting for delivery: `queues[population][tick mod queueLength]`.
    var queues: [[[Packet]]]
    let queueLength: Int
    /// Link use per tick, flat: `linkUse[(tick mod window) · linkCount + link]`.
    var linkUse: [Int32]
    let linkCount: Int
    /// Ticks ahead that link use and waiting packets are kept for.
    static let window = 256
    var window: Int { Self.window }
    /// Per core, work this tick.
    var coreSOPs: [Int]
    var coreUpdates: [Int]
    /// Longest route (ns) of the packets travelling in each tick of the window.
    var routeNs: [Double]
    let coreNeurons: [Int]
    let denseUpdate: [Bool]
    let chwIndex: [[Int]]
    let inputInverse: [Int]
    /// Per population with a bias: its bias current per neuron (channels-last, tiled over positions).
    let biases: [[Int64]?]

    init(emulator: Emulator, options: EmulationOptions, totalTicks: Int) {
        emu = emulator
        self.options = options
        network = emulator.network
        mapping = emulator.mapping
        hw = mapping.hardware
        self.totalTicks = totalTicks
        limit = network.fixedPoint!.potentialLimit
        let pops = network.populations
        counters = EmulationCounters(cores: mapping.cores.count, populations: pops.count, links: mapping.mesh.linkCount, ticks: totalTicks)
        membranes = pops.map { [Int64](repeating: 0, count: $0.count) }
        accumulator = membranes
        touched = pops.map { [Bool](repeating: false, count: $0.count) }
        touchedList = pops.map { [Int32](repeating: 0, count: $0.count) }
        touchedCount = pops.map { _ in 0 }
        active = pops.map { _ in [] }
        suppressed = pops.map { [Bool](repeating: false, count: $0.count) }
        inputCurrent = pops.map { _ in nil }
        let length = (emulator.delays.max() ?? 0) + Self.window + 2
        queueLength = length
        queues = pops.map { _ in Array(repeating: [], count: length) }
        linkCount = mapping.mesh.linkCount
        linkUse = [Int32](repeating: 0, count: Self.window * linkCount)
        routeNs = Array(repeating: 0, count: Self.window)
        coreSOPs = Array(repeating: 0, count: mapping.cores.count)
        coreUpdates = coreSOPs
        coreNeurons = mapping.cores.map(\.neurons)
        biases = pops.map { p in
            p.bias.flatMap { b in
                b.allSatisfy { $0 == 0 } ? nil : (0..<p.count).map { Int64(b[$0 % b.count]) }
            }
        }
        let fedByInput = Set(network.projections.filter { $0.source == 0 }.map(\.target))
        denseUpdate = pops.indices.map { p in
            p > 0 && (pops[p].bias.map { $0.contains { $0 != 0 } } ?? false || (options.encoding == .direct && fedByInput.contains(p)))
        }
        chwIndex = pops.map { RunSupport.chwIndex($0.shape) }
        inputInverse = RunSupport.hwcIndex(pops[0].shape)
        // Populations fed only by conv and dense projections track touched blocks (a position's
        // run of one core's channels) instead of neurons: every packet touches whole blocks.
        let plan = emulator.plan
        let dense = denseUpdate, grids = emulator.mapping.grids
        blockGroups = pops.indices.map { p in
            guard p > 0, !dense[p], let g = grids[p] else { return 0 }
            let incoming = emulator.network.projections.indices.filter { emulator.targets[$0] == p }
            let ok = !incoming.isEmpty && incoming.allSatisfy { j in
                plan.info[j].kind == .conv || (plan.info[j].kind == .dense && g.channels == pops[p].count)
            }
            return ok ? g.groups : 0
        }
        for p in pops.indices where blockGroups[p] > 0 {
            let blocks = pops[p].count / mapping.grids[p]!.channels * blockGroups[p]
            touched[p] = [Bool](repeating: false, count: blocks)
            touchedList[p] = [Int32](repeating: 0, count: blocks)
        }
    }

    /// Channel groups of each population that tracks touched blocks, else 0.
    let blockGroups: [Int]

    struct ImageResult {
        var predictions: [Int]
        var trains: [[Int]]
    }

    mutating func simulate(image: Int, pixels chw: [Float], checkpoints: [Int], maxT: Int) throws -> ImageResult {
        let pops = network.populations
        let output = network.output
        let pipelined = options.delivery == .pipelined
        let extra = pipelined ? emu.depth : 0
        let tau = options.srpTau
        counters.images += 1
        // Reset.
        for p in pops.indices {
            let v0 = Int64(pops[p].initialPotential)
            for i in membranes[p].indices { membranes[p][i] = p == output ? 0 : v0 }
            for i in suppressed[p].indices { suppressed[p][i] = false }
            for q in queues[p].indices { queues[p][q].removeAll(keepingCapacity: true) }
            active[p].removeAll(keepingCapacity: true)
            if p > 0 && p != output { refreshActive(p) }
        }
        linkUse.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for s in routeNs.indices { routeNs[s] = 0 }
        // Direct input: the host computes each first-layer neuron's current once (the same
        // Float arithmetic as the reference) and rounds it to the chip's integer units.
        let pixels = chwIndex[0].map { chw[$0] }
        if options.encoding == .direct {
            for j in network.projections.indices where network.projections[j].source == 0 {
                let t = network.projections[j].target
                var tmp = [Float](repeating: 0, count: pops[t].count)
                pixels.withUnsafeBufferPointer { s in
                    tmp.withUnsafeMutableBufferPointer { emu.compiled[j].accumulate(s, amplitude: 1, into: $0.baseAddress!) }
                }
                inputCurrent[t] = tmp.map { Int64($0.rounded(.toNearestOrAwayFromZero)) }
            }
        }
        var rng = SplitMix(state: RunSupport.imageSeed(options.seed, image))
        var outputSpikes = [Int](repeating: 0, count: pops[output].count)
        var predictions: [Int] = []
        var nextCheckpoint = 0
        var trains = [[Int]](repeating: [], count: options.keepSpikeTrains ? pops.count : 0)
        let inputProjections = network.projections.indices.filter { network.projections[$0].source == 0 }
        let everyTick = hw.core.somaUpdate == .everyTick
        let mappedNeurons = coreNeurons.reduce(0, +)

        for t in 1...totalTicks {
            // The link-use slot of tick t−1 becomes the slot of tick t + window − 1.
            let stale = (t - 1 + window) % window
            linkUse.withUnsafeMutableBufferPointer { lu in
                for l in 0..<linkCount { lu[stale * linkCount + l] = 0 }
            }
            for k in coreSOPs.indices { coreSOPs[k] = 0; coreUpdates[k] = 0 }

            // Input spikes (Poisson), drawn in CHW order exactly as the reference draws them.
            if options.encoding == .poisson {
                for chwIdx in 0..<chw.count {
                    let spike = RunSupport.poissonSpike(chw[chwIdx], &rng)
                    guard spike != 0 else { continue }
                    let i = inputInverse[chwIdx]
                    let sign = Int32(spike)
                    if options.keepSpikeTrains, t > tau { trains[0].append((t - tau - 1) * chw.count + chwIdx) }
                    let o = mapping.destinationOffsets[0]
                    for k in Int(o[i])..<Int(o[i + 1]) {
                        let j = Int(mapping.destinationProjection[0][k])
                        let due = pipelined ? t + 1 + emu.delays[j] : t
                        try enqueue(Packet(core: mapping.destinationCore[0][k], projection: Int32(j), neuron: Int32(i), sign: sign, taps: emu.plan.entryTaps[0][k]),
                                    target: emu.targets[j], tick: due, now: t)
                        counters.inputPackets += 1
                    }
                }
            } else if options.keepSpikeTrains, t > tau {
                for chwIdx in 0..<chw.count where chw[chwIdx] != 0 { trains[0].append((t - tau - 1) * chw.count + chwIdx) }
            }

            for p in 1..<pops.count {
                let pop = pops[p]
                // 1. Deliver the packets due now.
                let slot = t % queueLength
                if !queues[p][slot].isEmpty {
                    // Swapped out and back emptied, so the slot keeps its storage.
                    var packets: [Packet] = []
                    swap(&packets, &queues[p][slot])
                    defer { packets.removeAll(keepingCapacity: true); swap(&packets, &queues[p][slot]) }
                    let sops = deliverAll(packets, into: p)
                    counters.delivered += packets.count
                    counters.populationSynapticOps[p] += sops
                    counters.synapticOps += sops
                    counters.tickSynapticOps[t - 1] += sops
                }
                // Direct input current.
                if let current = inputCurrent[p] {
                    for j in inputProjections where emu.targets[j] == p {
                        if pipelined && t - 1 - emu.delays[j] < 1 { continue }
                        accumulator[p].withUnsafeMutableBufferPointer { ap in
                            for i in current.indices { ap[i] &+= current[i] }
                        }
                    }
                }
                // The bias current is added just before the update (a population with a bias is
                // updated densely).
                let bias = !pipelined || t > emu.depths[p] ? biases[p] : nil
                // 2. Update: all neurons of a population with bias or direct input, else the
                //    touched ones and those whose residual is still ≥ Θ.
                let fires = p != output || options.readout == .spikeCount
                let theta = Int64(pop.threshold)
                let subtract = pop.reset == .subtract
                var fired: [Int32] = []
                let previouslyActive = active[p]
                active[p].removeAll(keepingCapacity: true)
                var mem = membranes[p], acc = accumulator[p], flags = touched[p], act = active[p]
                membranes[p] = []; accumulator[p] = []; touched[p] = []; active[p] = []
                let cores = emu.neuronCore[p]
                let sup = suppressed[p]
                var saturated: [Int32] = [], updates = 0
                // One neuron's update: V ← sat(V + I); fire and reset. Pointers keep the loop free
                // of per-element uniqueness checks.
                @inline(__always) func step(_ i: Int, _ mp: UnsafeMutablePointer<Int64>, _ ap: UnsafeMutablePointer<Int64>) {
                    var u = mp[i] &+ ap[i]
                    ap[i] = 0
                    if u > limit || u < -limit {
                        u = u > 0 ? limit : -limit
                        saturated.append(Int32(i))
                    }
                    if fires && u >= theta && !sup[i] {
                        u = subtract ? u - theta : 0
                        fired.append(Int32(i))
                        if u >= theta { act.append(Int32(i)) }
                    }
                    mp[i] = u
                }
                mem.withUnsafeMutableBufferPointer { mb in
                    acc.withUnsafeMutableBufferPointer { ab in
                        let mp = mb.baseAddress!, ap = ab.baseAddress!
                        // Eight neurons at a time: V + I for all; only lanes that saturate or
                        // reach Θ take the scalar step (which sees I = 0 and V already summed).
                        @inline(__always) func sweep(_ n: Int, from start: Int = 0) {
                            let hi = SIMD8<Int64>(repeating: limit), lo = SIMD8<Int64>(repeating: -limit)
                            let th = SIMD8<Int64>(repeating: fires ? theta : .max)
                            var i = start
                            while i + 8 <= n {
                                let vm = UnsafeMutableRawPointer(mp + i), va = UnsafeMutableRawPointer(ap + i)
                                let u = vm.loadUnaligned(as: SIMD8<Int64>.self) &+ va.loadUnaligned(as: SIMD8<Int64>.self)
                                vm.storeBytes(of: u, as: SIMD8<Int64>.self)
                                va.storeBytes(of: .zero, as: SIMD8<Int64>.self)
                                let attention = (u .> hi) .| (u .< lo) .| (u .>= th)
                                if any(attention) {
                                    for l in 0..<8 where attention[l] { step(i + l, mp, ap) }
                                }
                                i += 8
                            }
                            while i < n { step(i, mp, ap); i += 1 }
                        }
                        let n = pop.count
                        if denseUpdate[p] {
                            if let bias {
                                // Bias into this tick's input current, eight neurons at a time.
                                bias.withUnsafeBufferPointer { b in
                                    let bp = b.baseAddress!
                                    var k = 0
                                    while k + 8 <= n {
                                        let va = UnsafeMutableRawPointer(ap + k)
                                        va.storeBytes(of: va.loadUnaligned(as: SIMD8<Int64>.self) &+ UnsafeRawPointer(bp + k).loadUnaligned(as: SIMD8<Int64>.self), as: SIMD8<Int64>.self)
                                        k += 8
                                    }
                                    while k < n { ap[k] &+= bp[k]; k += 1 }
                                }
                            }
                            sweep(n)
                            updates = n
                        } else if blockGroups[p] > 0 {
                            // Touched blocks: each is a run of one core's channels at one position.
                            let groups = blockGroups[p], channels = mapping.grids[p]!.channels
                            let perCore = mapping.grids[p]!.channelsPerCore
                            let listed = touchedList[p][0..<touchedCount[p]]
                            @inline(__always) func neurons(ofBlock b: Int32) -> Range<Int> {
                                let (position, g) = Int(b).quotientAndRemainder(dividingBy: groups)
                                let first = position * channels + g * perCore
                                return first..<(first + min(perCore, channels - g * perCore))
                            }
                            var touchedNeurons = 0
                            for b in listed {
                                let run = neurons(ofBlock: b)
                                touchedNeurons += run.count
                                coreUpdates[Int(cores[run.lowerBound])] += run.count
                            }
                            let all = touchedNeurons * 4 >= n
                            if all {
                                sweep(n)   // untouched, inactive neurons do not change (see below)
                            } else {
                                for b in listed {
                                    let run = neurons(ofBlock: b)
                                    sweep(run.upperBound, from: run.lowerBound)
                                }
                            }
                            updates = touchedNeurons
                            for i in previouslyActive {
                                let (position, c) = Int(i).quotientAndRemainder(dividingBy: channels)
                                guard !flags[position * groups + c / perCore] else { continue }
                                if !all { step(Int(i), mp, ap) }
                                coreUpdates[Int(cores[Int(i)])] += 1
                                updates += 1
                            }
                            for b in listed { flags[Int(b)] = false }
                        } else if touchedCount[p] * 4 >= n {
                            // Many neurons touched: one SIMD pass over the population leaves every
                            // other neuron as it was (no input, V below Θ unless it is active, and
                            // the active ones are due anyway), so it gives the same membranes and
                            // spikes; only the touched and the active neurons count as updated.
                            sweep(n)
                            let listed = touchedList[p][0..<touchedCount[p]]
                            for i in listed { coreUpdates[Int(cores[Int(i)])] += 1 }
                            updates = listed.count
                            for i in previouslyActive where !flags[Int(i)] {
                                coreUpdates[Int(cores[Int(i)])] += 1
                                updates += 1
                            }
                            for i in listed { flags[Int(i)] = false }
                        } else {
                            // Touched neurons keep their flag while the active ones are visited, so a
                            // neuron both touched and active is updated once.
                            let listed = touchedList[p][0..<touchedCount[p]]
                            for i in listed { step(Int(i), mp, ap); coreUpdates[Int(cores[Int(i)])] += 1 }
                            updates = listed.count
                            for i in previouslyActive where !flags[Int(i)] {
                                flags[Int(i)] = true
                                step(Int(i), mp, ap)
                                coreUpdates[Int(cores[Int(i)])] += 1
                                updates += 1
                            }
                            for i in listed { flags[Int(i)] = false }
                            for i in previouslyActive { flags[Int(i)] = false }
                        }
                    }
                }
                if denseUpdate[p] {
                    // Every neuron of every core of p was updated once.
                    let first = mapping.firstCore[p]
                    for k in first..<(first + mapping.grids[p]!.count) { coreUpdates[k] += coreNeurons[k] }
                }
                for i in saturated { counters.coreSaturations[Int(cores[Int(i)])] += 1 }
                membranes[p] = mem; accumulator[p] = acc; touched[p] = flags; active[p] = act
                counters.saturations += saturated.count
                counters.populationSaturations[p] += saturated.count
                counters.populationNeuronUpdates[p] += updates
                touchedCount[p] = 0
                // 3. Spikes → packets.
                let own = pipelined ? t - emu.depths[p] : t - tau
                if own >= 1 && own <= maxT { counters.populationSpikes[p] += fired.count }
                if fired.isEmpty { continue }
                counters.spikes += fired.count
                counters.tickSpikes[t - 1] += fired.count
                if p == output { for i in fired { outputSpikes[Int(i)] += 1 } }
                if options.keepSpikeTrains, t > tau {
                    let n = pop.count
                    trains[p] += fired.map { (t - tau - 1) * n + chwIndex[p][Int($0)] }.sorted()
                }
                let packets = try emitAll(fired, from: p, tick: t, cores: cores)
                counters.packets += packets
                counters.tickPackets[t - 1] += packets
            }
            if tau > 0 && t == tau {
                for p in network.hidden {
                    let half = Int64(RunSupport.srpPotential(pops[p].threshold, fixedPoint: true))
                    for i in 0..<pops[p].count {
                        suppressed[p][i] = membranes[p][i] <= 0
                        membranes[p][i] = half
                    }
                    refreshActive(p)
                }
                for i in membranes[output].indices { membranes[output][i] = 0 }
                for i in outputSpikes.indices { outputSpikes[i] = 0 }
            }
            // Tick time: the slowest core, the mesh, the barrier.
            var slowest = 0.0
            for k in coreSOPs.indices {
                let updates = everyTick ? coreNeurons[k] : coreUpdates[k]
                slowest = max(slowest, Double(coreSOPs[k]) * hw.time.synapticOpNs + Double(updates) * hw.time.neuronUpdateNs)
                counters.coreNeuronUpdates[k] += coreUpdates[k]
                counters.neuronUpdates += coreUpdates[k]
            }
            var busiest: Int32 = 0
            let now = t % window
            for l in 0..<linkCount where linkUse[now * linkCount + l] > busiest { busiest = linkUse[now * linkCount + l] }
            let mesh = routeNs[now] + Double(max(0, Int(busiest) - 1)) * hw.time.hopNs
            routeNs[now] = 0
            let tickNs = max(hw.time.minimumTickNs, slowest + mesh + hw.time.barrierNs)
            counters.timePs += Int((tickNs * 1000).rounded())
            counters.coreTimePs += Int((slowest * 1000).rounded())
            counters.meshTimePs += Int((mesh * 1000).rounded())
            counters.barrierTimePs += Int((hw.time.barrierNs * 1000).rounded())
            counters.everyTickNeuronUpdates += mappedNeurons
            counters.ticks += 1

            let counted = t - tau - extra
            while nextCheckpoint < checkpoints.count && counted == checkpoints[nextCheckpoint] {
                predictions.append(readout(outputSpikes))
                nextCheckpoint += 1
            }
        }
        while predictions.count < checkpoints.count { predictions.append(readout(outputSpikes)) }
        // Packets still queued (pipelined: emitted in the last ticks, due after the run) are
        // counted, so packets out = delivered + pending at the end.
        for p in pops.indices {
            for k in queues[p].indices where !queues[p][k].isEmpty {
                counters.pendingAtEnd += queues[p][k].count
                queues[p][k].removeAll(keepingCapacity: true)
            }
        }
        return ImageResult(predictions: predictions, trains: trains)
    }

    /// Delivers the packets due at population p this tick into its input current; returns
    /// the synaptic ops. Every per-packet counter is updated here.
    mutating func deliverAll(_ packets: [Packet], into p: Int) -> Int {
        var acc = accumulator[p], flags = touched[p], list = touchedList[p], listed = touchedCount[p]
        accumulator[p] = []; touched[p] = []; touchedList[p] = []
        var work = coreSOPs, coreOps = counters.coreSynapticOps, packetsIn = counters.corePacketsIn
        coreSOPs = []; counters.coreSynapticOps = []; counters.corePacketsIn = []
        let track: DeliveryPlan.Tracking = denseUpdate[p] ? .none : blockGroups[p] > 0 ? .blocks : .neurons
        var sops = 0
        emu.plan.withPointers { plan in
            acc.withUnsafeMutableBufferPointer { ab in
            flags.withUnsafeMutableBufferPointer { fb in
            list.withUnsafeMutableBufferPointer { lb in
            work.withUnsafeMutableBufferPointer { work in
            coreOps.withUnsafeMutableBufferPointer { coreOps in
            packetsIn.withUnsafeMutableBufferPointer { packetsIn in
                for packet in packets {
                    let core = Int(packet.core)
                    let n = DeliveryPlan.deliver(neuron: Int(packet.neuron), sign: Int64(packet.sign),
                                                 projection: Int(packet.projection), core: core, taps: Int(packet.taps), plan,
                                                 acc: ab.baseAddress!, flags: fb.baseAddress!,
                                                 list: lb.baseAddress!, listed: &listed, track: track)
                    work[core] += n
                    coreOps[core] += n
                    packetsIn[core] += 1
                    sops += n
                }
            } } } } } }
        }
        accumulator[p] = acc; touched[p] = flags; touchedList[p] = list; touchedCount[p] = listed
        coreSOPs = work; counters.coreSynapticOps = coreOps; counters.corePacketsIn = packetsIn
        return sops
    }

    mutating func refreshActive(_ p: Int) {
        active[p].removeAll(keepingCapacity: true)
        let theta = Int64(network.populations[p].threshold)
        for i in membranes[p].indices where membranes[p][i] >= theta { active[p].append(Int32(i)) }
    }

    func queueOverflow(waiting ticks: Int) -> SpikeMeshError {
        SpikeMeshError(.invalidArgument, "a packet would wait \(ticks) ticks (more than \(queueLength - 1)); the mesh is too congested — raise mesh.linkCapacity")
    }

    mutating func enqueue(_ packet: Packet, target: Int, tick: Int, now: Int) throws {
        guard tick - now < queueLength else { throw queueOverflow(waiting: tick - now) }
        queues[target][tick % queueLength].append(packet)
    }

    /// Sends population p's spikes of tick t: one packet per destination entry, each walked
    /// over its precomputed route (a full link makes the packet wait a tick, counted) and queued
    /// for the tick it is due. Returns the packets sent. Link counters are read and written
    /// through pointers taken once per call.
    mutating func emitAll(_ fired: [Int32], from p: Int, tick t: Int, cores: [Int32]) throws -> Int {
        let pipelined = options.delivery == .pipelined
        let travel = pipelined ? t + 1 : t
        let o = mapping.destinationOffsets[p], entryProjection = mapping.destinationProjection[p]
        let entryCore = mapping.destinationCore[p], entryRoute = emu.routes.entryRoute[p], entryTaps = emu.plan.entryTaps[p]
        let table = emu.routes
        let capacity = Int32(hw.mesh.linkCapacity)
        let lc = linkCount, window = window
        var use = linkUse, linkPackets = counters.linkPackets, linkPeak = counters.linkPeak
        linkUse = []; counters.linkPackets = []; counters.linkPeak = []
        defer { linkUse = use; counters.linkPackets = linkPackets; counters.linkPeak = linkPeak }
        var packets = 0, within = 0, between = 0, stalled = 0, late = 0
        var wire = 0.0
        let travelBase = (travel % window) * lc
        var open: [Packet] = [], openTarget = -1, openSlot = 0
        defer { if openTarget >= 0 { swap(&open, &queues[openTarget][openSlot]) } }
        try use.withUnsafeMutableBufferPointer { use in
            try linkPackets.withUnsafeMutableBufferPointer { linkPackets in
                try linkPeak.withUnsafeMutableBufferPointer { linkPeak in
                    for i32 in fired {
                        let i = Int(i32)
                        let src = Int(cores[i])
                        let (first, end) = (Int(o[i]), Int(o[i + 1]))
                        counters.coreSpikes[src] += 1
                        counters.corePacketsOut[src] += end - first
                        packets += end - first
                        for k in first..<end {
                            let j = Int(entryProjection[k])
                            let r = Int(entryRoute[k])
                            var u = travel
                            var base = travelBase
                            for n in Int(table.start[r])..<Int(table.start[r + 1]) {
                                let link = Int(table.links[n])
                                if capacity > 0 {
                                    while use[base + link] >= capacity {
                                        u += 1
                                        base = (u % window) * lc
                                        stalled += 1
                                        if u - t >= window - 1 {
                                            let d = mapping.mesh.describe(link: link)
                                            throw SpikeMeshError(.invalidArgument, "link from router (\(d.x),\(d.y)) \(d.direction) stayed full for \(window - 1) ticks; the mesh is too congested — raise mesh.linkCapacity")
                                        }
                                    }
                                }
                                let slot = base + link
                                use[slot] += 1
                                linkPackets[link] += 1
                                linkPeak[link] = max(linkPeak[link], Int(use[slot]))
                            }
                            within += Int(table.hopsWithin[r])
                            between += Int(table.hopsBetween[r])
                            wire = max(wire, table.ns[r])
                            let due = pipelined ? t + 1 + emu.delays[j] : t
                            if u > due { late += 1 }
                            let tick = max(u, due), target = emu.targets[j]
                            guard tick - t < queueLength else { throw queueOverflow(waiting: tick - t) }
                            // Appends go to a local buffer swapped out of the queue, so consecutive
                            // packets for the same population and tick skip the nested-array checks.
                            let slot = tick % queueLength
                            if target != openTarget || slot != openSlot {
                                if openTarget >= 0 { swap(&open, &queues[openTarget][openSlot]) }
                                (openTarget, openSlot) = (target, slot)
                                swap(&open, &queues[target][slot])
                            }
                            open.append(Packet(core: entryCore[k], projection: Int32(j), neuron: i32, sign: 1, taps: entryTaps[k]))
                        }
                    }
                }
            }
        }
        counters.hopsWithinChip += within
        counters.hopsBetweenChips += between
        counters.stalledPacketTicks += stalled
        counters.latePackets += late
        routeNs[travel % window] = max(routeNs[travel % window], wire)
        return packets
    }

    private func readout(_ outputSpikes: [Int]) -> Int {
        let output = network.output
        let order = chwIndex[output]
        var ordered = [Int64](repeating: 0, count: order.count)
        for (hwc, c) in order.enumerated() {
            ordered[c] = options.readout == .membrane ? membranes[output][hwc] : Int64(outputSpikes[hwc])
        }
        var best = 0
        for k in ordered.indices where ordered[k] > ordered[best] { best = k }
        return best
    }
}
