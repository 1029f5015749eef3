import Foundation
import SpikeMeshCore
import SpikeMeshHardware
import SpikeMeshModel

/// Slices, places and routes a spiking network on a hardware model (Docs/Mapping.md).
///
/// 1. **Slice.** Each population is cut into a grid of channel groups × row tiles × column
///    tiles. Of all grids whose every slice fits the core (neurons, input axons = the union
///    of the slice's receptive fields, synapse memory with kernels shared where the model
///    allows), the one with the fewest cores wins; ties go to fewer input axons in total
///    (less duplicated traffic). Fan-out depends on how the *targets* are sliced, so it is
///    checked afterwards: a population whose cores need more routing entries than the core
///    has gets fewer neurons per core, and slicing repeats until every core fits.
/// 2. **Place.** The baseline walks slices in layer order along a snake over the mesh. The
///    traffic-aware placement starts from it and anneals (seeded) swaps and moves that lower
///    Σ expected packets/tick × hops, keeping the best seen, so it is never worse.
/// 3. **Route.** One packet per (spike, destination core), XY routed.
public enum Mapper {
    public struct Options: Sendable {
        /// Expected spikes per neuron per tick, per population; nil = `defaultRate`.
        public var rates: [Double]?
        public var defaultRate = 0.05
        public var seed: UInt64 = 0
        /// Annealing moves per mapped core (0 = baseline only).
        public var movesPerCore = 2_000
        /// Cap on annealing moves in total (large meshes).
        public var maxMoves = 2_000_000
        public init() {}
    }

    /// Maps a fixed-point network: the same structure, so the same mapping as its float network.
    public static func map(_ network: FixedPointNetwork, on hardware: HardwareModel, options: Options = Options())
        throws -> Mapping
    {
        try map(network.integerView(), on: hardware, options: options)
    }

    public static func map(_ network: SpikingNetwork, on hardware: HardwareModel, options: Options = Options()) throws
        -> Mapping
    {
        let populations = network.populations
        let reaches = network.projections.indices.map { Reach($0, network: network) }
        let incoming = populations.indices.map { p in reaches.filter { $0.target == p } }
        let outgoing = populations.indices.map { p in reaches.filter { $0.source == p } }
        // A signed relay neuron is a pair of hardware neurons (its positive and negative part).
        let width = populations.map { $0.relay == .signed ? 2 : 1 }
        var caps = populations.indices.map { max(1, hardware.core.neurons / width[$0]) }
        var grids = [SliceGrid?](repeating: nil, count: populations.count)
        var violations: [Mapping.Violation] = []
        var fanOutViolations: [Mapping.Violation] = []

        for _ in 0..<12 {
            violations = []
            for p in populations.indices.dropFirst() {
                let (grid, v) = slice(p, network: network, incoming: incoming[p], core: hardware.core, cap: caps[p])
                grids[p] = grid
                violations += v
            }
            // Fan-out: entries per core of each source population, given the targets' grids.
            var changed = false
            fanOutViolations = []
            for p in populations.indices.dropFirst() where !outgoing[p].isEmpty {
                let grid = grids[p]!
                let counts = destinationCounts(p, grid: grid, outgoing: outgoing[p], grids: grids)
                var worst = 0
                var single = 0
                for k in 0..<grid.count {
                    let s = grid.slice(k)
                    var entries = 0
                    for y in s.rows {
                        for x in s.cols {
                            for c in s.channels {
                                let n = counts[(y * grid.width + x) * grid.channels + c]
                                entries += n
                                single = max(single, n)
                            }
                        }
                    }
                    worst = max(worst, entries)
                }
                let limit = hardware.core.fanOut
                // A splitter's neuron is ⌈entries / neuronFanOut⌉ hardware copies on one core.
                if populations[p].relay == .splitter, hardware.core.neuronFanOut > 0 {
                    let reduced = max(
                        1, hardware.core.neurons / splitterCopies(entries: single, limit: hardware.core.neuronFanOut))
                    if reduced < caps[p] {
                        caps[p] = reduced
                        changed = true
                    }
                }
                if single > limit {
                    fanOutViolations.append(
                        .init(
                            limit: "fan-out entries", population: p, name: populations[p].name, needed: single,
                            available: limit))
                    if caps[p] != 1 {
                        caps[p] = 1
                        changed = true
                    }
                } else if worst > limit {
                    let reduced = max(1, grid.neuronsPerCore * limit / worst)
                    if reduced < caps[p] {
                        caps[p] = reduced
                        changed = true
                    }
                }
            }
            if !changed { break }
        }
        violations += fanOutViolations

        // Cores, in population order.
        var firstCore = [Int](repeating: 0, count: populations.count)
        var cores: [Mapping.Core] = []
        let bits = hardware.core.weightBits + hardware.core.synapseOverheadBits
        for p in populations.indices.dropFirst() {
            firstCore[p] = cores.count
            let grid = grids[p]!
            for k in 0..<grid.count {
                let s = grid.slice(k)
                let axons = incoming[p].reduce(0) { $0 + $1.axons(s) }
                let synapses = incoming[p].reduce(0) {
                    $0 + $1.synapses(s, shared: hardware.core.sharedKernels && isConvLike($1))
                }
                cores.append(
                    .init(
                        population: p, slice: s, neurons: s.neurons * width[p], axons: axons, synapses: synapses,
                        synapseBits: synapses * bits, fanOutEntries: 0))
            }
        }
        // Destination tables (the input's too: its spikes are injected at their destination cores).
        var offsets: [[Int32]] = []
        var destCore: [[Int32]] = []
        var destProj: [[Int32]] = []
        for p in populations.indices {
            let (o, c, j) = destinations(p, network: network, outgoing: outgoing[p], grids: grids, firstCore: firstCore)
            offsets.append(o)
            destCore.append(c)
            destProj.append(j)
            if p > 0, let grid = grids[p] {
                for k in 0..<grid.count {
                    let s = grid.slice(k)
                    var entries = 0
                    for y in s.rows {
                        for x in s.cols {
                            for ch in s.channels {
                                let i = (y * grid.width + x) * grid.channels + ch
                                entries += Int(o[i + 1] - o[i])
                            }
                        }
                    }
                    cores[firstCore[p] + k].fanOutEntries = entries
                }
            }
        }
        // Neuron fan-out (`core.neuronFanOut`): a neuron may have that many destination
        // entries; a splitter's neuron is ⌈entries / limit⌉ copies, all on its core.
        var copies = [[Int32]](repeating: [], count: populations.count)
        let neuronFanOut = hardware.core.neuronFanOut
        for p in populations.indices.dropFirst() where neuronFanOut > 0 {
            let o = offsets[p]
            let most = (0..<populations[p].count).reduce(0) { max($0, Int(o[$1 + 1] - o[$1])) }
            if populations[p].relay == .splitter {
                copies[p] = (0..<populations[p].count).map { i in
                    Int32(splitterCopies(entries: Int(o[i + 1] - o[i]), limit: neuronFanOut))
                }
                let grid = grids[p]!
                for k in 0..<grid.count {
                    let s = grid.slice(k)
                    var n = 0
                    for y in s.rows {
                        for x in s.cols {
                            for ch in s.channels { n += Int(copies[p][(y * grid.width + x) * grid.channels + ch]) }
                        }
                    }
                    cores[firstCore[p] + k].neurons = n
                }
                let needed = splitterCopies(entries: most, limit: neuronFanOut)
                if needed > hardware.core.neurons {
                    violations.append(
                        .init(
                            limit: "neurons (splitter copies)", population: p, name: populations[p].name,
                            needed: needed, available: hardware.core.neurons))
                }
            } else if most > neuronFanOut {
                violations.append(
                    .init(
                        limit: "neuron fan-out", population: p, name: populations[p].name, needed: most,
                        available: neuronFanOut))
            }
        }
        // The fan-out rounds may stop before every core fits: report what is still over.
        for p in populations.indices.dropFirst()
        where !violations.contains(where: { $0.population == p && $0.limit == "fan-out entries" }) {
            let worst = cores[firstCore[p]..<(firstCore[p] + grids[p]!.count)].map(\.fanOutEntries).max() ?? 0
            if worst > hardware.core.fanOut {
                violations.append(
                    .init(
                        limit: "fan-out entries", population: p, name: populations[p].name, needed: worst,
                        available: hardware.core.fanOut))
            }
        }
        // Expected traffic between cores (hidden populations; the input enters at its targets).
        let rates = options.rates ?? [Double](repeating: options.defaultRate, count: populations.count)
        var pairs: [Int: Double] = [:]
        for p in populations.indices.dropFirst() {
            let rate = rates[p]
            guard rate > 0, let grid = grids[p] else { continue }
            let o = offsets[p]
            let c = destCore[p]
            for i in 0..<(populations[p].count) {
                let src =
                    firstCore[p]
                    + grid.slice(
                        containing: i % grid.channels, (i / grid.channels) / grid.width,
                        (i / grid.channels) % grid.width)
                var seen = Set<Int32>()
                for k in Int(o[i])..<Int(o[i + 1]) where seen.insert(c[k]).inserted {
                    pairs[src << 32 | Int(c[k]), default: 0] += rate
                }
            }
        }
        let traffic = pairs.map { (from: $0.key >> 32, to: $0.key & 0xFFFF_FFFF, rate: $0.value) }.sorted {
            ($0.from, $0.to) < ($1.from, $1.to)
        }

        // Placement.
        let coresPerChip = hardware.mesh.coresPerChip
        let chipsUsed = max(1, (cores.count + coresPerChip - 1) / coresPerChip)
        let mesh = MeshGeometry(hardware.mesh, chips: chipsUsed)
        let baseline = cores.indices.map { mesh.snake($0) }
        // A chip-to-chip hop weighs hopBetweenChipsPJ / hopPJ on-chip hops (with hopPJ taken
        // as at least 1 pJ, so a model whose on-chip hops are free still avoids crossings).
        let hopWeight = max(1, hardware.energy.hopBetweenChipsPJ / max(hardware.energy.hopPJ, 1))
        let placer = Placer(
            mesh: mesh, traffic: traffic, cores: cores.count, slots: chipsUsed * coresPerChip, chipHopWeight: hopWeight)
        let baselineCost = placer.cost(baseline)
        let placed = placer.anneal(
            from: baseline, moves: min(options.movesPerCore * cores.count, options.maxMoves), seed: options.seed)
        let placedCost = placer.cost(placed)

        return Mapping(
            hardware: hardware, grids: grids, firstCore: firstCore, cores: cores, violations: violations,
            copies: copies,
            destinationOffsets: offsets, destinationCore: destCore, destinationProjection: destProj,
            rates: rates, traffic: traffic, placement: placedCost <= baselineCost ? placed : baseline,
            baselinePlacement: baseline, placementCost: min(placedCost, baselineCost), baselineCost: baselineCost,
            chipsUsed: chipsUsed, mesh: mesh)
    }

    /// Hardware copies of a splitter neuron with `entries` destination entries: each copy
    /// addresses at most `limit` (`core.neuronFanOut`); at least one.
    static func splitterCopies(entries: Int, limit: Int) -> Int { max(1, (entries + limit - 1) / limit) }

    static func isConvLike(_ r: Reach) -> Bool {
        if case .window(let w, let all) = r.kind { return all || w.taps > 1 }
        return false
    }

    /// What one neuron of a population needs of a core: input axons and synapse bits (shared
    /// kernels where the core allows). A need above the core's limit is what fan-in
    /// decomposition removes and what `slice` otherwise reports as a violation.
    static func singleNeuronNeeds(_ incoming: [Reach], core: HardwareModel.Core) -> (axons: Int, bits: Int) {
        var axons = 0
        var synapses = 0
        for r in incoming {
            let b = r.bounds(cpc: 1, th: 1, tw: 1, shared: core.sharedKernels && isConvLike(r))
            axons += b.axons
            synapses += b.synapses
        }
        return (axons, synapses * (core.weightBits + core.synapseOverheadBits))
    }

    /// The grid with the fewest cores whose every slice fits. When even a one-neuron slice
    /// needs more axons or synapse memory than a core has, those limits are raised to what
    /// one neuron needs (the least over-commitment), the search runs again, and the raised
    /// limits are reported as violations.
    static func slice(_ p: Int, network: SpikingNetwork, incoming: [Reach], core: HardwareModel.Core, cap: Int) -> (
        SliceGrid, [Mapping.Violation]
    ) {
        let dims = CompiledProjection.dims(network.populations[p].shape)
        let (C, H, W) = dims
        let bits = core.weightBits + core.synapseOverheadBits
        let neuronLimit = max(1, min(core.neurons, cap))
        func needs(_ cpc: Int, _ th: Int, _ tw: Int) -> (axons: Int, bits: Int) {
            var axons = 0
            var synapses = 0
            for r in incoming {
                let b = r.bounds(cpc: cpc, th: th, tw: tw, shared: core.sharedKernels && isConvLike(r))
                axons += b.axons
                synapses += b.synapses
            }
            return (axons, synapses * bits)
        }
        let single = singleNeuronNeeds(incoming, core: core)
        let axonLimit = max(core.axons, single.axons)
        let bitLimit = max(core.synapseMemoryBits, single.bits)
        var best: (cores: Int, grid: SliceGrid)?
        var ties: [SliceGrid] = []
        var lastCPC = -1
        for k in 1...C {
            let cpc = (C + k - 1) / k
            if cpc == lastCPC { continue }
            lastCPC = cpc
            let groups = (C + cpc - 1) / cpc
            for th in 1...H {
                if cpc * th > neuronLimit { break }
                for tw in 1...W {
                    if cpc * th * tw > neuronLimit { break }
                    let n = needs(cpc, th, tw)
                    guard n.axons <= axonLimit, n.bits <= bitLimit else { continue }
                    let count = groups * ((H + th - 1) / th) * ((W + tw - 1) / tw)
                    if best == nil || count < best!.cores {
                        best = (
                            count,
                            SliceGrid(population: p, dims: dims, channelsPerCore: cpc, rowsPerCore: th, colsPerCore: tw)
                        )
                        ties = [best!.grid]
                    } else if count == best!.cores {
                        ties.append(
                            SliceGrid(population: p, dims: dims, channelsPerCore: cpc, rowsPerCore: th, colsPerCore: tw)
                        )
                    }
                }
            }
        }
        // Among the grids with the fewest cores, the fewest input axons in total (exact, with
        // windows clipped at the image edge): less duplicated traffic.
        if ties.count > 1 {
            func totalAxons(_ g: SliceGrid) -> Int {
                (0..<g.count).reduce(0) { sum, k in sum + incoming.reduce(0) { $0 + $1.axons(g.slice(k)) } }
            }
            var chosen = ties[0]
            var fewest = totalAxons(ties[0])
            for g in ties.dropFirst() {
                let a = totalAxons(g)
                if a < fewest { (chosen, fewest) = (g, a) }
            }
            best = (best!.cores, chosen)
        }
        let name = network.populations[p].name
        var v: [Mapping.Violation] = []
        if axonLimit > core.axons {
            v.append(.init(limit: "input axons", population: p, name: name, needed: axonLimit, available: core.axons))
        }
        if bitLimit > core.synapseMemoryBits {
            v.append(
                .init(
                    limit: "synapse memory bits", population: p, name: name, needed: bitLimit,
                    available: core.synapseMemoryBits))
        }
        return (
            best?.grid ?? SliceGrid(population: p, dims: dims, channelsPerCore: 1, rowsPerCore: 1, colsPerCore: 1), v
        )
    }

    /// For each neuron of p (HWC), how many destination cores it has.
    static func destinationCounts(_ p: Int, grid: SliceGrid, outgoing: [Reach], grids: [SliceGrid?]) -> [Int] {
        var counts = [Int](repeating: 0, count: grid.channels * grid.height * grid.width)
        for r in outgoing {
            let t = grids[r.target]!
            switch r.kind {
            case .dense:
                for i in counts.indices where r.reads(hwc: i) { counts[i] += t.count }
            case .window(_, let all):
                let (rowTiles, colTiles) = r.targetTiles(t, height: grid.height, width: grid.width)!
                for y in 0..<grid.height {
                    for x in 0..<grid.width {
                        let spatial = rowTiles[y].count * colTiles[x].count
                        for c in r.channels {
                            counts[(y * grid.width + x) * grid.channels + c] += spatial * (all ? t.groups : 1)
                        }
                    }
                }
            }
        }
        return counts
    }

    /// CSR destination table of population p (the input included).
    static func destinations(
        _ p: Int, network: SpikingNetwork, outgoing: [Reach], grids: [SliceGrid?], firstCore: [Int]
    ) -> ([Int32], [Int32], [Int32]) {
        let (C, H, W) = CompiledProjection.dims(network.populations[p].shape)
        var offsets = [Int32](repeating: 0, count: C * H * W + 1)
        var cores: [Int32] = []
        var projections: [Int32] = []
        struct Prepared {
            let r: Reach
            let t: SliceGrid
            let rows: [Range<Int>]
            let cols: [Range<Int>]
        }
        let prepared: [Prepared] = outgoing.map { r in
            let t = grids[r.target]!
            let tiles = r.targetTiles(t, height: H, width: W)
            return Prepared(r: r, t: t, rows: tiles?.rows ?? [], cols: tiles?.cols ?? [])
        }
        for y in 0..<H {
            for x in 0..<W {
                for c in 0..<C {
                    let i = (y * W + x) * C + c
                    for pr in prepared where pr.r.reads(hwc: i) {
                        let base = firstCore[pr.r.target]
                        switch pr.r.kind {
                        case .dense:
                            for k in 0..<pr.t.count {
                                cores.append(Int32(base + k))
                                projections.append(Int32(pr.r.projection))
                            }
                        case .window(_, let all):
                            let groups =
                                all ? 0..<pr.t.groups : (c / pr.t.channelsPerCore)..<(c / pr.t.channelsPerCore + 1)
                            for rt in pr.rows[y] {
                                for ct in pr.cols[x] {
                                    for g in groups {
                                        cores.append(Int32(base + pr.t.index(group: g, rowTile: rt, colTile: ct)))
                                        projections.append(Int32(pr.r.projection))
                                    }
                                }
                            }
                        }
                    }
                    offsets[i + 1] = Int32(cores.count)
                }
            }
        }
        return (offsets, cores, projections)
    }
}

/// Placement cost and annealing over physical slots.
struct Placer {
    let mesh: MeshGeometry
    let cores: Int
    let slots: Int
    let chipHopWeight: Double
    /// Per core: (other core, rate) in both directions.
    let neighbours: [[(Int, Double)]]
    let traffic: [(from: Int, to: Int, rate: Double)]

    init(
        mesh: MeshGeometry, traffic: [(from: Int, to: Int, rate: Double)], cores: Int, slots: Int, chipHopWeight: Double
    ) {
        self.mesh = mesh
        self.cores = cores
        self.slots = slots
        self.chipHopWeight = chipHopWeight
        self.traffic = traffic
        var n = [[(Int, Double)]](repeating: [], count: cores)
        for t in traffic where t.from != t.to {
            n[t.from].append((t.to, t.rate))
            n[t.to].append((t.from, t.rate))
        }
        neighbours = n
    }

    @inline(__always) func distance(_ a: Int, _ b: Int) -> Double {
        let h = mesh.hops(a, b)
        return Double(h.total - h.betweenChips) + chipHopWeight * Double(h.betweenChips)
    }

    /// Σ expected packets per tick × (weighted) hops.
    func cost(_ placement: [Int]) -> Double {
        traffic.reduce(0) { $0 + $1.rate * distance(placement[$1.from], placement[$1.to]) }
    }

    func anneal(from start: [Int], moves: Int, seed: UInt64) -> [Int] {
        guard cores > 1, moves > 0, !traffic.isEmpty else { return start }
        var place = start
        var occupant = [Int](repeating: -1, count: slots)
        for (c, s) in place.enumerated() { occupant[s] = c }
        var rng = SplitMix(state: seed ^ 0x5EED_0F_AA11_CE)
        var current = cost(place)
        var best = place
        var bestCost = current
        func local(_ c: Int, at slot: Int, excluding other: Int) -> Double {
            var sum = 0.0
            for (n, r) in neighbours[c] where n != other { sum += r * distance(slot, place[n]) }
            return sum
        }
        let t0 = max(current / Double(max(traffic.count, 1)), 1e-9)
        for step in 0..<moves {
            let temperature = t0 * (1 - Double(step) / Double(moves)) + 1e-12
            let a = Int(rng.next() % UInt64(cores))
            let target = Int(rng.next() % UInt64(slots))
            let from = place[a]
            if target == from { continue }
            let b = occupant[target]
            var delta = local(a, at: target, excluding: b) - local(a, at: from, excluding: b)
            if b >= 0 { delta += local(b, at: from, excluding: a) - local(b, at: target, excluding: a) }
            let u = Double(rng.next() >> 11) * 0x1p-53
            if delta <= 0 || u < exp(-delta / temperature) {
                place[a] = target
                occupant[target] = a
                occupant[from] = b
                if b >= 0 { place[b] = from }
                current += delta
                if current < bestCost - 1e-12 {
                    bestCost = current
                    best = place
                }
            }
        }
        return best
    }
}
