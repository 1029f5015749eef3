import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshEnergy
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel

/// Conservation laws of convert → quantize → map → emulate on seeded random networks and chips
/// (the networks and chips of MapperPropertyTests, with random weights, thresholds and link
/// capacities): nothing is lost or counted twice, whatever the chip.
@Suite struct ConservationPropertyTests {
    /// Random weights in ±0.6, thresholds in 0.3…1.3 and small biases, so layers spike.
    static func randomized(_ network: SpikingNetwork, _ rng: inout SplitMix) -> SpikingNetwork {
        var net = network
        func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * Float(rng.next() >> 40) / Float(1 << 24) }
        for j in net.projections.indices {
            switch net.projections[j].kind {
            case .dense(let w): net.projections[j].kind = .dense(weights: w.map { _ in uniform(-0.6, 0.6) })
            case .conv(var c):
                c.weights = c.weights.map { _ in uniform(-0.6, 0.6) }
                net.projections[j].kind = .conv(c)
            default: break
            }
        }
        for p in net.populations.indices.dropFirst() {
            net.populations[p].threshold = uniform(0.3, 1.3)
            net.populations[p].bias = (0..<net.populations[p].channels).map { _ in uniform(-0.05, 0.1) }
        }
        return net
    }

    /// Synapses each source neuron (CHW index) has in projection j, counted by brute force over
    /// the targets, independently of the emulator's delivery plan.
    static func fanOut(_ net: SpikingNetwork, _ j: Int) -> [Int] {
        let proj = net.projections[j]
        let src = net.populations[proj.source]
        let dst = net.populations[proj.target]
        var out = [Int](repeating: 0, count: src.count)
        func window(_ channelsIn: Int, _ kh: Int, _ kw: Int, _ sh: Int, _ sw: Int, _ pad: Padding, perChannel: Bool) {
            let (_, h, w) = CompiledProjection.dims(src.shape)
            let (tc, th, tw) = CompiledProjection.dims(dst.shape)
            for o in 0..<tc {
                for y in 0..<th {
                    for x in 0..<tw {
                        for ci in (perChannel ? o..<(o + 1) : 0..<channelsIn) {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = y * sh - pad.top + ky
                                    let ix = x * sw - pad.left + kx
                                    if iy >= 0, iy < h, ix >= 0, ix < w { out[(ci * h + iy) * w + ix] += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        switch proj.kind {
        case .dense: out = out.map { _ in dst.count }
        case .conv(let c):
            window(
                c.inChannels, c.kernelHeight, c.kernelWidth, c.strideHeight, c.strideWidth, c.padding, perChannel: false
            )
        case .avgPool(let p):
            window(1, p.kernelHeight, p.kernelWidth, p.strideHeight, p.strideWidth, p.padding, perChannel: true)
        case .identity: out = out.map { _ in 1 }
        }
        return out
    }

    @Test(arguments: 0..<10)
    func countersBalanceOnRandomNetworksAndChips(seed: Int) throws {
        var rng = SplitMix(state: UInt64(seed) &* 0xD1B5_4A32_D192_ED03 &+ 7)
        let net = Self.randomized(MapperPropertyTests.randomNetwork(&rng), &rng)
        var hw = MapperPropertyTests.randomHardware(&rng)
        hw.mesh.linkCapacity = seed % 3 == 0 ? 0 : 1 + Int(rng.next() % 4)
        hw.energy.synapticOpPJ = 1.5
        hw.energy.spikeOutPJ = 2.5
        hw.energy.hopPJ = 3.5
        hw.energy.hopBetweenChipsPJ = 11
        let (fixed, _) = try Quantizer.quantize(net, weightBits: 8, potentialBits: 16, name: "random")
        let mapping = try Mapper.map(fixed, on: hw)
        let images = 3
        let inputSize = net.populations[0].count
        let x = (0..<(images * inputSize)).map { _ in Float(rng.next() % 1000) / 1000 }
        var options = EmulationOptions()
        options.checkpoints = [4 + Int(rng.next() % 8)]
        options.encoding = .poisson
        options.seed = UInt64(seed)
        options.keepSpikeTrains = true
        let r: EmulationResult
        do {
            r = try Emulator(network: fixed, mapping: mapping).run(x, count: images, options: options)
        } catch let e as SpikeMeshError {
            // A link that stays full is an error that says so; a packet is never dropped.
            #expect(e.message.contains("stayed full"), "seed \(seed): \(e.message)")
            return
        }
        let c = r.counters
        // Every packet sent is delivered or still pending; per-core sums are the totals.
        #expect(c.packets + c.inputPackets == c.delivered + c.pendingAtEnd, "seed \(seed)")
        #expect(c.corePacketsOut.reduce(0, +) == c.packets, "seed \(seed)")
        #expect(
            c.coreSynapticOps.reduce(0, +) == c.synapticOps && c.populationSynapticOps.reduce(0, +) == c.synapticOps,
            "seed \(seed)")
        #expect(c.linkPackets.reduce(0, +) == c.hopsWithinChip + c.hopsBetweenChips, "seed \(seed)")
        if hw.mesh.linkCapacity > 0 { #expect(c.linkPeak.allSatisfy { $0 <= hw.mesh.linkCapacity }, "seed \(seed)") }
        // Spikes: the cores' counts are the trains' lengths.
        var fired = [Int](repeating: 0, count: net.populations.count)
        var sops = 0
        for image in 0..<images {
            let trains = r.spikeTrains[image]
            for p in net.populations.indices { fired[p] += trains[p].count }
            for j in net.projections.indices {
                let source = net.projections[j].source
                let fan = Self.fanOut(net, j)
                let n = net.populations[source].count
                for event in trains[source] { sops += fan[event % n] }
            }
        }
        #expect(c.coreSpikes.reduce(0, +) == fired.dropFirst().reduce(0, +), "seed \(seed)")
        #expect(c.synapticOps > 0, "seed \(seed): nothing spiked; the case checks nothing")
        // SOPs = Σ over delivered spikes of their synapses. Layer-synchronous delivery on free
        // links leaves nothing pending at the end; on full links, packets still queued when the
        // run ends have not been delivered, so their synapses are missing from the count.
        if hw.mesh.linkCapacity == 0 { #expect(c.pendingAtEnd == 0, "seed \(seed)") }
        if c.pendingAtEnd == 0 {
            #expect(c.synapticOps == sops, "seed \(seed): emulator \(c.synapticOps) SOPs, spikes × fan-out \(sops)")
        } else {
            #expect(
                c.synapticOps < sops, "seed \(seed): \(c.pendingAtEnd) packets pending, yet all \(sops) SOPs counted")
        }
        // Energy: each part is its counter times its price, and the total is their sum.
        let energy = EnergyEstimate(counters: c, hardware: hw, chips: mapping.chipsUsed)
        func part(_ name: String) -> Double { energy.parts.first { $0.name == name }?.microjoules ?? .nan }
        let n = Double(images)
        func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(abs(a), abs(b)) }
        #expect(same(part("synaptic"), Double(c.synapticOps) / n * 1.5e-6))
        #expect(same(part("spikeOut"), Double(c.packets) / n * 2.5e-6))
        #expect(same(part("routingWithinChip"), Double(c.hopsWithinChip) / n * 3.5e-6))
        #expect(same(part("routingBetweenChips"), Double(c.hopsBetweenChips) / n * 11e-6))
        #expect(
            abs(energy.totalMicrojoules - energy.parts.map(\.microjoules).reduce(0, +)) <= 1e-12
                * energy.totalMicrojoules)
        // Synaptic ops by class sum to the total; north–south hops are a part of the within-chip
        // hops. Priced by class, per spike and by direction, each part is again counter × price.
        #expect(c.synapticOpsByClass.reduce(0, +) == c.synapticOps, "seed \(seed)")
        #expect(c.hopsNorthSouth >= 0 && c.hopsNorthSouth <= c.hopsWithinChip, "seed \(seed)")
        var priced = hw
        priced.energy.synapticOpConvPJ = 2
        priced.energy.synapticOpDensePJ = 3
        priced.energy.synapticOpSparsePJ = 5
        priced.energy.spikePJ = 7
        priced.energy.hopNorthSouthPJ = 13
        let byKind = EnergyEstimate(counters: c, hardware: priced, chips: mapping.chipsUsed)
        func kindPart(_ name: String) -> Double { byKind.parts.first { $0.name == name }?.microjoules ?? .nan }
        let ops = c.synapticOpsByClass.map(Double.init)
        #expect(same(kindPart("synaptic"), (ops[0] * 2 + ops[1] * 3 + ops[2] * 5) / n * 1e-6))
        #expect(same(kindPart("spikeOut"), (Double(c.packets) * 2.5 + Double(c.spikes) * 7) / n * 1e-6))
        #expect(
            same(
                kindPart("routingWithinChip"),
                (Double(c.hopsWithinChip - c.hopsNorthSouth) * 3.5 + Double(c.hopsNorthSouth) * 13) / n * 1e-6))
    }
}
