import Foundation
import Testing

@testable import SpikeMeshCore

/// Regression tests for the bad inputs listed in the reliability issue, each named after what
/// broke. Every one must give one line on stderr and a non-zero exit, never a trap.
@Suite(.serialized) struct BadInputRegressionTests {
    typealias CLI = CommandLineTests

    /// A one-line error with `code` whose text contains every one of `parts`.
    static func expectError(
        _ args: [String], code: Int32 = 1, _ parts: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let r = try CLI.run(args)
        let shown = "spikemesh \(args.joined(separator: " ")): exit \(r.code), stderr \(r.stderr.debugDescription)"
        #expect(r.code == code, "\(shown)", sourceLocation: sourceLocation)
        #expect(
            r.stderr.hasPrefix("error: ") && r.stderr.filter { $0 == "\n" }.count == 1, "\(shown)",
            sourceLocation: sourceLocation)
        for part in parts {
            #expect(r.stderr.contains(part), "\(shown) lacks \(part.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    /// A temporary folder with an MNIST-format IDX dataset of three 8×8 images, both splits.
    static func images8x8() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("idx8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func be(_ v: UInt32) -> [UInt8] {
            [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
        }
        let images: [UInt8] = [0, 0, 8, 3] + be(3) + be(8) + be(8) + (0..<192).map { UInt8($0 & 0xff) }
        let labels: [UInt8] = [0, 0, 8, 1] + be(3) + [1, 2, 3]
        for split in ["t10k", "train"] {
            try Data(images).write(to: folder.appendingPathComponent("\(split)-images-idx3-ubyte"))
            try Data(labels).write(to: folder.appendingPathComponent("\(split)-labels-idx1-ubyte"))
        }
        return folder.path
    }

    @Test func aFolderAsTheModelCrashedEveryCommandButInspect() throws {
        for command in ["inspect", "evaluate", "convert", "simulate", "map", "run", "energy", "report"] {
            try Self.expectError([command, "Examples"], "Examples: is a folder, expected a file")
        }
        try Self.expectError(["run", "--hardware", "Examples/"], "Examples/: is a folder, expected a file")
    }

    @Test func imagesOfAnotherShapeTrappedInTheSimulators() throws {
        let folder = try Self.images8x8()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let net = folder + "/tiny.json"
        let converted = try CLI.run([
            "convert", Fixtures.path("onnx/tiny_cnn_legacy.onnx"), "--data", folder, "-o", net,
        ])
        #expect(converted.code == 0, "\(converted.stderr)")
        // A network of 1×8×8 with the bundled 28×28 sample, and the bundled 28×28 network with 8×8 images.
        for command in [["simulate", "--limit", "2"], ["run", "--limit", "2"], ["energy", "--limit", "2"]] {
            try Self.expectError(
                [command[0], net] + command.dropFirst(), code: 2, "has images of shape [1, 28, 28]", "expects [1, 8, 8]"
            )
        }
        // `map` needs no images: it maps from structure alone, at assumed rates, and says why.
        let mapped = try CLI.run(["map", net])
        #expect(mapped.code == 0, "\(mapped.stderr)")
        #expect(
            mapped.stdout.contains("rates from assumed 0.05 spikes/neuron/tick: the bundled sample does not fit")
                && mapped.stdout.contains("expects [1, 8, 8]"), "\(mapped.stdout)")
        // --quiet: under load calibration runs long enough to print a progress line first
        // (stderr, before the error), which this one-line check would count.
        for command in [
            ["simulate", "--quiet"], ["run", "--rate-images", "0", "--quiet"],
            ["energy", "--rate-images", "0", "--quiet"],
        ] {
            try Self.expectError(
                command + [
                    Fixtures.example("fmnist_cnn.onnx"), "--data", folder, "--calibration-data",
                    Fixtures.example("fashion-mnist-train-1000.smds.gz"),
                    "--calibration-images", "10",
                ], code: 2, "has images of shape [1, 8, 8]", "expects [1, 28, 28]")
        }
    }

    @Test func aNormalizationWithTheWrongChannelCountTrapped() throws {
        for command in [
            ["convert"], ["simulate", "--limit", "2"], ["map"], ["run", "--limit", "2"], ["energy", "--limit", "2"],
            ["report", "--limit", "2"],
        ] {
            try Self.expectError(
                command + ["--mean", "0.5,0.5,0.5", "--calibration-images", "10"], code: 2,
                "mean has 3 values; the images have 1 channel(s)")
        }
        try Self.expectError(
            ["run", "--std", "1,2", "--limit", "2", "--rate-images", "0", "--calibration-images", "10"], code: 2,
            "std has 2 values")
    }

    @Test func aTinyStdTrappedInTheDirectInputCurrent() throws {
        try Self.expectError(["run", "--std", "1e-30", "--limit", "2"], code: 2, "std 1e-30 is outside 1e-06")
        try Self.expectError(["simulate", "--mean", "1e30", "--limit", "2"], code: 2, "mean 1e+30 is outside")
    }
}

/// Numbers without an upper bound: huge allocations, traps on conversion to Int, hangs.
extension BadInputRegressionTests {
    @Test func hardwareNumbersAboveTheirLimitsAreRefusedByName() throws {
        let cases: [(String, String)] = [
            ("mesh.rows=1000000", "mesh.rows = 1000000 is above the limit 256"),
            ("mesh.chipColumns=4294967296", "mesh.chipColumns = 4294967296 is above the limit 1024"),
            ("mesh.linkCapacity=2147483648", "mesh.linkCapacity = 2147483648 is above the limit 1048576"),
            (
                "time.neuronUpdateNs=9223372036854775807",
                "time.neuronUpdateNs = 9.223372036854776e+18 is above the limit 1000000000.0"
            ),
            ("time.minimumTickNs=1e16", "time.minimumTickNs = 1e+16 is above the limit"),
            ("mesh.columns=2147483648", "mesh.columns = 2147483648 is above the limit 256"),
            ("core.neurons=0", "core.neurons = 0 is below the minimum 1"),
        ]
        for (set, message) in cases {
            try Self.expectError(
                ["map", "--set", set, "--rate-images", "0", "--calibration-images", "10"], code: 2,
                "--set \(set): \(message)")
        }
        // The same values in a file name the file.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hw-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"version": 1, "mesh": {"rows": 1000000}}"#.utf8).write(to: URL(fileURLWithPath: path))
        try Self.expectError(
            ["map", "--hardware", path, "--rate-images", "0"], "\(path): mesh.rows = 1000000 is above the limit 256")
    }

    @Test func commandLineNumbersAboveTheirLimitsAreRefused() throws {
        try Self.expectError(
            ["map", "--anneal", "9223372036854775807"], code: 2,
            "--anneal 9223372036854775807: expected an integer in 0…1000000")
        try Self.expectError(["simulate", "--srp-tau", "100000000"], code: 2, "expected an integer in 0…1000000")
        try Self.expectError(["simulate", "--timesteps", "1000000000"], code: 2, "at most 1000000")
        try Self.expectError(["run", "--alpha", "3e38", "--limit", "2"], code: 2, "alpha 3e+38 must be in (0, 1000.0]")
    }
}

extension BadInputRegressionTests {
    /// Exit status 3 is "does not fit" (Docs/CLI.md): the report is printed, then the error.
    /// Without relays (`--no-split`) the bundled CNN does not fit TrueNorth's 256-axon cores;
    /// with relays and splitters (the default) it does.
    @Test func requireFitExitsWith3WhenALayerDoesNotFit() throws {
        let r = try CLI.run([
            "map", "--hardware", "truenorth", "--rate-images", "0", "--anneal", "10", "--calibration-images", "20",
            "--quiet", "--require-fit", "--no-split",
        ])
        #expect(r.code == 3, "\(r.stderr)")
        #expect(r.stdout.contains("DOES NOT FIT"))
        #expect(
            r.stderr.hasPrefix("error: ") && r.stderr.contains("does not fit truenorth")
                && r.stderr.contains("input axons: layer \"/features/features.9/Relu\" needs 288"), "\(r.stderr)")
        let fits = try CLI.run([
            "map", "--hardware", "loihi", "--rate-images", "0", "--anneal", "10", "--calibration-images", "20",
            "--quiet", "--require-fit",
        ])
        #expect(fits.code == 0, "\(fits.stderr)")
        let relays = try CLI.run([
            "map", "--hardware", "truenorth", "--rate-images", "0", "--anneal", "10", "--calibration-images", "20",
            "--quiet", "--require-fit",
        ])
        #expect(
            relays.code == 0
                && relays.stdout.contains("relays and splitters (Docs/Mapping.md): 10 relay and 2 splitter populations"),
            "\(relays.stderr)")
    }
}
