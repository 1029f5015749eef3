import Foundation
import SpikeMesh

enum EnergyCommand {
    static let spec = CommandSpec(
        name: "energy",
        usage: "[MODEL|NET] [--hardware NAME|FILE] [--timesteps T] [--limit N] [--json]",
        summary: "Energy and latency per inference on each shipped chip, beside the ANN's MAC estimate.",
        discussion: """
            Emulates the network on every shipped hardware model (or the one given with
            --hardware) over the first --limit images (default 100) and reports energy and
            latency per inference, pJ per synaptic op all-in, and where the energy goes. For
            reference it prints the ANN's multiply-accumulates and the usual 45 nm estimates
            (4.6 pJ per 32-bit MAC, 0.9 pJ per add; Horowitz, ISSCC 2014): the ANN as MACs, the
            SNN's synaptic ops as adds.
            """,
        positionals: [Opt.modelPositional],
        options: Opt.input + Opt.conversion + Opt.hardwareGroup + Opt.mapping + Opt.run + [
            Opt.json(
                "One JSON object: macs, macEnergyMicrojoules, rows [{hardware, accuracy, energyMicrojoules, energyBreakdown, latencyMicroseconds, synapticOps, picojoulesPerSynapticOp}]."
            ).spec,
            Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh energy",
            "spikemesh energy Examples/fmnist_cnn_qcfs.onnx --method qcfs --timesteps 8 --limit 200",
            "spikemesh energy net.smnet --hardware loihi --set energy.staticPowerMW=104 --json",
        ])

    /// Images emulated when --limit is not given (every chip is emulated in turn).
    static let defaultLimit = 100

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        let data = try pipeline.dataset(defaultLimit: defaultLimit)
        let loaded = try pipeline.load(args)
        let names = args.has(Opt.hardware) ? [pipeline.hardware.hardware] : HardwareModel.shipped
        let rates = try pipeline.rates(loaded)
        let rows = try names.map {
            try pipeline.emulate(loaded, on: try pipeline.hardwareModel(named: $0), data: data, rates: rates)
        }
        let report = EnergyComparison(
            model: loaded.source, images: data.count, macs: loaded.structure.macCount, rows: rows)
        if json { printJSON(report.json()) } else { printText(report.text(), terminator: "") }
    }
}
