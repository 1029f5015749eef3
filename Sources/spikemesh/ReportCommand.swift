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
        positionals: [("MODEL", "An .onnx file (default: \(Defaults.model)).")],
        options: InputOptions.specs + ConversionArguments.specs + HardwareArguments.specs + HardwareArguments.mappingSpecs + RunCommand.emulationSpecs + [
            OptionSpec(name: "json", value: nil, help: "One JSON object: annAccuracy, referenceAccuracy, thresholds, mapping {cores, chips, layers…}, and the run's fields (accuracy, latencyTicks, energyMicrojoules, energyBreakdown …)."),
            OptionSpec(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        examples: [
            "swift run -c release spikemesh report",
            "spikemesh report --hardware truenorth --timesteps 32",
            "spikemesh report Examples/fmnist_cnn_qcfs.onnx --method qcfs --timesteps 8 --hardware loihi --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag("json")
        let quiet = json || args.flag("quiet")
        var data = try InputOptions.dataset(args)
        if args.values["limit"] == nil { data = data.limited(to: 200) }
        let hardware = try HardwareArguments.model(args)
        let loaded = try NetworkArguments.load(args, data: data, quiet: quiet)
        guard let graph = loaded.graph, let summary = loaded.summary else {
            throw SpikeMeshError(.usage, "report takes an .onnx model (it measures the ANN too); for a network file use run")
        }
        let ann = try ANNEngine(graph: graph).evaluate(data, normalization: loaded.normalization)
        let timesteps = try args.values["timesteps"].map(SimulateCommand.parseTimesteps) ?? [64]
        var simOptions = SimulationOptions()
        simOptions.checkpoints = Array(Set(timesteps)).sorted()
        simOptions.encoding = try args.choice("encoding", InputEncoding.self) ?? .direct
        simOptions.delivery = try args.choice("delivery", DeliveryMode.self) ?? .layerSynchronous
        simOptions.srpTau = try args.int("srp-tau", min: 0) ?? 0
        simOptions.seed = UInt64(try args.int("seed", min: 0) ?? 0)
        let progress = Progress("reference simulation", total: 1, enabled: !quiet)
        let reference = try ReferenceSimulator(network: loaded.network).accuracy(data, normalization: loaded.normalization, options: simOptions)
        progress.finish()
        let run = try RunCommand.emulate(args, loaded: loaded, data: data, hardware: hardware, quiet: quiet)
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
        print(ConversionArguments.thresholdTable(summary), terminator: "")
        print("3. float reference simulator: " + zip(simOptions.checkpoints, reference).map { String(format: "T = %d: %.2f %%", $0.0, 100 * $0.1) }.joined(separator: ", "))
        print(String(format: "4. mapping: %d cores on %d chip(s); tightest limit %@ in \"%@\" at %.1f %%; placement cost %.0f vs snake %.0f",
                     run.mapping.cores.count, run.mapping.chipsUsed, mapReport.tightest.limit, mapReport.tightest.layer,
                     100 * mapReport.tightest.use, run.mapping.placementCost, run.mapping.baselineCost))
        print("5. emulation (event-driven, fixed point):")
        print(run.text(), terminator: "")
    }
}
