import Foundation
import SpikeMesh

/// Options shared by every command that converts a model.
enum ConversionArguments {
    static let specs: [OptionSpec] = [
        OptionSpec(name: "method", value: "max|percentile|rmp|qcfs", help: "Threshold balancing (default percentile; qcfs for QCFS-trained models)."),
        OptionSpec(name: "percentile", value: "P", help: "For --method percentile (default 99.9)."),
        OptionSpec(name: "alpha", value: "A", help: "Scale every threshold by A (the RMP paper's α; default 1)."),
        OptionSpec(name: "pooling", value: "spiking|linear", help: "Average pooling as IF neurons (default), or folded into the next layer's weights, no neurons, as Bu et al. 2022 (default for qcfs; larger fan-in)."),
        OptionSpec(name: "reset", value: "subtract|zero", help: "Soft reset V ← V − θ (RMP, default) or hard reset V ← 0."),
        OptionSpec(name: "calibration-images", value: "N", help: "Calibration images (default 1000)."),
        OptionSpec(name: "calibration-data", value: "PATH", help: "Where calibration images come from (default: the train split of --data, or the bundled Examples/fashion-mnist-train-1000.smds.gz)."),
        OptionSpec(name: "seed", value: "S", help: "Seed of every random draw (Poisson input; default 0)."),
    ]

    static func calibrationData(_ args: Arguments) throws -> Dataset {
        if let path = args.values["calibration-data"] { return try Dataset.load(path: path, split: .train) }
        if let path = args.values["data"] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return try Dataset.load(path: path, split: .train)
            }
            throw SpikeMeshError(.usage, "--data \(path) is a single file with no training split; give calibration images with --calibration-data PATH")
        }
        return try Dataset.load(path: Defaults.calibrationData)
    }

    static func convert(_ args: Arguments, graph: ANNGraph, normalization: Normalization, quiet: Bool) throws -> (SpikingNetwork, CalibrationSummary) {
        var options = ConversionOptions()
        let inferred: ThresholdMethod = graph.layers.contains { if case .qcfs = $0.op { true } else { false } } ? .qcfs : .percentile
        options.method = try args.choice("method", ThresholdMethod.self) ?? inferred
        if let p = try args.floats("percentile")?.first { options.percentile = Double(p) }
        if let a = try args.floats("alpha")?.first { options.alpha = a }
        options.reset = try args.choice("reset", ResetMode.self) ?? .subtract
        options.pooling = try args.choice("pooling", PoolingMode.self) ?? (options.method == .qcfs ? .linear : .spiking)
        options.seed = UInt64(try args.int("seed", min: 0) ?? 0)
        var calibration = Dataset?.none
        var images: [Float] = []
        var count = 0
        if options.method != .qcfs {
            let all = try calibrationData(args)
            let n = min(try args.int("calibration-images", min: 1) ?? 1000, all.count)
            calibration = all.limited(to: n)
            try ANNEngine(graph: graph).checkInput(calibration!)
            images = calibration!.normalizedBatch(0..<n, mean: normalization.mean, std: normalization.std)
            count = n
        }
        let progress = Progress("calibrate (\(options.method.rawValue))", total: options.method == .rmp ? 1 : count, enabled: !quiet)
        let result = try Converter.convert(graph, calibration: images, count: count, options: options) { _, done, total in
            progress.update(total == count ? done : done * count / max(total, 1))
        }
        progress.finish()
        return result
    }

    static func thresholdTable(_ s: CalibrationSummary) -> String {
        var out = "thresholds (method \(s.method.rawValue), α = \(s.alpha), \(s.images) calibration images):\n"
        for e in s.entries {
            out += "  " + e.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: "%8d neurons   θ = %.4f", e.neurons, e.threshold)
                + (e.maxActivation.map { String(format: "   (max activation %.4f)", $0) } ?? "") + "\n"
        }
        return out
    }
}
