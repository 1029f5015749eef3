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
        destination core (XY). A layer that cannot fit even one neuron per core is reported
        as DOES NOT FIT, naming the limit and by how much. Method: Docs/Mapping.md.
        """,
        positionals: [NetworkArguments.positional],
        options: InputOptions.specs.filter { ["mean", "std"].contains($0.name) } + ConversionArguments.specs
            + HardwareArguments.specs + HardwareArguments.mappingSpecs + [
            OptionSpec(name: "svg", value: "FILE", help: "Draw the mesh: cores coloured by layer, shaded by use; links by expected load."),
            OptionSpec(name: "json", value: nil, help: "Print one JSON object: hardware, fits, cores, chips, layers [{name, neurons, cores, utilisation…}], tightest, placementCost, baselineCost, busiestLinks."),
            OptionSpec(name: "quiet", value: nil, help: "No progress on stderr."),
        ],
        examples: [
            "swift run -c release spikemesh map --hardware loihi",
            "spikemesh map Examples/fmnist_cnn.onnx --hardware truenorth --svg truenorth.svg",
            "spikemesh map net.smnet --hardware generic-small --set core.neurons=512 --json",
        ])

    static func run(_ args: Arguments) throws {
        let json = args.flag("json")
        let quiet = json || args.flag("quiet")
        let hardware = try HardwareArguments.model(args)
        var loaded = try NetworkArguments.load(args, data: nil, quiet: quiet)
        let rates = try HardwareArguments.rates(args, network: loaded.network, normalization: loaded.normalization, quiet: quiet)
        let mapping = try HardwareArguments.map(args, network: loaded.network, hardware: hardware, rates: rates.values, quiet: quiet)
        loaded.network.metadata["rates"] = rates.origin
        let report = MappingReport(mapping: mapping, network: loaded.network)
        if let path = args.values["svg"] {
            do { try report.svg().write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw SpikeMeshError(.io, "\(path): cannot write the SVG (\(error.localizedDescription))")
            }
        }
        if json {
            printJSON(report.json())
        } else {
            print("network: \(loaded.source)")
            print(report.text(), terminator: "")
            if let path = args.values["svg"] { print("wrote \(path)") }
        }
    }
}
