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
            Opt.json("One JSON object: macs, macEnergyMicrojoules, rows [{hardware, accuracy, energyMicrojoules, energyBreakdown, latencyMicroseconds, synapticOps, picojoulesPerSynapticOp}].").spec,
            Opt.quiet.spec,
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
        let loaded = try pipeline.load(args, spec: spec)
        let names = args.has(Opt.hardware) ? [pipeline.hardware.hardware] : HardwareModel.shipped
        let rates = try pipeline.rates(loaded)
        let rows = try names.map { try pipeline.emulate(loaded, on: try pipeline.hardwareModel(named: $0), data: data, rates: rates) }
        let macs = loaded.network.macCount
        let macUJ = Double(macs) * ReferenceEnergy.macPJ * 1e-6
        if json {
            printJSON(.object([
                ("model", .string(loaded.source)), ("count", .int(data.count)),
                ("macs", .int(macs)), ("macEnergyMicrojoules", .number(macUJ)),
                ("rows", .array(rows.map { r in
                    .object([("hardware", .string(r.hardware.name)), ("fits", .bool(r.mapping.fits)), ("spilled", .bool(r.mapping.chipsUsed > r.hardware.mesh.chips)), ("accuracy", .number(r.accuracy)),
                             ("timesteps", .int(r.evaluation.checkpoints.last ?? 0)),
                             ("energyMicrojoules", .number(r.energy.totalMicrojoules)), ("energyBreakdown", r.energy.breakdownJSON),
                             ("latencyMicroseconds", .number(r.energy.latencyMicroseconds)), ("latencyTicks", .number(r.energy.latencyTicks)),
                             ("synapticOps", .number(r.energy.synapticOps)), ("picojoulesPerSynapticOp", .number(r.energy.picojoulesPerSOP)),
                             ("acEnergyMicrojoules", .number(r.energy.synapticOps * ReferenceEnergy.acPJ * 1e-6))])
                })),
            ]))
            return
        }
        print("network: \(loaded.source), \(data.count) images, T = \(rows.first?.evaluation.checkpoints.last ?? 0)")
        print("  hardware        accuracy   energy/inference   latency/inference   synaptic ops   pJ/SOP   cores  chips")
        for r in rows {
            print("  " + r.hardware.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + String(format: "%8.2f %%  %13.3f µJ  %15.1f µs  %13.0f  %7.1f  %5d  %5d%@", 100 * r.accuracy, r.energy.totalMicrojoules,
                           r.energy.latencyMicroseconds, r.energy.synapticOps, r.energy.picojoulesPerSOP, r.mapping.cores.count,
                           r.mapping.chipsUsed, (r.mapping.fits ? "" : "  (does not fit; over-committed)")
                           + (r.mapping.chipsUsed > r.hardware.mesh.chips ? "  (spills past the \(r.hardware.mesh.chips)-chip board)" : "")))
        }
        print("\nwhere the energy goes (µJ per inference):")
        let partNames = rows.first?.energy.parts.map(\.name) ?? []
        print("  " + "part".padding(toLength: 22, withPad: " ", startingAt: 0) + rows.map { $0.hardware.name.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined())
        for (k, name) in partNames.enumerated() {
            print("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + rows.map { String(format: "%-14.4f", $0.energy.parts[k].microjoules) }.joined())
        }
        print(String(format: "\nreference (45 nm, Horowitz 2014): the ANN's %d MACs × 4.6 pJ = %.3f µJ; the SNN's synaptic ops × 0.9 pJ = %@",
                     macs, macUJ, rows.map { String(format: "%.3f µJ (%@)", $0.energy.synapticOps * ReferenceEnergy.acPJ * 1e-6, $0.hardware.name) }.joined(separator: ", ")))
    }
}
