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
        command (simulate, quantize, map, run, energy) takes NET in place of MODEL and then
        skips conversion.
        """,
        positionals: [("MODEL", "An .onnx file (default: \(Defaults.model)).")],
        options: InputOptions.specs.filter { $0.name != "limit" && $0.name != "split" } + ConversionArguments.specs + [
            OptionSpec(name: "output", value: "NET", help: "Write the network here (also -o; by convention NAME.smnet)."),
            OptionSpec(name: "json", value: nil, help: "Print one JSON object: model, method, alpha, reset, calibrationImages, layers [{name, neurons, threshold, statistic}], output."),
            OptionSpec(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        examples: [
            "swift run -c release spikemesh convert -o fmnist_cnn.smnet",
            "spikemesh convert Examples/fmnist_cnn_nobias.onnx --data /usr/share/datasets/fashion-mnist --method rmp --alpha 0.6 -o rmp.smnet",
            "spikemesh convert Examples/fmnist_cnn_qcfs.onnx --method qcfs -o qcfs.smnet --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag("json")
        let loaded = try NetworkArguments.load(args, data: nil, quiet: json || args.flag("quiet"))
        guard let summary = loaded.summary else {
            throw SpikeMeshError(.usage, "\(loaded.source) is already a converted network; convert takes an .onnx model")
        }
        let output = args.values["output"]
        if let output { try NetworkFile.save(loaded.network, to: output) }
        if json {
            printJSON(.object([
                ("model", .string(loaded.source)), ("method", .string(summary.method.rawValue)), ("alpha", .float(summary.alpha)),
                ("reset", .string(loaded.network.metadata["reset"] ?? "")), ("calibrationImages", .int(summary.images)),
                ("layers", .array(summary.entries.map {
                    .object([("name", .string($0.name)), ("neurons", .int($0.neurons)), ("threshold", .float($0.threshold)),
                             ("statistic", .float($0.statistic))])
                })),
                ("output", output.map { .string($0) } ?? .null),
            ]))
        } else {
            print("model: \(loaded.source)")
            print(ConversionArguments.thresholdTable(summary), terminator: "")
            print(output.map { "wrote \($0)" } ?? "not saved (give -o NET to save the network)")
        }
    }
}
