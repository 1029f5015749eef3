import Foundation
import Testing

@testable import SpikeMeshEmulation
@testable import SpikeMeshEnergy

/// Energy per inference = counters × the energy table + static power × time (Docs/Emulation.md, "Energy"), on
/// counters written by hand for two images on generic-small's table (10 pJ per SOP, 20 per
/// update, 2 per packet, 5 per hop, 50 per chip-to-chip hop, 100 per barrier, 1 mW static).
@Suite struct EnergyModelTests {
    static func counters() -> EmulationCounters {
        var c = EmulationCounters(cores: 2, populations: 2, links: 4, ticks: 2)
        c.images = 2
        c.tickSynapticOps = [300, 100]  // 200 per image
        c.coreNeuronUpdates = [50, 30]  // 40 per image
        c.tickPackets = [10, 20]  // 15 per image
        c.hopsWithinChip = 40  // 20 per image
        c.hopsBetweenChips = 6  // 3 per image
        c.ticks = 10  // 5 per image
        c.timePs = 4_000_000  // 2,000 ns per image
        c.everyTickNeuronUpdates = 100
        return c
    }

    @Test func partsAreCountersTimesTheTable() throws {
        let hw = try Fixtures.hardware("generic-small")
        let e = EnergyEstimate(counters: Self.counters(), hardware: hw, chips: 2)
        let pj = Dictionary(uniqueKeysWithValues: e.parts.map { ($0.name, $0.microjoules * 1e6) })
        func near(_ a: Double?, _ b: Double) -> Bool { abs((a ?? .nan) - b) < 1e-9 }
        #expect(near(pj["synaptic"], 200 * 10))
        #expect(near(pj["neuron"], 40 * 20))
        #expect(near(pj["spikeOut"], 15 * 2))
        #expect(near(pj["routingWithinChip"], 20 * 5))
        #expect(near(pj["routingBetweenChips"], 3 * 50))
        #expect(near(pj["barrier"], 5 * 2 * 100))  // ticks × chips × barrier
        #expect(near(pj["static"], 2 * 2000 * 1))  // chips × ns × mW = pJ
        #expect(abs(e.totalMicrojoules - 8080e-6) < 1e-12)
        #expect(abs(e.picojoulesPerSOP - 40.4) < 1e-9)
        #expect(e.latencyTicks == 5 && abs(e.latencyMicroseconds - 2) < 1e-12)
    }

    /// An every-tick soma is charged for idle updates too, at its idle price.
    @Test func everyTickSomasPayForIdleUpdates() throws {
        var hw = try Fixtures.hardware("generic-small")
        hw.core.somaUpdate = .everyTick
        hw.energy.idleNeuronUpdatePJ = 1
        let e = EnergyEstimate(counters: Self.counters(), hardware: hw, chips: 1)
        let neuron = e.parts.first { $0.name == "neuron" }!.microjoules * 1e6
        #expect(abs(neuron - (40 * 20 + (50 - 40) * 1)) < 1e-9)  // 100 − 80 idle updates over 2 images
        #expect(e.neuronUpdates == 50)
    }

    @Test func theBreakdownJSONListsEveryPartInOrder() throws {
        let e = EnergyEstimate(counters: Self.counters(), hardware: try Fixtures.hardware("generic-small"), chips: 2)
        guard case .object(let fields) = e.breakdownJSON else {
            Issue.record("object expected")
            return
        }
        #expect(
            fields.map(\.0) == [
                "synaptic", "neuron", "spikeOut", "routingWithinChip", "routingBetweenChips", "barrier", "static",
            ])
    }
}
