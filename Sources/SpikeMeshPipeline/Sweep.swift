import Foundation
import SpikeMeshConversion
import SpikeMeshCore
import SpikeMeshEmulation
import SpikeMeshEnergy
import SpikeMeshHardware
import SpikeMeshMapping
import SpikeMeshModel
import SpikeMeshReports

/// A what-if study (Docs/WhatIf.md): the pipeline run at every point of a grid of hardware,
/// conversion and run settings, each point recomputing only what its keys touch.
///
/// Reuse, from the top of the pipeline down: one conversion per conversion setting; one
/// decomposition, mapping and quantization per hardware topology (the model and its `mesh.*`
/// and `core.*` keys) under it; one emulation per topology and run setting. Points that differ
/// only in `time.*` and `energy.*` keys share that emulation: it times every tick by each of
/// their time tables at once (`EmulationOptions.alternativeTimes`; time never changes a
/// spike), and energy is counters × the table. Rows do not depend on the order of the points,
/// the thread count or the sharding.
public struct Sweep: Sendable {
    /// One swept key and its values, as given.
    public struct Axis: Sendable, Equatable {
        public var key: String
        public var values: [String]
        /// Each value as the user typed it (`1e3` where `values` has `1000`), for messages.
        public var typed: [String]
        public init(key: String, values: [String], typed: [String]? = nil) {
            (self.key, self.values, self.typed) = (key, values, typed ?? values)
        }

        /// Axes are equal when their keys and values are; how the values were typed is not
        /// part of the study.
        public static func == (a: Axis, b: Axis) -> Bool { a.key == b.key && a.values == b.values }

        /// `--vary KEY=VALUE` with the value as the user typed it.
        func typed(_ value: String) -> String {
            "--vary \(key)=\(Text.escaped(values.firstIndex(of: value).map { typed[$0] } ?? value))"
        }
    }

    /// What a key changes, and so what a point that changes it must recompute: a conversion
    /// key everything; a topology key the mapping on; a run key the emulation. A pricing key
    /// (`time.*`, `energy.*`) recomputes nothing: its points are priced from their run
    /// setting's one emulation (`Sweep.run`).
    public enum Stage: Int, Sendable, Comparable {
        case conversion, topology, run, pricing
        public static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    /// Keys of the conversion and of the run, as the command line spells them.
    public static let conversionKeys = [
        "method", "alpha", "percentile", "reset", "pooling", "thresholds", "v0", "calibrate-bias",
        "calibrate-potential",
    ]
    public static let runKeys = ["timesteps", "encoding", "delivery", "readout", "srp-tau"]

    public static func stage(of key: String) throws -> Stage {
        if key == "hardware" { return .topology }
        if conversionKeys.contains(key) { return .conversion }
        if runKeys.contains(key) { return .run }
        let section = key.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        switch section {
        case "mesh", "core": return .topology
        case "time", "energy": return .pricing
        default:
            throw SpikeMeshError(
                .usage,
                "--vary \(Text.escaped(key)): not a sweepable key (a hardware key such as core.neurons, mesh.linkCapacity, time.hopNs or energy.hopPJ; hardware; or one of \((conversionKeys + runKeys).joined(separator: ", ")))"
            )
        }
    }

    public var axes: [Axis]
    /// Pair the axes' values (all lists equally long) instead of taking every combination.
    public var zip = false
    /// Run only the points with index ≡ shard − 1 (mod shards), for batch systems.
    public var shard = 1, shards = 1

    public init(axes: [Axis], zip: Bool = false) {
        self.axes = axes
        self.zip = zip
    }

    /// Parses `KEY=V1,V2,…`, `KEY=A..B` (integers A to B) or `KEY=A..BxF` (geometric: A, A·F, …
    /// up to B). Values separated by ';' may hold commas: a barrier table's values always are
    /// (`time.barrierNsByTilesInUse=1:600,4:1400;1:500,4:1000` is two tables).
    public static func axis(_ text: String) throws -> Axis {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SpikeMeshError(
                .usage,
                "--vary \(Text.escaped(text)): expected KEY=V1,V2,… or KEY=A..B or KEY=A..BxF, e.g. core.neurons=256..4096x2"
            )
        }
        let key = parts[0]
        let spec = parts[1]
        _ = try stage(of: key)
        var values: [String]
        if let range = spec.range(of: "..") {
            let lo = String(spec[..<range.lowerBound])
            let rest = String(spec[range.upperBound...])
            // B, or B x F: "1..x" has no B (it trapped on an empty split), "1..2x" no F.
            let pieces = rest.split(separator: "x", omittingEmptySubsequences: false).map(String.init)
            let hiText = pieces[0]
            let factorText = pieces.count > 1 ? pieces[1] : ""
            guard let a = Double(lo), let b = Double(hiText), a.isFinite, b.isFinite, a <= b, pieces.count <= 2,
                pieces.count == 1 || !factorText.isEmpty
            else {
                throw SpikeMeshError(
                    .usage, "--vary \(Text.escaped(text)): a range is A..B with A ≤ B (numbers), or A..BxF")
            }
            values = []
            if factorText.isEmpty {
                guard a == a.rounded(), b == b.rounded(), b - a < 10_000 else {
                    throw SpikeMeshError(
                        .usage,
                        "--vary \(Text.escaped(text)): A..B steps by 1 between integers (at most 10000 values); use a list or A..BxF"
                    )
                }
                var v = a
                while v <= b {
                    values.append(Self.format(v))
                    v += 1
                }
            } else {
                guard let f = Double(factorText), f > 1, a > 0 else {
                    throw SpikeMeshError(.usage, "--vary \(Text.escaped(text)): A..BxF needs A > 0 and a factor F > 1")
                }
                var v = a
                while v <= b * (1 + 1e-12) && values.count < 10_000 {
                    values.append(Self.format(v))
                    v *= f
                }
            }
        } else {
            // A value that is itself a list (a barrier table, 1:600,4:1400) ends at ';'.
            let separator: Character = spec.contains(";") || key.hasSuffix("ByTilesInUse") ? ";" : ","
            values = spec.split(separator: separator, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard values.allSatisfy({ !$0.isEmpty }) else {
                throw SpikeMeshError(.usage, "--vary \(Text.escaped(text)): an empty value in the list")
            }
        }
        guard !values.isEmpty else { throw SpikeMeshError(.usage, "--vary \(Text.escaped(text)): no values") }
        // Numbers in one spelling (1e3 → 1000, 3.50 → 3.5), so a value prints back as it reads.
        let typed = values
        values = values.map { v in Double(v).map { $0.isFinite ? Self.format($0) : v } ?? v }
        return Axis(key: key, values: values, typed: typed)
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// The most points a sweep may have (Docs/WhatIf.md): the grid is counted, by an
    /// overflow-checked product, before any point is built, and points are built one at a
    /// time by index (`point(_:)`), so a grid too large is refused at once, whatever the shard.
    public static let maximumPoints = 1_000_000

    /// Bytes one point of this shard costs while the sweep runs (its settings, hardware model
    /// and row), for `--max-memory`: an upper estimate.
    public static let bytesPerPoint = 16 << 10

    /// The number of points: the product of the lists' lengths, or their common length with
    /// `zip`. Throws `.usage` for no axes, a key given twice, lists of unequal length under
    /// `zip`, or more than `maximumPoints` points.
    public func count() throws -> Int {
        guard !axes.isEmpty else { throw SpikeMeshError(.usage, "a sweep needs at least one --vary KEY=VALUES") }
        let keys = axes.map(\.key)
        if let dup = keys.first(where: { k in keys.filter { $0 == k }.count > 1 }) {
            throw SpikeMeshError(.usage, "--vary \(dup) is given twice; give each key once")
        }
        if zip {
            let n = axes[0].values.count
            guard axes.allSatisfy({ $0.values.count == n }) else {
                throw SpikeMeshError(
                    .usage,
                    "--zip pairs the lists, so they must be equally long (\(axes.map { "\($0.key): \($0.values.count)" }.joined(separator: ", ")))"
                )
            }
            return n
        }
        var product = 1
        for axis in axes {
            let (p, overflow) = product.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, p <= Self.maximumPoints else {
                let sizes = axes.map { String($0.values.count) }.joined(separator: " × ")
                throw SpikeMeshError(
                    .usage,
                    "the sweep has \(sizes) points, more than \(Self.maximumPoints); vary fewer values, or split the study into several sweeps"
                )
            }
            product = p
        }
        return product
    }

    /// The values of point `index` (0 ≤ index < `count()`), one per axis: in the cartesian
    /// product the first axis varies slowest.
    public func point(_ index: Int) -> [String] {
        if zip { return axes.map { $0.values[index] } }
        var rest = index
        var values = [String](repeating: "", count: axes.count)
        for (i, axis) in axes.enumerated().reversed() {
            values[i] = axis.values[rest % axis.values.count]
            rest /= axis.values.count
        }
        return values
    }

    /// Every point, in order (`point(_:)` for each index).
    public func points() throws -> [[String]] {
        (0..<(try count())).map(point)
    }

    /// The indices of the points this shard runs: shard − 1, shard − 1 + shards, …
    public func indices(of count: Int) -> [Int] {
        Array(stride(from: shard - 1, to: count, by: shards))
    }

    /// For this shard's points, in order: whether the point runs an emulation (the first with
    /// its run setting) or is re-priced from an earlier one — what a time-left estimate counts.
    public func emulates() throws -> [Bool] {
        var seen = Set<String>()
        return indices(of: try count()).map { seen.insert(key(point($0), upTo: .run)).inserted }
    }

    /// `base` with one point's values applied.
    public func apply(_ values: [String], to base: Pipeline) throws -> Pipeline {
        var p = base
        for (axis, value) in Swift.zip(axes, values) { try Self.apply(axis, value, to: &p) }
        return p
    }

    static func apply(_ axis: Axis, _ value: String, to p: inout Pipeline) throws {
        let key = axis.key
        func bad(_ expected: String) -> SpikeMeshError {
            SpikeMeshError(.usage, "\(axis.typed(value)): expected \(expected)")
        }
        func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
            guard let v = T(rawValue: value) else {
                throw bad("one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return v
        }
        func int(_ lo: Int, _ hi: Int) throws -> Int {
            guard let v = Int(value), v >= lo, v <= hi else { throw bad("an integer in \(lo)…\(hi)") }
            return v
        }
        switch key {
        case "hardware": p.hardware.hardware = value
        case "method": p.conversion.method = try choice(ThresholdMethod.self)
        case "alpha":
            guard let a = Float(value), a > 0, a <= 1000 else { throw bad("a number in (0, 1000]") }
            p.conversion.alpha = a
        case "percentile":
            guard let v = Double(value), v > 0, v <= 100 else { throw bad("a number in (0, 100]") }
            p.conversion.percentile = v
        case "reset": p.conversion.reset = try choice(ResetMode.self)
        case "pooling": p.conversion.pooling = try choice(PoolingMode.self)
        case "thresholds": p.conversion.thresholdScope = try choice(ThresholdScope.self)
        case "v0": p.conversion.initialPotential = try choice(InitialPotentialMode.self)
        case "calibrate-bias": p.conversion.biasCalibrationTicks = try int(0, ConversionOptions.maximumCalibrationTicks)
        case "calibrate-potential":
            p.conversion.potentialCalibrationTicks = try int(0, ConversionOptions.maximumCalibrationTicks)
        case "timesteps": p.run.timesteps = [try int(1, 1_000_000)]
        case "encoding": p.run.encoding = try choice(InputEncoding.self)
        case "delivery": p.run.delivery = try choice(DeliveryMode.self)
        case "readout": p.run.readout = try choice(ReadoutMode.self)
        case "srp-tau": p.run.srpTau = try int(0, 1_000_000)
        default: p.hardware.varied.append((override: "\(key)=\(value)", typed: axis.typed(value)))
        }
    }

    /// The part of a point that decides each stage's result: two points with the same key for
    /// a stage share that stage's work.
    func key(_ values: [String], upTo stage: Stage) -> String {
        var parts: [String] = []
        for (axis, value) in Swift.zip(axes, values) where (try? Self.stage(of: axis.key)).map({ $0 <= stage }) ?? true
        {
            parts.append("\(axis.key)=\(value)")
        }
        return parts.joined(separator: "\u{1}")
    }

    /// What a sweep ran for its points.
    public struct Work: Sendable, Equatable {
        public var conversions = 0, mappings = 0, emulations = 0, repriced = 0
    }

    /// One point's results.
    public struct Row: Sendable {
        public var point: Int
        public var values: [String]
        public var fields: [(String, JSON)]
        public var seconds: Double
        /// Why the point has no results (a mesh too congested to drain, a network too large for
        /// the memory budget); nil for a point that ran. A sweep goes on past such points.
        public var error: String? = nil
    }

    /// Runs this shard's points on `base` (the settings every point shares) over `data`.
    /// `model` is the positional model or network (nil = the bundled example). `progress` is
    /// told after each point: (done, of, the row, how it was obtained).
    public func run(
        _ base: Pipeline, model: String?, data: Dataset,
        progress: (Int, Int, Row, String) -> Void = { _, _, _, _ in }
    ) throws -> (rows: [Row], work: Work) {
        let mine = indices(of: try count())
        try base.checkMemory(ByteCount.product(mine.count, Self.bytesPerPoint), "a sweep of \(mine.count) points")
        // Every point's settings and hardware model are checked before anything runs.
        var pipelines: [Int: Pipeline] = [:]
        var models: [Int: HardwareModel] = [:]
        for i in mine {
            let p = try apply(point(i), to: base)
            pipelines[i] = p
            models[i] = try p.hardwareModel()
        }
        var work = Work()
        // Per run setting (every key but time and energy): its points' time tables, each once.
        var timeTables: [String: [HardwareModel.Time]] = [:]
        for i in mine {
            let runKey = key(point(i), upTo: .run)
            let time = models[i]!.time
            if !timeTables[runKey, default: []].contains(time) { timeTables[runKey, default: []].append(time) }
        }
        var loaded: [String: (LoadedNetwork, SpikeRates)] = [:]
        var prepared: [String: PreparedChip] = [:]
        var emulated: [String: EmulationSummary] = [:]
        var failed: [String: SpikeMeshError] = [:]
        var rows: [Row] = []
        // The emulation of the point's run setting, computing only what its keys touch; the
        // index of the point's time table in its counters; and how it was obtained. The
        // emulation times every tick by each of the setting's time tables (alternatives to a
        // zero table, so that no point's table is special and a table whose time overflows
        // fails its own points only).
        func summary(_ values: [String], _ p: Pipeline, _ hw: HardwareModel) throws -> (EmulationSummary, Int, String) {
            let runKey = key(values, upTo: .run)
            let tables = timeTables[runKey]!
            let table = 1 + tables.firstIndex(of: hw.time)!
            if let error = failed[runKey] { throw error }
            if let cached = emulated[runKey] {
                work.repriced += 1
                return (cached, table, "re-priced")
            }
            do {
                let conversionKey = key(values, upTo: .conversion)
                if loaded[conversionKey] == nil {
                    let network = try p.load(model)
                    loaded[conversionKey] = (network, try p.rates(network))
                    work.conversions += 1
                }
                let (network, rates) = loaded[conversionKey]!
                let topologyKey = key(values, upTo: .topology)
                if prepared[topologyKey] == nil {
                    prepared[topologyKey] = try p.prepare(network, on: hw, rates: rates)
                    work.mappings += 1
                }
                var chip = prepared[topologyKey]!
                var untimed = hw
                untimed.time = .zero
                chip.hardware = untimed
                chip.mapping = try chip.mapping.withTechnology(of: untimed)
                let result = try p.emulate(chip, data: data, alternativeTimes: tables)
                emulated[runKey] = result
                work.emulations += 1
                return (result, table, "emulated")
            } catch let e as SpikeMeshError where e.code != .usage {
                failed[runKey] = e
                throw e
            }
        }
        for (done, i) in mine.enumerated() {
            let start = Date()
            let values = point(i)
            let hw = models[i]!
            var row: Row
            var how: String
            do {
                let (s, table, obtained) = try summary(values, pipelines[i]!, hw)
                row = Row(
                    point: i, values: values,
                    fields: Self.fields(s, counters: try s.evaluation.counters.retimed(table), hardware: hw), seconds: 0
                )
                how = obtained
            } catch let e as SpikeMeshError where e.code != .usage {
                row = Row(point: i, values: values, fields: [], seconds: 0, error: Text.singleLine(e.message))
                how = "failed: \(row.error!)"
            }
            row.seconds = Date().timeIntervalSince(start)
            rows.append(row)
            progress(done + 1, mine.count, row, how)
        }
        return (rows, work)
    }

    /// The measured columns of every row, in order; a run that reads accuracy at several T
    /// (`--timesteps 8,16,32`) adds one `accuracy.T<T>` column per T after them (`curveField`).
    public static let fieldNames =
        ["cores", "chips", "fits", "accuracy", "latencyTicks", "latencyMicroseconds", "energyMicrojoules"]
        + EnergyEstimate.partNames.map { "energy." + $0 }
        + [
            "synapticOps", "spikeRate", "packets", "hops", "peakLinkLoad", "stalledPacketTicks",
            "edpMicrojouleMicroseconds",
        ]
        + ["footprint", "connection_sparsity", "activation_sparsity", "Effective_MACs", "Effective_ACs", "Dense"].map {
            "neurobench." + $0
        }

    /// A row's measured columns: an emulation's counters `c` (timed by the point's table)
    /// priced with `hardware` (the point's own model, which may differ from the emulated one
    /// in `time.*` and `energy.*` keys only).
    static func fields(_ s: EmulationSummary, counters c: EmulationCounters, hardware: HardwareModel) -> [(
        String, JSON
    )] {
        let n = Double(max(s.evaluation.images, 1))
        let e = EnergyEstimate(counters: c, hardware: hardware, chips: s.mapping.chipsUsed)
        var f: [(String, JSON)] = [
            ("cores", .int(s.mapping.cores.count)), ("chips", .int(s.mapping.chipsUsed)),
            ("fits", .bool(s.mapping.fits)),
            ("accuracy", .number(s.accuracy)),
            ("latencyTicks", .number(e.latencyTicks)), ("latencyMicroseconds", .number(e.latencyMicroseconds)),
            ("energyMicrojoules", .number(e.totalMicrojoules)),
        ]
        f += e.parts.map { ("energy." + $0.name, .number($0.microjoules)) }
        f += [
            ("synapticOps", .number(e.synapticOps)), ("spikeRate", .number(s.evaluation.spikeRate)),
            ("packets", .number(Double(c.packets) / n)), ("hops", .number(e.hops)),
            ("peakLinkLoad", .int(c.linkPeak.max() ?? 0)), ("stalledPacketTicks", .int(c.stalledPacketTicks)),
            ("edpMicrojouleMicroseconds", .number(e.totalMicrojoules * e.latencyMicroseconds)),
        ]
        let nb = s.neurobench
        f += [
            ("neurobench.footprint", .int(nb.footprint)),
            ("neurobench.connection_sparsity", .number(nb.connectionSparsity)),
            ("neurobench.activation_sparsity", .number(nb.activationSparsity)),
            ("neurobench.Effective_MACs", .number(nb.effectiveMACs)),
            ("neurobench.Effective_ACs", .number(nb.effectiveACs)), ("neurobench.Dense", .number(nb.dense)),
        ]
        let evaluation = s.evaluation
        if evaluation.checkpoints.count > 1 {
            f += Swift.zip(evaluation.checkpoints, evaluation.accuracy).map { (curveField($0), .number($1)) }
        }
        return f
    }

    /// The column of the accuracy at T time steps.
    public static func curveField(_ t: Int) -> String { "accuracy.T\(t)" }

    /// T of an accuracy column (`accuracy.T16` → 16), nil for any other name.
    public static func curveTimesteps(_ name: String) -> Int? {
        guard name.hasPrefix("accuracy.T"), let t = Int(name.dropFirst("accuracy.T".count)), t > 0,
            curveField(t) == name
        else { return nil }
        return t
    }
}
