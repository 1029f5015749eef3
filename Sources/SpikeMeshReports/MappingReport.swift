import Foundation
import SpikeMeshCore
import SpikeMeshMapping
import SpikeMeshModel

/// The core-mapping report: per layer, per chip, links, the tightest limit, placement cost.
public struct MappingReport: Sendable {
    public struct Layer: Sendable {
        public var population: Int
        public var name: String
        public var neurons: Int
        public var cores: Int
        /// Largest number of synapses into one neuron.
        public var fanIn: Int
        public var synapses: Int
        public var slice: String
        /// Highest use of each core limit over the layer's cores, as fractions.
        public var neuronUse: Double, axonUse: Double, synapseUse: Double, fanOutUse: Double
        public var expectedRate: Double
    }

    public struct Link: Sendable {
        public var link: Int
        public var from: (x: Int, y: Int)
        public var direction: String
        public var load: Double
        public var betweenChips: Bool
    }

    public let mapping: Mapping
    public let network: SpikingNetwork
    public let layers: [Layer]
    /// Cores used on each chip.
    public let chipCores: [Int]
    /// Expected packets per tick on every link with traffic, busiest first.
    public let links: [Link]
    /// The most used limit over all cores: its name, layer, and use.
    public let tightest: (limit: String, layer: String, use: Double)
    /// Expected packets per tick (hidden layers) and packet-hops per tick.
    public let packetsPerTick: Double
    public let hopsPerTick: Double
    /// Relays inserted by fan-in decomposition, one entry per layer they serve.
    public let relayGroups: [RelayGroup]

    /// The relays of one layer: what forced them and what they cost the mapping.
    public struct RelayGroup: Sendable {
        public var layer: String
        public var kind: String
        public var limit: String
        /// One neuron's need before decomposition, and the core's limit.
        public var needed: Int, available: Int
        public var relays: Int
        /// Relay neurons (a signed relay neuron is two hardware neurons) and their cores.
        public var neurons: Int, hardwareNeurons: Int, cores: Int
        /// Expected packets per tick out of the relays (at the rates the mapping used).
        public var packetsPerTick: Double
        /// Extra ticks the relays add to the layer's input in pipelined delivery (0 layer-synchronous).
        public var pipelinedTicks: Int
    }

    public init(mapping: Mapping, network: SpikingNetwork, relays: [FanInDecomposition.Relay] = []) {
        self.mapping = mapping
        self.network = network
        var groups: [RelayGroup] = []
        for r in relays {
            let first = mapping.firstCore[r.population]
            let count = mapping.grids[r.population]!.count
            let cores = first..<(first + count)
            let packets = mapping.traffic.reduce(0.0) { cores.contains($1.from) ? $0 + $1.rate : $0 }
            let hardwareNeurons = mapping.cores[cores].reduce(0) { $0 + $1.neurons }
            if let k = groups.firstIndex(where: { $0.layer == r.targetName && $0.kind == r.kind.rawValue }) {
                groups[k].relays += 1
                groups[k].neurons += r.neurons
                groups[k].hardwareNeurons += hardwareNeurons
                groups[k].cores += count
                groups[k].packetsPerTick += packets
            } else {
                groups.append(
                    RelayGroup(
                        layer: r.targetName, kind: r.kind.rawValue, limit: r.limit, needed: r.needed,
                        available: r.available,
                        relays: 1, neurons: r.neurons, hardwareNeurons: hardwareNeurons, cores: count,
                        packetsPerTick: packets, pipelinedTicks: 1))
            }
        }
        relayGroups = groups
        let hw = mapping.hardware.core
        var layers: [Layer] = []
        var tightest = (limit: "neurons", layer: "", use: -1.0)
        for p in network.populations.indices.dropFirst() {
            let first = mapping.firstCore[p]
            let grid = mapping.grids[p]!
            let cores = mapping.cores[first..<(first + grid.count)]
            func use(_ f: (Mapping.Core) -> Double, _ name: String) -> Double {
                let u = cores.map(f).max() ?? 0
                if u > tightest.use { tightest = (name, network.populations[p].name, u) }
                return u
            }
            let fanIn = network.projections.indices.filter { network.projections[$0].target == p }
                .reduce(0) { $0 + Reach($1, network: network).fanIn }
            layers.append(
                Layer(
                    population: p, name: network.populations[p].name, neurons: network.populations[p].count,
                    cores: grid.count,
                    fanIn: fanIn, synapses: cores.reduce(0) { $0 + $1.synapses },
                    slice: grid.height * grid.width > 1
                        ? "\(grid.channelsPerCore)ch × \(grid.rowsPerCore)×\(grid.colsPerCore)"
                        : "\(grid.channelsPerCore)",
                    neuronUse: use({ Double($0.neurons) / Double(hw.neurons) }, "neurons"),
                    axonUse: use({ Double($0.axons) / Double(hw.axons) }, "input axons"),
                    synapseUse: use({ Double($0.synapseBits) / Double(hw.synapseMemoryBits) }, "synapse memory"),
                    fanOutUse: use({ Double($0.fanOutEntries) / Double(hw.fanOut) }, "fan-out entries"),
                    expectedRate: mapping.rates[p]))
        }
        self.layers = layers
        self.tightest = tightest
        var chipCores = [Int](repeating: 0, count: mapping.chipsUsed)
        for g in mapping.placement { chipCores[mapping.mesh.chip(g)] += 1 }
        self.chipCores = chipCores
        var load: [Int: (Double, Bool)] = [:]
        var packets = 0.0
        var hops = 0.0
        for t in mapping.traffic {
            packets += t.rate
            mapping.mesh.route(mapping.placement[t.from], mapping.placement[t.to]) { link, between in
                load[link, default: (0, between)].0 += t.rate
                hops += t.rate
            }
        }
        packetsPerTick = packets
        hopsPerTick = hops
        links = load.map { key, value in
            let d = mapping.mesh.describe(link: key)
            return Link(link: key, from: (d.x, d.y), direction: d.direction, load: value.0, betweenChips: value.1)
        }.sorted { $0.load > $1.load || ($0.load == $1.load && $0.link < $1.link) }
    }

    public var totalCores: Int { mapping.cores.count }

    public func text(busiest: Int = 5) -> String {
        let hw = mapping.hardware
        var out =
            "hardware: \(hw.name) (\(hw.source)): \(hw.mesh.coresPerChip) cores per chip (\(hw.mesh.columns)×\(hw.mesh.rows) routers × \(hw.mesh.coresPerRouter)), "
        out +=
            "core: \(hw.core.neurons) neurons, \(hw.core.axons) axons, \(hw.core.synapseMemoryBits / 8192) KiB synapses, \(hw.core.fanOut) fan-out entries, \(hw.core.weightBits)-bit weights\n"
        out += "mapping: \(totalCores) cores on \(mapping.chipsUsed) chip(s)"
        if mapping.chipsUsed > hw.mesh.chips {
            out += " — more than the board's \(hw.mesh.chips); spilled to \(mapping.chipsUsed)"
        }
        out += "\n\n"
        // The name column fits the longest name (relay and splitter names are long).
        let nameWidth = max(34, (layers.map(\.name.count).max() ?? 0) + 1)
        out += "  " + "layer".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        out += "  neurons  cores  slice            fan-in   synapses  neur%  axon%   syn%  fout%  rate\n"
        for l in layers {
            out += "  " + l.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            out +=
                String(format: "%9d %6d  ", l.neurons, l.cores)
                + l.slice.padding(toLength: 14, withPad: " ", startingAt: 0)
            out += String(
                format: "%8d %10d %6.1f %6.1f %6.1f %6.1f  %.3f\n", l.fanIn, l.synapses, 100 * l.neuronUse,
                100 * l.axonUse,
                100 * l.synapseUse, 100 * l.fanOutUse, l.expectedRate)
        }
        out +=
            "\nchips: "
            + chipCores.enumerated().map {
                "chip \($0.offset): \($0.element) used, \(hw.mesh.coresPerChip - $0.element) idle"
            }.joined(separator: "; ") + "\n"
        out += String(
            format: "tightest limit: %@ in \"%@\" at %.1f %% (headroom %.1f %%)\n", tightest.limit, tightest.layer,
            100 * tightest.use, 100 * (1 - tightest.use))
        if !relayGroups.isEmpty {
            let cores = relayGroups.reduce(0) { $0 + $1.cores }
            let splitters = relayGroups.filter { $0.kind == Relay.splitter.rawValue }.reduce(0) { $0 + $1.relays }
            let relays = relayGroups.reduce(0) { $0 + $1.relays } - splitters
            out +=
                "relays and splitters (Docs/Mapping.md): \(relays) relay and \(splitters) splitter populations on \(cores) of the \(totalCores) cores\n"
            for g in relayGroups {
                if g.kind == Relay.splitter.rawValue {
                    out +=
                        "  \(Text.quoted(g.layer)): neuron fan-out \(g.needed) entries per neuron > \(g.available) → splitter, "
                    out += "\(g.neurons) neurons as \(g.hardwareNeurons) hardware copies, \(g.cores) cores, "
                } else {
                    out +=
                        "  \(Text.quoted(g.layer)): \(g.limit) \(g.needed) per neuron > \(g.available) → \(g.relays) \(g.kind) relays, "
                    out += "\(g.neurons) neurons (\(g.hardwareNeurons) on hardware), \(g.cores) cores, "
                }
                out += String(format: "%.1f packets/tick, +%d tick pipelined\n", g.packetsPerTick, g.pipelinedTicks)
            }
        }
        if !mapping.violations.isEmpty {
            out += "DOES NOT FIT — over-committed cores (run/energy emulate them as if the limit were larger):\n"
            for v in mapping.violations { out += "  \(v.description)\n" }
        }
        out += String(
            format: "expected traffic: %.1f packets/tick, %.1f packet-hops/tick (rates from %@)\n", packetsPerTick,
            hopsPerTick,
            network.metadata["rates"] ?? "assumed")
        out += String(
            format:
                "placement cost (packets × hops per tick): traffic-aware %.1f vs snake baseline %.1f (%.1f %% lower)\n",
            mapping.placementCost, mapping.baselineCost,
            mapping.baselineCost > 0 ? 100 * (1 - mapping.placementCost / mapping.baselineCost) : 0)
        if !links.isEmpty {
            out += "busiest links (expected packets/tick):\n"
            for l in links.prefix(busiest) {
                out += String(
                    format: "  router (%d,%d) → %@%@: %.2f\n", l.from.x, l.from.y, l.direction,
                    l.betweenChips ? " (chip to chip)" : "", l.load)
            }
        }
        return out
    }

    public func json() -> JSON {
        let hw = mapping.hardware
        return .object([
            ("hardware", .string(hw.name)),
            ("fits", .bool(mapping.fits)),
            ("structureOnly", network.metadata["structureOnly"].map { .string($0) } ?? .null),
            ("ratesFrom", .string(network.metadata["rates"] ?? "assumed")),
            ("cores", .int(totalCores)),
            ("chips", .int(mapping.chipsUsed)),
            ("coresPerChip", .int(hw.mesh.coresPerChip)),
            (
                "layers",
                .array(
                    layers.map { l in
                        .object([
                            ("name", .string(l.name)), ("neurons", .int(l.neurons)), ("cores", .int(l.cores)),
                            ("slice", .string(l.slice)),
                            ("fanIn", .int(l.fanIn)), ("synapses", .int(l.synapses)),
                            (
                                "utilisation",
                                .object([
                                    ("neurons", .number(l.neuronUse)), ("axons", .number(l.axonUse)),
                                    ("synapseMemory", .number(l.synapseUse)), ("fanOut", .number(l.fanOutUse)),
                                ])
                            ),
                            ("expectedRate", .number(l.expectedRate)),
                        ])
                    })
            ),
            ("chipCores", .array(chipCores.map { .int($0) })),
            (
                "tightest",
                .object([
                    ("limit", .string(tightest.limit)), ("layer", .string(tightest.layer)),
                    ("utilisation", .number(tightest.use)), ("headroom", .number(1 - tightest.use)),
                ])
            ),
            (
                "relays",
                .array(
                    relayGroups.map { g in
                        .object([
                            ("layer", .string(g.layer)), ("kind", .string(g.kind)), ("limit", .string(g.limit)),
                            ("needed", .int(g.needed)),
                            ("available", .int(g.available)), ("relays", .int(g.relays)), ("neurons", .int(g.neurons)),
                            ("hardwareNeurons", .int(g.hardwareNeurons)), ("cores", .int(g.cores)),
                            ("expectedPacketsPerTick", .number(g.packetsPerTick)),
                            ("pipelinedTicks", .int(g.pipelinedTicks)),
                        ])
                    })
            ),
            (
                "violations",
                .array(
                    mapping.violations.map {
                        .object([
                            ("limit", .string($0.limit)), ("layer", .string($0.name)), ("needed", .int($0.needed)),
                            ("available", .int($0.available)),
                        ])
                    })
            ),
            ("expectedPacketsPerTick", .number(packetsPerTick)),
            ("expectedHopsPerTick", .number(hopsPerTick)),
            ("placementCost", .number(mapping.placementCost)),
            ("baselineCost", .number(mapping.baselineCost)),
            (
                "busiestLinks",
                .array(
                    links.prefix(10).map {
                        .object([
                            ("x", .int($0.from.x)), ("y", .int($0.from.y)), ("direction", .string($0.direction)),
                            ("betweenChips", .bool($0.betweenChips)), ("packetsPerTick", .number($0.load)),
                        ])
                    })
            ),
        ])
    }
}
