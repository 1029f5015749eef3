import Foundation
import SpikeMesh

enum EvaluateCommand {
    static let spec = CommandSpec(
        name: "evaluate",
        usage: "[MODEL] [--data PATH] [--split test|train] [--limit N] [--batch N] [--json]",
        summary: "Measure the float ANN's accuracy and speed on a dataset.",
        discussion: """
            Runs the imported network (float32, all cores) on every image and compares the argmax
            of its output with the label. This is the accuracy every spiking run is held against.
            """,
        positionals: [("MODEL", "An .onnx file (default: \(BundledExample.model)).")],
        options: Opt.input + [
            Opt.batch.spec,
            Opt.json(
                "Print one JSON object on stdout (keys: model, data, count, correct, accuracy, imagesPerSecond, seconds)."
            ).spec,
            Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh evaluate",
            "spikemesh evaluate Examples/fmnist_cnn.onnx --data /usr/share/datasets/fashion-mnist",
            "spikemesh evaluate Examples/fmnist_cnn_qcfs.onnx --data /usr/share/datasets/fashion-mnist --split train --limit 5000 --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        let path = args.positional(0) ?? BundledExample.model
        try pipeline.checkMemory(try MemoryEstimate.load(path: path), "loading \(Text.escaped(path))")
        let graph = try ONNXImporter.load(path: path)
        let data = try pipeline.dataset()
        let normalization = try Normalization.resolve(mean: pipeline.input.mean, std: pipeline.input.std, graph: graph)
        let engine = ANNEngine(graph: graph)
        let progress = Progress("evaluate", total: data.count, enabled: pipeline.showProgress)
        let result = try engine.evaluate(
            data, normalization: normalization, batchSize: try args.value(Opt.batch) ?? ANNEngine.defaultBatchSize,
            progress: progress.update)
        progress.finish()
        let report = EvaluationReport(
            model: graph.source, data: data.source, threads: engine.workers, result: result,
            normalization: normalization)
        if json { printJSON(report.json()) } else { printText(report.text(), terminator: "") }
    }
}
