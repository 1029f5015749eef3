import Foundation
import Testing
@testable import SpikeMeshCore
@testable import SpikeMeshModel
@testable import SpikeMeshFormats
@testable import SpikeMeshReference
@testable import SpikeMeshConversion
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshEmulation

/// Fan-in decomposition: relays make every core limit hold, graded relays are exact, and the
/// emulator runs decomposed networks spike for spike like the reference.
@Suite(.serialized) struct FanInDecompositionTests {
    static func truenorth(graded: Int = 0) throws -> HardwareModel {
        var hw = try HardwareModel.load(Fixtures.packageRoot.path + "/HardwareModels/truenorth.json")
        hw.core.gradedSpikeBits = graded
        return hw
    }

    func simulate(_ fixed: FixedPointNetwork, images: Int, timesteps: Int, delivery: DeliveryMode, norm: Normalization) throws -> SimulationResult {
        let x = try EmulatorTests.test.get().normalizedBatch(0..<images, mean: norm.mean, std: norm.std)
        var r = SimulationOptions()
        r.checkpoints = [timesteps]; r.encoding = .poisson; r.delivery = delivery; r.seed = 3; r.keepSpikeTrains = true
        return try ReferenceSimulator(network: fixed).run(x, count: images, options: r)
    }

    /// On TrueNorth's 256-axon cores the bundled CNN's last convolution (288 inputs per neuron)
    /// and its dense layer (1,568) do not fit; with relays every core fits.
    @Test(arguments: [0, 24])
    func theBundledCNNFitsTrueNorthCores(graded: Int) throws {
        let (net, _) = try EmulatorTests.cnn.get()
        let hw = try Self.truenorth(graded: graded)
        #expect(!(try Mapper.map(net, on: hw)).fits, "without relays the CNN must not fit (the test would prove nothing)")
        let d = try FanInDecomposition.decompose(net, core: hw.core)
        #expect(d.unresolved.isEmpty)
        #expect(!d.relays.isEmpty && d.relays.allSatisfy { $0.kind == (graded > 0 ? .graded : .signed) })
        let mapping = try Mapper.map(d.network, on: hw)
        #expect(mapping.violations.isEmpty, "\(mapping.violations.map(\.description))")
        #expect(mapping.cores.allSatisfy { $0.axons <= hw.core.axons && $0.neurons <= hw.core.neurons && $0.synapseBits <= hw.core.synapseMemoryBits })
        // Every synapse stored exactly once: the relays' weights are the original weights, split.
        func weights(_ n: SpikingNetwork, into q: Int) -> Int {
            n.projections.reduce(0) { sum, p in
                guard p.target == q else { return sum }
                switch p.kind { case .dense(let w): return sum + w.count; case .conv(let c): return sum + c.weights.count; default: return sum }
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
        let d = try FanInDecomposition.decompose(net, core: try Self.truenorth(graded: 24).core)
        let a = try simulate(try Quantizer.exact(net).0, images: 3, timesteps: 16, delivery: delivery, norm: norm)
        let b = try simulate(try Quantizer.exact(d.network).0, images: 3, timesteps: 16, delivery: delivery, norm: norm)
        #expect(a.predictions == b.predictions)
        for p in net.populations.indices.dropFirst() {
            #expect(a.spikes[p] == b.spikes[d.newIndex[p]], "population \(p)")
            if delivery == .layerSynchronous {
                for image in 0..<3 { #expect(a.spikeTrains[image][p] == b.spikeTrains[image][d.newIndex[p]], "image \(image), population \(p)") }
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
        let d = try FanInDecomposition.decompose(net, core: hw.core)
        let (fixed, _) = try Quantizer.exact(d.network)
        let mapping = try Mapper.map(fixed, on: hw)
        #expect(mapping.fits)
        let x = try EmulatorTests.test.get().normalizedBatch(0..<2, mean: norm.mean, std: norm.std)
        var e = EmulationOptions()
        e.checkpoints = [12]; e.encoding = .poisson; e.delivery = delivery; e.seed = 3; e.keepSpikeTrains = true
        let emulated = try Emulator(network: fixed, mapping: mapping).run(x, count: 2, options: e)
        let reference = try simulate(fixed, images: 2, timesteps: 12, delivery: delivery, norm: norm)
        #expect(emulated.predictions == reference.predictions)
        for image in 0..<2 {
            for p in 1..<fixed.populations.count {
                let same = emulated.spikeTrains[image][p].sorted() == reference.spikeTrains[image][p].sorted()
                #expect(same, "image \(image), population \(p) (\(fixed.populations[p].name))")
            }
        }
        let relaySpikes = d.relays.reduce(0) { $0 + emulated.counters.populationSpikes[$1.population] }
        #expect(relaySpikes > 100, "the relays must carry real traffic (\(relaySpikes) spikes)")
        #expect(emulated.counters.saturations == 0)
    }
}
