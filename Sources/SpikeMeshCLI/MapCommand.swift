import Foundation
import SpikeMesh

enum MapCommand {
    static let spec = CommandSpec(
        name: "map",
        usage: "[MODEL|NET] [--hardware NAME|FILE] [--set K=V,…] [--svg FILE] [--json]",
        summary: "The core-mapping report: cores, chips and links a network needs on a chip, and where it is tight.",
        discussion: """
            Slices every layer into pieces that fit a core under all its limits at once (neurons,
            input axons, synapse memory, fan-out entries), places them on the mesh (a snake in
            layer order as the baseline, then seeded annealing on expected packets × hops with
            spike rates from a short reference run), and routes one packet per spike and
            destination core (XY). Where one neuron needs more input axons or synapse memory than
            a core has, relay populations integrate groups of its inputs and forward the partial
            sums (graded on chips with graded spikes, signed spiking relays otherwise); the report
            lists them. With --no-split such a layer is reported as DOES NOT FIT, naming the limit
            and by how much. Method: Docs/Mapping.md.
            """,
        positionals: [Opt.modelPositional],
        options: [Opt.data.spec, Opt.mean.spec, Opt.std.spec] + Opt.conversion + Opt.hardwareGroup + Opt.mapping + [
            Opt.svg.spec, Opt.requireFit.spec,
            Opt.json(
                "Print one JSON object: hardware, fits, cores, chips, layers [{name, neurons, cores, utilisation…}], tightest, relays, violations, placementCost, baselineCost, busiestLinks."
            ).spec,
            Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "swift run -c release spikemesh map --hardware loihi",
            "spikemesh map Examples/fmnist_cnn.onnx --hardware truenorth --svg truenorth.svg",
            "spikemesh map net.smnet --hardware generic-small --set core.neurons=512 --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        var pipeline = try Pipeline(args, quiet: json || args.flag(Opt.quiet))
        pipeline.structureOnly = true
        let hardware = try pipeline.hardwareModel()
        let loaded = try pipeline.load(args)
        let rates = try pipeline.rates(loaded)
        let (decomposed, mapping) = try pipeline.mapDecomposed(loaded, on: hardware, rates: rates)
        var network = decomposed.loaded.structure
        network.metadata["rates"] = rates.origin
        let report = MappingReport(mapping: mapping, network: network, relays: decomposed.relays)
        let svg = try args.value(Opt.svg)
        let failure = writeFiles(args, [(Opt.svg, { Array(report.svg().utf8) })])
        if json {
            printJSON(report.json())
        } else {
            printText("network: \(loaded.source)")
            if let why = loaded.structure.metadata["structureOnly"] {
                printText("note: \(why); give --calibration-data for thresholds and measured rates")
            }
            printText(report.text(), terminator: "")
            if let path = svg, failure == nil { printText("wrote \(path)") }
        }
        if let failure { throw failure }
        if args.flag(Opt.requireFit), !mapping.fits {
            throw SpikeMeshError(
                .doesNotFit,
                "\(loaded.source) does not fit \(hardware.name): \(mapping.violations.count) layer(s) over a core limit, first \(mapping.violations[0].description)"
            )
        }
    }
}
