import Foundation
import SpikeMesh

/// A spiking network named on the command line: an ONNX model (converted here, with the
/// conversion options) or a network file written by `spikemesh convert -o`.
struct LoadedNetwork {
    var network: SpikingNetwork
    /// The ANN, when the positional argument was a model.
    var graph: ANNGraph?
    /// Calibration summary, when converted here.
    var summary: CalibrationSummary?
    var normalization: Normalization
    var source: String
}

enum NetworkArguments {
    static let positional = ("MODEL|NET", "An .onnx model (converted first) or a network file from 'spikemesh convert -o' (default: \(Defaults.model)).")

    /// Loads or converts. `data` is only read to check channels; calibration reads its own images.
    static func load(_ args: Arguments, data: Dataset?, quiet: Bool) throws -> LoadedNetwork {
        let path = args.positionals.first ?? Defaults.model
        if NetworkFile.looks(path) {
            let network = try NetworkFile.load(path: path)
            for option in ["method", "percentile", "alpha", "reset", "calibration-images"] where args.values[option] != nil {
                throw SpikeMeshError(.usage, "--\(option) converts a model, but \(path) is an already converted network")
            }
            let normalization = try Normalization.resolve(mean: try args.floats("mean"), std: try args.floats("std"), metadata: network.metadata)
            return LoadedNetwork(network: network, graph: nil, summary: nil, normalization: normalization, source: path)
        }
        let graph = try ONNXImporter.load(path: path)
        let normalization = try InputOptions.normalization(args, graph: graph)
        var (network, summary) = try ConversionArguments.convert(args, graph: graph, normalization: normalization, quiet: quiet)
        network.metadata.merge(normalization.metadata) { _, new in new }
        network.metadata["source"] = path
        return LoadedNetwork(network: network, graph: graph, summary: summary, normalization: normalization, source: path)
    }

    /// The per-population θ table of a network (for files, where no calibration summary exists).
    static func thresholdTable(_ network: SpikingNetwork) -> String {
        var out = "thresholds (\(network.metadata["method"] ?? "?") method, α = \(network.metadata["alpha"] ?? "?")):\n"
        for p in network.hidden {
            let pop = network.populations[p]
            out += "  " + pop.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: "%8d neurons   θ = %.4f", pop.count, pop.threshold) + "\n"
        }
        return out
    }
}
