import Foundation
import SpikeMeshCore

/// A sweep's rows as printed: a table, CSV or JSON, and the merge of sharded JSON outputs.
public struct SweepTable: Sendable {
    public var model: String
    public var data: String
    public var count: Int
    public var hardware: String
    public var axes: [Sweep.Axis]
    public var zip: Bool
    /// Points of the whole sweep (this table may hold a shard of them).
    public var points: Int
    public var shard: (Int, Int)?
    public var rows: [Sweep.Row]
    public var work: Sweep.Work

    public init(
        model: String, data: String, count: Int, hardware: String, axes: [Sweep.Axis], zip: Bool, points: Int,
        shard: (Int, Int)?, rows: [Sweep.Row], work: Sweep.Work
    ) {
        (self.model, self.data, self.count, self.hardware, self.axes, self.zip) = (
            model, data, count, hardware, axes, zip
        )
        (self.points, self.shard, self.rows, self.work) = (points, shard, rows, work)
    }

    /// A value as JSON: a number where the text is one (axis values are normalized so that the
    /// number prints back as the same text), else a string.
    static func value(_ text: String) -> JSON {
        if let d = Double(text), d.isFinite, Sweep.format(d) == text { return .number(d) }
        return .string(text)
    }

    func rowJSON(_ row: Sweep.Row, reproducible: Bool) -> JSON {
        var f: [(String, JSON)] = [("point", .int(row.point))]
        f += Swift.zip(axes, row.values).map { ($0.key, Self.value($1)) }
        f += row.fields
        if let e = row.error { f.append(("error", .string(e))) }
        if !reproducible { f.append(("seconds", .number((row.seconds * 1000).rounded() / 1000))) }
        return .object(f)
    }

    public func json(reproducible: Bool) -> JSON {
        var f: [(String, JSON)] = [
            ("model", .string(model)), ("data", .string(data)), ("count", .int(count)), ("hardware", .string(hardware)),
            (
                "axes",
                .array(axes.map { .object([("key", .string($0.key)), ("values", .array($0.values.map(Self.value)))]) })
            ),
            ("zip", .bool(zip)), ("points", .int(points)),
        ]
        if !reproducible {
            if let (k, n) = shard { f.append(("shard", .string("\(k)/\(n)"))) }
            f.append(
                (
                    "work",
                    .object([
                        ("conversions", .int(work.conversions)), ("mappings", .int(work.mappings)),
                        ("emulations", .int(work.emulations)), ("repriced", .int(work.repriced)),
                    ])
                ))
        }
        f.append(("rows", .array(rows.map { rowJSON($0, reproducible: reproducible) })))
        return .object(f)
    }

    /// Column names of the measured fields: Sweep's, then the accuracy at each T any row read.
    var fieldNames: [String] { Sweep.fieldNames + curveTimesteps.map(Sweep.curveField) }

    /// Every T at which some row read the accuracy (runs with several `--timesteps`), ascending.
    var curveTimesteps: [Int] {
        Set(rows.flatMap { $0.fields.compactMap { Sweep.curveTimesteps($0.0) } }).sorted()
    }

    public func csv(reproducible: Bool) -> String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        func text(_ j: JSON) -> String {
            switch j {
            case .string(let s): return cell(s)
            case .bool(let b): return b ? "true" : "false"
            default: return j.rendered(indent: 0)
            }
        }
        var header = ["point"] + axes.map(\.key) + fieldNames + ["error"]
        if !reproducible { header.append("seconds") }
        var out = header.map(cell).joined(separator: ",") + "\n"
        let names = fieldNames
        for row in rows {
            let values = Dictionary(uniqueKeysWithValues: row.fields.map { ($0.0, $0.1) })
            let fields = names.map { values[$0].map(text) ?? "" }
            var cells = [String(row.point)] + row.values.map(cell) + fields + [cell(row.error ?? "")]
            if !reproducible { cells.append(String(format: "%.3f", row.seconds)) }
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    public func text() -> String {
        func number(_ j: JSON?) -> Double {
            switch j {
            case .number(let d): d
            case .int(let i): Double(i)
            default: .nan
            }
        }
        let header =
            axes.map(\.key) + [
                "cores", "chips", "fits", "accuracy", "latency µs", "energy µJ", "EDP µJ·µs", "SOPs", "packets",
                "peak link", "stalls", "s",
            ]
        var lines: [[String]] = []
        for row in rows {
            let f = Dictionary(uniqueKeysWithValues: row.fields.map { ($0.0, $0.1) })
            var cells = row.values
            if let e = row.error {
                lines.append(cells + ["error: " + e] + [String](repeating: "", count: header.count - cells.count - 1))
                continue
            }
            cells += [
                String(format: "%.0f", number(f["cores"])), String(format: "%.0f", number(f["chips"])),
                f["fits"].map { if case .bool(true) = $0 { "yes" } else { "NO" } } ?? "?",
                String(format: "%.2f %%", 100 * number(f["accuracy"])),
                String(format: "%.2f", number(f["latencyMicroseconds"])),
                String(format: "%.3f", number(f["energyMicrojoules"])),
                String(format: "%.4g", number(f["edpMicrojouleMicroseconds"])),
                String(format: "%.0f", number(f["synapticOps"])), String(format: "%.0f", number(f["packets"])),
                String(format: "%.0f", number(f["peakLinkLoad"])),
                String(format: "%.0f", number(f["stalledPacketTicks"])),
                String(format: "%.1f", row.seconds),
            ]
            lines.append(cells)
        }
        let measured = lines.filter { !($0.count > axes.count && $0[axes.count].hasPrefix("error: ")) }
        let widths = header.indices.map { i in
            ([header[i]] + (i < axes.count ? lines : measured).map { $0[i] }).map(\.count).max() ?? 0
        }
        func render(_ cells: [String]) -> String {
            cells.indices.map { i in
                i < axes.count
                    ? cells[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, widths[i] - cells[i].count)) + cells[i]
            }.joined(separator: "  ")
        }
        var out = "sweep of \(model) on \(hardware) over \(data) (\(count) images): \(points) point(s)"
        if let (k, n) = shard { out += ", shard \(k)/\(n) (\(rows.count) of them)" }
        out += "\n" + render(header) + "\n"
        for l in lines {
            if l.count > axes.count, l[axes.count].hasPrefix("error: ") {
                out += render(Array(l[..<axes.count])) + "  " + l[axes.count] + "\n"
            } else {
                out += render(l) + "\n"
            }
        }
        out +=
            "work: \(work.conversions) conversion(s), \(work.mappings) mapping(s), \(work.emulations) emulation(s), \(work.repriced) point(s) re-priced without emulating\n"
        return out
    }

    /// Joins the `--json` outputs of a sweep's shards. Every file must come from the same sweep
    /// (model, data, hardware, axes, zip, point count), no point may appear twice, and together
    /// they must hold every point. Numbers are read with JSONDecoder, which reads every double
    /// back exactly (Foundation's JSONSerialization on Linux does not), so a merged output
    /// equals an unsharded one byte for byte.
    public static func merge(_ paths: [String]) throws -> SweepTable {
        var merged: SweepTable?
        var seen: [Int: String] = [:]
        for path in paths {
            let bytes = try InputFile.read(path, limit: 1 << 30)
            guard case .object(let top)? = try? JSONDecoder().decode(Value.self, from: Data(bytes)) else {
                throw SpikeMeshError(
                    .malformed,
                    "\(Text.escaped(path)): not a JSON object (expected the --json output of spikemesh sweep)")
            }
            func string(_ k: String) throws -> String {
                guard case .string(let s)? = top[k] else {
                    throw SpikeMeshError(
                        .malformed,
                        "\(Text.escaped(path)): \"\(k)\" is missing or not a string (expected the --json output of spikemesh sweep)"
                    )
                }
                return s
            }
            func int(_ k: String) throws -> Int {
                guard case .number(let d)? = top[k], let i = Int(exactly: d) else {
                    throw SpikeMeshError(.malformed, "\(Text.escaped(path)): \"\(k)\" is missing or not an integer")
                }
                return i
            }
            guard case .array(let axesJSON)? = top["axes"], case .array(let rowsJSON)? = top["rows"] else {
                throw SpikeMeshError(
                    .malformed,
                    "\(Text.escaped(path)): \"axes\" or \"rows\" is missing (expected the --json output of spikemesh sweep)"
                )
            }
            let axes = try axesJSON.map { a -> Sweep.Axis in
                guard case .object(let o) = a, case .string(let key)? = o["key"], case .array(let values)? = o["values"]
                else {
                    throw SpikeMeshError(.malformed, "\(Text.escaped(path)): an axis without key or values")
                }
                return Sweep.Axis(key: key, values: try values.map { try text($0, path: path) })
            }
            var zip = false
            if case .bool(let z)? = top["zip"] { zip = z }
            var table = SweepTable(
                model: try string("model"), data: try string("data"), count: try int("count"),
                hardware: try string("hardware"),
                axes: axes, zip: zip, points: try int("points"), shard: nil, rows: [], work: Sweep.Work())
            if case .object(let w)? = top["work"] {
                func n(_ k: String) -> Int { if case .number(let d)? = w[k], let i = Int(exactly: d) { i } else { 0 } }
                table.work = Sweep.Work(
                    conversions: n("conversions"), mappings: n("mappings"), emulations: n("emulations"),
                    repriced: n("repriced"))
            }
            for r in rowsJSON {
                guard case .object(let row) = r, case .number(let p)? = row["point"], let point = Int(exactly: p),
                    point >= 0, point < table.points
                else {
                    throw SpikeMeshError(.malformed, "\(Text.escaped(path)): a row without a valid \"point\"")
                }
                if let other = seen[point] {
                    throw SpikeMeshError(
                        .malformed, "point \(point) is in both \(Text.escaped(other)) and \(Text.escaped(path))")
                }
                seen[point] = path
                let values = try axes.map { a -> String in
                    guard let v = row[a.key] else {
                        throw SpikeMeshError(
                            .malformed, "\(Text.escaped(path)): row \(point) has no \(Text.quoted(a.key))")
                    }
                    return try text(v, path: path)
                }
                var error: String?
                if case .string(let e)? = row["error"] { error = e }
                let skip = Set(["point", "seconds", "error"] + axes.map(\.key))
                let fields =
                    error != nil
                    ? []
                    : try fieldOrder(Set(row.keys), skipping: skip).map { k -> (String, JSON) in
                        (k, try json(row[k]!, path: path))
                    }
                var seconds = 0.0
                if case .number(let d)? = row["seconds"] { seconds = d }
                table.rows.append(
                    Sweep.Row(point: point, values: values, fields: fields, seconds: seconds, error: error))
            }
            if var m = merged {
                guard m.model == table.model, m.data == table.data, m.count == table.count,
                    m.hardware == table.hardware,
                    m.axes == table.axes, m.zip == table.zip, m.points == table.points
                else {
                    throw SpikeMeshError(
                        .malformed,
                        "\(Text.escaped(path)) is a shard of another sweep (model, data, hardware, axes or points differ from \(Text.escaped(paths[0])))"
                    )
                }
                m.rows += table.rows
                m.work.conversions += table.work.conversions
                m.work.mappings += table.work.mappings
                m.work.emulations += table.work.emulations
                m.work.repriced += table.work.repriced
                merged = m
            } else {
                merged = table
            }
        }
        guard var result = merged else { throw SpikeMeshError(.usage, "--merge needs at least one file") }
        let missing = (0..<result.points).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw SpikeMeshError(
                .malformed,
                "the shards hold \(seen.count) of \(result.points) points; missing point(s) \(missing.prefix(8).map(String.init).joined(separator: ", "))\(missing.count > 8 ? ", …" : "")"
            )
        }
        result.rows.sort { $0.point < $1.point }
        return result
    }

    /// A JSON value as JSONDecoder reads it.
    indirect enum Value: Decodable {
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([Value])
        case object([String: Value])
        case null

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([Value].self) {
                self = .array(a)
            } else {
                self = .object(try c.decode([String: Value].self))
            }
        }
    }

    /// The order Sweep writes a row's measured fields in: its columns, then the accuracy at
    /// each T, ascending.
    static func fieldOrder(_ keys: Set<String>, skipping skip: Set<String>) throws -> [String] {
        let known = Sweep.fieldNames
        let present = keys.subtracting(skip)
        let curve = present.compactMap(Sweep.curveTimesteps).sorted()
        let other = present.subtracting(curve.map(Sweep.curveField))
        guard other == Set(known) else {
            throw SpikeMeshError(
                .malformed,
                "a row's fields differ from those this build writes (\(other.symmetricDifference(known).sorted().prefix(3).joined(separator: ", ")))"
            )
        }
        return known + curve.map(Sweep.curveField)
    }

    static func text(_ v: Value, path: String) throws -> String {
        switch v {
        case .string(let s): return s
        case .number(let d): return Sweep.format(d)
        default:
            throw SpikeMeshError(
                .malformed, "\(Text.escaped(path)): an axis value that is neither a number nor a string")
        }
    }

    static func json(_ v: Value, path: String) throws -> JSON {
        switch v {
        case .bool(let b): return .bool(b)
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        default:
            throw SpikeMeshError(
                .malformed, "\(Text.escaped(path)): a field that is neither a number, a boolean nor a string")
        }
    }
}
