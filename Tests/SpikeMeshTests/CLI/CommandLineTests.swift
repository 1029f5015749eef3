import Foundation
import Testing

/// The built `spikemesh` executable, run as a user runs it (from the package root): exit
/// codes, one-line errors on stderr, and the `--json` shape of every command on small inputs.
@Suite(.serialized) struct CommandLineTests {
    struct Output {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable sits beside the test bundle in the build's products folder.
    static let executable: URL? = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("spikemesh")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }()

    /// Runs the built executable; `environment` entries are added to this process's.
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> Output {
        let exe = try #require(executable, "the spikemesh executable was not found beside \(CommandLine.arguments[0])")
        let process = Process()
        process.executableURL = exe
        process.arguments = args
        process.currentDirectoryURL = Fixtures.packageRoot
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func json(_ args: [String]) throws -> [String: Any] {
        let r = try run(args + ["--json"])
        #expect(r.code == 0, "spikemesh \(args.joined(separator: " ")): exit \(r.code): \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// Small, fast settings for commands that convert and emulate.
    static let small = ["--limit", "4", "--calibration-images", "20", "--rate-images", "2", "--anneal", "10"]

    /// The conversion's progress line said "calibrate (percentile)" through every phase,
    /// though most of the time went to potential calibration; it names the phase now. (The
    /// line is printed once a step has run a second, which converting the bundled CNN on
    /// 1,000 images does: its ANN passes alone take that.)
    @Test func conversionProgressNamedOnePhase() throws {
        let r = try Self.run(["convert"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stderr.contains("calibrate (percentile), potential calibration (layers): 6/6"), "\(r.stderr)")
    }

    @Test func exitCodes() throws {
        #expect(try Self.run(["--help"]).code == 0)
        #expect(try Self.run(["run", "--help"]).code == 0)
        #expect(try Self.run([]).code == 2)
        let unknown = try Self.run(["rnu"])
        #expect(
            unknown.code == 2
                && unknown.stderr == "error: unknown command 'rnu'; did you mean 'run'? (see spikemesh --help)\n")
        let usage = try Self.run(["run", "--alpha", "1", "--alpha", "2"])
        #expect(usage.code == 2 && usage.stderr == "error: option --alpha was given more than once; give it once\n")
        let missing = try Self.run(["inspect", "no-such-model.onnx"])
        #expect(
            missing.code == 1 && missing.stderr.hasPrefix("error: no-such-model.onnx")
                && missing.stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test func aBadCalibrationDataPathIsAnErrorNotASilentFallback() throws {
        let r = try Self.run(["map", "--calibration-data", "no-such-folder", "--rate-images", "2"])
        #expect(r.code != 0 && r.stderr.contains("no-such-folder"), "\(r.stderr)")
    }

    @Test func mapUsesEveryRepeatedSet() throws {
        let base = try Self.json(["map", "--hardware", "generic-small"] + Self.small.dropFirst(2))
        let both = try Self.json(
            ["map", "--hardware", "generic-small", "--set", "core.neurons=128", "--set", "core.axons=512"]
                + Self.small.dropFirst(2))
        let neuronsOnly = try Self.json(
            ["map", "--hardware", "generic-small", "--set", "core.neurons=128"] + Self.small.dropFirst(2))
        let cores = { (d: [String: Any]) in d["cores"] as? Int ?? -1 }
        #expect(cores(neuronsOnly) > cores(base))
        #expect(cores(both) > cores(neuronsOnly), "core.axons=512 must apply too")
    }

    /// A fixed-point file written by `convert --exact -o` runs as it is: the emulator (`run`)
    /// and the reference simulator in integer units (`simulate`) give the same accuracy on it.
    @Test func aFixedPointFileRunsTheSameInTheEmulatorAndTheReference() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).smnet").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let converted = try Self.json(["convert", "--calibration-images", "20", "--exact", "-o", path])
        let fixed = try #require(converted["fixedPoint"] as? [String: Any])
        #expect(fixed["hardware"] as? String == "exact")
        let simulated = try Self.json(["simulate", path, "--timesteps", "8", "--limit", "8"])
        let curve = try #require(simulated["curve"] as? [[String: Any]])
        let emulated = try Self.json([
            "run", path, "--timesteps", "8", "--limit", "8", "--rate-images", "2", "--anneal", "10",
        ])
        let reference = try #require(curve.first?["accuracy"] as? Double)
        #expect(emulated["accuracy"] as? Double == reference)
        #expect(reference > 0.5)
    }

    @Test func everyCommandsJSONHasItsDocumentedKeys() throws {
        let expected: [(args: [String], keys: [String])] = [
            (["inspect"], ["model", "inputShape", "layers", "totalMACs", "normalization"]),
            (["evaluate", "--limit", "4"], ["model", "data", "count", "correct", "accuracy", "normalization"]),
            (
                ["convert", "--calibration-images", "20"],
                ["model", "method", "alpha", "reset", "calibrationImages", "layers", "output"]
            ),
            (
                ["simulate", "--limit", "4", "--calibration-images", "20", "--timesteps", "4,8"],
                ["annAccuracy", "spikeRate", "curve", "spikesPerLayer", "thresholds", "encoding", "delivery"]
            ),
            (
                [
                    "map", "--hardware", "truenorth", "--calibration-images", "20", "--rate-images", "2", "--anneal",
                    "10",
                ],
                ["hardware", "fits", "cores", "chips", "layers", "tightest", "relays", "violations", "placementCost"]
            ),
            (
                ["run", "--hardware", "generic-small", "--timesteps", "8"] + Self.small,
                [
                    "hardware", "accuracy", "curve", "latencyTicks", "latencyMicroseconds", "energyMicrojoules",
                    "energyBreakdown",
                    "synapticOps", "spikeRate", "packets", "hops", "layers", "quantization",
                ]
            ),
            (
                ["energy", "--hardware", "generic-small", "--timesteps", "8"] + Self.small,
                ["model", "count", "macs", "rows"]
            ),
            (
                ["report", "--hardware", "generic-small", "--timesteps", "8"] + Self.small,
                ["annAccuracy", "referenceAccuracy", "thresholds", "mapping", "accuracy", "energyMicrojoules"]
            ),
        ]
        for (args, keys) in expected {
            let d = try Self.json(args)
            for key in keys { #expect(d[key] != nil, "spikemesh \(args[0]) --json lacks \"\(key)\"") }
        }
        let energy = try Self.json(["energy", "--hardware", "generic-small", "--timesteps", "8"] + Self.small)
        let rows = try #require(energy["rows"] as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["hardware"] as? String == "generic-small")
    }

    /// On TrueNorth the bundled CNN fits only with relays: `map` lists them and which limit
    /// forced them; `--no-split` maps the raw network over-committed and names the violations.
    @Test func mapInsertsRelaysUnlessNoSplit() throws {
        let args = [
            "map", "--hardware", "truenorth", "--calibration-images", "20", "--rate-images", "0", "--anneal", "10",
        ]
        let split = try Self.json(args)
        #expect(split["fits"] as? Bool == true)
        let relays = try #require(split["relays"] as? [[String: Any]])
        // Fan-in relays for the two layers whose neurons need too many axons, then splitters
        // for the two whose neurons reach more than one core (TrueNorth's neuronFanOut 1).
        #expect(
            relays.map { $0["layer"] as? String } == [
                "/features/features.9/Relu", "/act_fc/Relu", "/features/features.2/Relu",
                "/features/features.6/AveragePool",
            ])
        #expect(relays.map { $0["needed"] as? Int } == [288, 1568, 4, 4])
        #expect(relays.map { $0["kind"] as? String } == ["signed", "signed", "splitter", "splitter"])
        #expect(
            relays.map { $0["limit"] as? String } == ["input axons", "input axons", "neuron fan-out", "neuron fan-out"])
        let raw = try Self.json(args + ["--no-split"])
        #expect(raw["fits"] as? Bool == false)
        #expect((raw["relays"] as? [Any])?.isEmpty == true)
        let violations = try #require(raw["violations"] as? [[String: Any]])
        #expect(violations.filter { $0["limit"] as? String == "input axons" }.count == 2)
        #expect(violations.filter { $0["limit"] as? String == "neuron fan-out" }.count >= 2)
        let graded = try Self.json(args + ["--set", "core.gradedSpikeBits=24"])
        #expect(
            (graded["relays"] as? [[String: Any]])?.map { $0["kind"] as? String } == [
                "graded", "graded", "splitter", "splitter",
            ])
    }

    /// A NumPy `.npz` is a dataset like any other: `evaluate` and `run` read it and score
    /// the same images as the bundled sample they were taken from.
    @Test func npzDataRunsEndToEnd() throws {
        let npz = "Tests/SpikeMeshTests/Fixtures/numpy/fashion-mnist-test-20.npz"
        let a = try Self.json(["evaluate", "--data", npz])
        let b = try Self.json(["evaluate", "--limit", "20"])
        #expect(a["count"] as? Int == 20 && a["correct"] as? Int == b["correct"] as? Int)
        let run = try Self.json([
            "run", "--hardware", "loihi2", "--data", npz, "--calibration-data",
            "Examples/fashion-mnist-train-1000.smds.gz",
            "--timesteps", "8", "--calibration-images", "20", "--rate-images", "0", "--anneal", "10",
        ])
        #expect(run["count"] as? Int == 20 && run["fits"] as? Bool == true)
    }

    /// `map` works from structure alone for any input shape: a model the bundled sample does
    /// not fit is mapped with every θ = 1 and assumed rates, and the report says so.
    @Test func mapNeedsNoImagesOfTheModelsShape() throws {
        let d = try Self.json(["map", Fixtures.path("onnx/tiny_cnn_legacy.onnx"), "--anneal", "10"])
        let why = try #require(d["structureOnly"] as? String)
        #expect(why.contains("expects [1, 8, 8]") && why.contains("every θ = 1"))
        #expect((d["ratesFrom"] as? String)?.hasPrefix("assumed 0.05") == true)
        #expect(d["fits"] as? Bool == true && (d["layers"] as? [Any])?.count == 4)
        let bundled = try Self.json(["map", "--anneal", "10", "--rate-images", "2", "--calibration-images", "20"])
        #expect(bundled["structureOnly"] is NSNull)
    }

    /// `run --target-loss` picks the smallest T of its curve within the loss of the ANN on the
    /// same images, and its energy and latency there are those of a run at that T alone.
    @Test func targetLossReportsTheEnergyOfARunAtThatT() throws {
        let base = ["run", "--hardware", "generic-small"] + Self.small
        let r = try Self.json(base + ["--timesteps", "2,4,32", "--target-loss", "100%"])
        let target = try #require(r["targetLoss"] as? [String: Any])
        // A loss of 100 points is met by any accuracy: the smallest T.
        #expect(target["timesteps"] as? Int == 2)
        let alone = try Self.json(base + ["--timesteps", "2"])
        #expect(target["energyMicrojoules"] as? Double == alone["energyMicrojoules"] as? Double)
        #expect(target["latencyTicks"] as? Double == alone["latencyTicks"] as? Double)
        let none = try Self.json(["simulate"] + Self.small.prefix(4) + ["--timesteps", "1", "--target-loss", "0"])
        let missed = try #require(none["targetLoss"] as? [String: Any])
        #expect(
            (missed["accuracy"] as? Double).map { $0 >= (missed["annAccuracy"] as! Double) }
                ?? (missed["timesteps"] is NSNull))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("target-\(UUID().uuidString).smnet")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Self.run(["convert", "--calibration-images", "20", "-o", path]).code == 0)
        let file = try Self.run(["simulate", path, "--target-loss", "1%", "--limit", "2"])
        #expect(file.code == 2 && file.stderr.contains("no ANN"), "\(file.stderr)")
    }
}
