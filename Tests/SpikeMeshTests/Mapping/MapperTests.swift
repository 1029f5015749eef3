import Foundation
import Testing

@testable import SpikeMeshConversion
@testable import SpikeMeshFormats
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel
@testable import SpikeMeshReports

@Suite struct MapperTests {
    static let tiny = Result { () throws -> SpikingNetwork in
        try Converter.structure(of: try ONNXImporter.load(path: Fixtures.path("onnx/tiny_cnn_legacy.onnx")))
    }
    static let cnn = Result { () throws -> SpikingNetwork in
        try Converter.structure(of: try ONNXImporter.load(path: Fixtures.example("fmnist_cnn.onnx")))
    }

    /// Source neurons (HWC) of target neuron `n` (HWC) of `target`, from the projection definitions.
    func sources(_ net: SpikingNetwork, target: Int, neuron n: Int) -> [(population: Int, neuron: Int)] {
        var out: [(Int, Int)] = []
        let (tc, _, tw) = CompiledProjection.dims(net.populations[target].shape)
        let o = n % tc
        let ox = (n / tc) % tw
        let oy = (n / tc) / tw
        for proj in net.projections where proj.target == target {
            let (C, H, W) = CompiledProjection.dims(net.populations[proj.source].shape)
            func window(_ kh: Int, _ kw: Int, _ sh: Int, _ sw: Int, _ top: Int, _ left: Int, all: Bool) {
                for u in 0..<kh {
                    for v in 0..<kw {
                        let y = oy * sh - top + u
                        let x = ox * sw - left + v
                        guard y >= 0, y < H, x >= 0, x < W else { continue }
                        for c in (all ? 0..<C : o..<(o + 1)) { out.append((proj.source, (y * W + x) * C + c)) }
                    }
                }
            }
            switch proj.kind {
            case .dense: for i in 0..<(C * H * W) { out.append((proj.source, i)) }
            case .identity: out.append((proj.source, n))
            case .conv(let c):
                window(
                    c.kernelHeight, c.kernelWidth, c.strideHeight, c.strideWidth, c.padding.top, c.padding.left,
                    all: true)
            case .avgPool(let p):
                window(
                    p.kernelHeight, p.kernelWidth, p.strideHeight, p.strideWidth, p.padding.top, p.padding.left,
                    all: false)
            }
        }
        return out
    }

    /// Small cores force tiling; every quantity the mapper reports is recomputed here by brute force.
    @Test func slicesAxonsAndDestinationsMatchBruteForce() throws {
        let net = try Self.tiny.get()
        let hw = try Fixtures.hardware("generic-small", ["core.neurons=24", "core.axons=200", "core.fanOut=4096"])
        let m = try Mapper.map(net, on: hw)
        #expect(m.fits)
        var owner = [[Int]](repeating: [], count: net.populations.count)
        for p in net.populations.indices.dropFirst() {
            owner[p] = [Int](repeating: -1, count: net.populations[p].count)
        }
        var expectedDestinations = Set<[Int]>()
        for (k, core) in m.cores.enumerated() {
            let p = core.population
            let (C, _, W) = CompiledProjection.dims(net.populations[p].shape)
            var axons = Set<[Int]>()
            for y in core.slice.rows {
                for x in core.slice.cols {
                    for c in core.slice.channels {
                        let n = (y * W + x) * C + c
                        #expect(owner[p][n] == -1, "neuron \(n) of population \(p) is on two cores")
                        owner[p][n] = k
                        for s in sources(net, target: p, neuron: n) {
                            axons.insert([s.population, s.neuron])
                            expectedDestinations.insert([s.population, s.neuron, k])
                        }
                    }
                }
            }
            #expect(core.axons == axons.count, "core \(k): \(core.axons) axons reported, \(axons.count) counted")
            #expect(core.neurons <= hw.core.neurons && core.axons <= hw.core.axons)
            #expect(core.synapseBits <= hw.core.synapseMemoryBits && core.fanOutEntries <= hw.core.fanOut)
        }
        for p in owner.indices.dropFirst() { #expect(!owner[p].contains(-1), "population \(p) has unmapped neurons") }
        #expect(m.cores.count > net.populations.count, "small cores must split layers")
        var reported = Set<[Int]>()
        for p in net.populations.indices {
            let o = m.destinationOffsets[p]
            for i in 0..<net.populations[p].count {
                for k in Int(o[i])..<Int(o[i + 1]) { reported.insert([p, i, Int(m.destinationCore[p][k])]) }
            }
        }
        #expect(reported == expectedDestinations)
        #expect(Set(m.placement).count == m.cores.count)
    }

    @Test(arguments: ["loihi", "truenorth", "generic-small"])
    func theBundledCNNMapsEverywhere(hardware name: String) throws {
        let net = try Self.cnn.get()
        let hw = try Fixtures.hardware(name)
        var options = Mapper.Options()
        options.movesPerCore = 200
        let m = try Mapper.map(net, on: hw, options: options)
        // The reported costs are those of the reported placements, recomputed here by walking
        // every XY route link by link, and annealing beats the snake baseline.
        let placed = Self.routedCost(m, placement: m.placement)
        let baseline = Self.routedCost(m, placement: m.baselinePlacement)
        #expect(abs(placed - m.placementCost) <= 1e-9 * max(1, placed))
        #expect(abs(baseline - m.baselineCost) <= 1e-9 * max(1, baseline))
        #expect(placed < baseline, "annealing found nothing better than the snake baseline on \(name)")
        #expect(Set(m.placement).count == m.cores.count)
        #expect(m.cores.reduce(0) { $0 + $1.neurons } == net.populations.dropFirst().reduce(0) { $0 + $1.count })
        let over = Set(m.violations.map(\.population))
        for core in m.cores where !over.contains(core.population) {
            #expect(
                core.neurons <= hw.core.neurons && core.axons <= hw.core.axons
                    && core.synapseBits <= hw.core.synapseMemoryBits)
            #expect(core.fanOutEntries <= hw.core.fanOut)
        }
        if name == "truenorth" {
            // 32 channels × 3×3 = 288 input axons per neuron; a TrueNorth core has 256.
            #expect(m.violations.contains { $0.limit == "input axons" && $0.needed == 288 && $0.available == 256 })
        } else {
            #expect(m.fits, "\(m.violations.map(\.description))")
        }
        let report = MappingReport(mapping: m, network: net)
        #expect(report.json().rendered().contains("\"layers\""))
        #expect(report.svg().hasPrefix("<svg") && report.svg().contains("</svg>"))
    }

    @Test func sharedKernelsNeedLessSynapseMemory() throws {
        let net = try Self.cnn.get()
        let shared = try Mapper.map(net, on: try Fixtures.hardware("generic-small", ["core.sharedKernels=true"]))
        let unrolled = try Mapper.map(net, on: try Fixtures.hardware("generic-small", ["core.sharedKernels=false"]))
        let s = shared.cores.reduce(0) { $0 + $1.synapses }
        let u = unrolled.cores.reduce(0) { $0 + $1.synapses }
        #expect(s < u)
        #expect(shared.cores.count <= unrolled.cores.count)
    }

    @Test func annealingIsSeededAndNeverWorseThanTheSnake() throws {
        let net = try Self.cnn.get()
        let hw = try Fixtures.hardware("truenorth")
        var options = Mapper.Options()
        options.seed = 5
        options.movesPerCore = 100
        let a = try Mapper.map(net, on: hw, options: options)
        let b = try Mapper.map(net, on: hw, options: options)
        #expect(a.placement == b.placement)
        #expect(a.placementCost < a.baselineCost)
    }

    /// Σ expected packets per tick × hops of `placement`, from the mapping's traffic, with each
    /// hop found by walking the XY route (a chip-to-chip hop weighs hopBetweenChipsPJ / hopPJ,
    /// at least 1, as Docs/Mapping.md says) — independent of the mapper's own hop arithmetic.
    static func routedCost(_ m: Mapping, placement: [Int]) -> Double {
        let weight = max(1, m.hardware.energy.hopBetweenChipsPJ / max(m.hardware.energy.hopPJ, 1))
        var total = 0.0
        for t in m.traffic {
            var hops = 0.0
            m.mesh.route(placement[t.from], placement[t.to]) { _, crosses in hops += crosses ? weight : 1 }
            total += t.rate * hops
        }
        return total
    }
}
