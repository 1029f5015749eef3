import SpikeMeshCore
import SpikeMeshInference
import SpikeMeshModel
import SpikeMeshReference

/// Bias calibration (`--calibrate-bias T`): Li et al. 2021, "A free lunch from ANN: towards
/// efficient, accurate spiking neural networks calibration", §4.
///
/// After thresholds are set, the mean output of a spiking layer over T ticks differs from its
/// ANN activation: the first ticks fire late (V(0) = 0) or early (θ/2), and the error of every
/// layer before it arrives as input. Layer by layer, in topological order, each hidden
/// population's bias of channel c moves by the expected error,
/// `b_c += E[min(a_c, θ)] − E[spikes_c · θ / T]`,
/// the ANN mean over the calibration images and positions of the channel (clipped at θ, the
/// most a spiking neuron can send per tick) minus the spiking network's, simulated with the
/// layers before it already corrected. A constant δ in the per-tick current moves the rate by
/// δ/θ per tick, so the layer's expected output moves by δ. Nothing is held per image: the
/// ANN means are summed batch by batch, and the simulator counts spikes per channel.
///
/// Potential calibration (`--calibrate-potential T`, the same paper's initial-potential
/// correction) moves each channel's V(0) by δ·T instead, clamped to [−θ, θ·63/64] so that no
/// neuron fires before its first input arrives. A bias shift moves the output by δ at every
/// T; a V(0) shift moves it by δ·T/T′ at T′ ticks. The error it corrects is mostly a fixed
/// number of spikes lost or gained while the layers fill (measured on the bundled CNN's
/// convolutions: the bias shifts calibrated at T = 16 and 128 differ 6–20×, while the shifts
/// times T agree within 0.12 θ for the median channel), so a V(0) calibrated at one T keeps
/// helping at the others, where a bias calibrated at 32 over-corrects at 256 (Docs/Conversion.md).
enum BiasCalibration {
    enum Kind: Sendable { case bias, potential }
    /// Calibration simulates (and takes its ANN targets from) at most this many of the
    /// calibration images: each layer re-simulates the layers before it, and with potential
    /// calibration 256 images gave the accuracy of 1,000 within 0.2 % on the bundled CNN at
    /// every T from 8 to 256 and within 0.5 % on the ResNet from T = 16, in about a quarter of
    /// the time (Docs/Conversion.md).
    static let simulatedImages = 256

    /// Calibrates every hidden population's bias (or V(0)) at `ticks` ticks on `count` images;
    /// returns the shifts per population (in the network's units), nil for populations not shifted.
    static func calibrate(
        _ network: inout SpikingNetwork, _ kind: Kind, graph: ANNGraph, channelScale: [[Float]?],
        calibration: [Float], count: Int, ticks: Int, encoding: InputEncoding, seed: UInt64,
        progress: ((String, Int, Int) -> Void)?
    ) throws -> [[Float]?] {
        let hidden = network.hidden
        let all = count
        let count = min(count, simulatedImages)
        let calibration = count == all ? calibration : Array(calibration.prefix(calibration.count / all * count))
        let target = annMeans(
            network, graph: graph, channelScale: channelScale, calibration: calibration, count: count,
            progress: progress)
        var shifts = [[Float]?](repeating: nil, count: network.populations.count)
        for (k, p) in hidden.enumerated() {
            var options = SimulationOptions()
            options.checkpoints = [ticks]
            options.encoding = encoding
            options.seed = seed
            options.lastPopulation = p
            options.recordChannelSpikesOf = p
            let r = try ReferenceSimulator(network: network).run(calibration, count: count, options: options)
            let pop = network.populations[p]
            let samples = Double(count) * Double(pop.count / pop.channels) * Double(ticks)
            let shift = (0..<pop.channels).map { c in
                Float(target[p][c] - Double(r.channelSpikes[c]) * Double(pop.threshold) / samples)
            }
            switch kind {
            case .bias:
                var bias = pop.bias ?? [Float](repeating: 0, count: pop.channels)
                for c in bias.indices { bias[c] += shift[c] }
                network.populations[p].bias = bias
                shifts[p] = shift
            case .potential:
                let t = Float(ticks)
                let theta = pop.threshold
                let v0 = pop.channelInitialPotential ?? [Float](repeating: pop.initialPotential, count: pop.channels)
                let moved = v0.indices.map { c in min(max(v0[c] + shift[c] * t, -theta), theta * 63 / 64) }
                network.populations[p].channelInitialPotential = moved
                shifts[p] = moved.indices.map { moved[$0] - v0[$0] }
            }
            progress?("\(kind)", k + 1, hidden.count)
        }
        return shifts
    }

    /// Per hidden population and channel, the mean of min(a · s_c, θ) over the calibration
    /// images and positions, a the ANN activation the population carries and s_c its channel
    /// scale (1 with one threshold per layer).
    static func annMeans(
        _ network: SpikingNetwork, graph: ANNGraph, channelScale: [[Float]?], calibration: [Float],
        count: Int, progress: ((String, Int, Int) -> Void)?
    ) -> [[Double]] {
        let hidden = network.hidden
        let layers = Set(hidden.map { network.populations[$0].layer })
        var sums = network.populations.map { [Double](repeating: 0, count: $0.channels) }
        Converter.forEachCalibrationBatch(
            ANNEngine(graph: graph), graph: graph, calibration: calibration, count: count,
            keep: layers, stage: "bias targets", progress: progress
        ) { outputs in
            for p in hidden {
                let pop = network.populations[p]
                let plane = pop.count / pop.channels
                let scale = channelScale[p] ?? [Float](repeating: 1, count: pop.channels)
                for (i, v) in outputs[pop.layer].enumerated() where v > 0 {
                    let c = (i % pop.count) / plane  // the ANN is NCHW
                    sums[p][c] += Double(min(v * scale[c], pop.threshold))
                }
            }
        }
        return network.populations.indices.map { p in
            let pop = network.populations[p]
            let samples = Double(count) * Double(pop.count / max(1, pop.channels))
            return sums[p].map { $0 / samples }
        }
    }
}
