import Foundation
import Testing

@testable import SpikeMeshEmulation
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshReference

@Suite(.serialized) struct QuantizerTests {
    @Test func integerWeightsFitAndFollowTheScale() throws {
        let (net, _) = try EmulatorTests.cnn.get()
        for bits in [4, 8, 12] {
            let (q, report) = try Quantizer.quantize(net, weightBits: bits, potentialBits: 24, name: "t")
            let wMax = Int32((1 << (bits - 1)) - 1)
            for (j, proj) in q.projections.enumerated() {
                #expect(proj.weights.allSatisfy { abs($0) <= wMax }, "projection \(j)")
                // W ≈ w · a_source / θ_target · Θ_target within half a unit.
                if case .conv(let c) = net.projections[j].kind, case .conv(_, _, _, let qw) = proj.kind {
                    let factor =
                        net.amplitude(proj.source) / net.populations[proj.target].threshold
                        * Float(q.populations[proj.target].threshold)
                    let worst = zip(c.weights, qw).map { abs($0 * factor - Float($1)) }.max()!
                    #expect(worst <= 0.5 + 1e-3)
                }
            }
            // Θ is the largest threshold that keeps every weight in range: Θ + 1 would not.
            for e in report.entries {
                #expect(
                    Double(e.largestWeight) * Double(e.integerThreshold + 1) / Double(e.integerThreshold) > Double(wMax)
                        - 0.5)
            }
            #expect(report.entries.allSatisfy { $0.clipped == 0 })
        }
        let (_, coarse) = try Quantizer.quantize(net, weightBits: 4, potentialBits: 24, name: "t")
        let (_, fine) = try Quantizer.quantize(net, weightBits: 12, potentialBits: 24, name: "t")
        #expect(zip(coarse.entries, fine.entries).allSatisfy { $0.relativeError > $1.relativeError })
    }

    /// With each shipped model's own widths, accuracy at T = 64 stays within 1 % of the float
    /// reference on the 1,000 bundled test images (default conversion: percentile thresholds):
    /// both the fixed-point network in the reference simulator and the emulator on the chip as
    /// shipped, link capacities and all (generic-small's links do congest now and then; the late
    /// packets are counted and the accuracy must hold anyway). With links unlimited, nothing
    /// stalls and the emulator equals the reference image for image on the first 16 images.
    @Test(arguments: ["loihi", "truenorth", "generic-small"])
    func hardwareWidthsKeepAccuracy(hardware name: String) throws {
        let (net, norm) = try EmulatorTests.cnn.get()
        let data = try EmulatorTests.test.get()
        var r = SimulationOptions()
        r.checkpoints = [64]
        let float = try ReferenceSimulator(network: net).accuracy(data, normalization: norm, options: r)[0]
        var hw = try HardwareModel.load(Fixtures.packageRoot.path + "/HardwareModels/\(name).json")
        let (fixed, _) = try Quantizer.quantize(net, for: hw)
        let quantized = try ReferenceSimulator(network: fixed).accuracy(data, normalization: norm, options: r)[0]
        #expect(abs(quantized - float) <= 0.01, "\(name): fixed point \(quantized) vs float \(float)")
        var e = EmulationOptions()
        e.checkpoints = [64]
        let onChip = try Emulator(network: fixed, mapping: try Mapper.map(fixed, on: hw)).evaluate(
            data, normalization: norm, options: e)
        #expect(onChip.counters.saturations == 0)
        #expect(abs(onChip.accuracy[0] - float) <= 0.01, "\(name): emulated \(onChip.accuracy[0]) vs float \(float)")
        hw.mesh.linkCapacity = 0
        let few = data.limited(to: 16)
        let emulated = try Emulator(network: fixed, mapping: try Mapper.map(fixed, on: hw)).evaluate(
            few, normalization: norm, options: e)
        #expect(emulated.counters.saturations == 0 && emulated.counters.latePackets == 0)
        let reference = try ReferenceSimulator(network: fixed).accuracy(few, normalization: norm, options: r)[0]
        #expect(emulated.accuracy[0] == reference)
    }
}
