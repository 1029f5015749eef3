import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshEnergy
@testable import SpikeMeshHardware
@testable import SpikeMeshModel
@testable import SpikeMeshPipeline
@testable import SpikeMeshReports

/// `spikemesh sweep`: the grid of points, the reuse of work between them, and its outputs.
@Suite(.serialized) struct SweepTests {
    /// A small, fast pipeline on the bundled CNN.
    static func pipeline() -> Pipeline {
        var p = Pipeline()
        p.conversion.calibrationImages = 20
        p.conversion.potentialCalibrationTicks = 0
        p.mapping.rateImages = 2
        p.mapping.anneal = 10
        p.run.timesteps = [8]
        p.run.workers = 2
        return p
    }

    /// The point `row` of `sweep` run on its own, as `run --set KEY=VALUE …` runs it, and the
    /// row that run gives.
    static func separateRun(_ row: Sweep.Row, of sweep: Sweep, _ base: Pipeline, _ data: Dataset) throws -> (
        EmulationSummary, [(String, JSON)]
    ) {
        var single = base
        single.hardware.overrides = zip(sweep.axes, row.values).map { "\($0.key)=\($1)" }
        let s = try single.emulate(try single.load(nil), on: try single.hardwareModel(), data: data)
        return (s, Sweep.fields(s, counters: s.evaluation.counters, hardware: s.hardware))
    }

    /// A row's numeric column (nan when absent).
    static func number(_ row: Sweep.Row, _ name: String) -> Double {
        if case .number(let d)? = row.fields.first(where: { $0.0 == name })?.1 { d } else { .nan }
    }

    @Test func valuesListsRangesAndGeometricRanges() throws {
        #expect(try Sweep.axis("core.weightBits=2..5").values == ["2", "3", "4", "5"])
        #expect(try Sweep.axis("core.neurons=256..4096x2").values == ["256", "512", "1024", "2048", "4096"])
        #expect(try Sweep.axis("energy.hopPJ=1.75, 3.50,1e1").values == ["1.75", "3.5", "10"])
        #expect(try Sweep.axis("hardware=loihi,truenorth").values == ["loihi", "truenorth"])
        // A barrier table holds commas: its values end at ';', as any list with a ';' does.
        #expect(try Sweep.axis("time.barrierNsByTilesInUse=1:600,4:1400;1:500").values == ["1:600,4:1400", "1:500"])
        #expect(try Sweep.axis("time.barrierNsByTilesInUse=1:600,4:1400").values == ["1:600,4:1400"])
        #expect(try Sweep.axis("core.neurons=256; 512").values == ["256", "512"])
        func error(_ text: String) -> String {
            do {
                _ = try Sweep.axis(text)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(error("core.weightBits").contains("expected KEY=V1,V2"))
        // `1..x` trapped (an empty split, found by the cli fuzz target); a range needs its B,
        // and an F after an x.
        for bad in ["core.neurons=1..x", "core.neurons=1..2x", "core.neurons=1..2x3x4", "core.neurons=..4"] {
            #expect(error(bad).contains("a range is A..B with A ≤ B (numbers), or A..BxF"), "\(bad)")
        }
        #expect(error("colour=1,2").contains("not a sweepable key"))
        #expect(error("core.neurons=8..2").contains("A ≤ B"))
        #expect(error("core.neurons=2..8x1").contains("factor F > 1"))
        #expect(error("core.neurons=1,,2").contains("an empty value"))
    }

    @Test func cartesianAndZippedPointCounts() throws {
        let a = try Sweep.axis("core.weightBits=2..8")
        let b = try Sweep.axis("energy.hopPJ=1,2,4")
        let product = try Sweep(axes: [a, b]).points()
        #expect(
            product.count == 21 && product[0] == ["2", "1"] && product[1] == ["2", "2"] && product[20] == ["8", "4"])
        let c = try Sweep.axis("mesh.columns=1,2,3")
        #expect(try Sweep(axes: [b, c], zip: true).points() == [["1", "1"], ["2", "2"], ["4", "3"]])
        #expect(throws: SpikeMeshError.self) { try Sweep(axes: [a, b], zip: true).points() }
        #expect(throws: SpikeMeshError.self) { try Sweep(axes: [b, b]).points() }
        // Which points emulate (the first of each run setting) and which are re-priced.
        let timing = Sweep(axes: [try Sweep.axis("time.hopNs=1,2"), try Sweep.axis("timesteps=4,8")])
        #expect(try timing.emulates() == [true, true, false, false])
        var shard = Sweep(axes: [a, b])
        (shard.shard, shard.shards) = (2, 5)
        #expect(shard.indices(of: 21) == [1, 6, 11, 16])
    }

    /// Points that differ only in energy keys share one emulation and are re-priced; every row
    /// equals what a separate run with those keys set gives (the library call `run --set` makes).
    @Test func aTechnologySweepRunsOneEmulationAndMatchesSeparateRuns() throws {
        let base = Self.pipeline()
        let data = try base.dataset(defaultLimit: 3)
        let sweep = Sweep(axes: [try Sweep.axis("energy.hopPJ=1,7"), try Sweep.axis("energy.synapticOpPJ=10,20,30")])
        let (rows, work) = try sweep.run(base, model: nil, data: data)
        #expect(work == Sweep.Work(conversions: 1, mappings: 1, emulations: 1, repriced: 5))
        #expect(rows.map(\.point) == Array(0..<6))
        for row in rows {
            let (_, expected) = try Self.separateRun(row, of: sweep, base, data)
            #expect(row.fields.map(\.0) == Sweep.fieldNames)
            #expect(JSON.object(row.fields).rendered() == JSON.object(expected).rendered(), "point \(row.point)")
        }
        // The energy parts move with their prices, and nothing else does.
        let part = Self.number
        #expect(
            part(rows[0], "energy.synaptic") * 3 == part(rows[2], "energy.synaptic")
                && part(rows[0], "synapticOps") == part(rows[5], "synapticOps"))
        #expect(part(rows[3], "energy.routingWithinChip") > part(rows[0], "energy.routingWithinChip"))
    }

    /// Points that differ only in time keys share one emulation, timed by every point's table
    /// at once — per-event core time (`time.spikeNs` > 0) beside the plain formula, hops and
    /// the barrier — and every row equals a separate run's, whatever the order of the points.
    @Test func aTimeSweepRunsOneEmulationAndMatchesSeparateRuns() throws {
        let base = Self.pipeline()
        let data = try base.dataset(defaultLimit: 3)
        let sweep = Sweep(axes: [
            try Sweep.axis("time.hopNs=1,40"), try Sweep.axis("time.spikeNs=0,3"),
            try Sweep.axis("time.barrierNs=0,50"),
        ])
        let (rows, work) = try sweep.run(base, model: nil, data: data)
        #expect(work == Sweep.Work(conversions: 1, mappings: 1, emulations: 1, repriced: 7))
        for row in rows {
            let (_, expected) = try Self.separateRun(row, of: sweep, base, data)
            #expect(
                row.error == nil && JSON.object(row.fields).rendered() == JSON.object(expected).rendered(),
                "point \(row.point)")
        }
        let latency = { Self.number($0, "latencyMicroseconds") }
        // Hops, spikes and the barrier cost time: each slower table is slower, on the same counts.
        #expect(
            latency(rows[4]) > latency(rows[0]) && latency(rows[2]) > latency(rows[0])
                && latency(rows[1]) > latency(rows[0]))
        let reversed = Sweep(axes: sweep.axes.reversed().map { Sweep.Axis(key: $0.key, values: $0.values.reversed()) })
        let (again, _) = try reversed.run(base, model: nil, data: data)
        for row in again {
            let same = rows.first { $0.values == Array(row.values.reversed()) }!
            #expect(JSON.object(row.fields).rendered() == JSON.object(same.fields).rendered())
        }
    }

    /// The same on 15 chips (generic-small): hops between chips and north–south hops, priced
    /// by each point's table from the route classes of one emulation.
    @Test func aTimeSweepAcrossChipsMatchesSeparateRuns() throws {
        var base = Self.pipeline()
        base.hardware.hardware = "generic-small"
        let data = try base.dataset(defaultLimit: 2)
        let sweep = Sweep(axes: [
            try Sweep.axis("time.hopBetweenChipsNs=0,25"), try Sweep.axis("time.hopNorthSouthNs=1,9"),
        ])
        let (rows, work) = try sweep.run(base, model: nil, data: data)
        #expect(work == Sweep.Work(conversions: 1, mappings: 1, emulations: 1, repriced: 3))
        for row in rows {
            let (s, expected) = try Self.separateRun(row, of: sweep, base, data)
            #expect(
                s.mapping.chipsUsed > 1 && s.evaluation.counters.hopsBetweenChips > 0
                    && s.evaluation.counters.hopsNorthSouth > 0)
            #expect(
                row.error == nil && JSON.object(row.fields).rendered() == JSON.object(expected).rendered(),
                "point \(row.point)")
        }
        let latency = { Self.number($0, "latencyMicroseconds") }
        #expect(latency(rows[2]) > latency(rows[0]) && latency(rows[1]) > latency(rows[0]))
    }

    /// A topology key maps again, a time key re-times the same emulation, a run key emulates
    /// again; a failing point (a mesh that cannot drain) is a row with its error.
    @Test func eachKeyRecomputesOnlyWhatItTouches() throws {
        let base = Self.pipeline()
        let data = try base.dataset(defaultLimit: 2)
        let sweep = Sweep(axes: [try Sweep.axis("time.hopNs=1,2"), try Sweep.axis("timesteps=4,8")])
        let (rows, work) = try sweep.run(base, model: nil, data: data)
        #expect(work == Sweep.Work(conversions: 1, mappings: 1, emulations: 2, repriced: 2))
        #expect(rows.allSatisfy { $0.error == nil })
        let topology = Sweep(axes: [try Sweep.axis("core.neurons=512,1024"), try Sweep.axis("mesh.linkCapacity=0,1")])
        let (trows, twork) = try topology.run(base, model: nil, data: data)
        #expect(twork.conversions == 1 && twork.mappings == 4 && twork.emulations == 2)
        #expect(trows.filter { $0.values[1] == "1" }.allSatisfy { $0.error?.contains("stayed full") == true })
        #expect(trows.filter { $0.values[1] == "0" }.allSatisfy { $0.error == nil && !$0.fields.isEmpty })
    }

    @Test func csvColumnsInOrder() throws {
        let base = Self.pipeline()
        let data = try base.dataset(defaultLimit: 2)
        let sweep = Sweep(axes: [try Sweep.axis("energy.hopPJ=1,2")])
        let (rows, work) = try sweep.run(base, model: nil, data: data)
        let table = SweepTable(
            model: "m", data: data.source, count: 2, hardware: "loihi", axes: sweep.axes, zip: false, points: 2,
            shard: nil, rows: rows, work: work)
        let lines = table.csv(reproducible: false).split(separator: "\n").map(String.init)
        #expect(
            lines[0]
                == "point,energy.hopPJ,cores,chips,fits,accuracy,latencyTicks,latencyMicroseconds,energyMicrojoules,"
                + "energy.synaptic,energy.neuron,energy.spikeOut,energy.routingWithinChip,energy.routingBetweenChips,energy.barrier,energy.static,"
                + "synapticOps,spikeRate,packets,hops,peakLinkLoad,stalledPacketTicks,edpMicrojouleMicroseconds,"
                + "neurobench.footprint,neurobench.connection_sparsity,neurobench.activation_sparsity,neurobench.Effective_MACs,"
                + "neurobench.Effective_ACs,neurobench.Dense,error,seconds")
        #expect(lines.count == 3 && lines[1].hasPrefix("0,1,") && lines[2].hasPrefix("1,2,"))
        #expect(
            lines[1].split(separator: ",", omittingEmptySubsequences: false).count
                == lines[0].split(separator: ",").count)
        #expect(
            EnergyEstimate.partNames
                == EnergyEstimate(
                    counters: EmulationCounters(cores: 0, populations: 0, links: 0, ticks: 0),
                    hardware: HardwareModel(name: "x"), chips: 1
                ).parts.map(\.name))
    }

    /// Shards of a sweep, merged, give the unsharded output byte for byte (JSON and CSV).
    @Test func shardsMergeToTheUnshardedOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikemesh-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let args =
            ["sweep", "--vary", "energy.hopPJ=1,2,4", "--vary", "timesteps=4,8", "--reproducible", "--quiet"]
            + CommandLineTests.small
        let whole = try CommandLineTests.run(args + ["--json", "--csv", dir.appendingPathComponent("whole.csv").path])
        #expect(whole.code == 0, "\(whole.stderr)")
        var parts: [String] = []
        for k in 1...3 {
            let part = try CommandLineTests.run(args + ["--json", "--shard", "\(k)/3"])
            #expect(part.code == 0, "\(part.stderr)")
            let path = dir.appendingPathComponent("part\(k).json").path
            try Data(part.stdout.utf8).write(to: URL(fileURLWithPath: path))
            parts.append(path)
        }
        // --shard auto reads the same shard from a Slurm array (--array=11-13) and, with the
        // count, from GNU parallel's job number.
        let second = try String(contentsOfFile: parts[1], encoding: .utf8)
        for (shard, env) in [
            ("auto", ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "11", "SLURM_ARRAY_TASK_COUNT": "3"]),
            ("auto/3", ["PARALLEL_SEQ": "2"]),
        ] {
            let auto = try CommandLineTests.run(args + ["--json", "--shard", shard], environment: env)
            #expect(auto.code == 0 && auto.stdout == second, "--shard \(shard) under \(env): \(auto.stderr)")
        }
        let merged = try CommandLineTests.run([
            "sweep", "--merge", parts.joined(separator: ","), "--json", "--reproducible",
            "--csv", dir.appendingPathComponent("merged.csv").path,
        ])
        #expect(merged.code == 0, "\(merged.stderr)")
        #expect(merged.stdout == whole.stdout)
        #expect(
            try Data(contentsOf: dir.appendingPathComponent("merged.csv"))
                == Data(contentsOf: dir.appendingPathComponent("whole.csv")))
        let rows = try #require(
            (try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any])?["rows"]
                as? [[String: Any]])
        #expect(rows.count == 6 && rows.allSatisfy { $0["error"] == nil && $0["energyMicrojoules"] != nil })
        // A shard missing, or given twice, is an error that says so.
        let missing = try CommandLineTests.run(["sweep", "--merge", parts[0] + "," + parts[2]])
        #expect(
            missing.code == 1 && missing.stderr.contains("hold 4 of 6 points; missing point(s) 1, 4"),
            "\(missing.stderr)")
        let twice = try CommandLineTests.run(["sweep", "--merge", parts[0] + "," + parts[0]])
        #expect(twice.code == 1 && twice.stderr.contains("is in both"), "\(twice.stderr)")
        let extra = try CommandLineTests.run(["sweep", "--merge", parts[0], "--vary", "energy.hopPJ=1"])
        #expect(extra.code == 2 && extra.stderr.contains("runs nothing"), "\(extra.stderr)")
    }

    /// Rows with the accuracy at several T merge back to the unsharded output too.
    @Test func shardsWithAccuracyCurvesMerge() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikemesh-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let args =
            ["sweep", "--vary", "energy.hopPJ=1,2,4", "--timesteps", "4,8", "--reproducible", "--quiet", "--json"]
            + CommandLineTests.small
        let whole = try CommandLineTests.run(args)
        #expect(whole.code == 0 && whole.stdout.contains("\"accuracy.T4\":"), "\(whole.stderr)")
        var parts: [String] = []
        for k in 1...2 {
            let part = try CommandLineTests.run(args + ["--shard", "\(k)/2"])
            let path = dir.appendingPathComponent("part\(k).json").path
            try Data(part.stdout.utf8).write(to: URL(fileURLWithPath: path))
            parts.append(path)
        }
        let merged = try CommandLineTests.run([
            "sweep", "--merge", parts.joined(separator: ","), "--json", "--reproducible",
        ])
        #expect(merged.code == 0 && merged.stdout == whole.stdout, "\(merged.stderr)")
    }
}
