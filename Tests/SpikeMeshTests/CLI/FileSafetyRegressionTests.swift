import Foundation
import Testing

/// Regression tests for the safety issue's findings (Docs/CLI.md, "Files the tool writes"),
/// each named after what broke: outputs that destroyed inputs, a device and a symlink
/// replaced, outputs checked only after the work, a sweep that exited 0 on a model it could
/// not read, an unbounded grid, and messages not in the user's words.
@Suite(.serialized) struct FileSafetyRegressionTests {
    typealias CLI = CommandLineTests
    typealias Bad = BadInputRegressionTests

    /// A temporary folder holding copies of the bundled model, a network file and the two samples.
    static func workspace() throws -> String {
        let dir = try OutputFileTests.folder()
        for (from, to) in [
            ("fmnist_cnn.onnx", "m.onnx"), ("fashion-mnist-test-1000.smds.gz", "d.smds.gz"),
            ("fashion-mnist-train-1000.smds.gz", "c.smds.gz"),
        ] {
            try FileManager.default.copyItem(atPath: Fixtures.example(from), toPath: dir + "/" + to)
        }
        try FileManager.default.copyItem(
            atPath: Fixtures.packageRoot.appendingPathComponent("HardwareModels/generic-small.json").path,
            toPath: dir + "/hw.json")
        return dir
    }

    static func digest(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func outputsThatNamedAnInputDestroyedIt() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = dir + "/m.onnx"
        let d = dir + "/d.smds.gz"
        let c = dir + "/c.smds.gz"
        let hw = dir + "/hw.json"
        let before = try [m, d, c, hw].map(Self.digest)
        let cases: [([String], String)] = [
            (["convert", m, "--calibration-data", c, "-o", m], "-o \(m) is the same file as MODEL \(m)"),
            (["convert", m, "--calibration-data", c, "-o", c], "-o \(c) is the same file as --calibration-data \(c)"),
            (["map", m, "--svg", m], "--svg \(m) is the same file as MODEL|NET \(m)"),
            (["map", m, "--hardware", hw, "--svg", hw], "--svg \(hw) is the same file as --hardware \(hw)"),
            (["report", m, "--html", m], "--html \(m) is the same file as MODEL \(m)"),
            (
                ["sweep", m, "--data", d, "--vary", "alpha=0.5,1", "--csv", d],
                "--csv \(d) is the same file as --data \(d)"
            ),
            (["sweep", "--merge", d, "--csv", d], "--csv \(d) is the same file as --merge \(d)"),
            (["convert", "-o", "Examples/fmnist_cnn.onnx"], "is the same file as MODEL Examples/fmnist_cnn.onnx"),
        ]
        for (args, message) in cases {
            try Bad.expectError(args, code: 2, message, "an output never replaces an input")
        }
        #expect(try [m, d, c, hw].map(Self.digest) == before)
    }

    /// An IDX folder given as --data: its split files are inputs.
    @Test func anIDXFileInADataFolderIsAnInput() throws {
        let folder = try Bad.images8x8()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/train-images-idx3-ubyte"
        try Bad.expectError(
            ["sweep", "--data", folder, "--vary", "alpha=1", "--csv", file], code: 2,
            "is the same file as --data \(file)")
    }

    /// ONNX external data is known only once the model is read: writing over it is refused then.
    @Test func anOutputOverTheModelsExternalDataIsRefused() throws {
        let folder = try Bad.images8x8()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/copy.onnx"
        let data = folder + "/tiny_cnn_dynamo.onnx.data"
        try FileManager.default.copyItem(atPath: Fixtures.path("onnx/tiny_cnn_dynamo.onnx"), toPath: model)
        try FileManager.default.copyItem(atPath: Fixtures.path("onnx/tiny_cnn_dynamo.onnx.data"), toPath: data)
        let before = try Self.digest(data)
        try Bad.expectError(
            ["convert", model, "--data", folder, "-o", data, "--quiet"], code: 2,
            "-o \(data) is the same file as the input \(data), which this command read")
        #expect(try Self.digest(data) == before)
    }

    /// `map --svg` renamed a temporary file over the path: a device became a regular file and
    /// a symlink was replaced by a file. A private null device (or a FIFO without the right to
    /// make one) and a symlink in a temporary folder.
    @Test func mapSvgReplacedDevicesAndSymlinks() throws {
        let dir = try OutputFileTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let small = ["--rate-images", "0", "--anneal", "0", "--calibration-images", "10", "--quiet"]
        if mknod(dir + "/null", S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 {
            let r = try CLI.run(["map", "--svg", dir + "/null"] + small)
            #expect(r.code == 0, "\(r.stderr)")
            #expect(OutputFileTests.mode(dir + "/null") & S_IFMT == S_IFCHR)
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/mesh.svg", withDestinationPath: "drawn.svg")
        let r = try CLI.run(["map", "--svg", dir + "/mesh.svg"] + small)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(OutputFileTests.mode(dir + "/mesh.svg") & S_IFMT == S_IFLNK)
        #expect(try OutputFileTests.text(dir + "/drawn.svg").hasPrefix("<svg"))
    }

    /// `sweep --csv /nonexistent/x.csv --json` ran every point, then failed and printed nothing;
    /// an empty path and a folder (NSCocoaErrorDomain error 512) failed only at the end too.
    @Test func outputsWereCheckedOnlyAfterTheWork() throws {
        let sweep = ["sweep", "--vary", "alpha=0.5,1", "--limit", "2", "--calibration-images", "10"]
        try Bad.expectError(
            sweep + ["--csv", "/nonexistent/x.csv", "--json"], code: 1,
            "--csv /nonexistent/x.csv: the folder /nonexistent does not exist")
        try Bad.expectError(sweep + ["--csv", ""], code: 2, "--csv needs a file name")
        try Bad.expectError(["report", "--html", "/tmp"], code: 2, "--html /tmp is a folder; give a file name")
        try Bad.expectError(
            ["convert", "-o", "/nonexistent/n.smnet"], code: 1, "the folder /nonexistent does not exist")
        try Bad.expectError(["map", "--svg", "/nonexistent/m.svg"], code: 1, "the folder /nonexistent does not exist")
        try Bad.expectError(
            sweep + ["--csv", "/tmp/same.csv", "--html", "/tmp/same.csv"], code: 2,
            "--csv and --html name the same file")
    }

    /// `sweep /nonexistent.onnx` printed one error row per point and exited 0.
    @Test func sweepExitedZeroWhenTheModelCouldNotBeRead() throws {
        try Bad.expectError(
            ["sweep", "/nonexistent.onnx", "--vary", "alpha=0.5,1"], code: 1, "/nonexistent.onnx: no such file")
        let folder = try Bad.images8x8()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Bad.expectError(
            ["sweep", "--data", folder, "--vary", "alpha=0.5,1"], code: 2, "has images of shape [1, 8, 8]",
            "expects [1, 28, 28]")
    }

    /// Every point failing (a mesh too congested to drain) still prints its rows, then exits 1.
    @Test func aSweepWhosePointsAllFailedExitedZero() throws {
        // Links of 1 and 2 packets per tick never drain the bundled CNN (Docs/WhatIf.md).
        let r = try CLI.run([
            "sweep", "--vary", "mesh.linkCapacity=1,2", "--limit", "1", "--calibration-images", "10", "--rate-images",
            "0",
            "--anneal", "0", "--json",
        ])
        #expect(r.code == 1 && r.stderr.hasPrefix("error: every point of the sweep failed"), "\(r.stderr)")
        #expect(
            r.stdout.contains("\"rows\"") && r.stdout.contains("too congested"),
            "the rows are printed before the exit: \(r.stdout)")
    }

    /// `--vary energy.hopPJ=1..10000 --vary time.hopNs=1..10000` built 10⁸ points before any
    /// check, and aborted in the allocator even with --shard.
    @Test func aSweepOfTenToTheTenPointsAllocatedThemAll() throws {
        let grid = [
            "sweep", "--vary", "energy.hopPJ=1..10000", "--vary", "time.hopNs=1..10000", "--vary",
            "energy.synapticOpPJ=1..100",
        ]
        for extra in [[], ["--shard", "1/1000000"]] {
            try Bad.expectError(grid + extra, code: 2, "the sweep has 10000 × 10000 × 100 points, more than 1000000")
        }
    }

    /// The documented `--set time.barrierNsByTilesInUse=1:600,2:1000` was split at its comma.
    @Test func setSplitATableAtItsCommas() throws {
        let r = try CLI.run([
            "map", "--set", "time.barrierNsByTilesInUse=1:600,2:1000,core.neurons=512", "--rate-images", "0",
            "--anneal", "0",
            "--calibration-images", "10", "--json", "--quiet",
        ])
        #expect(r.code == 0, "\(r.stderr)")
        try Bad.expectError(["map", "--set", "2:1000"], code: 2, "--set 2:1000: expected KEY=VALUE")
    }

    /// `--vary` errors named `--set` and the value after normalization (1e9 → 1000000000).
    @Test func varyErrorsNamedSetAndAValueNeverTyped() throws {
        try Bad.expectError(
            ["sweep", "--vary", "core.neurons=1e9", "--limit", "1"], code: 2,
            "--vary core.neurons=1e9: core.neurons = 1000000000 is above the limit")
        try Bad.expectError(
            ["sweep", "--vary", "core.neurons=64,0", "--limit", "1"], code: 2,
            "--vary core.neurons=0: core.neurons = 0 is below the minimum 1")
    }

    /// Layer names reached the terminal raw in text tables: a node named with `ESC ] 0 ; … BEL`
    /// and `ESC [ 2 J` retitled the terminal and cleared the screen under `inspect`.
    @Test func aTerminalEscapeInALayerNameDroveTheTerminal() throws {
        let dir = try OutputFileTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hostile = "fc\u{1b}]0;owned\u{7}\u{1b}[2J"
        let model = ONNXImporterErrorTests().gemmModel(name: hostile, side: 8, ins: 64)
        try Data(model).write(to: URL(fileURLWithPath: dir + "/hostile.onnx"))
        let folder = try Bad.images8x8()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for command in [
            ["inspect"], ["map", "--rate-images", "0", "--anneal", "0", "--data", folder, "--mean", "0", "--std", "1"],
        ] {
            let r = try CLI.run(
                [command[0], dir + "/hostile.onnx"] + command.dropFirst()
                    + ["--quiet"].filter { _ in command[0] != "inspect" })
            #expect(r.code == 0, "\(command[0]): \(r.stderr)")
            #expect(
                !r.stdout.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{7}" },
                "\(command[0]) printed a raw escape")
            #expect(r.stdout.contains("fc\\u{1b}]0;owned\\u{7}\\u{1b}[2J"), "\(command[0]): \(r.stdout)")
        }
    }
}
