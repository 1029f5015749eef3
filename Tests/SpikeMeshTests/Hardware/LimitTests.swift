import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshFormats
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel

/// Every fixed-point and mesh limit made to actually happen, on hand-made networks whose
/// outcome is worked out by hand: clipped weights, clamped biases, saturated membranes and a
/// mesh too congested to deliver.
@Suite struct LimitTests {
    static func population(_ name: String, _ count: Int, threshold: Float, bias: [Float]? = nil, layer: Int)
        -> Population
    {
        Population(
            name: name, shape: [count], threshold: threshold, reset: .subtract, initialPotential: 0, bias: bias,
            layer: layer, qcfsLambda: nil)
    }

    /// input (1) ─w→ A (n neurons) ─v→ out (1), float.
    static func chain(_ w: [Float], _ v: [Float], threshold: Float, bias: [Float]? = nil) -> SpikingNetwork {
        SpikingNetwork(
            populations: [
                population("input", 1, threshold: 1, layer: 0),
                population("A", w.count, threshold: threshold, bias: bias, layer: 1),
                population("out", 1, threshold: 1, layer: 2),
            ],
            projections: [
                Projection(source: 0, target: 1, kind: .dense(weights: w)),
                Projection(source: 1, target: 2, kind: .dense(weights: v)),
            ],
            output: 2, metadata: [:])
    }

    /// The same chain in fixed point, integers given directly (A's threshold Θ, the output's 1).
    static func fixedChain(_ w: [Int32], _ v: [Int32], threshold: Int64, weightBits: Int, potentialBits: Int) throws
        -> FixedPointNetwork
    {
        func pop(_ name: String, _ count: Int, _ theta: Int64, _ layer: Int) -> FixedPointPopulation {
            FixedPointPopulation(
                name: name, shape: [count], threshold: theta, reset: .subtract, initialPotential: 0, bias: nil,
                layer: layer, qcfsLambda: nil)
        }
        return try FixedPointNetwork(
            populations: [pop("input", 1, 1, 0), pop("A", w.count, threshold, 1), pop("out", 1, 1, 2)],
            projections: [
                FixedPointProjection(source: 0, target: 1, kind: .dense(weights: w)),
                FixedPointProjection(source: 1, target: 2, kind: .dense(weights: v)),
            ],
            output: 2, metadata: [:],
            format: FixedPointInfo(
                hardware: "hand", weightBits: weightBits, potentialBits: potentialBits, scales: [1, 1, 1]))
    }

    /// With 2-bit weights (|W| ≤ 1) and a weight of 3 thresholds, no Θ ≥ 1 keeps it in range:
    /// Θ = 1, 0.5 rounds (half away from zero) to 1, and 3 is clipped to 1.
    @Test func aWeightThatCannotFitIsClippedAndCounted() throws {
        let (q, report) = try Quantizer.quantize(
            Self.chain([0.5, 3], [1, 1], threshold: 1), weightBits: 2, potentialBits: 16, name: "t")
        let a = report.entries[0]
        #expect(a.integerThreshold == 1 && a.clipped == 1 && a.largestWeight == 1)
        guard case .dense(let w) = q.projections[0].kind else {
            Issue.record("dense expected")
            return
        }
        #expect(w == [1, 1])
    }

    /// 8-bit potentials hold ±127. The weight 0.5 allows Θ = 254, capped at 127 by the
    /// potential range; a bias of 1000 θ is 127,000 units and is clamped to 127 and counted.
    @Test func aBiasOutsideThePotentialRangeIsClampedAndCounted() throws {
        let (q, report) = try Quantizer.quantize(
            Self.chain([0.5], [1], threshold: 1, bias: [1000]), weightBits: 8, potentialBits: 8, name: "t")
        let a = report.entries[0]
        #expect(a.integerThreshold == 127 && a.clampedValues == 1)
        #expect(q.populations[1].bias == [127])
    }

    /// 4-bit potentials saturate at ±7. A gets −5 and −6 per tick and never reaches Θ = 7:
    /// V = −5, −6 after tick 1, then below −7 → −7 at each of ticks 2…8: 7 saturations per neuron.
    @Test func membranesSaturateAtThePotentialLimitAndEverySaturationIsCounted() throws {
        let net = try Self.fixedChain([-5, -6], [1, 1], threshold: 7, weightBits: 8, potentialBits: 4)
        var hw = try Fixtures.hardware("generic-small", [])
        hw.mesh.linkCapacity = 0
        let mapping = try Mapper.map(net, on: hw)
        var e = EmulationOptions()
        e.checkpoints = [8]
        e.workers = 1
        let r = try Emulator(network: net, mapping: mapping).run([1], count: 1, options: e)
        #expect(r.counters.saturations == 14)
        #expect(r.counters.populationSaturations == [0, 14, 0])
        #expect(r.counters.coreSaturations.reduce(0, +) == 14)
        #expect(r.counters.spikes == 0)
    }

    /// 256 neurons (one core) that fire every tick, each toward one output neuron on a second
    /// core, mapped with the snake placement on generic-small with `capacity` packets per link
    /// per tick, and emulated for 4 ticks.
    static func burst(capacity: Int) throws -> (mapping: Mapping, run: () throws -> EmulationCounters) {
        let n = 256
        let net = try fixedChain(
            [Int32](repeating: 1, count: n), [Int32](repeating: 1, count: n), threshold: 1, weightBits: 8,
            potentialBits: 16)
        var hw = try Fixtures.hardware("generic-small", [])
        hw.mesh.linkCapacity = capacity
        var options = Mapper.Options()
        options.movesPerCore = 0
        let mapping = try Mapper.map(net, on: hw, options: options)
        var e = EmulationOptions()
        e.checkpoints = [4]
        e.workers = 1
        return (mapping, { try Emulator(network: net, mapping: mapping).run([1], count: 1, options: e).counters })
    }

    /// At one packet per link per tick the tick-1 packets queue behind each other, the last
    /// would wait 255 ticks, more than the link window holds, and the run stops with the
    /// congestion error instead of dropping or silently delaying packets.
    @Test func aMeshTooCongestedToDeliverStopsWithTheCongestionError() throws {
        let (mapping, run) = try Self.burst(capacity: 1)
        #expect(mapping.cores.count == 2)
        #expect {
            _ = try run()
        } throws: { error in
            guard let error = error as? SpikeMeshError else { return false }
            return error.message.contains("stayed full for 255 ticks")
                && error.message.contains("raise mesh.linkCapacity")
        }
    }

    /// At 128 packets per link per tick the burst falls behind by 128 packets a tick but never
    /// by the window: the run completes, every packet is delivered or still queued at the end,
    /// and the waiting is counted. At 300 per tick nothing waits.
    @Test func aCongestedMeshThatCanDrainCountsItsStalls() throws {
        let n = 256
        let free = try Self.burst(capacity: 300).run()
        let tight = try Self.burst(capacity: 128).run()
        #expect(free.stalledPacketTicks == 0 && free.packets == 4 * n)
        #expect(tight.stalledPacketTicks > 0 && tight.latePackets > 0)
        #expect(tight.packets == free.packets && tight.delivered + tight.pendingAtEnd == tight.packets)
    }

    /// Fixed-point values are integers at every width, not Floats: with 32-bit potentials a
    /// bias of 2^24 + 1 and Θ = 2 · (2^24 + 1) fire exactly every second tick. (In Float the
    /// bias would round to 2^24 and the neuron would first fire at tick 3.) A network file
    /// keeps the value exactly too.
    @Test func integersBeyondFloatPrecisionStayExact() throws {
        let bias: Int64 = (1 << 24) + 1
        var net = try Self.fixedChain([0], [1], threshold: 2 * bias, weightBits: 8, potentialBits: 32)
        net.populations[1].bias = [bias]
        #expect(Int64(Float(bias)) != bias, "the value must not be exact in Float")
        var hw = try Fixtures.hardware("generic-small", [])
        hw.mesh.linkCapacity = 0
        var e = EmulationOptions()
        e.checkpoints = [8]
        e.workers = 1
        e.keepSpikeTrains = true
        let r = try Emulator(network: net, mapping: try Mapper.map(net, on: hw)).run([1], count: 1, options: e)
        #expect(r.spikeTrains[0][1] == [1, 3, 5, 7])
        #expect(r.counters.saturations == 0)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).smnet").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NetworkFile.save(net, to: path)
        guard case .fixedPoint(let back) = try NetworkFile.load(path: path) else {
            Issue.record("not fixed point")
            return
        }
        #expect(back.populations[1].bias == [bias] && back.populations[1].threshold == 2 * bias)
    }

    /// A fixed-point network whose values do not fit its widths is refused when it is made.
    @Test func valuesOutsideTheWidthsAreRefused() throws {
        #expect(throws: SpikeMeshError.self) {
            try Self.fixedChain([128], [1], threshold: 1, weightBits: 8, potentialBits: 16)
        }
        #expect(throws: SpikeMeshError.self) {
            try Self.fixedChain([1], [1], threshold: 128, weightBits: 8, potentialBits: 8)
        }
        #expect(throws: SpikeMeshError.self) {
            try Self.fixedChain([1], [1], threshold: 0, weightBits: 8, potentialBits: 8)
        }
        #expect(throws: Never.self) {
            try Self.fixedChain([127, -127], [1, 1], threshold: 127, weightBits: 8, potentialBits: 8)
        }
    }
}
