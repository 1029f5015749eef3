import Foundation
import Testing

@testable import SpikeMeshConversion
@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshEnergy
@testable import SpikeMeshFormats
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel
@testable import SpikeMeshReference

/// Fan-in decomposition: relays make every core limit hold, graded relays are exact, and the
/// emulator runs decomposed networks spike for spike like the reference.
@Suite(.serialized) struct FanInDecompositionTests {
    static func truenorth(graded: Int = 0) throws -> HardwareModel {
        var hw = try HardwareModel.load(Fixtures.packageRoot.path + "/HardwareModels/truenorth.json")
        hw.core.gradedSpikeBits = graded
        return hw
    }

    func simulate(_ fixed: FixedPointNetwork, images: Int, timesteps: Int, delivery: DeliveryMode, norm: Normalization)
        throws -> SimulationResult
    {
        let x = try EmulatorTests.test.get().normalizedBatch(0..<images, mean: norm.mean, std: norm.std)
        var r = SimulationOptions()
        r.checkpoints = [timesteps]
        r.encoding = .poisson
        r.delivery = delivery
        r.seed = 3
        r.keepSpikeTrains = true
        return try ReferenceSimulator(network: fixed).run(x, count: images, options: r)
    }

    /// On TrueNorth's 256-axon cores the bundled CNN's last convolution (288 inputs per neuron)
    /// and its dense layer (1,568) do not fit; with relays every core fits.
    @Test(arguments: [0, 24])
    func theBundledCNNFitsTrueNorthCores(graded: Int) throws {
        let (net, _) = try EmulatorTests.cnn.get()
        let hw = try Self.truenorth(graded: graded)
        #expect(
            !(try Mapper.map(net, on: hw)).fits, "without relays the CNN must not fit (the test would prove nothing)")
        let d = try FanInDecomposition.decompose(net, hardware: hw)
        #expect(d.unresolved.isEmpty)
        let relays = d.relays.filter { $0.kind != .splitter }
        let splitters = d.relays.filter { $0.kind == .splitter }
        #expect(!relays.isEmpty && relays.allSatisfy { $0.kind == (graded > 0 ? .graded : .signed) })
        #expect(!splitters.isEmpty, "TrueNorth's neuronFanOut 1 needs splitters")
        let mapping = try Mapper.map(d.network, on: hw)
        #expect(mapping.violations.isEmpty, "\(mapping.violations.map(\.description))")
        #expect(
            mapping.cores.allSatisfy {
                $0.axons <= hw.core.axons && $0.neurons <= hw.core.neurons
                    && $0.synapseBits <= hw.core.synapseMemoryBits
            })
        // Neuron fan-out: every neuron has at most one destination entry, or is a splitter whose
        // copies each have at most one.
        for p in d.network.populations.indices.dropFirst() {
            let o = mapping.destinationOffsets[p]
            for i in 0..<d.network.populations[p].count {
                let entries = Int(o[i + 1] - o[i])
                if d.network.populations[p].relay == .splitter {
                    #expect(entries <= Int(mapping.copies[p][i]) * hw.core.neuronFanOut)
                } else if entries > hw.core.neuronFanOut {
                    Issue.record("population \(p) neuron \(i) has \(entries) destination entries")
                }
            }
        }
        // Every synapse stored exactly once: the relays' weights are the original weights, split.
        func weights(_ n: SpikingNetwork, into q: Int) -> Int {
            n.projections.reduce(0) { sum, p in
                guard p.target == q else { return sum }
                switch p.kind {
                case .dense(let w): return sum + w.count
                case .conv(let c): return sum + c.weights.count
                default: return sum
                }
            }
        }
        for q in net.populations.indices.dropFirst() {
            let relays = d.relays.filter { $0.target == d.newIndex[q] }.map(\.population)
            let split = relays.reduce(0) { $0 + weights(d.network, into: $1) } + weights(d.network, into: d.newIndex[q])
            #expect(split == weights(net, into: q), "population \(q)")
        }
    }

    /// Graded relays forward exact partial sums: with --exact's integers the decomposed
    /// network's populations spike exactly as the undecomposed network's (layer-synchronous:
    /// same ticks; pipelined: the relays add one tick, and the counts and predictions agree).
    @Test(arguments: [DeliveryMode.layerSynchronous, .pipelined])
    func gradedRelaysAreExact(delivery: DeliveryMode) throws {
        let (net, norm) = try EmulatorTests.cnn.get()
        let d = try FanInDecomposition.decompose(net, hardware: try Self.truenorth(graded: 24))
        #expect(d.relays.contains { $0.kind == .splitter } && d.relays.contains { $0.kind == .graded })
        let a = try simulate(try Quantizer.exact(net).0, images: 3, timesteps: 16, delivery: delivery, norm: norm)
        let b = try simulate(try Quantizer.exact(d.network).0, images: 3, timesteps: 16, delivery: delivery, norm: norm)
        #expect(a.predictions == b.predictions)
        for p in net.populations.indices.dropFirst() {
            #expect(a.spikes[p] == b.spikes[d.newIndex[p]], "population \(p)")
            if delivery == .layerSynchronous {
                for image in 0..<3 {
                    #expect(
                        a.spikeTrains[image][p] == b.spikeTrains[image][d.newIndex[p]],
                        "image \(image), population \(p)")
                }
            }
        }
        #expect(a.spikes.reduce(0, +) > 1000)
    }

    /// The emulator runs the decomposed networks spike for spike like the reference, graded and
    /// signed relays, in both deliveries.
    @Test(arguments: [0, 24], [DeliveryMode.layerSynchronous, .pipelined])
    func emulatorMatchesTheReferenceOnRelays(graded: Int, delivery: DeliveryMode) throws {
        let (net, norm) = try EmulatorTests.cnn.get()
        var hw = try Self.truenorth(graded: graded)
        hw.mesh.linkCapacity = 0
        let d = try FanInDecomposition.decompose(net, hardware: hw)
        let (fixed, _) = try Quantizer.exact(d.network)
        let mapping = try Mapper.map(fixed, on: hw)
        #expect(mapping.fits)
        let x = try EmulatorTests.test.get().normalizedBatch(0..<2, mean: norm.mean, std: norm.std)
        var e = EmulationOptions()
        e.checkpoints = [12]
        e.encoding = .poisson
        e.delivery = delivery
        e.seed = 3
        e.keepSpikeTrains = true
        let emulated = try Emulator(network: fixed, mapping: mapping).run(x, count: 2, options: e)
        let reference = try simulate(fixed, images: 2, timesteps: 12, delivery: delivery, norm: norm)
        #expect(emulated.predictions == reference.predictions)
        for image in 0..<2 {
            for p in 1..<fixed.populations.count {
                let same = emulated.spikeTrains[image][p].sorted() == reference.spikeTrains[image][p].sorted()
                #expect(same, "image \(image), population \(p) (\(fixed.populations[p].name))")
            }
        }
        for kind in [Relay.splitter, graded > 0 ? .graded : .signed] {
            let spikes = d.relays.filter { $0.kind == kind }.reduce(0) {
                $0 + emulated.counters.populationSpikes[$1.population]
            }
            #expect(spikes > 100, "the \(kind) relays must carry real traffic (\(spikes) spikes)")
        }
        // A splitter neuron's spike is one spike per hardware copy (layer-synchronous: every
        // tick is counted, so the per-core spikes are the population spikes, copies weighted).
        if delivery == .layerSynchronous {
            var expected = 0
            for p in 1..<fixed.populations.count {
                let copies = mapping.copies[p]
                let hwc = RunSupport.hwcIndex(fixed.populations[p].shape)
                for image in 0..<2 {
                    for spike in emulated.spikeTrains[image][p] {
                        expected += copies.isEmpty ? 1 : Int(copies[hwc[spike % fixed.populations[p].count]])
                    }
                }
            }
            #expect(emulated.counters.coreSpikes.reduce(0, +) == expected)
            #expect(emulated.counters.spikes == expected)
        }
        #expect(emulated.counters.saturations == 0)
    }
}

/// One layer split over two graded relays, every counter worked out by hand.
///
/// input x = 1 (direct) ─[3, 5, 3, 5]→ A = 4 neurons, Θ = 10 ─[1, 2, 1, 2]→ output (1 neuron)
///
/// On cores of 2 axons the output's 4 inputs do not fit: relay R0 integrates A0 and A1, R1
/// integrates A2 and A3, and each forwards its sum to the output with weight 1. A0 and A2 get
/// 3 per tick and fire at t4 and t7; A1 and A3 get 5 and fire at t2, t4, t6, t8. So each relay
/// sends a payload at t2 (2), t4 (1 + 2 = 3), t6 (2), t7 (1) and t8 (2): 10 relay packets, 12
/// packets from A; the output accumulates 2 × (2 + 3 + 2 + 1 + 2) = 20 over 8 ticks, exactly
/// what it would get without relays.
@Suite struct HandWorkedRelayTests {
    func float() -> SpikingNetwork {
        func pop(_ name: String, _ count: Int, _ theta: Float, _ layer: Int) -> Population {
            Population(
                name: name, shape: [count], threshold: theta, reset: .subtract, initialPotential: 0, bias: nil,
                layer: layer, qcfsLambda: nil)
        }
        return SpikingNetwork(
            populations: [pop("input", 1, 1, 0), pop("A", 4, 10, 1), pop("out", 1, 1, 2)],
            projections: [
                Projection(source: 0, target: 1, kind: .dense(weights: [3, 5, 3, 5])),
                Projection(source: 1, target: 2, kind: .dense(weights: [1, 2, 1, 2])),
            ], output: 2, metadata: [:])
    }

    /// The decomposed float network's values, as integers (they already are).
    func fixed(_ n: SpikingNetwork) throws -> FixedPointNetwork {
        try FixedPointNetwork(
            populations: n.populations.map {
                FixedPointPopulation(
                    name: $0.name, shape: $0.shape, threshold: Int64($0.threshold), reset: $0.reset,
                    initialPotential: 0,
                    bias: nil, layer: $0.layer, qcfsLambda: nil, relay: $0.relay)
            },
            projections: try n.projections.enumerated().map { try FixedPointProjection(integers: $1, index: $0) },
            output: n.output, metadata: [:],
            format: FixedPointInfo(
                hardware: "hand", weightBits: 8, potentialBits: 16, scales: n.populations.map { _ in 1 }))
    }

    @Test func twoGradedRelays() throws {
        var hw = try Fixtures.hardware(
            "generic-small", ["core.neurons=2", "core.axons=2", "core.gradedSpikeBits=8"])
        hw.mesh.linkCapacity = 0
        let d = try FanInDecomposition.decompose(float(), core: hw.core)
        #expect(d.relays.map(\.sourceRange) == [0..<2, 2..<4])
        #expect(
            d.relays.allSatisfy {
                $0.kind == .graded && $0.limit == "input axons" && $0.needed == 4 && $0.available == 2
            })
        #expect(d.network.populations.map(\.name) == ["input", "A", "out/relay0", "out/relay1", "out"])
        #expect(d.newIndex == [0, 1, 4])
        let network = try fixed(d.network)
        var options = Mapper.Options()
        options.movesPerCore = 0
        let mapping = try Mapper.map(network, on: hw, options: options)
        #expect(mapping.fits && mapping.cores.count == 5)  // A on 2 cores, one per relay, one for the output
        var e = EmulationOptions()
        e.checkpoints = [8]
        e.workers = 1
        let emulator = try Emulator(network: network, mapping: mapping)
        var chip = try Chip(emulator: emulator, options: e)
        chip.reset(image: 0, pixels: [1])
        let out: [Int64] = [0, 4, 4, 10, 10, 14, 16, 20]
        let relayPackets = [0, 2, 0, 2, 0, 2, 2, 2]
        let aPackets = [0, 2, 0, 4, 0, 2, 2, 2]
        for t in 1...8 {
            let cost = try chip.step(t)
            #expect(chip.membranes(of: 4) == [out[t - 1]], "tick \(t)")
            #expect(
                chip.membranes(of: 2) == [0] && chip.membranes(of: 3) == [0], "a graded relay resets to 0 every tick")
            #expect(cost.packets == relayPackets[t - 1] + aPackets[t - 1] && cost.spikes == cost.packets, "tick \(t)")
            #expect(
                cost.synapticOps == cost.packets, "tick \(t): one synapse per packet (A → its relay, relay → output)")
        }
        // The whole run through the emulator: packets, hops and energy.
        let r = try emulator.run([1], count: 1, options: e)
        let c = r.counters
        #expect(c.packets == 22 && c.delivered == 22 && c.synapticOps == 22 && c.saturations == 0)
        #expect(c.populationSpikes == [0, 12, 5, 5, 0])
        func hops(_ a: Int, _ b: Int) -> Int { mapping.mesh.hops(mapping.placement[a], mapping.placement[b]).total }
        let core = { (p: Int, i: Int) in mapping.coreOf(population: p, neuron: i) }
        let spikesOfA = [2, 4, 2, 4]
        let expectedHops =
            (0..<4).reduce(0) { $0 + spikesOfA[$1] * hops(core(1, $1), core(2 + $1 / 2, 0)) }
            + 5 * (hops(core(2, 0), core(4, 0)) + hops(core(3, 0), core(4, 0)))
        #expect(c.hopsWithinChip == expectedHops && expectedHops > 0)
        let energy = EnergyEstimate(counters: c, hardware: hw, chips: mapping.chipsUsed)
        let pj = Dictionary(uniqueKeysWithValues: energy.parts.map { ($0.name, $0.microjoules * 1e6) })
        #expect(abs((pj["synaptic"] ?? .nan) - 22 * hw.energy.synapticOpPJ) < 1e-6)
        #expect(abs((pj["spikeOut"] ?? .nan) - 22 * hw.energy.spikeOutPJ) < 1e-6)
        #expect(abs((pj["routingWithinChip"] ?? .nan) - Double(expectedHops) * hw.energy.hopPJ) < 1e-6)
        #expect(c.ticks == 8)
        // Without relays the output gets the same 20 (its membrane is read out).
        let whole = try fixed(float())
        var raw = try Chip(
            emulator: try Emulator(network: whole, mapping: try Mapper.map(whole, on: hw, options: options)), options: e
        )
        raw.reset(image: 0, pixels: [1])
        for t in 1...8 { try raw.step(t) }
        #expect(raw.membranes(of: 2) == [20])
    }
}

/// One neuron whose spikes must reach two cores on a chip that lets a neuron address one
/// (`core.neuronFanOut` 1), every counter worked out by hand.
///
/// input x = 1 (direct) ─[5]→ A (1 neuron, Θ = 10) ─[1, 2, 3, 4]→ out (4 neurons)
///
/// On cores of 2 neurons the output takes 2 cores, so A's neuron has 2 destination entries:
/// a splitter S (one neuron, 2 hardware copies on one core) copies A. A gets 5 per tick and
/// fires at t2, t4, t6, t8; S fires with it (layer-synchronous). Per A spike: 1 packet A → S
/// (one synaptic op per copy, 2), and one packet from each copy to its output core (2 packets,
/// 2 synapses each). Over 8 ticks: 4 + 8 = 12 packets, 8 + 16 = 24 synaptic ops, 4 + 8 = 12
/// hardware spikes (4 of A, 2 × 4 of S's copies), 8 splitter updates; the output gets
/// [4, 8, 12, 16], as without the splitter.
@Suite struct HandWorkedSplitterTests {
    func float() -> SpikingNetwork {
        func pop(_ name: String, _ count: Int, _ theta: Float, _ layer: Int) -> Population {
            Population(
                name: name, shape: [count], threshold: theta, reset: .subtract, initialPotential: 0, bias: nil,
                layer: layer, qcfsLambda: nil)
        }
        return SpikingNetwork(
            populations: [pop("input", 1, 1, 0), pop("A", 1, 10, 1), pop("out", 4, 1, 2)],
            projections: [
                Projection(source: 0, target: 1, kind: .dense(weights: [5])),
                Projection(source: 1, target: 2, kind: .dense(weights: [1, 2, 3, 4])),
            ], output: 2, metadata: [:])
    }

    @Test func oneSplitterWithTwoCopies() throws {
        var hw = try Fixtures.hardware("generic-small", ["core.neurons=2", "core.neuronFanOut=1"])
        hw.mesh.linkCapacity = 0
        #expect(!(try Mapper.map(float(), on: hw)).fits, "without the splitter A's neuron needs 2 entries")
        let d = try FanInDecomposition.decompose(float(), hardware: hw)
        #expect(d.relays.count == 1 && d.relays[0].kind == .splitter && d.relays[0].limit == "neuron fan-out")
        #expect(d.relays[0].needed == 2 && d.relays[0].available == 1 && d.relays[0].target == 1)
        #expect(d.network.populations.map(\.name) == ["input", "A", "A/split", "out"])
        #expect(d.newIndex == [0, 1, 3])
        // As integers: spikes carry their weight unscaled, so S fires on one A spike with Θ = 1
        // and identity weight 1 (the quantizer gives Θ = weight = 2^(bits−1) − 1 instead).
        var split = d.network
        split.populations[2].threshold = 1
        let network = try HandWorkedRelayTests().fixed(split)
        var options = Mapper.Options()
        options.movesPerCore = 0
        let mapping = try Mapper.map(network, on: hw, options: options)
        #expect(mapping.fits, "\(mapping.violations.map(\.description))")
        #expect(mapping.copies[2] == [2] && mapping.copies[1].isEmpty && mapping.copies[3].isEmpty)
        #expect(mapping.cores.map(\.neurons) == [1, 2, 2, 2], "A, S as 2 copies, out on 2 cores")
        let o = mapping.destinationOffsets
        #expect(o[1] == [0, 1] && o[2] == [0, 2], "A reaches S's core; S's copies reach the 2 output cores")
        var e = EmulationOptions()
        e.checkpoints = [8]
        e.workers = 1
        let emulator = try Emulator(network: network, mapping: mapping)
        let r = try emulator.run([1], count: 1, options: e)
        let c = r.counters
        #expect(c.populationSpikes == [0, 4, 4, 0])
        #expect(c.packets == 12 && c.delivered == 12 && c.synapticOps == 24 && c.spikes == 12)
        #expect(c.populationSynapticOps[2] == 8 && c.populationSynapticOps[3] == 16)
        #expect(c.populationNeuronUpdates[2] == 8)
        #expect(c.coreSpikes == [4, 8, 0, 0])
        func hops(_ a: Int, _ b: Int) -> Int { mapping.mesh.hops(mapping.placement[a], mapping.placement[b]).total }
        let expectedHops = 4 * (hops(0, 1) + hops(1, 2) + hops(1, 3))
        #expect(c.hopsWithinChip == expectedHops && expectedHops > 0)
        let energy = EnergyEstimate(counters: c, hardware: hw, chips: mapping.chipsUsed)
        let pj = Dictionary(uniqueKeysWithValues: energy.parts.map { ($0.name, $0.microjoules * 1e6) })
        #expect(abs((pj["synaptic"] ?? .nan) - 24 * hw.energy.synapticOpPJ) < 1e-6)
        #expect(abs((pj["spikeOut"] ?? .nan) - 12 * hw.energy.spikeOutPJ) < 1e-6)
        #expect(abs((pj["routingWithinChip"] ?? .nan) - Double(expectedHops) * hw.energy.hopPJ) < 1e-6)
        var chip = try Chip(emulator: emulator, options: e)
        chip.reset(image: 0, pixels: [1])
        for t in 1...8 { try chip.step(t) }
        #expect(chip.membranes(of: 3) == [4, 8, 12, 16])
    }
}

/// Relays and a splitter on one neuron, every counter worked out by hand.
///
/// input x = 1 (direct) ─[3, 5, 3, 5]→ A (4, Θ = 10) ─[1, 2, 1, 2]→ B (1, Θ = 4) ─[1, 2, 3, 4]→ out (4)
///
/// Cores of 2 neurons and 2 axons, graded spikes, a neuron fan-out of 1. B's 4 inputs do not
/// fit 2 axons: graded relays R0 (A0, A1) and R1 (A2, A3) forward their sums. The output takes
/// 2 cores, so B's neuron has 2 destination entries: a splitter S (2 hardware copies on one
/// core) copies it. A0 and A2 fire at t4, t7; A1 and A3 at t2, t4, t6, t8 (12 spikes, 12
/// packets, one synapse each). Each relay sends 2, 3, 2, 1, 2 at t2, t4, t6, t7, t8 (10 packets,
/// 10 synaptic ops), so B gets 4, 6, 4, 2, 4 and with Θ = 4 fires at t2, t4, t6, t7, t8 (5
/// spikes, V = 0, 2, 2, 0, 0 after). Each B spike is 1 packet to S (1 synapse × 2 copies); each S
/// spike is a spike of both copies, each copy 1 packet to its output core (2 synapses): 10
/// packets, 20 synaptic ops. In all 37 packets, 52 synaptic ops, 37 hardware spikes (12 + 10 +
/// 5 + 10), 8 ticks; the output ends at 5 × [1, 2, 3, 4], as without relays and splitter.
@Suite struct HandWorkedRelaysAndSplitterTests {
    func float() -> SpikingNetwork {
        func pop(_ name: String, _ count: Int, _ theta: Float, _ layer: Int) -> Population {
            Population(
                name: name, shape: [count], threshold: theta, reset: .subtract, initialPotential: 0, bias: nil,
                layer: layer, qcfsLambda: nil)
        }
        return SpikingNetwork(
            populations: [pop("input", 1, 1, 0), pop("A", 4, 10, 1), pop("B", 1, 4, 2), pop("out", 4, 1, 3)],
            projections: [
                Projection(source: 0, target: 1, kind: .dense(weights: [3, 5, 3, 5])),
                Projection(source: 1, target: 2, kind: .dense(weights: [1, 2, 1, 2])),
                Projection(source: 2, target: 3, kind: .dense(weights: [1, 2, 3, 4])),
            ], output: 3, metadata: [:])
    }

    @Test func twoGradedRelaysAndOneSplitter() throws {
        var hw = try Fixtures.hardware(
            "generic-small", ["core.neurons=2", "core.axons=2", "core.gradedSpikeBits=8", "core.neuronFanOut=1"])
        hw.mesh.linkCapacity = 0
        let d = try FanInDecomposition.decompose(float(), hardware: hw)
        #expect(d.network.populations.map(\.name) == ["input", "A", "B/relay0", "B/relay1", "B", "B/split", "out"])
        #expect(d.relays.map(\.kind) == [.graded, .graded, .splitter] && d.newIndex == [0, 1, 4, 6])
        // As integers (HandWorkedSplitterTests): S fires on one B spike with Θ = 1.
        var split = d.network
        split.populations[5].threshold = 1
        let network = try HandWorkedRelayTests().fixed(split)
        var options = Mapper.Options()
        options.movesPerCore = 0
        let mapping = try Mapper.map(network, on: hw, options: options)
        #expect(mapping.fits, "\(mapping.violations.map(\.description))")
        #expect(
            mapping.cores.map(\.neurons) == [2, 2, 1, 1, 1, 2, 2, 2],
            "A on 2 cores, R0, R1, B, S as 2 copies, out on 2 cores")
        var e = EmulationOptions()
        e.checkpoints = [8]
        e.workers = 1
        let emulator = try Emulator(network: network, mapping: mapping)
        var chip = try Chip(emulator: emulator, options: e)
        chip.reset(image: 0, pixels: [1])
        let b: [Int64] = [0, 0, 0, 2, 2, 2, 0, 0]
        let packets = [0, 2 + 2 + 1 + 2, 0, 4 + 2 + 1 + 2, 0, 2 + 2 + 1 + 2, 2 + 2 + 1 + 2, 2 + 2 + 1 + 2]
        for t in 1...8 {
            let cost = try chip.step(t)
            #expect(chip.membranes(of: 4) == [b[t - 1]], "tick \(t)")
            #expect(cost.packets == packets[t - 1], "tick \(t)")
        }
        #expect(chip.membranes(of: 6) == [5, 10, 15, 20])
        let c = try emulator.run([1], count: 1, options: e).counters
        #expect(c.populationSpikes == [0, 12, 5, 5, 5, 5, 0])
        #expect(
            c.packets == 37 && c.delivered == 37 && c.synapticOps == 52 && c.spikes == 37 && c.ticks == 8
                && c.saturations == 0)
        #expect(c.populationSynapticOps == [0, 0, 6, 6, 10, 10, 20])
        func hops(_ a: Int, _ b: Int) -> Int { mapping.mesh.hops(mapping.placement[a], mapping.placement[b]).total }
        let core = { (p: Int, i: Int) in mapping.coreOf(population: p, neuron: i) }
        let spikesOfA = [2, 4, 2, 4]
        let expectedHops =
            (0..<4).reduce(0) { $0 + spikesOfA[$1] * hops(core(1, $1), core(2 + $1 / 2, 0)) }
            + 5 * (hops(core(2, 0), core(4, 0)) + hops(core(3, 0), core(4, 0)))
            + 5 * (hops(core(4, 0), core(5, 0)) + hops(core(5, 0), core(6, 0)) + hops(core(5, 0), core(6, 3)))
        #expect(c.hopsWithinChip == expectedHops && expectedHops > 0)
        let energy = EnergyEstimate(counters: c, hardware: hw, chips: mapping.chipsUsed)
        let pj = Dictionary(uniqueKeysWithValues: energy.parts.map { ($0.name, $0.microjoules * 1e6) })
        #expect(abs((pj["synaptic"] ?? .nan) - 52 * hw.energy.synapticOpPJ) < 1e-6)
        #expect(abs((pj["spikeOut"] ?? .nan) - 37 * hw.energy.spikeOutPJ) < 1e-6)
        #expect(abs((pj["routingWithinChip"] ?? .nan) - Double(expectedHops) * hw.energy.hopPJ) < 1e-6)
        #expect(abs((pj["barrier"] ?? .nan) - 8 * hw.energy.barrierPJ) < 1e-6)
    }
}
