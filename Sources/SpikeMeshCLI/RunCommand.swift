import Foundation
import SpikeMesh

enum RunCommand {
    static let spec = CommandSpec(
        name: "run",
        usage: "[MODEL|NET] [--hardware NAME|FILE] [--data PATH] [--timesteps T] [--limit N] [--json]",
        summary: "Emulate the chip event by event: accuracy, latency, energy per inference and its breakdown.",
        discussion: """
            The network is converted (given a model), quantized to the hardware's fixed point,
            mapped, and emulated: every spike is one packet per destination core, routed XY over
            the mesh; cores update integer membranes only when a packet arrives. Energy per
            inference = counters × the hardware model's energy table + static power × time
            (Docs/Emulation.md). Input spikes enter at their destination cores; direct input is a
            current computed by the host.
            """,
        positionals: [Opt.modelPositional],
        options: Opt.input + Opt.conversion + Opt.hardwareGroup + Opt.mapping + Opt.run + [
            Opt.json(
                "One JSON object: accuracy, latencyTicks, latencyMicroseconds, energyMicrojoules, energyBreakdown, synapticOps, spikeRate, packets, hops, counters …"
            ).spec,
            Opt.targetLoss.spec, Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh run --hardware loihi --limit 200",
            "spikemesh run Examples/fmnist_cnn_qcfs.onnx --method qcfs --hardware truenorth --timesteps 8 --srp-tau 4",
            "spikemesh run net.smnet --hardware generic-small --set mesh.linkCapacity=8 --encoding poisson --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        let targetLoss = try args.value(Opt.targetLoss)
        let data = try pipeline.dataset()
        let hardware = try pipeline.hardwareModel()
        let loaded = try pipeline.load(args)
        try requireANN(for: targetLoss, loaded)
        let result = try pipeline.emulate(loaded, on: hardware, data: data)
        let target = try targetLoss.map {
            try self.target($0, result: result, pipeline: pipeline, loaded: loaded, hardware: hardware, data: data)
        }
        if json {
            printJSON(
                .object(
                    [("model", .string(loaded.source)), ("data", .string(data.source)), ("count", .int(data.count))]
                        + result.jsonFields()
                        + (target.map { [("targetLoss", $0.json())] } ?? [])))
        } else {
            printText("network: \(loaded.source), data: \(data.source) (\(data.count) images)")
            printText(result.text(), terminator: "")
            if let target { printText(target.text(), terminator: "") }
        }
    }

    /// The smallest T of the emulated curve within `loss` of the ANN on the same images, and
    /// the latency and energy per inference there: the run's own if T is its largest, else
    /// one more emulation at that T.
    static func target(
        _ loss: Double, result: EmulationSummary, pipeline: Pipeline, loaded: LoadedNetwork,
        hardware: HardwareModel, data: Dataset
    ) throws -> TargetLoss {
        let ann = try ANNEngine(graph: loaded.graph!).evaluate(data, normalization: loaded.normalization)
        var target = TargetLoss(
            loss: loss, reference: ann.accuracy, checkpoints: result.evaluation.checkpoints,
            accuracies: result.evaluation.accuracy)
        guard let t = target.timesteps else { return target }
        var at = result
        if t != result.evaluation.checkpoints.last {
            var again = pipeline
            again.run.timesteps = [t]
            at = try again.emulate(loaded, on: hardware, data: data)
        }
        target.latencyTicks = at.energy.latencyTicks
        target.latencyMicroseconds = at.energy.latencyMicroseconds
        target.energyMicrojoules = at.energy.totalMicrojoules
        return target
    }
}
