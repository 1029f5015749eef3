import Foundation
import SpikeMesh

enum ReportCommand {
    static let spec = CommandSpec(
        name: "report",
        usage: "[MODEL] [--hardware NAME|FILE] [--timesteps T] [--limit N] [--json]",
        summary: "The whole pipeline on one model: ANN accuracy, conversion, mapping, emulated accuracy, latency and energy.",
        discussion: """
        Imports the model (default: the bundled Fashion-MNIST CNN), measures the float ANN,
        converts it (thresholds on calibration images), runs the float reference simulator,
        quantizes for the chip, maps it, and emulates it event by event over the first
        --limit images (default 200). One screen answers: how accurate, how many cores,
        how many µJ and µs per inference, and where the energy goes.
        """,
        positionals: [("MODEL", "An .onnx file (default: \(BundledExample.model)).")],
        options: Opt.input + Opt.conversion + Opt.hardwareGroup + Opt.mapping + Opt.run + [
            Opt.json("One JSON object: annAccuracy, referenceAccuracy, thresholds, mapping {cores, chips, layers…}, and the run's fields (accuracy, latencyTicks, energyMicrojoules, energyBreakdown …).").spec,
            Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh report",
            "spikemesh report --hardware truenorth --timesteps 32",
            "spikemesh report Examples/fmnist_cnn_qcfs.onnx --method qcfs --timesteps 8 --hardware loihi --json",
        ])

    /// Images emulated when --limit is not given.
    static let defaultLimit = 200

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        let data = try pipeline.dataset(defaultLimit: defaultLimit)
        let hardware = try pipeline.hardwareModel()
        let loaded = try pipeline.load(args, spec: spec)
        guard let graph = loaded.graph, let summary = loaded.summary else {
            throw SpikeMeshError(.usage, "report takes an .onnx model (it measures the ANN too); for a network file use run")
        }
        let ann = try ANNEngine(graph: graph).evaluate(data, normalization: loaded.normalization)
        let simOptions = pipeline.simulationOptions
        let progress = Progress("reference simulation", total: 1, enabled: pipeline.showProgress)
        let reference = try ReferenceSimulator(network: loaded.network).accuracy(data, normalization: loaded.normalization, options: simOptions)
        progress.finish()
        let run = try pipeline.emulate(loaded, on: hardware, data: data)
        let mapReport = MappingReport(mapping: run.mapping, network: run.network)
        if json {
            printJSON(.object([
                ("model", .string(loaded.source)), ("data", .string(data.source)), ("count", .int(data.count)),
                ("annAccuracy", .number(ann.accuracy)), ("referenceAccuracy", .number(reference.last ?? 0)),
                ("thresholds", .array(summary.entries.map { .object([("layer", .string($0.name)), ("threshold", .float($0.threshold))]) })),
                ("mapping", mapReport.json()),
            ] + run.jsonFields()))
            return
        }
        print("SpikeMesh report — \(loaded.source) on \(hardware.name), \(data.count) images of \(data.source)\n")
        print(String(format: "1. ANN (float32): accuracy %.2f %%, %d MACs per inference", 100 * ann.accuracy, graph.totalMACs))
        print("2. conversion to soft-reset (RMP) neurons, ", terminator: "")
        print(ThresholdTable.text(summary), terminator: "")
        print("3. float reference simulator: " + zip(simOptions.checkpoints, reference).map { String(format: "T = %d: %.2f %%", $0.0, 100 * $0.1) }.joined(separator: ", "))
        print(String(format: "4. mapping: %d cores on %d chip(s); tightest limit %@ in \"%@\" at %.1f %%; placement cost %.0f vs snake %.0f",
                     run.mapping.cores.count, run.mapping.chipsUsed, mapReport.tightest.limit, mapReport.tightest.layer,
                     100 * mapReport.tightest.use, run.mapping.placementCost, run.mapping.baselineCost))
        print("5. emulation (event-driven, fixed point):")
        print(run.text(), terminator: "")
    }
}
