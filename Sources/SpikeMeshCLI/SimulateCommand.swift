import Foundation
import SpikeMesh

enum SimulateCommand {
    static let spec = CommandSpec(
        name: "simulate",
        usage:
            "[MODEL] [--data PATH] [--timesteps 1,2,4,…] [--method max|percentile|rmp|qcfs] [--alpha A] [--reset subtract|zero] [--encoding direct|poisson] [--delivery layerSynchronous|pipelined] [--srp-tau τ] [--json]",
        summary: "Convert an ANN to a soft-reset spiking network and run the float reference simulator: accuracy vs T.",
        discussion: """
            The model is converted (thresholds balanced on calibration images) and simulated once
            up to the largest T; accuracy is read at every T asked for. Calibration reads the
            training split of an IDX folder given with --data, or --calibration-data, or, for
            the bundled example, Examples/fashion-mnist-train-1000.smds.gz.
            With --delivery pipelined, T counts input-presentation ticks; the run lasts
            T + depth ticks so that input from tick T reaches the output.
            """,
        positionals: [Opt.modelPositional],
        options: Opt.input + Opt.conversion + [
            Option(
                "timesteps", "T[,T…]", help: "Ticks at which accuracy is read.",
                default: defaultTimesteps.map(String.init).joined(separator: ","),
                repeatable: true, parse: Parse.timesteps
            ).spec,
            Opt.encoding.spec, Opt.delivery.spec, Opt.readout.spec, Opt.srpTau.spec, Opt.threads.spec,
            Opt.targetLoss.spec,
            Opt.json(
                "Print one JSON object: annAccuracy, spikeRate, curve [{timesteps, accuracy}], thresholds, spikesPerLayer."
            ).spec,
            Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh simulate --timesteps 16,64,256",
            "spikemesh simulate Examples/fmnist_cnn_qcfs.onnx --method qcfs --timesteps 1,2,4,8 --srp-tau 4",
            "spikemesh simulate Examples/fmnist_cnn_nobias.onnx --data /usr/share/datasets/fashion-mnist --method rmp --alpha 0.6 --reset zero --json",
        ])

    /// simulate reads accuracy at many T (an accuracy-vs-T curve), unlike run's one T.
    static let defaultTimesteps = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        var pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        if !args.has(Opt.timesteps) { pipeline.run.timesteps = defaultTimesteps }
        let targetLoss = try args.value(Opt.targetLoss)
        let data = try pipeline.dataset()
        let loaded = try pipeline.load(args)
        try requireANN(for: targetLoss, loaded)
        let network = loaded.structure
        let normalization = loaded.normalization
        let ann = try loaded.graph.map { try ANNEngine(graph: $0).evaluate(data, normalization: normalization) }
        let options = pipeline.simulationOptions
        try pipeline.checkSimulation(loaded, "")
        let simulator = loaded.reference
        let progress = Progress("simulate", total: data.count, enabled: pipeline.showProgress)
        let start = Date()
        var predictions = [[Int]](repeating: [], count: options.checkpoints.count)
        var spikes = [Int](repeating: 0, count: network.populations.count)
        try data.forEachSeededBatch(
            normalization, inputShape: network.inputShape, model: loaded.source, seed: options.seed
        ) { first, n, input, seed in
            var o = options
            o.seed = seed
            let r = try simulator.run(input, count: n, options: o)
            for k in predictions.indices { predictions[k] += r.predictions[k] }
            for p in spikes.indices { spikes[p] += r.spikes[p] }
            progress.update(first + n)
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let report = SimulationReport(
            network: network, labels: data.labels.map(Int.init), checkpoints: options.checkpoints,
            predictions: predictions, spikes: spikes, images: data.count, srpTau: options.srpTau,
            extraTicks: options.delivery == .pipelined ? simulator.depth : 0)
        let run = SimulationRunReport(
            model: loaded.source, data: data.source, images: data.count, annAccuracy: ann?.accuracy,
            thresholds: ThresholdTable.text(loaded), encoding: options.encoding, delivery: options.delivery,
            seconds: seconds, report: report)
        var target: TargetLoss?
        if let targetLoss, let ann {
            target = TargetLoss(
                loss: targetLoss, reference: ann.accuracy, checkpoints: report.checkpoints,
                accuracies: report.accuracies)
        }
        if json {
            guard case .object(let fields) = run.json() else { return }
            printJSON(.object(fields + (target.map { [("targetLoss", $0.json())] } ?? [])))
        } else {
            printText(run.text(), terminator: "")
            if let target { printText(target.text(), terminator: "") }
        }
    }
}
