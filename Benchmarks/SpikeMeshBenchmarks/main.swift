import Foundation
import SpikeMesh

/// `swift run -c release spikemesh-bench [ann|reference|emulator|map-vgg|scale] [--model M] [--data D] [--images N] [--batch B]
/// [--repeats R] [--timesteps T] [--hardware H] [--threads N] [--save-network NET]`
///
/// `--model wide-random` is a larger CNN built here with seeded random weights (see `wideRandomGraph`).
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
    var timesteps = 64
    var hardware = "loihi"
    /// Write the converted (float) network here, for peers to run the same network.
    var saveNetwork: String?
    /// Worker threads (default: every core).
    var threads = ProcessInfo.processInfo.activeProcessorCount
}

func parse() -> Options {
    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("spikemesh-bench: \(message)\n".utf8))
        exit(2)
    }
    /// A count option's value: a positive integer, else a usage error naming the option.
    func count(_ name: String, _ v: String) -> Int {
        guard let n = Int(v), n > 0 else { fail("\(name) needs a positive integer, got \"\(v)\"") }
        return n
    }
    var o = Options()
    var args = Array(CommandLine.arguments.dropFirst())
    if let first = args.first, !first.hasPrefix("--") {
        o.which = first
        args.removeFirst()
    }
    var i = 0
    while i < args.count {
        guard i + 1 < args.count else { fail("\(args[i]) needs a value") }
        let v = args[i + 1]
        switch args[i] {
        case "--model": o.model = v
        case "--data": o.data = v
        case "--images": o.images = count("--images", v)
        case "--batch": o.batch = count("--batch", v)
        case "--repeats": o.repeats = count("--repeats", v)
        case "--timesteps": o.timesteps = count("--timesteps", v)
        case "--hardware": o.hardware = v
        case "--threads": o.threads = count("--threads", v)
        case "--save-network": o.saveNetwork = v
        default: fail("unknown option \(args[i])")
        }
        i += 2
    }
    return o
}

func machine() -> JSON {
    var cpu = "unknown"
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
        let name = line.split(separator: ":", maxSplits: 1).last
    {
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
    _ = try engine.evaluate(data.limited(to: min(256, data.count)), normalization: norm, batchSize: o.batch)  // warm-up
    var best = 0.0
    var accuracy = 0.0
    for _ in 0..<max(o.repeats, 1) {
        let r = try engine.evaluate(data, normalization: norm, batchSize: o.batch)
        best = max(best, r.imagesPerSecond)
        accuracy = r.accuracy
    }
    print(
        JSON.object([
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

/// A larger convolutional network than the bundled one, for 28×28 inputs: conv 3×3 1→32,
/// 32→64, average pool 2, conv 64→128, average pool 2, conv 128→128, dense 6272→10; ReLU
/// after every conv, no biases (so no neuron is updated without a spike). Weights are seeded
/// He-uniform, untrained: it measures throughput, its accuracy is chance. 36 M MACs per image,
/// 3.6× the bundled CNN.
func wideRandomGraph() throws -> ANNGraph {
    var rng = SplitMix(state: 2026)
    func uniform(_ n: Int, fanIn: Int) -> [Float] {
        let bound = (6 / Float(fanIn)).squareRoot()
        return (0..<n).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53)) * 2 * bound - bound }
    }
    var g = try ANNGraph(inputShape: [1, 28, 28], source: "wide-random")
    g.metadata = ["spikemesh.mean": "0.2860", "spikemesh.std": "0.3530"]
    var last = 0
    var channels = 1
    var n = 0
    func conv(_ out: Int) throws {
        let c = Conv2d(
            inChannels: channels, outChannels: out, kernelHeight: 3, kernelWidth: 3,
            padding: Padding(top: 1, left: 1, bottom: 1, right: 1),
            weights: uniform(out * channels * 9, fanIn: channels * 9))
        n += 1
        last = try g.append("conv\(n)", .conv2d(c), inputs: [last])
        last = try g.append("relu\(n)", .relu, inputs: [last])
        channels = out
    }
    func pool() throws {
        last = try g.append(
            "pool\(n)",
            .avgPool(
                Pool(
                    kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padding: .zero,
                    countIncludePad: true)), inputs: [last])
    }
    try conv(32)
    try conv(64)
    try pool()
    try conv(128)
    try pool()
    try conv(128)
    last = try g.append("flatten", .flatten, inputs: [last])
    last = try g.append(
        "fc", .dense(Dense(inFeatures: 6272, outFeatures: 10, weights: uniform(62720, fanIn: 6272))), inputs: [last])
    return g
}

/// The model (the bundled CNN by default) converted with `max` thresholds on 200 calibration
/// images (fixed, so runs compare).
func convertedNetwork(_ o: Options) throws -> (SpikingNetwork, Normalization, Dataset) {
    let graph = o.model == "wide-random" ? try wideRandomGraph() : try ONNXImporter.load(path: o.model)
    let norm = try Normalization.resolve(mean: nil, std: nil, graph: graph)
    let train = try Dataset.load(path: "Examples/fashion-mnist-train-1000.smds.gz")
    let calibration = train.normalizedBatch(0..<200, mean: norm.mean, std: norm.std)
    var options = ConversionOptions()
    options.method = .max
    let (network, _) = try Converter.convert(graph, calibration: calibration, count: 200, options: options)
    var data = try Dataset.load(path: o.data)
    data = data.limited(to: min(o.images, data.count))
    if let path = o.saveNetwork { try NetworkFile.save(network, to: path) }
    return (network, norm, data)
}

/// The float reference simulator: images/s and image-ticks/s at T.
func benchmarkReference(_ o: Options) throws {
    let (network, norm, data) = try convertedNetwork(o)
    var options = SimulationOptions()
    options.workers = o.threads
    options.checkpoints = [o.timesteps]
    let sim = ReferenceSimulator(network: network)
    var best = Double.infinity
    var accuracy = 0.0
    for _ in 0..<max(o.repeats, 1) {
        let start = Date()
        accuracy = try sim.accuracy(data, normalization: norm, options: options)[0]
        best = min(best, Date().timeIntervalSince(start))
    }
    print(
        JSON.object([
            ("benchmark", .string("reference-simulator")), ("model", .string(o.model)), ("images", .int(data.count)),
            ("timesteps", .int(o.timesteps)), ("threads", .int(options.workers)),
            ("imagesPerSecond", .number((Double(data.count) / best * 10).rounded() / 10)),
            ("imageTicksPerSecond", .number((Double(data.count * o.timesteps) / best).rounded())),
            ("accuracy", .number(accuracy)), ("machine", machine()),
        ]).rendered(indent: 0))
}

/// The event-driven emulator on a hardware model: images/s and synaptic ops/s.
func benchmarkEmulator(_ o: Options) throws {
    let (network, norm, data) = try convertedNetwork(o)
    let hw = try HardwareModel.load(o.hardware)
    let (fixed, _) = try Quantizer.quantize(network, for: hw)
    var mapOptions = Mapper.Options()
    mapOptions.movesPerCore = 200
    let mapping = try Mapper.map(fixed, on: hw, options: mapOptions)
    let emulator = try Emulator(network: fixed, mapping: mapping)
    var options = EmulationOptions()
    options.workers = o.threads
    options.checkpoints = [o.timesteps]
    var best = Double.infinity
    var result: Emulator.Evaluation?
    for _ in 0..<max(o.repeats, 1) {
        let start = Date()
        result = try emulator.evaluate(data, normalization: norm, options: options)
        best = min(best, Date().timeIntervalSince(start))
    }
    let r = result!
    print(
        JSON.object([
            ("benchmark", .string("emulator")), ("model", .string(o.model)), ("hardware", .string(hw.name)),
            ("cores", .int(mapping.cores.count)),
            ("images", .int(data.count)), ("timesteps", .int(o.timesteps)), ("threads", .int(options.workers)),
            ("imagesPerSecond", .number((Double(data.count) / best * 10).rounded() / 10)),
            ("synapticOpsPerSecond", .number((Double(r.counters.synapticOps) / best).rounded())),
            ("packetsPerSecond", .number((Double(r.counters.packets) / best).rounded())),
            ("accuracy", .number(r.accuracy[0])), ("machine", machine()),
        ]).rendered(indent: 0))
}

/// VGG-16 for 32×32 inputs (13 convolutions 3×3 with average pooling, dense 512-512-10),
/// random seeded weights: the mapper's scale test. Rates are assumed (no simulation), so this
/// times slicing, destination tables, placement and routing alone.
func benchmarkMapVGG(_ o: Options) throws {
    var rng = SplitMix(state: 42)
    var pops = [
        Population(
            name: "input", shape: [3, 32, 32], threshold: 1, reset: .subtract, initialPotential: 0, bias: nil, layer: 0,
            qcfsLambda: nil)
    ]
    var projs: [Projection] = []
    func add(_ shape: [Int], _ kind: Projection.Kind) {
        projs.append(Projection(source: pops.count - 1, target: pops.count, kind: kind))
        pops.append(
            Population(
                name: "layer\(pops.count)", shape: shape, threshold: 1, reset: .subtract, initialPotential: 0,
                bias: nil, layer: pops.count, qcfsLambda: nil))
    }
    for item in [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0] {
        let s = pops.last!.shape
        if item == 0 {
            add(
                [s[0], s[1] / 2, s[2] / 2],
                .avgPool(
                    Pool(
                        kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padding: .zero,
                        countIncludePad: true)))
        } else {
            let w = (0..<(item * s[0] * 9)).map { _ in rng.unitFloat() - 0.5 }
            add(
                [item, s[1], s[2]],
                .conv(
                    Conv2d(
                        inChannels: s[0], outChannels: item, kernelHeight: 3, kernelWidth: 3,
                        padding: Padding(top: 1, left: 1, bottom: 1, right: 1), weights: w)))
        }
    }
    for width in [512, 512, 10] {
        let n = pops.last!.count
        add([width], .dense(weights: (0..<(n * width)).map { _ in rng.unitFloat() - 0.5 }))
    }
    let network = SpikingNetwork(populations: pops, projections: projs, output: pops.count - 1, metadata: [:])
    let hw = try HardwareModel.load(o.hardware)
    let start = Date()
    let mapping = try Mapper.map(network, on: hw)
    let seconds = Date().timeIntervalSince(start)
    print(
        JSON.object([
            ("benchmark", .string("map-vgg16-32x32")), ("hardware", .string(hw.name)),
            ("neurons", .int(pops.dropFirst().reduce(0) { $0 + $1.count })), ("synapses", .int(network.macCount)),
            ("cores", .int(mapping.cores.count)), ("chips", .int(mapping.chipsUsed)), ("fits", .bool(mapping.fits)),
            ("seconds", .number((seconds * 100).rounded() / 100)), ("machine", machine()),
        ]).rendered(indent: 0))
}

/// VGG-16 (13 convolutions 3 × 3 with BatchNorm and ReLU, 2 × 2 average pooling after each
/// block, dense 512-512-10) or a CIFAR-style ResNet-20 (a 3 × 3 stem of 16 channels; 3 stages
/// × 3 basic blocks of two 3 × 3 conv + BatchNorm, 16/32/64 channels, the first block of
/// stages 2 and 3 at stride 2 with a 1 × 1 strided projection shortcut; global average
/// pooling; dense 64 → 10), for 3 × 32 × 32 inputs. Seeded He-uniform weights and a seeded
/// BatchNorm (scale 0.5…1.5, shift ±0.1): untrained, they measure scale, not accuracy.
func scaleGraph(_ name: String) throws -> ANNGraph {
    var rng = SplitMix(state: 2027)
    func uniform(_ n: Int, fanIn: Int) -> [Float] {
        let bound = (6 / Float(fanIn)).squareRoot()
        return (0..<n).map { _ in rng.unitFloat() * 2 * bound - bound }
    }
    var g = try ANNGraph(inputShape: [3, 32, 32], source: name)
    g.metadata = ["spikemesh.mean": "0.5,0.5,0.5", "spikemesh.std": "0.25,0.25,0.25"]
    var n = 0
    func conv(_ from: Int, _ inC: Int, _ out: Int, kernel: Int = 3, stride: Int = 1, relu: Bool = true) throws -> Int {
        n += 1
        let pad = kernel / 2
        let c = Conv2d(
            inChannels: inC, outChannels: out, kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride,
            strideWidth: stride,
            padding: Padding(top: pad, left: pad, bottom: pad, right: pad),
            weights: uniform(out * inC * kernel * kernel, fanIn: inC * kernel * kernel))
        var last = try g.append("conv\(n)", .conv2d(c), inputs: [from])
        let bn = BatchNorm(
            scale: (0..<out).map { _ in 0.5 + rng.unitFloat() },
            shift: (0..<out).map { _ in (rng.unitFloat() - 0.5) * 0.2 })
        last = try g.append("bn\(n)", .batchNorm(bn), inputs: [last])
        return relu ? try g.append("relu\(n)", .relu, inputs: [last]) : last
    }
    func dense(_ from: Int, _ inF: Int, _ out: Int, relu: Bool) throws -> Int {
        n += 1
        let last = try g.append(
            "fc\(n)", .dense(Dense(inFeatures: inF, outFeatures: out, weights: uniform(inF * out, fanIn: inF))),
            inputs: [from])
        return relu ? try g.append("relu\(n)", .relu, inputs: [last]) : last
    }
    let pool = Pool(
        kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padding: .zero, countIncludePad: true)
    switch name {
    case "vgg16":
        var last = 0
        var channels = 3
        for item in [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0] {
            if item == 0 {
                last = try g.append("pool\(n)", .avgPool(pool), inputs: [last])
            } else {
                last = try conv(last, channels, item)
                channels = item
            }
        }
        last = try g.append("flatten", .flatten, inputs: [last])
        last = try dense(last, 512, 512, relu: true)
        last = try dense(last, 512, 512, relu: true)
        _ = try dense(last, 512, 10, relu: false)
    case "resnet20":
        var last = try conv(0, 3, 16)
        var channels = 16
        for (stage, width) in [16, 32, 64].enumerated() {
            for block in 0..<3 {
                let stride = stage > 0 && block == 0 ? 2 : 1
                let a = try conv(last, channels, width, stride: stride)
                let b = try conv(a, width, width, relu: false)
                let shortcut =
                    stride == 1 && channels == width
                    ? last : try conv(last, channels, width, kernel: 1, stride: stride, relu: false)
                let sum = try g.append("add\(n)", .add, inputs: [b, shortcut])
                last = try g.append("relu_add\(n)", .relu, inputs: [sum])
                channels = width
            }
        }
        last = try g.append("gap", .globalAvgPool, inputs: [last])
        last = try g.append("flatten", .flatten, inputs: [last])
        _ = try dense(last, 64, 10, relu: false)
    default:
        throw SpikeMeshError(.usage, "scale: --model must be vgg16 or resnet20, not \(name)")
    }
    return g
}

/// Peak resident memory of this process so far, in MiB (getrusage).
func peakMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return (Double(usage.ru_maxrss) / 1024 * 10).rounded() / 10
}

/// VGG-16 or ResNet-20 on one hardware model, as `map` and `run` do it: conversion
/// (thresholds from 8 seeded random images), fan-in decomposition and fan-out splitting,
/// quantization, mapping (traffic-aware placement), and the emulation of one random image at
/// T = `--timesteps` (direct input). Times each phase; reports the peak memory.
func benchmarkScale(_ o: Options) throws {
    let graph = try scaleGraph(o.model)
    var rng = SplitMix(state: 7)
    let images = 8
    let size = 3 * 32 * 32
    let calibration = (0..<(images * size)).map { _ in rng.unitFloat() * 4 - 2 }
    var phase: [(String, JSON)] = []
    var clock = Date()
    func lap(_ name: String) {
        phase.append((name, .number((Date().timeIntervalSince(clock) * 100).rounded() / 100)))
        clock = Date()
    }
    var conversion = ConversionOptions()
    conversion.method = .max
    let (network, _) = try Converter.convert(graph, calibration: calibration, count: images, options: conversion)
    lap("convert")
    let hw = try HardwareModel.load(o.hardware)
    let d = try FanInDecomposition.decompose(network, hardware: hw)
    lap("decompose")
    let (fixed, _) = try Quantizer.quantize(d.network, for: hw)
    lap("quantize")
    let mapping = try Mapper.map(fixed, on: hw)
    lap("map")
    let emulator = try Emulator(network: fixed, mapping: mapping)
    var options = EmulationOptions()
    options.checkpoints = [o.timesteps]
    options.workers = o.threads
    let result = try emulator.run(Array(calibration[0..<size]), count: 1, options: options)
    lap("emulate")
    let c = result.counters
    let hidden = network.hidden.reduce(0) { $0 + network.populations[$1].count }
    print(
        JSON.object([
            ("benchmark", .string("scale")), ("model", .string(o.model)), ("hardware", .string(hw.name)),
            ("neurons", .int(hidden)), ("synapses", .int(network.macCount)),
            ("relays", .int(d.relays.filter { $0.kind != .splitter }.count)),
            ("splitters", .int(d.relays.filter { $0.kind == .splitter }.count)),
            ("unresolved", .int(d.unresolved.count)),
            ("cores", .int(mapping.cores.count)), ("chips", .int(mapping.chipsUsed)),
            ("boardChips", .int(hw.mesh.chips)),
            ("fits", .bool(mapping.fits)), ("violations", .array(mapping.violations.map { .string($0.description) })),
            ("timesteps", .int(o.timesteps)), ("synapticOps", .int(c.synapticOps)), ("packets", .int(c.packets)),
            ("spikes", .int(c.spikes)),
            ("seconds", .object(phase)), ("peakMiB", .number(peakMiB())), ("threads", .int(o.threads)),
            ("machine", machine()),
        ]).rendered(indent: 0))
}

let options = parse()
do {
    switch options.which {
    case "ann": try benchmarkANN(options)
    case "reference": try benchmarkReference(options)
    case "emulator": try benchmarkEmulator(options)
    case "map-vgg": try benchmarkMapVGG(options)
    case "scale": try benchmarkScale(options)
    default:
        FileHandle.standardError.write(
            Data("unknown benchmark \(options.which) (available: ann, reference, emulator, map-vgg, scale)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
