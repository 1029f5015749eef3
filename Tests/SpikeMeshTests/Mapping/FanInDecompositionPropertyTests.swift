import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel
@testable import SpikeMeshReference

/// Relays, relay trees and splitters on seeded random networks (a third of them a wide MLP
/// that needs a relay tree; every combination of neuron fan-out and relay kind among those) and tiny chips (20–31 axons,
/// 4–31 neurons per core, a neuron fan-out of 1 or none, graded or binary spikes): every core
/// limit holds, every weight is stored once, decomposition and mapping are deterministic, graded
/// relays are exact against the undecomposed network, and the emulator runs every decomposed
/// network spike for spike like the reference (so every (neuron, destination) is reached).
@Suite struct FanInDecompositionPropertyTests {
    static func randomCase(_ seed: Int) -> (SpikingNetwork, HardwareModel, [Float]) {
        var rng = SplitMix(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 7)
        func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        /// Weights in [−0.5, 1): mostly excitatory, so every layer spikes within 10 ticks.
        func uniform() -> Float { Float(rng.next() % 1500) / 1000 - 0.5 }
        var net = MapperPropertyTests.randomNetwork(&rng)
        if (seed / 4) % 3 == 0 {
            // A wide dense layer (512–800 inputs per neuron): more relays than a core has axons,
            // so a relay tree.
            func pop(_ name: String, _ shape: [Int], _ layer: Int) -> Population {
                Population(
                    name: name, shape: shape, threshold: 1, reset: .subtract, initialPotential: 0, bias: nil,
                    layer: layer, qcfsLambda: nil)
            }
            let input = pop("input", [2, 16 + r(5), 16 + r(5)], 0)
            let hidden = 2 + r(6)
            let out = 2 + r(4)
            net = SpikingNetwork(
                populations: [input, pop("hid", [hidden], 1), pop("out", [out], 2)],
                projections: [
                    Projection(
                        source: 0, target: 1, kind: .dense(weights: [Float](repeating: 0, count: input.count * hidden))),
                    Projection(source: 1, target: 2, kind: .dense(weights: [Float](repeating: 0, count: hidden * out))),
                ], output: 2, metadata: [:])
        }
        for j in net.projections.indices {
            switch net.projections[j].kind {
            case .dense(let w): net.projections[j].kind = .dense(weights: w.map { _ in uniform() * 0.2 })
            case .conv(var c):
                c.weights = c.weights.map { _ in uniform() }
                net.projections[j].kind = .conv(c)
            default: break
            }
        }
        var hw = HardwareModel(name: "tiny")
        hw.mesh.columns = 8
        hw.mesh.rows = 8
        hw.mesh.chipColumns = 4
        hw.mesh.chipRows = 4
        hw.core.axons = 20 + r(12)
        hw.core.neurons = 4 + r(28)
        hw.core.weightBits = 8
        hw.core.synapseMemoryBits = 8 * hw.core.axons * (2 + r(3))
        hw.core.fanOut = 1 << 12
        hw.core.sharedKernels = r(2) == 0
        hw.core.neuronFanOut = seed % 2 == 0 ? 1 : 0
        hw.core.gradedSpikeBits = (seed / 2) % 2 == 0 ? 24 : 0
        let x = (0..<net.populations[0].count).map { _ in Float(r(1000)) / 1000 }
        return (net, hw, x)
    }

    static func weights(_ n: SpikingNetwork, into q: Int) -> Int {
        n.projections.reduce(0) { sum, p in
            guard p.target == q else { return sum }
            switch p.kind {
            case .dense(let w): return sum + w.count
            case .conv(let c): return sum + c.weights.count
            default: return sum
            }
        }
    }

    static func reference(_ fixed: FixedPointNetwork, _ x: [Float]) throws -> SimulationResult {
        var o = SimulationOptions()
        o.checkpoints = [10]
        o.keepSpikeTrains = true
        return try ReferenceSimulator(network: fixed).run(x, count: 1, options: o)
    }

    @Test(arguments: 0..<40)
    func tinyChips(seed: Int) throws {
        let (net, hw, x) = Self.randomCase(seed)
        let d = try FanInDecomposition.decompose(net, hardware: hw)
        #expect(d.unresolved.isEmpty, "seed \(seed): \(d.unresolved.map(\.reason))")
        let mapping = try Mapper.map(d.network, on: hw)
        #expect(mapping.violations.isEmpty, "seed \(seed): \(mapping.violations.map(\.description))")
        #expect(
            mapping.cores.allSatisfy {
                $0.axons <= hw.core.axons && $0.neurons <= hw.core.neurons
                    && $0.synapseBits <= hw.core.synapseMemoryBits
            })
        // Deterministic: the same network and chip give the same relays and the same mapping.
        let again = try FanInDecomposition.decompose(net, hardware: hw)
        #expect(again.relays == d.relays && again.newIndex == d.newIndex)
        #expect(try Mapper.map(again.network, on: hw).placement == mapping.placement)
        // Neuron fan-out: at most the limit per neuron, or per hardware copy of a splitter.
        if hw.core.neuronFanOut > 0 {
            for p in d.network.populations.indices.dropFirst() {
                let o = mapping.destinationOffsets[p]
                for i in 0..<d.network.populations[p].count {
                    let entries = Int(o[i + 1] - o[i])
                    let allowed =
                        d.network.populations[p].relay == .splitter
                        ? Int(mapping.copies[p][i]) * hw.core.neuronFanOut : hw.core.neuronFanOut
                    #expect(entries <= allowed, "seed \(seed): population \(p) neuron \(i)")
                }
            }
        }
        // Every weight stored once: split among the relays of a population (tree levels above
        // them hold identity projections only).
        for q in net.populations.indices.dropFirst() {
            let relays = d.relays.filter { $0.target == d.newIndex[q] && $0.kind != .splitter }.map(\.population)
            let split =
                relays.reduce(0) { $0 + Self.weights(d.network, into: $1) }
                + Self.weights(d.network, into: d.newIndex[q])
            #expect(split == Self.weights(net, into: q), "seed \(seed): population \(q)")
        }
        // Graded relays (and splitters) are exact: the original populations spike as without them.
        let (fixed, _) = try Quantizer.exact(d.network)
        let decomposed = try Self.reference(fixed, x)
        #expect(decomposed.spikes.dropFirst().reduce(0, +) > 0, "seed \(seed): nothing spiked; the case checks nothing")
        if hw.core.gradedSpikeBits > 0 {
            let plain = try Self.reference(try Quantizer.exact(net).0, x)
            for p in net.populations.indices.dropFirst() {
                #expect(
                    plain.spikeTrains[0][p] == decomposed.spikeTrains[0][d.newIndex[p]], "seed \(seed): population \(p)"
                )
            }
            #expect(plain.predictions == decomposed.predictions)
        }
        // The emulator on the chip = the reference, population by population.
        var e = EmulationOptions()
        e.checkpoints = [10]
        e.keepSpikeTrains = true
        let emulated = try Emulator(network: fixed, mapping: mapping).run(x, count: 1, options: e)
        for p in 1..<fixed.populations.count {
            #expect(
                emulated.spikeTrains[0][p].sorted() == decomposed.spikeTrains[0][p].sorted(),
                "seed \(seed): population \(p) (\(fixed.populations[p].name))")
        }
        #expect(emulated.predictions == decomposed.predictions && emulated.counters.saturations == 0)
    }

    /// A relay tree by hand: a hidden dense layer of fan-in 100 (3 neurons, then an output of 2)
    /// on cores of 8 axons. Dense groups fill a core: ⌈100 / 8⌉ = 13 relays of 8 (the last 4) —
    /// still 13 axons per hidden neuron, so a second level sums them, at most 8 / 2 = 4 children
    /// each: ⌈13 / 4⌉ = 4 relays of 4, 4, 4 and 1, and the hidden layer reads those 4. Graded,
    /// the hidden spikes are exactly those without relays; every core fits; the emulator
    /// matches the reference in both deliveries (pipelined: the tree's two levels are two ticks
    /// that the axon delays equalise).
    @Test func aTwoLevelRelayTree() throws {
        var rng = SplitMix(state: 11)
        let input = Population(
            name: "input", shape: [100], threshold: 1, reset: .subtract, initialPotential: 0, bias: nil, layer: 0,
            qcfsLambda: nil)
        let hidden = Population(
            name: "hid", shape: [3], threshold: 1, reset: .subtract, initialPotential: 0, bias: nil, layer: 1,
            qcfsLambda: nil)
        let out = Population(
            name: "out", shape: [2], threshold: 1, reset: .subtract, initialPotential: 0, bias: nil, layer: 2,
            qcfsLambda: nil)
        let w = (0..<300).map { _ in Float(Int(rng.next() % 201) - 60) / 400 }
        let net = SpikingNetwork(
            populations: [input, hidden, out],
            projections: [
                Projection(source: 0, target: 1, kind: .dense(weights: w)),
                Projection(source: 1, target: 2, kind: .dense(weights: [0.5, -0.25, 0.75, 0.25, 0.5, -0.5])),
            ], output: 2, metadata: [:])
        var hw = HardwareModel(name: "tiny")
        hw.core.axons = 8
        hw.core.neurons = 8
        hw.core.synapseMemoryBits = 1 << 16
        hw.core.weightBits = 8
        hw.core.gradedSpikeBits = 24
        hw.mesh.columns = 8
        hw.mesh.rows = 8
        let d = try FanInDecomposition.decompose(net, hardware: hw)
        #expect(d.relays.filter { $0.level == 1 }.map(\.sourceRange.count) == [Int](repeating: 8, count: 12) + [4])
        let upper = d.relays.filter { $0.level == 2 }
        #expect(upper.map(\.name) == (0..<4).map { "hid/relayL2.\($0)" })
        #expect(upper.map(\.sourceRange) == [0..<32, 32..<64, 64..<96, 96..<100])
        let into = { (q: Int) in d.network.projections.filter { $0.target == q }.map(\.source) }
        #expect(into(d.newIndex[1]) == upper.map(\.population))
        #expect(into(upper[3].population) == [d.relays[12].population])
        let mapping = try Mapper.map(d.network, on: hw)
        #expect(mapping.violations.isEmpty && mapping.cores.allSatisfy { $0.axons <= 8 })
        let x = (0..<100).map { _ in Float(rng.next() % 1000) / 1000 }
        let (fixed, _) = try Quantizer.exact(d.network)
        let plain = try Self.reference(try Quantizer.exact(net).0, x)
        let tree = try Self.reference(fixed, x)
        #expect(plain.spikeTrains[0][1] == tree.spikeTrains[0][d.newIndex[1]])
        #expect(plain.predictions == tree.predictions)
        var e = EmulationOptions()
        e.checkpoints = [10]
        e.keepSpikeTrains = true
        for delivery in [DeliveryMode.layerSynchronous, .pipelined] {
            e.delivery = delivery
            var o = SimulationOptions()
            o.checkpoints = [10]
            o.keepSpikeTrains = true
            o.delivery = delivery
            let reference = try ReferenceSimulator(network: fixed).run(x, count: 1, options: o)
            let emulated = try Emulator(network: fixed, mapping: mapping).run(x, count: 1, options: e)
            #expect(emulated.predictions == reference.predictions)
            #expect(
                emulated.spikeTrains[0][d.newIndex[1]].sorted() == reference.spikeTrains[0][d.newIndex[1]].sorted(),
                "\(delivery)")
        }
        #expect(tree.spikes[d.newIndex[1]] > 0, "the output must spike for the test to check anything")
    }
}
