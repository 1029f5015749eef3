import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel

/// Seeded random networks on seeded random hardware: the mapper's invariants, checked by brute force.
@Suite struct MapperPropertyTests {
    /// A random feed-forward network: convolutions and pools on a small image, then dense layers.
    static func randomNetwork(_ rng: inout SplitMix) -> SpikingNetwork {
        func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var pops = [
            Population(
                name: "input", shape: [1 + r(2), 5 + r(6), 5 + r(6)], threshold: 1, reset: .subtract,
                initialPotential: 0, bias: nil, layer: 0, qcfsLambda: nil)
        ]
        var projs: [Projection] = []
        func add(_ shape: [Int], _ kind: Projection.Kind) {
            projs.append(Projection(source: pops.count - 1, target: pops.count, kind: kind))
            pops.append(
                Population(
                    name: "l\(pops.count)", shape: shape, threshold: 1, reset: .subtract, initialPotential: 0,
                    bias: nil, layer: pops.count, qcfsLambda: nil))
        }
        for _ in 0..<(1 + r(3)) {
            let s = pops.last!.shape
            guard s.count == 3, s[1] >= 3, s[2] >= 3 else { break }
            if r(3) == 0 && s[1] >= 4 {
                let pool = Pool(
                    kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padding: .zero,
                    countIncludePad: true)
                add([s[0], s[1] / 2, s[2] / 2], .avgPool(pool))
            } else {
                let k = 1 + 2 * r(2)
                let stride = 1 + r(2)
                let pad = r(k / 2 + 1)
                let out = 1 + r(6)
                let h = (s[1] + 2 * pad - k) / stride + 1
                let w = (s[2] + 2 * pad - k) / stride + 1
                let conv = Conv2d(
                    inChannels: s[0], outChannels: out, kernelHeight: k, kernelWidth: k, strideHeight: stride,
                    strideWidth: stride,
                    padding: Padding(top: pad, left: pad, bottom: pad, right: pad),
                    weights: [Float](repeating: 0.1, count: out * s[0] * k * k))
                add([out, h, w], .conv(conv))
            }
        }
        for _ in 0..<(1 + r(2)) {
            let n = pops.last!.count
            let out = 2 + r(20)
            add([out], .dense(weights: [Float](repeating: 0.1, count: n * out)))
        }
        return SpikingNetwork(populations: pops, projections: projs, output: pops.count - 1, metadata: [:])
    }

    static func randomHardware(_ rng: inout SplitMix) -> HardwareModel {
        func r(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var hw = HardwareModel(name: "random")
        hw.mesh.columns = 1 + r(4)
        hw.mesh.rows = 1 + r(4)
        hw.mesh.coresPerRouter = 1 + r(3)
        hw.mesh.chipColumns = 1 + r(2)
        hw.mesh.chipRows = 1
        hw.core.neurons = 4 + r(60)
        hw.core.axons = 20 + r(400)
        hw.core.synapseMemoryBits = 8 * (200 + r(4000))
        hw.core.fanOut = 8 + r(400)
        hw.core.weightBits = 8
        hw.core.sharedKernels = r(2) == 0
        return hw
    }

    @Test(arguments: 0..<12)
    func invariantsHoldOnRandomCases(seed: Int) throws {
        var rng = SplitMix(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let net = Self.randomNetwork(&rng)
        let hw = Self.randomHardware(&rng)
        var options = Mapper.Options()
        options.seed = UInt64(seed)
        options.movesPerCore = 50
        let m = try Mapper.map(net, on: hw, options: options)
        let again = try Mapper.map(net, on: hw, options: options)
        #expect(
            m.placement == again.placement && m.cores.map(\.axons) == again.cores.map(\.axons),
            "mapping must be deterministic")
        // The reported cost is the routed cost of the reported placement, so `≤ baseline` says
        // that the placement really is no worse (not only that the minimum was stored).
        let routed = MapperTests.routedCost(m, placement: m.placement)
        #expect(abs(routed - m.placementCost) <= 1e-9 * max(1, routed))
        #expect(routed <= MapperTests.routedCost(m, placement: m.baselinePlacement) + 1e-9)
        let over = Set(m.violations.map(\.population))
        var owner = net.populations.map { [Int](repeating: -1, count: $0.count) }
        var pairs = Set<[Int]>()
        let probe = MapperTests()
        for (k, core) in m.cores.enumerated() {
            let p = core.population
            if !over.contains(p) {
                #expect(core.neurons <= hw.core.neurons && core.axons <= hw.core.axons, "seed \(seed) core \(k)")
                #expect(
                    core.synapseBits <= hw.core.synapseMemoryBits && core.fanOutEntries <= hw.core.fanOut,
                    "seed \(seed) core \(k)")
            }
            let (C, _, W) = CompiledProjection.dims(net.populations[p].shape)
            var stored = 0
            for y in core.slice.rows {
                for x in core.slice.cols {
                    for c in core.slice.channels {
                        let n = (y * W + x) * C + c
                        #expect(owner[p][n] == -1)
                        owner[p][n] = k
                        let sources = probe.sources(net, target: p, neuron: n)
                        stored += sources.count
                        for s in sources { pairs.insert([s.population, s.neuron, k]) }
                    }
                }
            }
            // Every synapse stored exactly once, or its kernel once per core.
            let kernels = net.projections.filter { $0.target == p }.reduce(0) { total, proj in
                switch proj.kind {
                case .conv(let c):
                    return total + c.inChannels * c.kernelHeight * c.kernelWidth * core.slice.channels.count
                case .avgPool(let pool): return total + pool.kernelHeight * pool.kernelWidth * core.slice.channels.count
                default: return total
                }
            }
            let dense = net.projections.filter { $0.target == p }.allSatisfy {
                if case .dense = $0.kind { true } else { false }
            }
            #expect(core.synapses == (hw.core.sharedKernels && !dense ? kernels : stored), "seed \(seed) core \(k)")
        }
        for p in owner.indices.dropFirst() { #expect(!owner[p].contains(-1)) }
        // Every (source neuron, target core) pair has a route: it is in the destination table.
        var table = Set<[Int]>()
        for p in net.populations.indices {
            let o = m.destinationOffsets[p]
            for i in 0..<net.populations[p].count {
                for j in Int(o[i])..<Int(o[i + 1]) { table.insert([p, i, Int(m.destinationCore[p][j])]) }
            }
        }
        #expect(
            table == pairs,
            "seed \(seed): only in table \(table.subtracting(pairs).sorted { $0.lexicographicallyPrecedes($1) }.prefix(5)), only brute force \(pairs.subtracting(table).sorted { $0.lexicographicallyPrecedes($1) }.prefix(5)); shapes \(net.populations.map(\.shape)), kinds \(net.projections.map(\.typeName))"
        )
        #expect(Set(m.placement).count == m.cores.count)
    }

    /// Worked by hand: input 1×4×4 → conv 3×3, pad 1, 2 channels (2×4×4 = 32 neurons) → dense 3.
    /// generic-small with 8 neurons per core: the conv needs 4 cores. The best grid is 2
    /// channels × 2×2 pixels per core (8 neurons); each core sees 3×3 input pixels (a 2×2 tile
    /// plus a one-pixel halo, clipped at the image edge) = 9 axons; shared kernels store
    /// 1·3·3·2 = 18 weights. The dense layer (3 neurons, 32 inputs) fits one core: 32 axons,
    /// 96 synapses. Every conv neuron feeds that one core: 8 fan-out entries per conv core.
    @Test func smallNetworkWorkedByHand() throws {
        let conv = Conv2d(
            inChannels: 1, outChannels: 2, kernelHeight: 3, kernelWidth: 3,
            padding: Padding(top: 1, left: 1, bottom: 1, right: 1),
            weights: [Float](repeating: 0.5, count: 18))
        let pops = [
            Population(
                name: "input", shape: [1, 4, 4], threshold: 1, reset: .subtract, initialPotential: 0, bias: nil,
                layer: 0, qcfsLambda: nil),
            Population(
                name: "conv", shape: [2, 4, 4], threshold: 1, reset: .subtract, initialPotential: 0, bias: nil,
                layer: 1, qcfsLambda: nil),
            Population(
                name: "out", shape: [3], threshold: 1, reset: .subtract, initialPotential: 0, bias: nil, layer: 2,
                qcfsLambda: nil),
        ]
        let net = SpikingNetwork(
            populations: pops,
            projections: [
                Projection(source: 0, target: 1, kind: .conv(conv)),
                Projection(source: 1, target: 2, kind: .dense(weights: [Float](repeating: 0.1, count: 96))),
            ], output: 2, metadata: [:])
        let hw = try Fixtures.hardware("generic-small", ["core.neurons=8"])
        let m = try Mapper.map(net, on: hw)
        #expect(m.cores.count == 5)
        let convCores = m.cores.filter { $0.population == 1 }
        #expect(convCores.map(\.neurons) == [8, 8, 8, 8])
        #expect(convCores.map(\.axons) == [9, 9, 9, 9])
        #expect(convCores.map(\.synapses) == [18, 18, 18, 18])
        #expect(convCores.map(\.fanOutEntries) == [8, 8, 8, 8])
        let out = m.cores.last!
        #expect(out.neurons == 3 && out.axons == 32 && out.synapses == 96 && out.fanOutEntries == 0)
        // Input pixel (1,1) is inside the receptive field of every conv tile: 4 destinations.
        let i = 1 * 4 + 1
        #expect(m.destinationOffsets[0][i + 1] - m.destinationOffsets[0][i] == 4)
        // Corner pixel (0,0) reaches only the top-left tile.
        #expect(m.destinationOffsets[0][1] - m.destinationOffsets[0][0] == 1)
        // generic-small is 4×4 routers × 1 core: the 5 cores fit one chip. The snake puts
        // cores 0…3 on row 0 (x = 0…3) and core 4 at (3, 1), where row 1 runs backwards, so
        // the conv cores are 4, 3, 2, 1 hops from the dense core (baseline placement).
        #expect(m.chipsUsed == 1)
        #expect(m.baselinePlacement == [0, 1, 2, 3, 4].map { m.mesh.snake($0) })
        let hops = (0..<4).map { m.mesh.hops(m.baselinePlacement[$0], m.baselinePlacement[4]).total }
        #expect(hops == [4, 3, 2, 1])
    }
}
