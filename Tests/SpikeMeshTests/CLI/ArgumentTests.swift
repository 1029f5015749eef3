import Foundation
import SpikeMesh
import Testing

@testable import SpikeMeshCLI

/// The command-line parser in process: forms of options, accumulation, errors, and help
/// rendered from the declarations (defaults read from the library's settings).
@Suite struct ArgumentTests {
    static func parse(_ command: String, _ argv: [String]) throws -> Arguments {
        let spec = try #require(CLI.commands.first { $0.spec.name == command }?.spec)
        return try Arguments(argv, spec: spec)
    }

    static func usageError(_ command: String, _ argv: [String]) -> String? {
        do {
            _ = try parse(command, argv)
            return nil
        } catch let e as SpikeMeshError {
            return e.code == .usage ? e.message : "not a usage error: \(e.message)"
        } catch { return "\(error)" }
    }

    @Test func valuesMayFollowAsTheNextArgumentOrAfterAnEqualsSign() throws {
        let a = try Self.parse(
            "run", ["net.smnet", "--hardware=truenorth", "--limit", "7", "--timesteps=8,16", "--json"])
        #expect(a.positional(0) == "net.smnet")
        #expect(try a.value(Opt.hardware) == "truenorth")
        #expect(try a.value(Opt.limit) == 7)
        #expect(try a.all(Opt.timesteps) == [8, 16])
        #expect(a.flag(Opt.json) && !a.flag(Opt.quiet))
    }

    /// The bug the issue names: a repeated --set kept only its last value.
    @Test func aRepeatedSetAccumulatesEveryOverrideInOrder() throws {
        let a = try Self.parse(
            "map",
            ["--hardware", "generic-small", "--set", "core.neurons=128", "--set", "core.axons=512,energy.hopPJ=2"])
        let pipeline = try Pipeline(a, quiet: true)
        #expect(pipeline.hardware.overrides == ["core.neurons=128", "core.axons=512", "energy.hopPJ=2"])
        let hw = try pipeline.hardwareModel()
        #expect(hw.core.neurons == 128 && hw.core.axons == 512 && hw.energy.hopPJ == 2)
    }

    @Test func repeatedTimestepsAccumulate() throws {
        let a = try Self.parse("run", ["--timesteps", "8", "--timesteps", "16,32"])
        #expect(try Pipeline(a, quiet: true).run.timesteps == [8, 16, 32])
    }

    @Test func aScalarOptionGivenTwiceIsAUsageError() {
        #expect(
            Self.usageError("run", ["--alpha", "1", "--alpha", "2"])
                == "option --alpha was given more than once; give it once")
    }

    @Test func unknownOptionsSuggestTheClosestKnownOne() {
        #expect(
            Self.usageError("run", ["--tmiesteps", "8"])
                == "unknown option --tmiesteps for 'run'; did you mean --timesteps? (see spikemesh run --help)")
        #expect(
            Self.usageError("map", ["--zzzzzzzzzz"])
                == "unknown option --zzzzzzzzzz for 'map' (see spikemesh map --help)")
    }

    @Test func malformedValuesAreUsageErrorsNamingTheOptionAndWhatWasExpected() throws {
        #expect(Self.usageError("run", ["--limit"]) == "option --limit needs a value (N)")
        #expect(Self.usageError("run", ["--json=yes"]) == "option --json takes no value")
        #expect(
            Self.usageError("run", ["a.onnx", "b.onnx"])
                == "unexpected argument 'b.onnx' for 'run' (see spikemesh run --help)")
        let a = try Self.parse("run", ["--limit", "0", "--encoding", "morse", "--timesteps", "4,x"])
        #expect(throws: SpikeMeshError(.usage, "--limit 0: expected an integer ≥ 1")) { try a.value(Opt.limit) }
        #expect(throws: SpikeMeshError(.usage, "--encoding morse: expected one of direct, poisson")) {
            try a.value(Opt.encoding)
        }
        #expect(
            throws: SpikeMeshError(
                .usage, "--timesteps 4,x: expected positive integers (at most 1000000) separated by commas")
        ) {
            try a.all(Opt.timesteps)
        }
    }

    @Test func conversionOptionsOnAConvertedNetworkAreRejected() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("argument-tests-\(getpid()).smnet")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NetworkFile.save(LimitTests.chain([1], [1], threshold: 1), to: path)
        let a = try Self.parse("run", [path, "--alpha", "0.5"])
        let pipeline = try Pipeline(a, quiet: true)
        #expect(throws: SpikeMeshError(.usage, "--alpha converts a model, but \(path) is an already converted network"))
        {
            try pipeline.load(a)
        }
    }

    /// Defaults are written once, in the library's settings; help shows those values.
    @Test func helpShowsTheLibrarysDefaults() throws {
        let help = try #require(CLI.commands.first { $0.spec.name == "run" }?.spec.help)
        #expect(
            help.contains("--calibration-images N")
                && help.contains("Default: \(ConversionSettings().calibrationImages)."))
        #expect(help.contains("Default: \(MappingSettings().anneal)."))
        #expect(help.contains("--set K=V[,K=V…]") && help.contains("May be repeated; values accumulate."))
        #expect(
            help.contains("--timesteps T[,T…]")
                && help.contains("Default: \(RunSettings().timesteps.map(String.init).joined(separator: ","))."))
        // Every command's help parses as declared: each option appears once.
        for (spec, _) in CLI.commands {
            let names = spec.options.map(\.name)
            #expect(Set(names).count == names.count, "\(spec.name) declares an option twice")
        }
    }
}
