import Foundation
import SpikeMesh

enum ConvertCommand {
    static let spec = CommandSpec(
        name: "convert",
        usage: "[MODEL] [--method max|percentile|rmp|qcfs] [--alpha A] [--reset subtract|zero] [-o NET] [--json]",
        summary: "Convert an ANN to a soft-reset spiking network, print each layer's θ, and save it.",
        discussion: """
        Balances thresholds on calibration images (the training split of --data, or
        --calibration-data, or the bundled Examples/fashion-mnist-train-1000.smds.gz) and
        writes the spiking network to NET (format: Docs/NetworkFormat.md). Every later
        command (simulate, map, run, energy) takes NET in place of MODEL and then
        skips conversion.
        """,
        positionals: [("MODEL", "An .onnx file (default: \(BundledExample.model)).")],
        options: [Opt.data.spec, Opt.mean.spec, Opt.std.spec] + Opt.conversion + [
            OptionSpec(name: "hardware", value: "NAME|FILE", help: "Also quantize to this hardware model's fixed point (weightBits, potentialBits) and save the fixed-point network."),
            Opt.set.spec, Opt.exact.spec, Opt.output.spec,
            Opt.json("Print one JSON object: model, method, alpha, reset, calibrationImages, layers [{name, neurons, threshold, statistic}], output.").spec,
            Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh convert -o fmnist_cnn.smnet",
            "spikemesh convert Examples/fmnist_cnn_nobias.onnx --data /usr/share/datasets/fashion-mnist --method rmp --alpha 0.6 -o rmp.smnet",
            "spikemesh convert Examples/fmnist_cnn_qcfs.onnx --method qcfs -o qcfs.smnet --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        let loaded = try pipeline.load(args, spec: spec)
        guard let summary = loaded.summary else {
            throw SpikeMeshError(.usage, "\(loaded.source) is already a converted network; convert takes an .onnx model")
        }
        let output = try args.value(Opt.output)
        var network = loaded.network
        var quantization: Quantizer.Report?
        if pipeline.run.exact {
            (network, quantization) = try Quantizer.exact(network)
        } else if args.has(Opt.hardware) {
            (network, quantization) = try Quantizer.quantize(network, for: try pipeline.hardwareModel())
        } else if args.has(Opt.set) {
            throw SpikeMeshError(.usage, "--set overrides a hardware model; give --hardware NAME|FILE too")
        }
        if let output { try NetworkFile.save(network, to: output) }
        if json {
            printJSON(.object([
                ("model", .string(loaded.source)), ("method", .string(summary.method.rawValue)), ("alpha", .float(summary.alpha)),
                ("reset", .string(loaded.network.metadata["reset"] ?? "")), ("calibrationImages", .int(summary.images)),
                ("layers", .array(summary.entries.map {
                    .object([("name", .string($0.name)), ("neurons", .int($0.neurons)), ("threshold", .float($0.threshold)),
                             ("statistic", .float($0.statistic))])
                })),
                ("fixedPoint", quantization.map { q in .object([("hardware", .string(q.hardware)), ("weightBits", .int(q.weightBits)),
                                                                 ("potentialBits", .int(q.potentialBits)),
                                                                 ("integerThresholds", .array(q.entries.map { .int($0.integerThreshold) }))]) } ?? .null),
                ("output", output.map { .string($0) } ?? .null),
            ]))
        } else {
            print("model: \(loaded.source)")
            print(ThresholdTable.text(summary), terminator: "")
            if let q = quantization {
                print("fixed point for \(q.hardware): \(q.weightBits)-bit weights, \(q.potentialBits)-bit potentials")
                for e in q.entries {
                    print("  " + e.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                          + String(format: "Θ = %-8d relative weight error %.2f %%", e.integerThreshold, 100 * e.relativeError))
                }
            }
            print(output.map { "wrote \($0)" } ?? "not saved (give -o NET to save the network)")
        }
    }
}
