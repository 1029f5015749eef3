import Foundation
import SpikeMeshCore
import SpikeMeshFormats
import SpikeMeshMapping
import SpikeMeshModel

/// What each large step of a pipeline is estimated to allocate, checked against
/// `Pipeline.memory` before the step runs. The factors were measured (peak RSS, `/usr/bin/time
/// -v`) on a 20 M-weight MLP, 784-4096-4096-10, on 2026-12-02 (Docs/CLI.md, "Memory"):
///
/// | step | measured | estimate |
/// |---|---|---|
/// | convert an 80 MB ONNX file | 256 MB | 3 × file (file, ANN graph, spiking network) |
/// | load a 255 MB float network file | 4.2 GB | 17 × file |
/// | load a 57 MB fixed-point network file | 3.0 GB | 53 × file |
/// | quantize and emulate | +277 MB | 16 bytes per weight + per-neuron, per-core, per-link state |
///
/// The network-file factors are Foundation's JSON parser (a boxed number per weight).
public enum MemoryEstimate {
    /// Bytes per byte of an ONNX file while it is imported and converted.
    public static let perONNXByte = 3
    /// Bytes per byte of a float network file while it is parsed.
    public static let perFloatNetworkByte = 17
    /// Bytes per byte of a fixed-point network file while it is parsed.
    public static let perFixedPointNetworkByte = 53

    /// Loading the model or network file at `path` (ONNX, or JSON network file).
    public static func load(path: String) throws -> Int {
        try InputFile.check(path)
        let size = fileSize(path)
        guard NetworkFile.looks(path) else { return ByteCount.product(size, perONNXByte) }
        return ByteCount.product(size, isFixedPoint(path) ? perFixedPointNetworkByte : perFloatNetworkByte)
    }

    /// Loading a dataset: the file, its decompressed bytes (the gzip trailer's ISIZE) and the
    /// images and labels copied out of them.
    public static func dataset(path: String, split: DatasetSplit) -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        let files: [String]
        if isDirectory.boolValue {
            let prefix = split == .test ? "t10k" : "train"
            files = ["\(prefix)-images-idx3-ubyte", "\(prefix)-labels-idx1-ubyte"].compactMap { base in
                [base, base + ".gz"].map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
                    .first { FileManager.default.fileExists(atPath: $0) }
            }
        } else {
            files = [path]
        }
        return ByteCount.sum(
            files.map { f in
                let size = fileSize(f)
                let expanded = gzipSize(f) ?? size
                return ByteCount.sum(size, ByteCount.product(2, expanded))
            })
    }

    /// `count` normalized images of `inputSize` floats.
    public static func images(_ count: Int, inputSize: Int) -> Int { ByteCount.product(count, inputSize, 4) }

    /// Quantizing `network` and building and running the emulator on `mapping` with `workers`
    /// threads: per weight 16 bytes (the quantized weights, the emulator's integer view and
    /// transposed copy and the quantizer's scratch, measured), per neuron its core and plan entries (16), per worker each neuron's
    /// state (membrane, accumulator, flags: 22), each core's counters (64), each link's window
    /// (`ticks` × 4 + 8), and every destination entry's route (16).
    public static func emulation(_ network: SpikingNetwork, mapping: Mapping, workers: Int, linkWindowTicks: Int = 256)
        -> Int
    {
        let neurons = ByteCount.sum(network.populations.map(\.count))
        let entries = ByteCount.sum(mapping.destinationCore.map(\.count))
        let perWorker = ByteCount.sum(
            ByteCount.product(neurons, 22), ByteCount.product(mapping.cores.count, 64),
            ByteCount.product(mapping.mesh.linkCount, linkWindowTicks * 4 + 8))
        return ByteCount.sum(
            ByteCount.product(weights(network), 16), ByteCount.product(neurons, 16),
            ByteCount.product(entries, 16), ByteCount.product(perWorker, max(1, workers)))
    }

    /// The reference simulator over `network` with `workers` threads: its transposed weights (4
    /// bytes each) and, per worker, each neuron's membrane, input and spike state (16).
    public static func simulation(_ network: SpikingNetwork, workers: Int) -> Int {
        let neurons = ByteCount.sum(network.populations.map(\.count))
        return ByteCount.sum(ByteCount.product(weights(network), 4), ByteCount.product(neurons, 16, max(1, workers)))
    }

    /// What a loaded network keeps while it runs: its float weights, and the ANN's when it was
    /// converted here.
    public static func resident(_ loaded: LoadedNetwork) -> Int {
        ByteCount.product(weights(loaded.structure), loaded.graph == nil ? 4 : 8)
    }

    /// Stored weights of `network` (convolution kernels once, not unrolled).
    public static func weights(_ network: SpikingNetwork) -> Int {
        ByteCount.sum(
            network.projections.map { p in
                switch p.kind {
                case .dense(let w): w.count
                case .conv(let c): c.weights.count
                case .avgPool, .identity: p.positionWeights?.count ?? 0
                }
            })
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// A gzip file's decompressed size from its trailer (ISIZE, modulo 2^32), nil if not gzip.
    static func gzipSize(_ path: String) -> Int? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let head = h.readData(ofLength: 2)
        guard head.count == 2, head[head.startIndex] == 0x1F, head[head.startIndex + 1] == 0x8B,
            let end = try? h.seekToEnd(), end >= 18
        else { return nil }
        try? h.seek(toOffset: end - 4)
        let t = [UInt8](h.readData(ofLength: 4))
        guard t.count == 4 else { return nil }
        return Int(t[0]) | Int(t[1]) << 8 | Int(t[2]) << 16 | Int(t[3]) << 24
    }

    /// Whether a network file holds a fixed-point network: its `fixedPoint` key, which comes
    /// first in a file `convert -o` wrote (sorted keys), found in chunks without holding the file.
    static func isFixedPoint(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let key = Data("\"fixedPoint\":{".utf8)
        var tail = Data()
        while true {
            let chunk = h.readData(ofLength: 1 << 20)
            if chunk.isEmpty { return false }
            let window = tail + chunk
            if window.range(of: key) != nil { return true }
            tail = window.suffix(key.count)
        }
    }
}

extension Pipeline {
    /// Throws `.memoryLimit` when `bytes` are above `memory`.
    public func checkMemory(_ bytes: Int, _ what: @autoclosure () -> String) throws {
        try memory.check(bytes, what())
    }

    /// Checks the reference simulator's state for `loaded` on `run.workers` threads, on top of
    /// what the loaded network keeps.
    public func checkSimulation(_ loaded: LoadedNetwork, _ what: String) throws {
        try checkMemory(
            ByteCount.sum(
                MemoryEstimate.resident(loaded), MemoryEstimate.simulation(loaded.structure, workers: run.workers)),
            "simulating \(loaded.source)\(what)")
    }
}
