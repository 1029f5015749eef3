import Foundation
import SpikeMesh

/// The `spikemesh` command line: parses and prints; every command's work lives in the
/// library (`Pipeline` and the stage modules).
public enum CLI {
    static let version = "0.1.0"

    static let commands: [(spec: CommandSpec, run: @Sendable (Arguments) throws -> Void)] = [
        (InspectCommand.spec, InspectCommand.run),
        (EvaluateCommand.spec, EvaluateCommand.run),
        (ConvertCommand.spec, ConvertCommand.run),
        (SimulateCommand.spec, SimulateCommand.run),
        (MapCommand.spec, MapCommand.run),
        (RunCommand.spec, RunCommand.run),
        (EnergyCommand.spec, EnergyCommand.run),
        (ReportCommand.spec, ReportCommand.run),
        (SweepCommand.spec, SweepCommand.run),
    ]

    static func topLevelHelp() -> String {
        var out = """
            SpikeMesh \(version) — converts a trained ReLU network (ONNX) into a soft-reset (RMP)
            spiking network, maps it onto a multi-core neuromorphic chip and emulates it.

            USAGE: spikemesh <command> [options]

            COMMANDS:

            """
        for c in commands {
            out += "  " + c.spec.name.padding(toLength: 12, withPad: " ", startingAt: 0) + c.spec.summary + "\n"
        }
        out += """

            Run 'spikemesh <command> --help' for a command's options and examples.
            Every command prints one JSON object on stdout with --json, and exits non-zero with a
            one-line error on stderr when something is wrong.

            """
        return out
    }

    /// Runs `spikemesh` with `argv` (without the program name) and returns the exit code:
    /// 0 on success (and for --help), 1 for bad input, 2 for usage errors, 3 when
    /// `--require-fit` finds the network does not fit, 70 for an internal error; an error is
    /// one line on stderr.
    public static func main(_ argv: [String]) -> Int32 {
        var argv = argv
        if argv.isEmpty || argv == ["--help"] || argv == ["-h"] || argv == ["help"] {
            print(topLevelHelp(), terminator: "")
            return argv.isEmpty ? 2 : 0
        }
        if argv == ["--version"] {
            print("spikemesh \(version)")
            return 0
        }
        var name = argv.removeFirst()
        if name == "help", let target = argv.first {
            name = target
            argv = ["--help"]
        }
        guard let command = commands.first(where: { $0.spec.name == name }) else {
            let suggestion = Arguments.closest(name, among: commands.map(\.spec.name))
            return fail(
                "unknown command '\(Text.escaped(name))'\(suggestion.map { "; did you mean '\($0)'?" } ?? "") (see spikemesh --help)",
                code: 2)
        }
        if argv.contains("--help") || argv.contains("-h") {
            print(command.spec.help, terminator: "")
            return 0
        }
        do {
            let args = try Arguments(argv, spec: command.spec)
            try checkFiles(args, of: command.spec)
            try OutputFile.guardingInputs { try command.run(args) }
            return 0
        } catch let error as SpikeMeshError {
            return fail(error.message, code: error.code.exitStatus)
        } catch {
            return fail("internal error: \(error) (please report it)", code: SpikeMeshError.internalErrorStatus)
        }
    }

    /// Parses `argv` as `main` does — command, options, every option's value and the settings
    /// they make, and for `sweep` the grid's size and its first and last points applied —
    /// without running anything, and returns the settings of each point (one without a
    /// sweep), for the command-line fuzz target to parse hardware overrides on.
    package static func parse(_ argv: [String]) throws -> [Pipeline] {
        guard let name = argv.first, let command = commands.first(where: { $0.spec.name == name }) else {
            throw SpikeMeshError(.usage, "unknown command")
        }
        let args = try Arguments(Array(argv.dropFirst()), spec: command.spec)
        let pipeline = try Pipeline(args, quiet: true)
        guard name == SweepCommand.spec.name else { return [pipeline] }
        var sweep = Sweep(axes: try args.all(SweepCommand.vary), zip: args.flag(SweepCommand.zip))
        if let part = try args.value(SweepCommand.shard) { (sweep.shard, sweep.shards) = (part.index, part.count) }
        guard try args.all(SweepCommand.merge).isEmpty else { return [pipeline] }
        let mine = sweep.indices(of: try sweep.count())
        return try (Array(mine.prefix(3)) + Array(mine.suffix(1))).map {
            try sweep.apply(sweep.point($0), to: pipeline)
        }
    }

    /// Checks every output the command was given before it runs (`OutputFile.check`): a
    /// non-empty name in a folder that can be written, not a folder, no two outputs the same,
    /// and none of the command's inputs — the model (or the bundled one) and a `.data` file
    /// beside it, `--data` (an IDX folder's files), `--calibration-data`, `--hardware`, the
    /// `--merge` shards, and the bundled samples the defaults read. Inputs known only once a
    /// model is read (ONNX external data) are refused when the output is written.
    static func checkFiles(_ args: Arguments, of spec: CommandSpec) throws {
        let outputs = args.files(.output, of: spec)
        guard !outputs.isEmpty else { return }
        var inputs = (args.files(.input, of: spec) + args.files(.inputs, of: spec)).flatMap { given in
            Dataset.files(at: given.path).map { OutputFile.Input(given.option, $0) }
        }
        if !spec.positionals.isEmpty {
            let model = args.positional(0) ?? BundledExample.model
            inputs += [
                OutputFile.Input(spec.positionals[0].name, model),
                OutputFile.Input(spec.positionals[0].name, model + ".data"),
            ]
        }
        inputs += [BundledExample.model, BundledExample.sampleData, BundledExample.calibrationData].map {
            OutputFile.Input("the bundled example", $0)
        }
        try OutputFile.check(outputs, inputs: inputs)
    }

    static func fail(_ message: String, code: Int32 = 1) -> Int32 {
        FileHandle.standardError.write(Data("error: \(Text.singleLine(message))\n".utf8))
        return code
    }
}
