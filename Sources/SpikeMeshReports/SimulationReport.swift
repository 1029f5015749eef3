import Foundation
import SpikeMeshCore
import SpikeMeshModel

/// Accuracy vs T and spike statistics of a reference-simulator run.
public struct SimulationReport: Sendable {
    public let network: SpikingNetwork
    public let checkpoints: [Int]
    public let accuracies: [Double]
    /// Spikes per population over the run's counted ticks, summed over images.
    public let spikes: [Int]
    public let images: Int
    public let srpTau: Int
    public let extraTicks: Int

    public init(
        network: SpikingNetwork, labels: [Int], checkpoints: [Int], predictions: [[Int]], spikes: [Int],
        images: Int, srpTau: Int, extraTicks: Int
    ) {
        self.network = network
        self.checkpoints = checkpoints
        accuracies = predictions.map { p in
            Double(zip(p, labels).filter { $0 == $1 }.count) / Double(max(p.count, 1))
        }
        self.spikes = spikes
        self.images = images
        self.srpTau = srpTau
        self.extraTicks = extraTicks
    }

    /// Spike rate R of RMP-SNN eq. 8: spikes / (neurons × ticks), over hidden populations
    /// (the input encoder and the non-firing output are not counted), at the largest T.
    public var spikeRate: Double {
        let neurons = network.hidden.reduce(0) { $0 + network.populations[$1].count }
        let total = network.hidden.reduce(0) { $0 + spikes[$1] }
        return Double(total) / Double(max(neurons * (checkpoints.last ?? 1) * images, 1))
    }

    public func layerRate(_ p: Int) -> Double {
        Double(spikes[p]) / Double(max(network.populations[p].count * (checkpoints.last ?? 1) * images, 1))
    }

    public func jsonFields() -> [(String, JSON)] {
        [
            ("spikeRate", .number(spikeRate)),
            (
                "curve",
                .array(
                    zip(checkpoints, accuracies).map { t, a in
                        .object([("timesteps", .int(t)), ("latency", .int(t + srpTau)), ("accuracy", .number(a))])
                    })
            ),
            (
                "spikesPerLayer",
                .array(
                    network.hidden.map { p in
                        .object([
                            ("layer", .string(network.populations[p].name)),
                            ("neurons", .int(network.populations[p].count)),
                            ("spikesPerImage", .number(Double(spikes[p]) / Double(max(images, 1)))),
                            ("spikeRate", .number(layerRate(p))),
                        ])
                    })
            ),
            ("ticksRun", .int(srpTau + (checkpoints.last ?? 0) + extraTicks)),
        ]
    }

    public func text() -> String {
        var out = "      T  latency  accuracy\n"
        for (t, a) in zip(checkpoints, accuracies) {
            out += String(format: "%7d  %7d  %7.2f %%\n", t, t + srpTau, 100 * a)
        }
        out += String(
            format: "spike rate R (eq. 8) at T = %d: %.4f spikes per neuron per tick\n", checkpoints.last ?? 0,
            spikeRate)
        for p in network.hidden {
            out +=
                "  " + network.populations[p].name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(
                    format: "%10.0f spikes/image   R = %.4f\n", Double(spikes[p]) / Double(max(images, 1)), layerRate(p)
                )
        }
        if extraTicks > 0 { out += "pipelined: each run lasted T + \(extraTicks) ticks (depth of the network)\n" }
        return out
    }
}

/// `spikemesh simulate`: the run's context around a `SimulationReport`.
public struct SimulationRunReport: Sendable {
    public var model: String, data: String, images: Int
    public var annAccuracy: Double?
    /// The θ table (from calibration, or of a network file).
    public var thresholds: String
    public var encoding: InputEncoding, delivery: DeliveryMode
    public var seconds: Double
    public var report: SimulationReport

    public init(
        model: String, data: String, images: Int, annAccuracy: Double?, thresholds: String, encoding: InputEncoding,
        delivery: DeliveryMode, seconds: Double, report: SimulationReport
    ) {
        (self.model, self.data, self.images, self.annAccuracy, self.thresholds) = (
            model, data, images, annAccuracy, thresholds
        )
        (self.encoding, self.delivery, self.seconds, self.report) = (encoding, delivery, seconds, report)
    }

    public func json() -> JSON {
        let network = report.network
        return .object(
            [
                ("model", .string(model)), ("data", .string(data)), ("count", .int(images)),
                ("annAccuracy", annAccuracy.map { .number($0) } ?? .null),
            ] + report.jsonFields() + [
                ("method", .string(network.metadata["method"] ?? "")),
                ("alpha", .string(network.metadata["alpha"] ?? "")),
                ("reset", .string(network.populations.last?.reset.rawValue ?? "")),
                ("encoding", .string(encoding.rawValue)), ("delivery", .string(delivery.rawValue)),
                (
                    "thresholds",
                    .array(
                        network.hidden.map {
                            .object([
                                ("layer", .string(network.populations[$0].name)),
                                ("threshold", .float(network.populations[$0].threshold)),
                            ])
                        })
                ),
                ("seconds", .number((seconds * 1000).rounded() / 1000)),
            ])
    }

    public func text() -> String {
        "model: \(model), data: \(data) (\(images) images)\n"
            + (annAccuracy.map { String(format: "ANN accuracy: %.2f %%", 100 * $0) }
                ?? "ANN accuracy: n/a (a network file has no ANN)") + "\n"
            + thresholds + report.text()
            + String(
                format: "simulated in %.1f s (%.1f images/s at T = %d)\n", seconds, Double(images) / seconds,
                report.checkpoints.last ?? 0)
    }
}
