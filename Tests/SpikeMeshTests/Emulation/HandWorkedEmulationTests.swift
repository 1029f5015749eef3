import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshEnergy
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel

/// A three-core network on generic-small whose every counter, the latency and the energy are
/// worked out by hand below.
///
/// input x = 1 (direct) ─[3, 5]→ A = 2 neurons, Θ = 10, one per core ─[1, 2]→ output (1 neuron)
///
/// A0 gets 3 per tick: V = 3, 6, 9, 12 → spike (t4), 5, 8, 11 → spike (t7), 4: spikes at 4, 7.
/// A1 gets 5 per tick: spikes at t2, t4, t6, t8. Each spike is one packet to the output core.
/// Snake placement on a 4×4 router mesh: A0 at router (0,0), A1 at (1,0), output at (2,0):
/// 2 hops from A0, 1 from A1, all on one chip.
@Suite struct HandWorkedEmulationTests {
    func network() throws -> FixedPointNetwork {
        func pop(_ name: String, _ count: Int, _ theta: Int64, _ layer: Int) -> FixedPointPopulation {
            FixedPointPopulation(
                name: name, shape: [count], threshold: theta, reset: .subtract, initialPotential: 0, bias: nil,
                layer: layer, qcfsLambda: nil)
        }
        return try FixedPointNetwork(
            populations: [pop("input", 1, 1, 0), pop("A", 2, 10, 1), pop("out", 1, 1, 2)],
            projections: [
                FixedPointProjection(source: 0, target: 1, kind: .dense(weights: [3, 5])),
                FixedPointProjection(source: 1, target: 2, kind: .dense(weights: [1, 2])),
            ], output: 2, metadata: [:],
            format: FixedPointInfo(hardware: "hand", weightBits: 8, potentialBits: 16, scales: [1, 1, 1]))
    }

    func run(linkCapacity: Int, overrides: [String] = [], alternativeTimes: [HardwareModel.Time] = []) throws -> (
        EmulationCounters, HardwareModel, Mapping
    ) {
        var hw = try Fixtures.hardware("generic-small", ["core.neurons=1"] + overrides)
        hw.mesh.linkCapacity = linkCapacity
        var options = Mapper.Options()
        options.movesPerCore = 0
        let mapping = try Mapper.map(try network(), on: hw, options: options)
        var e = EmulationOptions()
        e.checkpoints = [8]
        e.workers = 1
        e.keepSpikeTrains = true
        e.alternativeTimes = alternativeTimes
        let r = try Emulator(network: try network(), mapping: mapping).run([1], count: 1, options: e)
        #expect(r.spikeTrains[0][1] == [3 * 2 + 0, 6 * 2 + 0, 1 * 2 + 1, 3 * 2 + 1, 5 * 2 + 1, 7 * 2 + 1].sorted())
        return (r.counters, hw, mapping)
    }

    @Test func countersWithoutCongestion() throws {
        let (c, _, m) = try run(linkCapacity: 0)
        #expect(m.cores.count == 3)
        #expect([0, 1, 2].map { m.mesh.router(m.placement[$0]).x } == [0, 1, 2])
        #expect(c.packets == 6 && c.delivered == 6 && c.inputPackets == 0)
        #expect(c.hopsWithinChip == 2 * 2 + 4 * 1 && c.hopsBetweenChips == 0)
        #expect(c.synapticOps == 6)
        // A is fed by the direct input, so both its neurons update every tick (16); the output
        // updates when packets arrive: t2, t4 (two packets, one update), t6, t7, t8.
        #expect(c.neuronUpdates == 16 + 5)
        #expect(c.stalledPacketTicks == 0 && c.latePackets == 0)
    }

    /// With one packet per link per tick, A0's and A1's t4 packets meet on link (1,0)→east:
    /// A0's (processed first) takes it, A1's waits one tick and arrives at t5.
    @Test func countersLatencyAndEnergyWithCongestion() throws {
        let (c, hw, m) = try run(linkCapacity: 1)
        #expect(c.stalledPacketTicks == 1 && c.latePackets == 1)
        #expect(c.packets == 6 && c.delivered == 6 && c.synapticOps == 6 && c.hopsWithinChip == 8)
        #expect(c.neuronUpdates == 16 + 6)  // the late packet is a separate update at t5
        #expect(c.linkPeak.max() == 1)
        // Tick time (ns) = slowest core (1 ns per SOP, 2 ns per update) + mesh (1 ns per hop
        // of the longest route travelling, + busiest link − 1) + 100 ns barrier:
        // t1 2+0, t2 3+1, t3 2+0, t4 3+2, t5 3+0, t6 3+1, t7 3+2, t8 3+1, each + 100.
        let ticks = [102, 104, 102, 105, 103, 104, 105, 104]
        #expect(c.timePs == ticks.reduce(0, +) * 1000)
        let e = EnergyEstimate(counters: c, hardware: hw, chips: m.chipsUsed)
        let pj = Dictionary(uniqueKeysWithValues: e.parts.map { ($0.name, $0.microjoules * 1e6) })
        func near(_ a: Double?, _ b: Double) -> Bool { abs((a ?? .nan) - b) < 1e-6 }
        #expect(near(pj["synaptic"], 6 * 10))
        #expect(near(pj["neuron"], 22 * 20))
        #expect(near(pj["spikeOut"], 6 * 2))
        #expect(near(pj["routingWithinChip"], 8 * 5))
        #expect(near(pj["routingBetweenChips"], 0))
        #expect(near(pj["barrier"], 8 * 1 * 100))
        #expect(near(pj["static"], 1 * 829))  // 1 mW × 829 ns
        #expect(abs(e.totalMicrojoules * 1e6 - 2181) < 1e-6)
        #expect(abs(e.latencyMicroseconds - 0.829) < 1e-9)
    }

    /// The same network on a one-column mesh (A0 at router (0,0), A1 at (0,1), the output at
    /// (0,2): every hop runs north–south) with per-event costs as SANA-FE's Loihi model has
    /// them: per-kind synapse, per-spike, per-packet out and in, north–south hop, and a
    /// barrier by tiles in use (3 tiles → 70 ns).
    ///
    /// Core time per tick (ns): an A core updates its neuron every tick (2) and, when it
    /// spikes, adds spike 7 + packet out 11 = 20; the output core adds per packet one dense
    /// SOP (3) + packet in (13) = 16, and 2 for its update. Mesh: the longest route that
    /// travelled (A0: 2 × 4 ns, A1: 1 × 4 ns) + 1 ns at t4, where both packets share link
    /// (0,1)→(0,2). t1 2+0, t2 20+4, t3 2, t4 34+9, t5 2, t6 20+4, t7 20+8, t8 20+4, each + 70.
    @Test func perEventCostsByKindDirectionAndTiles() throws {
        let keys = [
            "mesh.columns=1", "time.synapticOpDenseNs=3", "time.spikeNs=7", "time.packetOutNs=11", "time.packetInNs=13",
            "time.hopNorthSouthNs=4", "time.barrierNsByTilesInUse=1:50,3:70,4:90",
            "energy.synapticOpDensePJ=30", "energy.spikePJ=40", "energy.hopNorthSouthPJ=6",
        ]
        let (c, hw, m) = try run(linkCapacity: 0, overrides: keys)
        #expect([0, 1, 2].map { m.mesh.router(m.placement[$0]).y } == [0, 1, 2] && m.tilesInUse == 3)
        #expect(c.hopsWithinChip == 8 && c.hopsNorthSouth == 8)
        #expect(c.synapticOpsByClass == [0, 6, 0])
        let ticks = [72, 94, 72, 113, 72, 94, 98, 94]
        #expect(c.timePs == ticks.reduce(0, +) * 1000)
        #expect(c.barrierTimePs == 8 * 70 * 1000)
        let e = EnergyEstimate(counters: c, hardware: hw, chips: m.chipsUsed)
        let pj = Dictionary(uniqueKeysWithValues: e.parts.map { ($0.name, $0.microjoules * 1e6) })
        func near(_ a: Double?, _ b: Double) -> Bool { abs((a ?? .nan) - b) < 1e-6 }
        #expect(near(pj["synaptic"], 6 * 30))
        #expect(near(pj["neuron"], 21 * 20))
        #expect(near(pj["spikeOut"], 6 * 2 + 6 * 40))
        #expect(near(pj["routingWithinChip"], 8 * 6))
        #expect(near(pj["barrier"], 8 * 100))
        #expect(near(pj["static"], 709))
        // Every-tick somas: the output neuron, idle at t1, t3 and t5, costs 5 ns there.
        let (idle, _, _) = try run(
            linkCapacity: 0, overrides: keys + ["core.somaUpdate=everyTick", "time.idleNeuronUpdateNs=5"])
        #expect(idle.timePs == (ticks.reduce(0, +) + 3 * 3) * 1000)
        // Without the new keys the same chip is priced by the plain formulas: every hop at hopPJ
        // and hopNs, core time SOPs × 1 + updates × 2, barrier 100.
        let (plain, plainHW, _) = try run(linkCapacity: 0, overrides: ["mesh.columns=1"])
        let p = EnergyEstimate(counters: plain, hardware: plainHW, chips: 1).parts
        #expect(near(p.first { $0.name == "routingWithinChip" }.map { $0.microjoules * 1e6 }, 8 * 5))
        #expect(plain.timePs == [102, 104, 102, 107, 102, 104, 105, 104].reduce(0, +) * 1000)
    }

    /// One emulation timed by several tables at once (a sweep's time-only points): each
    /// alternative table's totals are what a run on that table gives — here the per-event
    /// table above, tick for tick — and the run's own table is untouched.
    @Test func alternativeTimeTablesPriceTheSameTicks() throws {
        let time = [
            "time.synapticOpDenseNs=3", "time.spikeNs=7", "time.packetOutNs=11", "time.packetInNs=13",
            "time.hopNorthSouthNs=4", "time.barrierNsByTilesInUse=1:50,3:70,4:90",
        ]
        let perEvent = try Fixtures.hardware("generic-small", ["core.neurons=1", "mesh.columns=1"] + time).time
        let plain = try Fixtures.hardware("generic-small", ["core.neurons=1", "mesh.columns=1"]).time
        let (c, _, _) = try run(linkCapacity: 0, overrides: ["mesh.columns=1"], alternativeTimes: [perEvent, plain])
        #expect(c.times.count == 3)
        #expect(c.timePs == [102, 104, 102, 107, 102, 104, 105, 104].reduce(0, +) * 1000)
        #expect(
            c.times[1].timePs == [72, 94, 72, 113, 72, 94, 98, 94].reduce(0, +) * 1000
                && c.times[1].barrierTimePs == 8 * 70 * 1000)
        #expect(c.times[2] == c.times[0])
        let retimed = try c.retimed(1)
        #expect(retimed.times == [c.times[1]] && retimed.synapticOps == c.synapticOps && retimed.spikes == c.spikes)
    }

    /// Time sums stop at Int.max ps and say so, for a tick, for a sum of workers' totals, and
    /// for the counters a sweep re-times.
    @Test func timeTotalsOverflowIsMarkedNeverWrapped() throws {
        var t = TimeTotals()
        let first = t.addTick(ns: 5e15, coreNs: 1, meshNs: 1, barrierNs: 1)
        let second = t.addTick(ns: 5e15, coreNs: 1, meshNs: 1, barrierNs: 1)
        #expect(first && !second && t.overflowed && t.timePs == 5_000_000_000_000_000_000)
        var a = TimeTotals()
        var b = TimeTotals()
        let fits =
            a.addTick(ns: 5e15, coreNs: 0, meshNs: 0, barrierNs: 0)
            && b.addTick(ns: 5e15, coreNs: 0, meshNs: 0, barrierNs: 0)
        a.add(b)
        #expect(fits && a.overflowed)
        var c = EmulationCounters(cores: 1, populations: 1, links: 0, ticks: 1, timeTables: 2)
        c.times[1] = a
        #expect(throws: SpikeMeshError.self) { try c.retimed(1) }
        #expect(try c.retimed(0).times == [TimeTotals()])
    }

    /// NeuroBench's metrics of the same network with the output weights [2, 0]: the direct input
    /// (one non-zero pixel, 2 non-zero synapses) is 2 effective MACs per tick, 16 over 8 ticks;
    /// A0's 2 spikes reach 1 non-zero synapse each and A1's 4 spikes none: 2 effective ACs;
    /// dense, every synapse every tick: (2 + 2) × 8 = 32. A spikes 6 times in 2 × 8
    /// neuron-ticks: activation sparsity 1 − 6/16. One of 4 weights is 0: connection sparsity
    /// 0.25. Footprint: 4 weights × 8 bits + (Θ and V(0) of A and of the output) 4 × 16 bits = 12 bytes.
    @Test func neuroBenchMetricsEffectiveVersusDense() throws {
        var net = try network()
        net.projections[1].kind = .dense(weights: [2, 0])
        var hw = try Fixtures.hardware("generic-small", ["core.neurons=1"])
        hw.mesh.linkCapacity = 0
        let mapping = try Mapper.map(net, on: hw)
        var e = EmulationOptions()
        e.checkpoints = [8]
        e.workers = 1
        let r = try Emulator(network: net, mapping: mapping).run([1], count: 1, options: e)
        #expect(r.counters.effectiveMACs == 16 && r.counters.effectiveACs == 2)
        #expect(r.counters.synapticOps == 6, "the chip's synaptic ops count the zero weight too: one per A spike")
        let nb = NeuroBenchMetrics(network: net, counters: r.counters, spikeRate: 6.0 / 16)
        #expect(nb.effectiveMACs == 16 && nb.effectiveACs == 2 && nb.dense == 32)
        #expect(nb.activationSparsity == 1 - 6.0 / 16 && nb.connectionSparsity == 0.25 && nb.footprint == 12)
        let json = nb.json.rendered(indent: 0)
        #expect(
            json.contains("\"Effective_MACs\":16") && json.contains("\"Effective_ACs\":2")
                && json.contains("\"Dense\":32"))
        #expect(
            json.contains("\"footprint\":12") && json.contains("\"connection_sparsity\":0.25")
                && json.contains("\"activation_sparsity\":0.625"))
    }

    /// The chip advanced tick by tick: A0 integrates 3 per tick and A1 5 (Θ = 10, subtract
    /// reset); the output integrates A0's spikes × 1 and A1's × 2 in the same tick
    /// (layer-synchronous delivery).
    @Test func theChipStepsTickByTick() throws {
        var hw = try Fixtures.hardware("generic-small", ["core.neurons=1"])
        hw.mesh.linkCapacity = 0
        var options = Mapper.Options()
        options.movesPerCore = 0
        let emulator = try Emulator(
            network: try network(), mapping: try Mapper.map(try network(), on: hw, options: options))
        var e = EmulationOptions()
        e.checkpoints = [8]
        var chip = try Chip(emulator: emulator, options: e)
        chip.reset(image: 0, pixels: [1])
        let a: [[Int64]] = [[3, 5], [6, 0], [9, 5], [2, 0], [5, 5], [8, 0], [1, 5], [4, 0]]
        let out: [Int64] = [0, 2, 2, 5, 5, 7, 8, 10]
        let spikes = [0, 1, 0, 2, 0, 1, 1, 1]
        for t in 1...8 {
            let cost = try chip.step(t)
            #expect(chip.membranes(of: 1) == a[t - 1], "tick \(t)")
            #expect(chip.membranes(of: 2) == [out[t - 1]], "tick \(t)")
            #expect(cost.spikes == spikes[t - 1] && cost.packets == spikes[t - 1], "tick \(t)")
            #expect(cost.ns >= cost.barrierNs && cost.barrierNs == 100)
        }
    }
}
