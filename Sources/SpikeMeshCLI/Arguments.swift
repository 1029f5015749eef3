import Foundation
import SpikeMesh

/// One option as declared, once: its name, value placeholder (nil for a flag), help, the
/// default shown in `--help` (taken from the library's settings, never restated), and
/// whether repeating it accumulates values (list options) or is an error (scalars).
struct OptionSpec: Sendable {
    var name: String
    var value: String?
    var help: String
    var defaultValue: String? = nil
    var repeatable = false
    /// Whether the value names files the command reads or writes (`CLI.checkFiles`).
    var file: FileRole? = nil

    enum FileRole: Sendable {
        /// One file (or dataset folder) the command reads.
        case input
        /// Comma-separated files the command reads (`--merge`).
        case inputs
        /// A file the command writes (`OutputFile`).
        case output
    }

    var helpText: String {
        help + (defaultValue.map { " Default: \($0)." } ?? "")
            + (repeatable ? " May be repeated; values accumulate." : "")
    }
}

/// A typed option: its declaration and how one occurrence's text becomes a value.
struct Option<Value>: Sendable {
    let spec: OptionSpec
    let parse: @Sendable (_ text: String) throws -> Value

    init(
        _ name: String, _ value: String, help: String, default defaultValue: String? = nil, repeatable: Bool = false,
        file: OptionSpec.FileRole? = nil, parse: @escaping @Sendable (String) throws -> Value
    ) {
        spec = OptionSpec(
            name: name, value: value, help: help, defaultValue: defaultValue, repeatable: repeatable, file: file)
        self.parse = { text in
            do { return try parse(text) } catch let e as SpikeMeshError {
                throw SpikeMeshError(.usage, "--\(name) \(text): \(e.message)")
            }
        }
    }
}

/// A flag: an option without a value.
struct Flag: Sendable {
    let spec: OptionSpec
    init(_ name: String, help: String) { spec = OptionSpec(name: name, value: nil, help: help) }
}

/// Value parsers shared by the declarations; each throws a message that says what was expected.
enum Parse {
    @Sendable static func int(_ min: Int, _ max: Int = Int.max) -> @Sendable (String) throws -> Int {
        { text in
            guard let v = Int(text.replacingOccurrences(of: "_", with: "")), v >= min, v <= max else {
                throw SpikeMeshError(
                    .usage, max == Int.max ? "expected an integer ≥ \(min)" : "expected an integer in \(min)…\(max)")
            }
            return v
        }
    }

    @Sendable static func number(_ text: String) throws -> Float {
        guard let v = Float(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw SpikeMeshError(.usage, "expected a number")
        }
        return v
    }

    /// "1%" or "1": one percentage point, as a fraction (0.01); 0…100.
    @Sendable static func percentagePoints(_ text: String) throws -> Double {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") { t.removeLast() }
        guard let v = Double(t.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0, v <= 100 else {
            throw SpikeMeshError(.usage, "expected percentage points from 0 to 100, e.g. 1% or 0.5")
        }
        return v / 100
    }

    @Sendable static func numbers(_ text: String) throws -> [Float] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map {
            guard let v = Float($0.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw SpikeMeshError(.usage, "expected a number or comma-separated numbers")
            }
            return v
        }
    }

    @Sendable static func timesteps(_ text: String) throws -> [Int] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            guard let t = Int(part.trimmingCharacters(in: .whitespaces)), t >= 1, t <= 1_000_000 else {
                throw SpikeMeshError(.usage, "expected positive integers (at most 1000000) separated by commas")
            }
            return t
        }
    }

    @Sendable static func list(_ text: String) throws -> [String] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw SpikeMeshError(.usage, "expected comma-separated values")
        }
        return parts
    }

    /// `K=V[,K=V…]` where a value may itself hold commas (a barrier table,
    /// `time.barrierNsByTilesInUse=1:600,2:1000`): a comma-separated piece without `=`
    /// continues the value before it.
    @Sendable static func overrides(_ text: String) throws -> [String] {
        var result: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false).map({
            $0.trimmingCharacters(in: .whitespaces)
        }) {
            guard !piece.isEmpty else { throw SpikeMeshError(.usage, "an empty KEY=VALUE between commas") }
            if piece.contains("=") {
                result.append(piece)
            } else if let last = result.popLast() {
                result.append(last + "," + piece)
            } else {
                throw SpikeMeshError(.usage, "expected KEY=VALUE, e.g. core.neurons=512")
            }
        }
        return result
    }

    @Sendable static func path(_ text: String) throws -> String {
        guard !text.isEmpty else { throw SpikeMeshError(.usage, "expected a path") }
        return text
    }

    static func choice<T: RawRepresentable & CaseIterable & Sendable>(_ type: T.Type) -> @Sendable (String) throws -> T
    where T.RawValue == String {
        { text in
            guard let v = T(rawValue: text) else {
                throw SpikeMeshError(.usage, "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return v
        }
    }

    static func choices<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> String where T.RawValue == String {
        T.allCases.map(\.rawValue).joined(separator: "|")
    }
}

/// What a subcommand accepts and how its `--help` reads.
struct CommandSpec {
    var name: String
    var usage: String
    var summary: String
    var discussion: String = ""
    var positionals: [(name: String, help: String)] = []
    var options: [OptionSpec]
    var examples: [String]

    var help: String {
        var out = "OVERVIEW: \(summary)\n\nUSAGE: spikemesh \(name) \(usage)\n"
        if !discussion.isEmpty { out += "\n\(discussion)\n" }
        if !positionals.isEmpty {
            out += "\nARGUMENTS:\n"
            for p in positionals {
                out += "  " + p.name.padding(toLength: 24, withPad: " ", startingAt: 0) + p.help + "\n"
            }
        }
        out += "\nOPTIONS:\n"
        for o in options + [OptionSpec(name: "help", value: nil, help: "Show this help.")] {
            let left = "--\(o.name)" + (o.value.map { " \($0)" } ?? "")
            out +=
                "  " + left.padding(toLength: max(24, left.count + 2), withPad: " ", startingAt: 0) + o.helpText + "\n"
        }
        out += "\nEXAMPLES:\n"
        for e in examples { out += "  \(e)\n" }
        return out
    }
}

/// Parsed arguments of one subcommand: positionals, every occurrence of every option (in
/// order), and the flags given.
struct Arguments {
    var positionals: [String] = []
    private(set) var occurrences: [String: [String]] = [:]
    private var flags: Set<String> = []
    /// How an option was typed when not as `--NAME` (`-o`), for messages in the user's words.
    private var spellings: [String: String] = [:]

    init(_ args: [String], spec: CommandSpec) throws {
        var known: [String: OptionSpec] = [:]
        for o in spec.options { known[o.name] = o }
        var i = 0
        while i < args.count {
            var arg = args[i]
            if arg == "-o" {  // the one short option
                arg = "--output"
                spellings["output"] = "-o"
            }
            i += 1
            guard arg.hasPrefix("--"), arg.count > 2 else {
                positionals.append(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = known[name] else {
                let suggestion = Self.closest(name, among: Array(known.keys))
                throw SpikeMeshError(
                    .usage,
                    "unknown option --\(Text.escaped(name)) for '\(spec.name)'\(suggestion.map { "; did you mean --\($0)?" } ?? "") (see spikemesh \(spec.name) --help)"
                )
            }
            guard let placeholder = option.value else {
                guard inline == nil else { throw SpikeMeshError(.usage, "option --\(name) takes no value") }
                flags.insert(name)
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard i < args.count else {
                    throw SpikeMeshError(.usage, "option --\(name) needs a value (\(placeholder))")
                }
                value = args[i]
                i += 1
            }
            if !option.repeatable, occurrences[name] != nil {
                throw SpikeMeshError(.usage, "option --\(name) was given more than once; give it once")
            }
            occurrences[name, default: []].append(value)
        }
        guard positionals.count <= spec.positionals.count else {
            throw SpikeMeshError(
                .usage,
                "unexpected argument '\(Text.escaped(positionals[spec.positionals.count]))' for '\(spec.name)' (see spikemesh \(spec.name) --help)"
            )
        }
    }

    func flag(_ f: Flag) -> Bool { flags.contains(f.spec.name) }

    func has<T>(_ o: Option<T>) -> Bool { occurrences[o.spec.name] != nil }

    /// Whether the option named `name` was given (for checks that apply to a group).
    func given(_ name: String) -> Bool { occurrences[name] != nil }

    /// The option's value, or nil when it was not given.
    func value<T>(_ o: Option<T>) throws -> T? {
        try occurrences[o.spec.name]?.last.map(o.parse)
    }

    /// Every occurrence of a list option, in order, joined into one list.
    func all<T>(_ o: Option<[T]>) throws -> [T] {
        try (occurrences[o.spec.name] ?? []).flatMap(o.parse)
    }

    /// How the option `name` was typed: `--NAME`, or `-o` for `--output`.
    func spelling(_ name: String) -> String { spellings[name] ?? "--\(name)" }

    func positional(_ index: Int) -> String? { index < positionals.count ? positionals[index] : nil }

    /// The raw values given for the options of `spec` whose values name files of `role`, as
    /// (`--name`, path) pairs in the order of the declarations; a list option's values split.
    func files(_ role: OptionSpec.FileRole, of spec: CommandSpec) -> [(option: String, path: String)] {
        spec.options.filter { $0.file == role }.flatMap { o in
            (occurrences[o.name] ?? []).flatMap { value in
                (role == .inputs
                    ? value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [value])
                    .map { (option: spelling(o.name), path: $0) }
            }
        }
    }

    static func closest(_ name: String, among candidates: [String]) -> String? {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a)
            let b = Array(b)
            guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
            var row = Array(0...b.count)
            for i in 1...a.count {
                var previous = row[0]
                row[0] = i
                for j in 1...b.count {
                    let current = row[j]
                    row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let best = candidates.map { ($0, distance(name, $0)) }.min { ($0.1, $0.0) < ($1.1, $1.0) }
        return best.flatMap { $0.1 <= 3 ? $0.0 : nil }
    }
}
