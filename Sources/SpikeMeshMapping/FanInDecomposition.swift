import SpikeMeshCore
import SpikeMeshHardware
import SpikeMeshModel

/// Fan-in decomposition (Docs/Mapping.md, "Relays"): where one neuron
/// alone needs more input axons or synapse memory than a core has, its inputs are split into
/// groups of source channels and each group is integrated by a relay population that forwards
/// its partial sum to the neuron through an identity projection of weight 1.
///
/// It changes the network, not the limits: a `SpikingNetwork` in, a `SpikingNetwork` out, so
/// the reference simulator, the quantizer, the mapper and the emulator all run the same
/// decomposed network. Convolutions stay convolutions (a relay's projection is the same
/// window over a block of source channels, `Projection.sourceRange`); nothing is unrolled.
///
/// Group sizes: a dense projection's relay neurons all share one set of axons, so a group may
/// fill a core (`axons`, `synapseMemoryBits`); a convolution's neighbouring neurons need
/// overlapping but larger windows, so a group uses at most half of a core, leaving room for a
/// slice of several neurons. The relay kind comes from the hardware model: graded where spikes
/// carry a payload (`core.gradedSpikeBits` > 0), signed spiking relays otherwise.
///
/// Relay trees: where the relays and the direct inputs still need more axons than a core has,
/// the relays are grouped again, each group summed by a relay of the next level (identity
/// projections, one axon per child, at most half a core's axons per neuron), level after
/// level until the target fits. Each level is one more relay between the inputs and the
/// neuron: graded sums stay exact; in pipelined delivery it is one more tick, equalised by the
/// depth-based axon delays like any other path.
public enum FanInDecomposition {
    /// One inserted relay population.
    public struct Relay: Sendable, Equatable {
        /// The relay's population index in the decomposed network.
        public var population: Int
        public var name: String
        /// The population whose inputs it integrates (its name, and its index in the decomposed
        /// network); for a splitter, the population whose spikes it copies.
        public var target: Int
        public var targetName: String
        /// The limit that forced it: "input axons", "synapse memory bits" or "neuron fan-out".
        public var limit: String
        /// What one target neuron needed before, and the core's limit.
        public var needed: Int
        public var available: Int
        public var kind: SpikeMeshModel.Relay
        /// The source channels this relay reads (for a relay of a tree's upper level, the span
        /// of those its children read).
        public var sourceRange: Range<Int>
        public var neurons: Int
        /// 1 for a relay that reads the inputs; 2, 3, … for the levels of a relay tree above it.
        public var level = 1
    }

    /// A population whose fan-in could not be decomposed (left for the mapper to report).
    public struct Unresolved: Sendable, Equatable {
        public var population: Int
        public var name: String
        public var reason: String
    }

    public struct Result: Sendable {
        public var network: SpikingNetwork
        public var relays: [Relay]
        public var unresolved: [Unresolved]
        /// For each population of the input network, its index in the decomposed network.
        public var newIndex: [Int]
    }

    /// The relay kind a hardware model's spikes allow.
    public static func relayKind(for core: HardwareModel.Core) -> SpikeMeshModel.Relay {
        core.gradedSpikeBits > 0 ? .graded : .signed
    }

    /// Fan-in decomposition for `hardware`'s core, then fan-out splitting (`FanOutSplitting`)
    /// of the decomposed network: `relays` lists the relays and then the splitters.
    public static func decompose(_ network: SpikingNetwork, hardware: HardwareModel) throws -> Result {
        var result = try decompose(network, core: hardware.core)
        let split = try FanOutSplitting.split(result.network, hardware: hardware)
        guard !split.splitters.isEmpty else { return result }
        for k in result.relays.indices {
            result.relays[k].population = split.newIndex[result.relays[k].population]
            result.relays[k].target = split.newIndex[result.relays[k].target]
        }
        for k in result.unresolved.indices {
            result.unresolved[k].population = split.newIndex[result.unresolved[k].population]
        }
        result.relays += split.splitters
        result.newIndex = result.newIndex.map { split.newIndex[$0] }
        result.network = split.network
        return result
    }

    public static func decompose(_ network: SpikingNetwork, core: HardwareModel.Core) throws -> Result {
        try network.validate()
        let kind = relayKind(for: core)
        let bits = core.weightBits + core.synapseOverheadBits
        let reaches = network.projections.indices.map { Reach($0, network: network) }
        // Per original population: the relays to insert before it (source channel ranges per
        // projection), and the projections that stay direct.
        struct Plan {
            var groups: [(projection: Int, channels: Range<Int>)] = []
            /// Relay-tree levels above the groups: level k's node n sums the nodes `tree[k][n]`
            /// of the level below (level 0 = the groups).
            var tree: [[[Int]]] = []
            var limit = ""
            var needed = 0
            var available = 0
        }
        var plans = [Plan?](repeating: nil, count: network.populations.count)
        var unresolved: [Unresolved] = []
        for q in network.populations.indices.dropFirst() {
            let incoming = reaches.filter { $0.target == q }
            let need = Mapper.singleNeuronNeeds(incoming, core: core)
            guard need.axons > core.axons || need.bits > core.synapseMemoryBits else { continue }
            var plan = Plan()
            (plan.limit, plan.needed, plan.available) =
                need.axons > core.axons
                ? ("input axons", need.axons, core.axons) : ("synapse memory bits", need.bits, core.synapseMemoryBits)
            var direct = 0  // axons of the projections that stay direct, and of the relays
            var failed: String?
            for r in incoming {
                let proj = network.projections[r.projection]
                let splittable: Bool
                switch proj.kind {
                case .dense, .conv: splittable = network.populations[proj.source].relay == nil
                default: splittable = false
                }
                let single = r.bounds(cpc: 1, th: 1, tw: 1, shared: core.sharedKernels && Mapper.isConvLike(r))
                guard splittable, r.channels.count > 1 else {
                    direct += single.axons
                    continue
                }
                // Units: a convolution's source channels, a dense projection's source neurons.
                let dense: Bool
                if case .dense = proj.kind { dense = true } else { dense = false }
                let perUnitAxons = max(1, single.axons / r.channels.count)
                let perUnitBits = max(1, single.synapses * bits / r.channels.count)
                let share = dense ? 1 : 2
                let perGroup = min(core.axons / share / perUnitAxons, core.synapseMemoryBits / share / perUnitBits)
                guard perGroup >= 1 else {
                    failed =
                        "one source \(dense ? "neuron" : "channel") of projection \(r.projection) needs \(perUnitAxons) axons and \(perUnitBits) synapse bits per neuron"
                    break
                }
                let count = (r.channels.count + perGroup - 1) / perGroup
                let size = (r.channels.count + count - 1) / count
                var lo = r.channels.lowerBound
                while lo < r.channels.upperBound {
                    let hi = min(lo + size, r.channels.upperBound)
                    plan.groups.append((r.projection, lo..<hi))
                    lo = hi
                }
                direct += count
            }
            // Relay trees: group the top level's relays until the target fits. A tree relay reads
            // one axon and stores one synapse per child; half a core per neuron leaves room for
            // a slice of two.
            let fan = min(core.axons, core.synapseMemoryBits / max(1, bits)) / 2
            var top = plan.groups.count
            while failed == nil, direct > core.axons {
                guard fan >= 2, top > 1, direct - top < core.axons else {
                    failed =
                        "its \(plan.groups.count) relays and direct inputs need \(direct) axons per neuron, and a relay tree cannot bring them within \(core.axons)"
                    break
                }
                // As few nodes as `fan` children each allow, the children spread evenly.
                let nodes = (top + fan - 1) / fan
                let per = (top + nodes - 1) / nodes
                plan.tree.append(stride(from: 0, to: top, by: per).map { Array($0..<min($0 + per, top)) })
                direct -= top - plan.tree.last!.count
                top = plan.tree.last!.count
            }
            if let failed {
                unresolved.append(Unresolved(population: q, name: network.populations[q].name, reason: failed))
                continue
            }
            plans[q] = plan
        }
        guard plans.contains(where: { $0 != nil }) else {
            return Result(
                network: network, relays: [], unresolved: unresolved, newIndex: Array(network.populations.indices))
        }
        // The decomposed network: each population's relays just before it.
        var populations: [Population] = []
        var newIndex = [Int](repeating: 0, count: network.populations.count)
        var relayIndex: [[Int]] = Array(repeating: [], count: network.populations.count)
        var relays: [Relay] = []
        // Relay-tree identity projections (child, parent), and per target with a tree the relays
        // of its top level (without a tree, each group's relay feeds the target itself).
        var treeEdges: [(Int, Int)] = []
        var treeTop = [[Int]](repeating: [], count: network.populations.count)
        for q in network.populations.indices {
            let pop = network.populations[q]
            if let plan = plans[q] {
                var spans: [Range<Int>] = []
                func addRelay(_ name: String, _ span: Range<Int>, level: Int) -> Int {
                    relays.append(
                        Relay(
                            population: populations.count, name: name, target: -1, targetName: pop.name,
                            limit: plan.limit,
                            needed: plan.needed, available: plan.available, kind: kind, sourceRange: span,
                            neurons: pop.count, level: level))
                    populations.append(
                        Population(
                            name: name, shape: pop.shape, threshold: pop.threshold, reset: .subtract,
                            initialPotential: 0, bias: nil, layer: pop.layer, qcfsLambda: nil, relay: kind))
                    return populations.count - 1
                }
                for (k, g) in plan.groups.enumerated() {
                    relayIndex[q].append(addRelay("\(pop.name)/relay\(k)", g.channels, level: 1))
                    spans.append(g.channels)
                }
                // Tree levels, each after the level it sums (topological order).
                var below = relayIndex[q]
                for (level, nodes) in plan.tree.enumerated() {
                    var next: [Int] = []
                    var nextSpans: [Range<Int>] = []
                    for (n, children) in nodes.enumerated() {
                        let span =
                            children.map { spans[$0].lowerBound }.min()!..<children.map { spans[$0].upperBound }.max()!
                        let index = addRelay("\(pop.name)/relayL\(level + 2).\(n)", span, level: level + 2)
                        for c in children { treeEdges.append((below[c], index)) }
                        next.append(index)
                        nextSpans.append(span)
                    }
                    below = next
                    spans = nextSpans
                }
                if !plan.tree.isEmpty { treeTop[q] = below }
            }
            newIndex[q] = populations.count
            for i in relays.indices where relays[i].target < 0 { relays[i].target = newIndex[q] }
            populations.append(pop)
        }
        var projections: [Projection] = []
        for (j, proj) in network.projections.enumerated() {
            let q = proj.target
            guard let plan = plans[q], plan.groups.contains(where: { $0.projection == j }) else {
                projections.append(
                    Projection(
                        source: newIndex[proj.source], target: newIndex[q], kind: proj.kind,
                        positionWeights: proj.positionWeights, sourceRange: proj.sourceRange))
                continue
            }
            for (k, g) in plan.groups.enumerated() where g.projection == j {
                let relay = relayIndex[q][k]
                projections.append(
                    Projection(
                        source: newIndex[proj.source], target: relay,
                        kind: restricted(proj, to: g.channels, network: network),
                        sourceRange: g.channels))
                if plan.tree.isEmpty {
                    projections.append(Projection(source: relay, target: newIndex[q], kind: .identity))
                }
            }
        }
        for (child, parent) in treeEdges {
            projections.append(Projection(source: child, target: parent, kind: .identity))
        }
        for q in network.populations.indices {
            for relay in treeTop[q] {
                projections.append(Projection(source: relay, target: newIndex[q], kind: .identity))
            }
        }
        var metadata = network.metadata
        if !relays.isEmpty { metadata["fanInRelays"] = "\(relays.count) \(kind.rawValue)" }
        let result = SpikingNetwork(
            populations: populations, projections: projections, output: newIndex[network.output], metadata: metadata)
        try result.validate()
        return Result(network: result, relays: relays, unresolved: unresolved, newIndex: newIndex)
    }

    /// Projection `proj`'s weights for the part `channels` of its source only (conv: source
    /// channels; dense: source neurons in CHW order), within the part it already reads.
    static func restricted(_ proj: Projection, to channels: Range<Int>, network: SpikingNetwork) -> Projection.Kind {
        let read = network.readRange(of: proj)
        let lo = channels.lowerBound - read.lowerBound
        let n = channels.count
        switch proj.kind {
        case .conv(var c):
            let taps = c.kernelHeight * c.kernelWidth
            var w: [Float] = []
            w.reserveCapacity(c.outChannels * n * taps)
            for o in 0..<c.outChannels {
                let base = (o * c.inChannels + lo) * taps
                w += c.weights[base..<(base + n * taps)]
            }
            c.inChannels = n
            c.weights = w
            c.bias = nil
            return .conv(c)
        case .dense(let weights):
            let out = weights.count / read.count
            var w: [Float] = []
            w.reserveCapacity(out * n)
            for o in 0..<out {
                let base = o * read.count + lo
                w += weights[base..<(base + n)]
            }
            return .dense(weights: w)
        default:
            return proj.kind
        }
    }
}
