import Foundation
import Testing

@testable import SpikeMeshConversion
@testable import SpikeMeshCore
@testable import SpikeMeshFormats
@testable import SpikeMeshHardware
@testable import SpikeMeshModel
@testable import SpikeMeshReference

/// The low-latency remedies of Docs/Conversion.md on hand-made layers: V(0) = θ/2 and
/// channel-wise thresholds.
@Suite struct LowLatencyConversionTests {
    /// input [4] → identity dense → ReLU → dense 4→2 (the output).
    func identityLayer() throws -> ANNGraph {
        var g = try ANNGraph(inputShape: [4], source: "hand-made")
        var eye = [Float](repeating: 0, count: 16)
        for i in 0..<4 { eye[i * 4 + i] = 1 }
        try g.append("fc1", .dense(Dense(inFeatures: 4, outFeatures: 4, weights: eye)), inputs: [0])
        try g.append("relu1", .relu, inputs: [1])
        try g.append(
            "fc2", .dense(Dense(inFeatures: 4, outFeatures: 2, weights: [1, 1, 1, 1, -1, -1, -1, -1])), inputs: [2])
        return g
    }

    /// Spikes of population `p`, neuron `n`, in the first `ticks` ticks of image 0.
    func spikes(_ r: SimulationResult, population p: Int, neuron n: Int, count: Int, ticks: Int) -> Int {
        r.spikeTrains[0][p].filter { $0 % count == n && $0 / count < ticks }.count
    }

    /// With V(0) = θ/2 a neuron fed a constant x fires round(N·x/θ) times in N ticks; with
    /// V(0) = 0, floor(N·x/θ). Nothing saturates (x < θ) and no N·x/θ is a tie.
    @Test(arguments: [InitialPotentialMode.half, .zero])
    func spikeCountsFollowTheClosedForm(_ mode: InitialPotentialMode) throws {
        let x: [Float] = [0.9137, 0.7071, 0.3183, 0.1234]
        let calibration: [Float] = [1, 0.5, 0.25, 0.125]  // θ = 1 with --method max
        var options = ConversionOptions()
        options.method = .max
        options.initialPotential = mode
        let (net, summary) = try Converter.convert(
            try identityLayer(), calibration: calibration, count: 1, options: options)
        #expect(summary.entries.map(\.threshold) == [1])
        #expect(net.populations[1].initialPotential == (mode == .half ? 0.5 : 0))
        #expect(net.metadata["v0"] == mode.rawValue)
        var sim = SimulationOptions()
        sim.checkpoints = [40]
        sim.keepSpikeTrains = true
        let r = try ReferenceSimulator(network: net).run(x, count: 1, options: sim)
        for n in 1...40 {
            for i in 0..<4 {
                let exact = Double(n) * Double(x[i])
                let expected = mode == .half ? Int((exact + 0.5).rounded(.down)) : Int(exact.rounded(.down))
                #expect(spikes(r, population: 1, neuron: i, count: 4, ticks: n) == expected, "N = \(n), x = \(x[i])")
            }
        }
    }

    /// input [1, 3, 3] → 1×1 conv to 2 channels (weights 1 and 3) → ReLU → flatten →
    /// dense 18→2.
    func twoChannelLayer() throws -> (ANNGraph, [Float]) {
        var g = try ANNGraph(inputShape: [1, 3, 3], source: "hand-made")
        try g.append(
            "conv",
            .conv2d(
                Conv2d(
                    inChannels: 1, outChannels: 2, kernelHeight: 1, kernelWidth: 1, weights: [1, 3],
                    bias: [0.05, -0.1])), inputs: [0])
        try g.append("relu", .relu, inputs: [1])
        try g.append("flatten", .flatten, inputs: [2])
        let dense = (0..<36).map { Float(($0 * 7) % 11) / 11 - 0.4 }
        try g.append("fc", .dense(Dense(inFeatures: 18, outFeatures: 2, weights: dense)), inputs: [3])
        return (g, dense)
    }

    /// Per-channel θ equals the percentile of the channel's non-zero activations, computed
    /// here by sorting; the scale is folded into the weights in and out, the bias included.
    @Test func channelThresholdsArePerChannelPercentiles() throws {
        let (graph, dense) = try twoChannelLayer()
        var rng = SplitMix(state: 11)
        let images = 60
        let calibration = (0..<(images * 9)).map { _ in rng.unitFloat() * 2 - 0.5 }
        var options = ConversionOptions()
        options.percentile = 99
        options.thresholdScope = .channel
        let (net, summary) = try Converter.convert(graph, calibration: calibration, count: images, options: options)
        let entry = try #require(summary.entries.first)
        let lambdas = try #require(entry.channelThresholds)
        let weights: [Float] = [1, 3]
        let bias: [Float] = [0.05, -0.1]
        for c in 0..<2 {
            let values = calibration.map { max(0, $0 * weights[c] + bias[c]) }.filter { $0 > 0 }.sorted()
            let rank = 0.99 * Double(values.count)
            let expected = values[min(values.count - 1, Int(rank.rounded(.up)) - 1)]
            // The histogram has 2,048 bins on [0, channel max]; a neighbouring sample is as close.
            let tolerance = values.last! / 2048 + (values[values.count - 1] - values[values.count - 3])
            #expect(abs(lambdas[c] - expected) <= tolerance, "channel \(c): \(lambdas[c]) vs \(expected)")
        }
        let theta = entry.threshold
        guard case .conv(let conv) = net.projections[0].kind, case .dense(let fc) = net.projections[1].kind else {
            Issue.record("unexpected projection kinds \(net.projections.map(\.typeName))")
            return
        }
        for c in 0..<2 {
            let s = theta / lambdas[c]
            #expect(abs(conv.weights[c] - weights[c] * s) <= 1e-5 * abs(weights[c] * s))
            #expect(abs(net.populations[1].bias![c] - bias[c] * s) <= 1e-6)
            for o in 0..<2 {
                for i in (c * 9)..<((c + 1) * 9) {
                    #expect(abs(fc[o * 18 + i] - dense[o * 18 + i] / s) <= 1e-5)
                }
            }
        }
        #expect(net.metadata["thresholds"] == "channel")
    }

    /// Populations read through an identity (here the output read-out of a population with no
    /// linear layer after it) keep one θ.
    @Test func populationsWithoutPerChannelWeightsKeepOneThreshold() throws {
        var g = try ANNGraph(inputShape: [2], source: "hand-made")
        try g.append("fc", .dense(Dense(inFeatures: 2, outFeatures: 2, weights: [1, 0, 0, 2])), inputs: [0])
        try g.append("relu", .relu, inputs: [1])
        try g.append("fc2", .dense(Dense(inFeatures: 2, outFeatures: 2, weights: [1, 0, 0, 1])), inputs: [2])
        try g.append("relu2", .relu, inputs: [3])
        var options = ConversionOptions()
        options.thresholdScope = .channel
        let (net, summary) = try Converter.convert(g, calibration: [1, 1, 0.5, 0.25], count: 2, options: options)
        #expect(net.projections.map(\.typeName) == ["dense", "dense", "identity"])
        #expect(summary.entries.map { $0.channelThresholds != nil } == [true, false])
    }

    @Test func channelThresholdsNeedAnActivationStatistic() throws {
        var options = ConversionOptions()
        options.thresholdScope = .channel
        options.method = .rmp
        #expect(throws: SpikeMeshError.self) {
            try Converter.convert(try identityLayer(), calibration: [1, 1, 1, 1], count: 1, options: options)
        }
    }

    /// V(0), the folded weights and the options' metadata survive the network file.
    @Test func remediesRoundTripThroughTheNetworkFile() throws {
        let (graph, _) = try twoChannelLayer()
        var options = ConversionOptions()
        options.thresholdScope = .channel
        options.initialPotential = .half
        options.potentialCalibrationTicks = 4
        let calibration = (0..<90).map { Float($0 % 13) / 13 - 0.2 }
        let (net, _) = try Converter.convert(graph, calibration: calibration, count: 10, options: options)
        #expect(
            net.hidden.allSatisfy { net.populations[$0].channelInitialPotential?.count == net.populations[$0].channels }
        )
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lowlatency-\(UUID().uuidString).smnet"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NetworkFile.save(net, to: path)
        guard case .float(let back) = try NetworkFile.load(path: path) else {
            throw SpikeMeshError(.malformed, "not read back as float")
        }
        #expect(back.populations.map(\.initialPotential) == net.populations.map(\.initialPotential))
        #expect(back.populations.map(\.threshold) == net.populations.map(\.threshold))
        #expect(back.populations.map(\.bias) == net.populations.map(\.bias))
        #expect(back.populations.map(\.channelInitialPotential) == net.populations.map(\.channelInitialPotential))
        #expect(
            back.metadata["v0"] == "half" && back.metadata["thresholds"] == "channel"
                && back.metadata["calibratePotential"] == "4")
        // The fixed-point file keeps one integer V(0) per channel, each below Θ.
        let (fixed, _) = try Quantizer.exact(net)
        try NetworkFile.save(fixed, to: path)
        guard case .fixedPoint(let fixedBack) = try NetworkFile.load(path: path) else {
            throw SpikeMeshError(.malformed, "not read back as fixed point")
        }
        #expect(fixedBack == fixed)
        for p in fixed.hidden {
            let v0 = try #require(fixed.populations[p].channelInitialPotential)
            #expect(v0.count == fixed.populations[p].channels && v0.allSatisfy { $0 < fixed.populations[p].threshold })
        }
        guard case .conv(let a) = net.projections[0].kind, case .conv(let b) = back.projections[0].kind else {
            Issue.record("not a convolution")
            return
        }
        #expect(a.weights == b.weights)
    }

    /// Li et al. 2021's bias calibration lowers the expected error of a layer: the mean over
    /// images of |E[ANN] − E[spikes · θ / T]| per neuron, measured here by simulation.
    @Test func biasCalibrationLowersTheExpectedError() throws {
        let images = 40
        let ticks = 8
        let before = try calibratedError(.none, images: images, calibrateAt: ticks, measureAt: ticks)
        let after = try calibratedError(.bias, images: images, calibrateAt: ticks, measureAt: ticks)
        #expect(before.shifts == nil)
        let shifts = try #require(after.shifts)
        // V(0) = 0 fires late, so every shift is upward.
        #expect(shifts.allSatisfy { $0 > 0 })
        #expect(after.error < before.error / 2, "error \(before.error) → \(after.error)")
    }

    /// Potential calibration moves each channel's V(0) by T × the bias shift; the layer's
    /// expected error falls at the T it was calibrated at and, unlike a bias shift, also at 4T.
    @Test func potentialCalibrationLowersTheErrorAtItsTAndBeyond() throws {
        let images = 40
        let ticks = 8
        let none = try calibratedError(.none, images: images, calibrateAt: ticks, measureAt: ticks)
        let potential = try calibratedError(.potential, images: images, calibrateAt: ticks, measureAt: ticks)
        let bias = try calibratedError(.bias, images: images, calibrateAt: ticks, measureAt: ticks)
        let shifts = try #require(potential.shifts)
        // V(0) = 0 fires late, so every V(0) moves up, by about T × the bias shift, and stays below θ.
        #expect(shifts.allSatisfy { $0 > 0 })
        let theta = potential.network.populations[1].threshold
        #expect(
            try #require(potential.network.populations[1].channelInitialPotential).allSatisfy {
                $0 > 0 && $0 <= theta * 63 / 64
            })
        for (v, b) in zip(shifts, try #require(bias.shifts)) where v < theta * 63 / 64 {
            #expect(abs(v - b * Float(ticks)) <= 1e-4 * theta, "V(0) shift \(v) vs \(ticks) × bias shift \(b)")
        }
        #expect(potential.error < none.error / 2, "error at T: \(none.error) → \(potential.error)")
        let noneLater = try calibratedError(.none, images: images, calibrateAt: ticks, measureAt: 4 * ticks)
        let potentialLater = try calibratedError(.potential, images: images, calibrateAt: ticks, measureAt: 4 * ticks)
        let biasLater = try calibratedError(.bias, images: images, calibrateAt: ticks, measureAt: 4 * ticks)
        #expect(potentialLater.error < noneLater.error / 2, "error at 4T: \(noneLater.error) → \(potentialLater.error)")
        #expect(
            potentialLater.error < biasLater.error,
            "at 4T the bias over-corrects: \(biasLater.error) vs V(0) \(potentialLater.error)")
    }

    enum Calibration { case none, bias, potential }

    /// The hand-made identity layer, converted with `max` thresholds and V(0) = 0, optionally
    /// calibrated at `calibrateAt` ticks; returns the mean over neurons of
    /// |E[ANN] − E[spikes · θ / T]| over the images at T = `measureAt`, measured by simulation.
    func calibratedError(_ kind: Calibration, images: Int, calibrateAt: Int, measureAt ticks: Int) throws
        -> (error: Double, shifts: [Float]?, network: SpikingNetwork)
    {
        var rng = SplitMix(state: 5)
        let calibration = (0..<(images * 4)).map { _ in rng.unitFloat() }
        var options = ConversionOptions()
        options.method = .max
        options.biasCalibrationTicks = kind == .bias ? calibrateAt : 0
        options.potentialCalibrationTicks = kind == .potential ? calibrateAt : 0
        let (net, summary) = try Converter.convert(
            try identityLayer(), calibration: calibration, count: images, options: options)
        var sim = SimulationOptions()
        sim.checkpoints = [ticks]
        sim.keepSpikeTrains = true
        let r = try ReferenceSimulator(network: net).run(calibration, count: images, options: sim)
        let theta = Double(net.populations[1].threshold)
        var error = 0.0
        for n in 0..<4 {
            var ann = 0.0
            var snn = 0.0
            for i in 0..<images {
                ann += min(Double(calibration[i * 4 + n]), theta)
                snn +=
                    Double(r.spikeTrains[i][1].filter { $0 % 4 == n && $0 / 4 < ticks }.count) * theta / Double(ticks)
            }
            error += abs(ann - snn) / Double(images)
        }
        let entry = summary.entries[0]
        return (error / 4, kind == .potential ? entry.potentialShift : entry.biasShift, net)
    }
}
