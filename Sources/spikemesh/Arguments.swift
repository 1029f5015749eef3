import Foundation
import SpikeMesh

/// An option a command accepts: `--name VALUE` when `value` is set, else a flag.
struct OptionSpec {
    var name: String
    var value: String?
    var help: String
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
            for p in positionals { out += "  " + p.name.padding(toLength: 24, withPad: " ", startingAt: 0) + p.help + "\n" }
        }
        out += "\nOPTIONS:\n"
        for o in options + [OptionSpec(name: "help", value: nil, help: "Show this help.")] {
            let left = "--\(o.name)" + (o.value.map { " \($0)" } ?? "")
            out += "  " + left.padding(toLength: max(24, left.count + 2), withPad: " ", startingAt: 0) + o.help + "\n"
        }
        out += "\nEXAMPLES:\n"
        for e in examples { out += "  \(e)\n" }
        return out
    }
}

/// Parsed arguments of one subcommand.
struct Arguments {
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ args: [String], spec: CommandSpec) throws {
        let known = Dictionary(uniqueKeysWithValues: spec.options.map { ($0.name, $0) })
        var i = 0
        while i < args.count {
            var arg = args[i]
            if arg == "-o" { arg = "--output" }   // the one short option
            if arg.hasPrefix("--") {
                var name = String(arg.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                guard let option = known[name] else {
                    let suggestion = Self.closest(name, among: Array(known.keys))
                    throw SpikeMeshError(.usage, "unknown option --\(name) for '\(spec.name)'\(suggestion.map { "; did you mean --\($0)?" } ?? "") (see spikemesh \(spec.name) --help)")
                }
                if option.value != nil {
                    if let inline {
                        values[name] = inline
                    } else {
                        guard i + 1 < args.count else { throw SpikeMeshError(.usage, "option --\(name) needs a value (\(option.value!))") }
                        values[name] = args[i + 1]
                        i += 1
                    }
                } else {
                    guard inline == nil else { throw SpikeMeshError(.usage, "option --\(name) takes no value") }
                    flags.insert(name)
                }
            } else {
                positionals.append(arg)
            }
            i += 1
        }
        guard positionals.count <= spec.positionals.count else {
            throw SpikeMeshError(.usage, "unexpected argument '\(positionals[spec.positionals.count])' for '\(spec.name)' (see spikemesh \(spec.name) --help)")
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func positional(_ index: Int, _ what: String, spec: CommandSpec) throws -> String {
        guard index < positionals.count else {
            throw SpikeMeshError(.usage, "missing \(what) (usage: spikemesh \(spec.name) \(spec.usage))")
        }
        return positionals[index]
    }

    func int(_ name: String, min: Int = 0) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let v = Int(text.replacingOccurrences(of: "_", with: "")), v >= min else {
            throw SpikeMeshError(.usage, "--\(name) \(text): expected an integer ≥ \(min)")
        }
        return v
    }

    func floats(_ name: String) throws -> [Float]? {
        guard let text = values[name] else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { part in
            guard let v = Float(part.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw SpikeMeshError(.usage, "--\(name) \(text): expected a number or comma-separated numbers")
            }
            return v
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = values[name] else { return nil }
        guard let v = T(rawValue: text) else {
            throw SpikeMeshError(.usage, "--\(name) \(text): expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    static func closest(_ name: String, among candidates: [String]) -> String? {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            var row = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    let current = row[j]
                    row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let best = candidates.map { ($0, distance(name, $0)) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= 3 ? $0.0 : nil }
    }
}

/// Input options shared by every command that reads images.
enum InputOptions {
    static let specs: [OptionSpec] = [
        OptionSpec(name: "data", value: "PATH", help: "A folder with the four MNIST-format IDX files (plain or .gz), or one .smds[.gz] sample file. Default: the bundled Examples/fashion-mnist-test-1000.smds.gz."),
        OptionSpec(name: "split", value: "test|train", help: "Which split of an IDX folder to read (default: test)."),
        OptionSpec(name: "limit", value: "N", help: "Use only the first N images."),
        OptionSpec(name: "mean", value: "M[,M…]", help: "Normalization mean, one value or one per channel; x = (pixel/255 − mean)/std. Default: the model's spikemesh.mean metadata, else 0."),
        OptionSpec(name: "std", value: "S[,S…]", help: "Normalization standard deviation (default: the model's spikemesh.std metadata, else 1)."),
    ]

    static func dataset(_ args: Arguments) throws -> Dataset {
        let split = try args.choice("split", DatasetSplit.self) ?? .test
        let path = args.values["data"] ?? Defaults.sampleData
        var data = try Dataset.load(path: path, split: split)
        if let limit = try args.int("limit", min: 1) { data = data.limited(to: limit) }
        return data
    }

    static func normalization(_ args: Arguments, graph: ANNGraph) throws -> Normalization {
        try Normalization.resolve(mean: try args.floats("mean"), std: try args.floats("std"), graph: graph)
    }
}

/// Paths of the bundled example, relative to the package root (the working directory of `swift run`).
enum Defaults {
    static let model = "Examples/fmnist_cnn.onnx"
    static let sampleData = "Examples/fashion-mnist-test-1000.smds.gz"
    static let calibrationData = "Examples/fashion-mnist-train-1000.smds.gz"
}

func printJSON(_ value: JSON) {
    print(value.rendered())
}
