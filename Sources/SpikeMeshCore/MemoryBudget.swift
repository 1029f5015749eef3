import Foundation

/// `--max-memory`: the memory a command may use. Before each large step (reading a model or
/// a dataset, building the emulator or the simulators' state) the step estimates what it
/// will allocate, and work estimated beyond the budget is refused with an error naming the
/// step, the estimate and the limit — before anything is allocated. Estimates count the
/// large arrays (weights, per-neuron state, per-core and per-link counters, images); the
/// fixed overhead of the program (about 20 MB) is not counted. Docs/CLI.md compares them
/// with measured peak memory.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// The limit in bytes.
    public var bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// The default limit is this fraction of the machine's physical memory.
    public static let defaultFraction = 0.75

    /// The machine's physical memory in bytes.
    public static var physicalBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// Three quarters of physical memory.
    public static var standard: MemoryBudget { MemoryBudget(bytes: Int(Double(physicalBytes) * defaultFraction)) }

    /// No limit (library callers that bound their own work).
    public static let unlimited = MemoryBudget(bytes: .max)

    public var description: String { bytes == .max ? "unlimited" : Self.format(bytes) }

    /// Throws `.memoryLimit` when `estimate` bytes are above the budget; `what` names the step.
    public func check(_ estimate: Int, _ what: @autoclosure () -> String) throws {
        guard estimate > bytes else { return }
        throw SpikeMeshError(
            .memoryLimit,
            "\(what()) needs about \(Self.format(estimate)) of memory, above the limit \(self) "
                + "(--max-memory; the default is \(Int(Self.defaultFraction * 100)) % of physical memory)")
    }

    /// Parses a size: bytes (`1000000`), with a binary unit (`512K`, `64M`, `1.5G`, `2T`, also
    /// spelled `KiB`, `MB`, …: every unit is a power of 1024), or a share of physical memory
    /// (`50%`). Throws `.usage` for anything else, or for a size below 1 MiB.
    public static func parse(_ text: String) throws -> MemoryBudget {
        let t = text.trimmingCharacters(in: .whitespaces)
        func bad(_ why: String) -> SpikeMeshError {
            SpikeMeshError(.usage, "\(Text.quoted(text)): \(why) (e.g. 512M, 8G, 1.5GiB or 50%)")
        }
        var bytes: Double
        if t.hasSuffix("%") {
            guard let p = Double(t.dropLast()), p.isFinite, p > 0, p <= 100 else {
                throw bad("a share must be above 0 % and at most 100 %")
            }
            bytes = Double(physicalBytes) * p / 100
        } else {
            let units: [(String, Double)] = [
                ("TIB", 0x1p40), ("GIB", 0x1p30), ("MIB", 0x1p20), ("KIB", 0x1p10),
                ("TB", 0x1p40), ("GB", 0x1p30), ("MB", 0x1p20), ("KB", 0x1p10),
                ("T", 0x1p40), ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10), ("B", 1),
            ]
            let upper = t.uppercased()
            let (suffix, scale) = units.first { upper.hasSuffix($0.0) } ?? ("", 1)
            guard let value = Double(upper.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value.isFinite,
                value > 0
            else {
                throw bad("not a size")
            }
            bytes = value * scale
        }
        guard bytes >= 0x1p20 else { throw bad("below the smallest limit, 1M") }
        return MemoryBudget(bytes: bytes >= 0x1p62 ? 1 << 62 : Int(bytes))
    }

    /// `1.5 GiB`, `640 MiB`, `12 KiB`, `100 B`.
    public static func format(_ bytes: Int) -> String {
        let units: [(String, Double)] = [("TiB", 0x1p40), ("GiB", 0x1p30), ("MiB", 0x1p20), ("KiB", 0x1p10)]
        let b = Double(bytes)
        for (name, scale) in units where b >= scale {
            let v = b / scale
            return
                (v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v))
                + " " + name
        }
        return "\(bytes) B"
    }
}

/// Saturating byte arithmetic for estimates: a count read from a file can be anything, and an
/// estimate that overflows must still be refused, not wrap.
public enum ByteCount {
    /// The product, or `Int.max` when it overflows (negative factors count as 0).
    public static func product(_ factors: Int...) -> Int { product(factors) }

    public static func product(_ factors: [Int]) -> Int {
        var p = 1
        for f in factors {
            guard f > 0 else { return 0 }
            let (next, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return .max }
            p = next
        }
        return p
    }

    /// The sum, or `Int.max` when it overflows.
    public static func sum(_ terms: Int...) -> Int { sum(terms) }

    public static func sum(_ terms: [Int]) -> Int {
        var s = 0
        for t in terms where t > 0 {
            let (next, overflow) = s.addingReportingOverflow(t)
            if overflow { return .max }
            s = next
        }
        return s
    }
}
