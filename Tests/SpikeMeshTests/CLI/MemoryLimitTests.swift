import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats
@testable import SpikeMeshModel
@testable import SpikeMeshPipeline

/// `--max-memory`: sizes parse as documented, estimates saturate instead of wrapping, and a
/// command refuses work above the limit before it allocates, with exit status 4.
@Suite(.serialized) struct MemoryLimitTests {
    @Test func sizesParseWithBinaryUnitsAndShares() throws {
        #expect(try MemoryBudget.parse("1048576").bytes == 1 << 20)
        #expect(try MemoryBudget.parse("512M").bytes == 512 << 20)
        #expect(try MemoryBudget.parse("512MB").bytes == 512 << 20)
        #expect(try MemoryBudget.parse("1.5GiB").bytes == 3 << 29)
        #expect(try MemoryBudget.parse("2g").bytes == 2 << 30)
        #expect(try MemoryBudget.parse("4096K").bytes == 4 << 20)
        #expect(try MemoryBudget.parse("100%").bytes == MemoryBudget.physicalBytes)
        #expect(try MemoryBudget.parse("50%").bytes == MemoryBudget.physicalBytes / 2)
        for bad in ["", "abc", "5x", "-1G", "0", "512K", "0%", "101%", "nanG", "infG"] {
            #expect(throws: SpikeMeshError.self, "\(bad)") { try MemoryBudget.parse(bad) }
        }
        #expect(try MemoryBudget.parse("1e30T").bytes == 1 << 62)
        #expect(MemoryBudget.standard.bytes == Int(Double(MemoryBudget.physicalBytes) * 0.75))
    }

    @Test func sizesPrintWithBinaryUnits() {
        #expect(MemoryBudget.format(100) == "100 B")
        #expect(MemoryBudget.format(1 << 20) == "1.00 MiB")
        #expect(MemoryBudget.format(3 << 29) == "1.50 GiB")
        #expect(MemoryBudget.format(640 << 20) == "640 MiB")
    }

    @Test func estimatesSaturateInsteadOfWrapping() throws {
        #expect(ByteCount.product(1 << 40, 1 << 30) == .max)
        #expect(ByteCount.product(3, 4, 5) == 60)
        #expect(ByteCount.product(3, 0, .max) == 0)
        #expect(ByteCount.sum(.max, 1) == .max)
        #expect(ByteCount.sum(2, -5, 3) == 5)
        let budget = MemoryBudget(bytes: 1 << 30)
        #expect(
            throws: SpikeMeshError(
                .memoryLimit,
                "x needs about 8388608 TiB of memory, above the limit 1.00 GiB (--max-memory; the default is 75 % of physical memory)"
            )
        ) {
            try budget.check(.max, "x")
        }
        try budget.check(1 << 30, "exactly the limit")
    }

    /// The emulation estimate counts every weight once per copy and grows with the workers by
    /// the per-worker state: neurons, cores and links.
    @Test func theEmulationEstimateCountsWeightsAndPerWorkerState() throws {
        var pipeline = Pipeline()
        pipeline.mapping.rateImages = 0
        pipeline.mapping.anneal = 0
        let loaded = try pipeline.load(Fixtures.example("fmnist_cnn.onnx"))
        let hardware = try pipeline.hardwareModel(named: "loihi")
        let mapping = try pipeline.map(loaded.structure, on: hardware, rates: try pipeline.rates(loaded))
        let network = loaded.structure
        let weights = network.projections.reduce(0) { n, p in
            switch p.kind {
            case .dense(let w): n + w.count
            case .conv(let c): n + c.weights.count
            case .avgPool, .identity: n + (p.positionWeights?.count ?? 0)
            }
        }
        #expect(MemoryEstimate.weights(network) == weights)
        let neurons = network.populations.reduce(0) { $0 + $1.count }
        let one = MemoryEstimate.emulation(network, mapping: mapping, workers: 1)
        let two = MemoryEstimate.emulation(network, mapping: mapping, workers: 2)
        let perWorker = neurons * 22 + mapping.cores.count * 64 + mapping.mesh.linkCount * (256 * 4 + 8)
        #expect(two - one == perWorker)
        #expect(one > weights * 16 + neurons * 16 + perWorker)
        #expect(MemoryEstimate.simulation(network, workers: 2) == weights * 4 + neurons * 32)
    }

    /// A float network file and a fixed-point one are told apart without reading either whole.
    @Test func networkFilesAreEstimatedByTheirKind() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let float = folder.appendingPathComponent("f.smnet").path
        let fixed = folder.appendingPathComponent("q.smnet").path
        for (args, path) in [([String](), float), (["--hardware", "loihi"], fixed)] {
            let r = try CommandLineTests.run(["convert", "--calibration-images", "10", "-o", path] + args)
            #expect(r.code == 0, "\(r.stderr)")
        }
        let size = { (p: String) in try #require(FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) }
        #expect(try MemoryEstimate.load(path: float) == size(float) * MemoryEstimate.perFloatNetworkByte)
        #expect(try MemoryEstimate.load(path: fixed) == size(fixed) * MemoryEstimate.perFixedPointNetworkByte)
        let onnx = Fixtures.example("fmnist_cnn.onnx")
        #expect(try MemoryEstimate.load(path: onnx) == size(onnx) * MemoryEstimate.perONNXByte)
    }

    /// The bundled gzip sample is estimated from its trailer: file + twice what it expands to.
    @Test func aGzipDatasetIsEstimatedFromItsTrailer() throws {
        let path = Fixtures.example("fashion-mnist-test-1000.smds.gz")
        let file = try Fixtures.bytes(path)
        let expanded = try Gzip.decompress(file, name: path).count
        #expect(MemoryEstimate.dataset(path: path, split: .test) == file.count + 2 * expanded)
    }

    @Test func commandsRefuseWorkAboveTheLimitWithStatus4() throws {
        try BadInputRegressionTests.expectError(
            ["run", "--limit", "2", "--max-memory", "1M"], code: 4,
            "loading Examples/fashion-mnist-test-1000.smds.gz needs about 1.92 MiB of memory, above the limit 1.00 MiB (--max-memory"
        )
        try BadInputRegressionTests.expectError(
            ["simulate", "--limit", "2", "--max-memory", "2M"], code: 4,
            "normalizing 1000 calibration images needs about 2.99 MiB")
        try BadInputRegressionTests.expectError(
            ["evaluate", "--max-memory", "1M"], code: 4, "loading Examples/fmnist_cnn.onnx needs about 1.32 MiB")
        try BadInputRegressionTests.expectError(["run", "--max-memory", "lots"], code: 2, "--max-memory", "not a size")
        let r = try CommandLineTests.run(["run", "--limit", "2", "--timesteps", "8", "--max-memory", "64M", "--json"])
        #expect(r.code == 0, "\(r.stderr)")
    }
}
