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
            OptionSpec(
                name: "hardware", value: "NAME|FILE",
                help:
                    "Also quantize to this hardware model's fixed point (weightBits, potentialBits) and save the fixed-point network.",
                file: .input),
            Opt.set.spec, Opt.exact.spec, Opt.output.spec,
            Opt.json(
                "Print one JSON object: model, method, alpha, reset, calibrationImages, layers [{name, neurons, threshold, statistic}], output."
            ).spec,
            Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh convert -o fmnist_cnn.smnet",
            "spikemesh convert Examples/fmnist_cnn_nobias.onnx --data /usr/share/datasets/fashion-mnist --method rmp --alpha 0.6 -o rmp.smnet",
            "spikemesh convert Examples/fmnist_cnn_qcfs.onnx --method qcfs -o qcfs.smnet --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        let loaded = try pipeline.load(args)
        guard let summary = loaded.summary, let network = loaded.float else {
            throw SpikeMeshError(
                .usage, "\(loaded.source) is already a converted network; convert takes an .onnx model")
        }
        let output = try args.value(Opt.output)
        var fixed: (FixedPointNetwork, Quantizer.Report)?
        if pipeline.run.exact {
            fixed = try Quantizer.exact(network)
        } else if args.has(Opt.hardware) {
            fixed = try Quantizer.quantize(network, for: try pipeline.hardwareModel())
        } else if args.has(Opt.set) {
            throw SpikeMeshError(.usage, "--set overrides a hardware model; give --hardware NAME|FILE too")
        }
        let failure = writeFiles(
            args,
            [
                (
                    Opt.output,
                    {
                        if let (f, _) = fixed { try NetworkFile.encoded(f) } else { try NetworkFile.encoded(network) }
                    }
                )
            ])
        let quantization = fixed?.1
        let report = ConversionReport(
            model: loaded.source, summary: summary, reset: network.metadata["reset"] ?? "",
            quantization: quantization, output: failure == nil ? output : nil)
        if json { printJSON(report.json()) } else { printText(report.text(), terminator: "") }
        if let failure { throw failure }
    }
}
