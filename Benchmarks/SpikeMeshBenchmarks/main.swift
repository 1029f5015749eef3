import Foundation
import SpikeMesh

/// `swift run -c release spikemesh-bench [ann] [--model M] [--data D] [--images N] [--batch B] [--repeats R]`
///
/// Prints what it measured, one JSON object per benchmark, with the machine it ran on.
/// Results are recorded in Benchmarks/README.md with the command that produced them.

struct Options {
    var model = "Examples/fmnist_cnn.onnx"
    var data = "Examples/fashion-mnist-test-1000.smds.gz"
    var images = 1000
    var batch = 256
    var repeats = 3
    var which = "ann"
}

func parse() -> Options {
    var o = Options()
    var args = Array(CommandLine.arguments.dropFirst())
    if let first = args.first, !first.hasPrefix("--") { o.which = first; args.removeFirst() }
    var i = 0
    while i + 1 < args.count {
        let v = args[i + 1]
        switch args[i] {
        case "--model": o.model = v
        case "--data": o.data = v
        case "--images": o.images = Int(v) ?? o.images
        case "--batch": o.batch = Int(v) ?? o.batch
        case "--repeats": o.repeats = Int(v) ?? o.repeats
        default:
            FileHandle.standardError.write(Data("unknown option \(args[i])\n".utf8))
            exit(2)
        }
        i += 2
    }
    return o
}

func machine() -> JSON {
    var cpu = "unknown"
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
       let name = line.split(separator: ":", maxSplits: 1).last {
        cpu = name.trimmingCharacters(in: .whitespaces)
    }
    return .object([("cpu", .string(cpu)), ("cores", .int(ProcessInfo.processInfo.activeProcessorCount))])
}

func benchmarkANN(_ o: Options) throws {
    let graph = try ONNXImporter.load(path: o.model)
    var data = try Dataset.load(path: o.data)
    data = data.limited(to: min(o.images, data.count))
    let norm = try Normalization.resolve(mean: nil, std: nil, graph: graph)
    let engine = ANNEngine(graph: graph)
    _ = try engine.evaluate(data.limited(to: min(256, data.count)), normalization: norm, batchSize: o.batch) // warm-up
    var best = 0.0
    var accuracy = 0.0
    for _ in 0..<max(o.repeats, 1) {
        let r = try engine.evaluate(data, normalization: norm, batchSize: o.batch)
        best = max(best, r.imagesPerSecond)
        accuracy = r.accuracy
    }
    print(JSON.object([
        ("benchmark", .string("ann-inference")),
        ("model", .string(o.model)),
        ("images", .int(data.count)),
        ("batch", .int(o.batch)),
        ("threads", .int(engine.workers)),
        ("imagesPerSecond", .number((best * 10).rounded() / 10)),
        ("macsPerImage", .int(graph.totalMACs)),
        ("gmacsPerSecond", .number((best * Double(graph.totalMACs) / 1e9 * 100).rounded() / 100)),
        ("accuracy", .number(accuracy)),
        ("machine", machine()),
    ]).rendered(indent: 0))
}

let options = parse()
do {
    switch options.which {
    case "ann": try benchmarkANN(options)
    default:
        FileHandle.standardError.write(Data("unknown benchmark \(options.which) (available: ann)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
