import Foundation
import SpikeMesh

enum ReportCommand {
    static let spec = CommandSpec(
        name: "report",
        usage: "[MODEL] [--hardware NAME|FILE] [--timesteps T] [--limit N] [--json]",
        summary:
            "The whole pipeline on one model: ANN accuracy, conversion, mapping, emulated accuracy, latency and energy.",
        discussion: """
            Imports the model (default: the bundled Fashion-MNIST CNN), measures the float ANN,
            converts it (thresholds on calibration images), runs the float reference simulator,
            quantizes for the chip, maps it, and emulates it event by event over the first
            --limit images (default 200). One screen answers: how accurate, how many cores,
            how many µJ and µs per inference, and where the energy goes.
            """,
        positionals: [("MODEL", "An .onnx file (default: \(BundledExample.model)).")],
        options: Opt.input + Opt.conversion + Opt.hardwareGroup + Opt.mapping + Opt.run + [
            Opt.json(
                "One JSON object: annAccuracy, referenceAccuracy, thresholds, mapping {cores, chips, layers…}, and the run's fields (accuracy, latencyTicks, energyMicrojoules, energyBreakdown …)."
            ).spec,
            Opt.html.spec, Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh report",
            "spikemesh report --hardware truenorth --timesteps 32",
            "spikemesh report --timesteps 8,16,32,64 --html report.html",
            "spikemesh report Examples/fmnist_cnn_qcfs.onnx --method qcfs --timesteps 8 --hardware loihi --json",
        ])

    /// Images emulated when --limit is not given.
    static let defaultLimit = 200

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        let data = try pipeline.dataset(defaultLimit: defaultLimit)
        let hardware = try pipeline.hardwareModel()
        let loaded = try pipeline.load(args)
        guard let graph = loaded.graph, let summary = loaded.summary else {
            throw SpikeMeshError(
                .usage, "report takes an .onnx model (it measures the ANN too); for a network file use run")
        }
        let ann = try ANNEngine(graph: graph).evaluate(data, normalization: loaded.normalization)
        let simOptions = pipeline.simulationOptions
        try pipeline.checkSimulation(loaded, "")
        let progress = Progress("reference simulation", total: 1, enabled: pipeline.showProgress)
        let reference = try loaded.reference.accuracy(data, normalization: loaded.normalization, options: simOptions)
        progress.finish()
        let run = try pipeline.emulate(loaded, on: hardware, data: data)
        let report = PipelineReport(
            model: loaded.source, data: data.source, images: data.count, graph: graph, ann: ann,
            summary: summary, checkpoints: simOptions.checkpoints, reference: reference, emulation: run)
        let failure = writeFiles(args, [(Opt.html, { Array(report.html(command: Opt.commandLine).utf8) })])
        if json { printJSON(report.json()) } else { printText(report.text(), terminator: "") }
        if let failure { throw failure }
    }
}
