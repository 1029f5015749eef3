import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats
@testable import SpikeMeshModel

@Suite struct DatasetTests {
    typealias F = DataFixtures

    /// Three 2-channel 2×2 images; pixel values 0, 1, ..., 23 scaled by 11 (so 0...253).
    static func sample() throws -> Dataset {
        try Dataset(
            channels: 2, height: 2, width: 2, pixels: (0..<24).map { UInt8($0 * 11) },
            labels: [4, 0, 9], source: "sample")
    }

    static func shape(of dataset: Dataset) -> [Int] {
        [dataset.channels, dataset.height, dataset.width]
    }

    @Test func initRejectsPixelCountThatDoesNotMatch() {
        let error = #expect(throws: SpikeMeshError.self) {
            try Dataset(channels: 1, height: 2, width: 2, pixels: [1, 2, 3], labels: [1], source: "x")
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "x: dataset: 1 labels of 1 × 2 × 2 images need 4 pixels, got 3")
    }

    @Test func smdsRoundTripAndLayout() throws {
        let dataset = try Self.sample()
        let bytes = dataset.smdsBytes()
        #expect(bytes.count == 24 + 3 + 24)
        #expect(Array(bytes[0..<8]) == [0x53, 0x4d, 0x44, 0x53, 1, 0, 0, 0])
        #expect(Array(bytes[8..<24]) == [3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0])
        #expect(Array(bytes[24..<27]) == [4, 0, 9])
        #expect(bytes[27 + 23] == 253)

        let back = try Dataset.decode(fileBytes: bytes, name: "rt.smds")
        #expect(back.count == 3)
        #expect(Self.shape(of: back) == [2, 2, 2])
        #expect(back.labels == dataset.labels)
        #expect(back.pixels == dataset.pixels)
        #expect(back.source == "rt.smds")

        let compressed = try Dataset.decode(fileBytes: F.storedGzip(bytes), name: "rt.smds.gz")
        #expect(compressed.pixels == dataset.pixels && compressed.labels == dataset.labels)
        #expect(compressed.source == "rt.smds.gz")
    }

    @Test func smdsErrorsNameFieldAndOffset() throws {
        let bytes = try Self.sample().smdsBytes()
        let short = #expect(throws: SpikeMeshError.self) {
            try Dataset.decode(fileBytes: Array(bytes.dropLast()), name: "s.smds")
        }
        #expect(
            short?.message
                == "s.smds: SMDS: header (N = 3, C × H × W = 2 × 2 × 2) needs a file of 51 bytes "
                + "(24 + N + N·C·H·W), found 50")
        var version = bytes
        version[4] = 2
        let unsupported = #expect(throws: SpikeMeshError.self) {
            try Dataset.decode(fileBytes: version, name: "v.smds")
        }
        #expect(unsupported?.code == .unsupported)
        #expect(unsupported?.message == "v.smds: SMDS: version 2 at offset 4 is not supported (only 1)")
        var width = bytes
        width[20] = 0
        let zero = #expect(throws: SpikeMeshError.self) {
            try Dataset.decode(fileBytes: width, name: "w.smds")
        }
        #expect(zero?.message == "w.smds: SMDS: width at offset 20 is 0 (must be at least 1)")
        let magic = #expect(throws: SpikeMeshError.self) {
            try Dataset.decode(fileBytes: Array("not a dataset, just text".utf8), name: "t.txt")
        }
        #expect(magic?.message.contains("bad magic 0x6e 0x6f 0x74 0x20 at offset 0") == true)
    }

    @Test func normalizedBatchPerChannel() throws {
        let dataset = try Self.sample()
        // Image 1 holds pixels 8...15 × 11: channel 0 = 88, 99, 110, 121; channel 1 =
        // 132, 143, 154, 165.
        let batch = dataset.normalizedBatch(1..<2, mean: [0.5, 0.25], std: [0.5, 0.25])
        #expect(batch.count == 8)
        let channel0: [Float] = [88, 99, 110, 121]
        let channel1: [Float] = [132, 143, 154, 165]
        let expected =
            channel0.map { ($0 / 255 - 0.5) / 0.5 }
            + channel1.map { ($0 / 255 - 0.25) / 0.25 }
        for (value, want) in zip(batch, expected) {
            #expect(abs(value - want) < 1e-6)
        }
        // 88/255 = 0.345098…: (0.345098 − 0.5) / 0.5 = −0.309804; 165/255 → 1.588235.
        #expect(abs(batch[0] - -0.309_804) < 1e-5)
        #expect(abs(batch[7] - 1.588_235) < 1e-5)
    }

    @Test func normalizedBatchBroadcastsAndClamps() throws {
        let dataset = try Self.sample()
        let all = dataset.normalizedBatch(-5..<99, mean: [0], std: [1])
        #expect(all.count == 24)
        #expect(all[0] == 0)
        #expect(abs(all[23] - 253.0 / 255.0) < 1e-7)
        #expect(dataset.normalizedBatch(3..<5, mean: [0], std: [1]).isEmpty)
    }

    @Test func limitedKeepsTheFirstImages() throws {
        let dataset = try Self.sample()
        let two = dataset.limited(to: 2)
        #expect(two.count == 2)
        #expect(two.labels == [4, 0])
        #expect(two.pixels == Array(dataset.pixels[0..<16]))
        #expect(two.source == "sample, first 2 of 3")
        #expect(dataset.limited(to: 10).count == 3)
        #expect(dataset.limited(to: -1).count == 0)
    }

    @Test func loadsAnIDXFolderPlainAndGzipped() throws {
        let folder = try F.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pixels = (0..<(3 * 2 * 4)).map { UInt8($0) }
        try Data(F.idx(dimensions: [3, 2, 4], values: pixels))
            .write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data(F.storedGzip(F.idx(dimensions: [3], values: [7, 8, 9])))
            .write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))

        let dataset = try Dataset.load(path: folder.path, split: .test)
        #expect(dataset.count == 3)
        #expect(Self.shape(of: dataset) == [1, 2, 4])
        #expect(dataset.pixels == pixels)
        #expect(dataset.labels == [7, 8, 9])
        #expect(dataset.source.hasSuffix("(t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte.gz)"))

        // The train split is missing: the error lists what was looked for and what is there.
        let missing = #expect(throws: SpikeMeshError.self) {
            try Dataset.load(path: folder.path, split: .train)
        }
        #expect(missing?.code == .io)
        #expect(
            missing?.message
                == "\(folder.path): no train-images-idx3-ubyte or train-images-idx3-ubyte.gz for "
                + "the train split in this folder; it contains: t10k-images-idx3-ubyte, "
                + "t10k-labels-idx1-ubyte.gz")

        // A single IDX file is not a dataset: the error points to the folder.
        let single = #expect(throws: SpikeMeshError.self) {
            try Dataset.load(path: folder.appendingPathComponent("t10k-images-idx3-ubyte").path)
        }
        #expect(single?.message.contains("pass the folder that holds the images and labels") == true)
    }

    @Test func imageAndLabelCountsMustAgree() throws {
        let folder = try F.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(F.idx(dimensions: [2, 1, 1], values: [1, 2]))
            .write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        try Data(F.idx(dimensions: [3], values: [1, 2, 3]))
            .write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        let error = #expect(throws: SpikeMeshError.self) {
            try Dataset.load(path: folder.path, split: .train)
        }
        #expect(
            error?.message
                == "\(folder.path): train-images-idx3-ubyte has 2 images but "
                + "train-labels-idx1-ubyte has 3 labels (counts must agree)")
    }

    @Test func nonexistentPath() {
        let error = #expect(throws: SpikeMeshError.self) {
            try Dataset.load(path: "/nonexistent/spikemesh/data")
        }
        #expect(error?.code == .io)
        #expect(error?.message == "/nonexistent/spikemesh/data: no such file or directory")
    }

    @Test func smdsFileOnDisk() throws {
        let folder = try F.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try Self.sample()
        let url = folder.appendingPathComponent("sample.smds.gz")
        try Data(F.storedGzip(dataset.smdsBytes(), blockSize: 10)).write(to: url)
        let loaded = try Dataset.load(path: url.path)
        #expect(loaded.pixels == dataset.pixels)
        #expect(loaded.labels == dataset.labels)
    }

    /// Debian's `dataset-fashion-mnist` (t10k files). Expected values from Python:
    /// `gzip.open(...).read()`; labels are balanced, 1000 of each class.
    @Test(.enabled(if: DataFixtures.hasFashionMNIST))
    func fashionMNISTTestSplit() throws {
        let dataset = try Dataset.load(path: F.fashionMNISTFolder, split: .test)
        #expect(dataset.count == 10000)
        #expect(Self.shape(of: dataset) == [1, 28, 28])
        #expect(Array(dataset.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        let perClass = (0..<10).map { k in dataset.labels.filter { $0 == UInt8(k) }.count }
        #expect(perClass == Array(repeating: 1000, count: 10))
        #expect(dataset.pixels[0..<784].reduce(0) { $0 + Int($1) } == 33456)
        #expect(CRC32.checksum(dataset.pixels) == 0x1272_8439)
    }
}
