import SpikeMesh

enum InspectCommand {
    static let spec = CommandSpec(
        name: "inspect",
        usage: "[MODEL] [--json]",
        summary: "Print an ONNX model's layer table: type, output shape, parameters and MACs per layer, with totals.",
        discussion: """
            The model is imported exactly as every later stage sees it: BatchNorm, QCFS chains and
            bias Adds are recognised, Dropout and Identity are dropped, shapes are per image
            (C×H×W, batch left out). MACs count convolution and dense layers.
            """,
        positionals: [("MODEL", "An .onnx file (default: \(BundledExample.model)).")],
        options: [Opt.json("Print one JSON object on stdout instead of the table.").spec],
        examples: [
            "spikemesh inspect Examples/fmnist_cnn.onnx",
            "spikemesh inspect Examples/fmnist_cnn_qcfs.onnx --json | jq '.layers[] | select(.type == \"QCFS\")'",
        ])

    static func run(_ args: Arguments) throws {
        let path = args.positional(0) ?? BundledExample.model
        let graph = try ONNXImporter.load(path: path)
        let normalization = try? Normalization.resolve(mean: nil, std: nil, graph: graph)
        let summary = ModelSummary(graph: graph)
        if args.flag(Opt.json) {
            printJSON(summary.json(normalization: normalization))
        } else {
            printText(summary.text(normalization: normalization), terminator: "")
        }
    }
}
