import Foundation
import SpikeMesh

enum RunCommand {
    static let emulationSpecs: [OptionSpec] = [
        OptionSpec(name: "timesteps", value: "T[,T…]", help: "Input-presentation ticks (default 64); accuracy is read at each, energy and latency at the largest."),
        OptionSpec(name: "encoding", value: "direct|poisson", help: "Analog input current every tick (default), or signed Poisson spikes sent as packets."),
        OptionSpec(name: "delivery", value: "layerSynchronous|pipelined", help: "Zero-delay layers within a tick (default), or one tick per hop as on a chip."),
        OptionSpec(name: "srp-tau", value: "τ", help: "SRP: τ preliminary ticks, then suppress neurons with non-positive residual (latency τ + T)."),
        OptionSpec(name: "exact", value: nil, help: "Quantize with integers wide enough to reproduce the float network (16-bit weights, 32-bit potentials) instead of the hardware's widths."),
    ]

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
        positionals: [NetworkArguments.positional],
        options: InputOptions.specs + ConversionArguments.specs + HardwareArguments.specs + HardwareArguments.mappingSpecs + emulationSpecs + [
            OptionSpec(name: "json", value: nil, help: "One JSON object: accuracy, latencyTicks, latencyMicroseconds, energyMicrojoules, energyBreakdown, synapticOps, spikeRate, packets, hops, counters …"),
            OptionSpec(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        examples: [
            "swift run -c release spikemesh run --hardware loihi --limit 200",
            "spikemesh run Examples/fmnist_cnn_qcfs.onnx --method qcfs --hardware truenorth --timesteps 8 --srp-tau 4",
            "spikemesh run net.smnet --hardware generic-small --set mesh.linkCapacity=8 --encoding poisson --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag("json")
        let quiet = json || args.flag("quiet")
        let data = try InputOptions.dataset(args)
        let hardware = try HardwareArguments.model(args)
        let loaded = try NetworkArguments.load(args, data: data, quiet: quiet)
        let result = try emulate(args, loaded: loaded, data: data, hardware: hardware, quiet: quiet)
        if json {
            printJSON(.object([("model", .string(loaded.source)), ("data", .string(data.source)), ("count", .int(data.count))] + result.jsonFields()))
        } else {
            print("network: \(loaded.source), data: \(data.source) (\(data.count) images)")
            print(result.text(), terminator: "")
        }
    }

    /// Quantize, map, emulate: shared by run, energy and report.
    /// `rates`: measured once by the caller when it emulates on several hardware models.
    static func emulate(_ args: Arguments, loaded: LoadedNetwork, data: Dataset, hardware: HardwareModel, quiet: Bool,
                        rates: (values: [Double]?, origin: String)? = nil) throws -> EmulationSummary {
        let (fixed, quantization): (SpikingNetwork, Quantizer.Report)
        if let report = Quantizer.describe(loaded.network) {
            (fixed, quantization) = (loaded.network, report)   // a fixed-point network file runs as it is
        } else {
            (fixed, quantization) = args.flag("exact") ? try Quantizer.exact(loaded.network) : try Quantizer.quantize(loaded.network, for: hardware)
        }
        var network = fixed
        let expected = try rates ?? HardwareArguments.rates(args, network: loaded.network, normalization: loaded.normalization, quiet: quiet)
        let mapping = try HardwareArguments.map(args, network: loaded.network, hardware: hardware, rates: expected.values, quiet: quiet)
        network.metadata["rates"] = expected.origin
        var options = EmulationOptions()
        options.checkpoints = try args.values["timesteps"].map(SimulateCommand.parseTimesteps) ?? [64]
        options.encoding = try args.choice("encoding", InputEncoding.self) ?? .direct
        options.delivery = try args.choice("delivery", DeliveryMode.self) ?? .layerSynchronous
        options.srpTau = try args.int("srp-tau", min: 0) ?? 0
        options.seed = UInt64(try args.int("seed", min: 0) ?? 0)
        let emulator = try Emulator(network: network, mapping: mapping)
        let progress = Progress("emulate on \(hardware.name)", total: data.count, enabled: !quiet)
        let start = Date()
        let evaluation = try emulator.evaluate(data, normalization: loaded.normalization, options: options) { progress.update($0) }
        progress.finish()
        return EmulationSummary(hardware: hardware, mapping: mapping, network: network, quantization: quantization,
                                evaluation: evaluation, options: options, seconds: Date().timeIntervalSince(start))
    }
}
