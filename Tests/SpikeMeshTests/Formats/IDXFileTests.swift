import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats

@Suite struct IDXFileTests {
    @Test func readsDimensionsAndValues() throws {
        let bytes = DataFixtures.idx(dimensions: [2, 3, 1], values: [1, 2, 3, 4, 5, 6])
        let file = try IDXFile(bytes: bytes, name: "x.idx")
        #expect(file.dimensions == [2, 3, 1])
        #expect(file.values == [1, 2, 3, 4, 5, 6])
        // Big-endian dimensions: 0x0000ea60 = 60000.
        let labels = try IDXFile(
            bytes: [0, 0, 8, 1, 0x00, 0x00, 0xea, 0x60] + [UInt8](repeating: 7, count: 60000),
            name: "labels")
        #expect(labels.dimensions == [60000])
    }

    @Test func badMagicIsPrecise() {
        let error = #expect(throws: SpikeMeshError.self) {
            try IDXFile(bytes: [0x00, 0x00, 0x0a, 0x03, 0, 0, 0, 1], name: "x.idx")
        }
        #expect(error?.code == .malformed)
        #expect(
            error?.message
                == "x.idx: IDX: bad magic 0x00000a03 at offset 0 (expected 0x000008nn: two zero "
                + "bytes, type byte 0x08 = unsigned byte, nn = number of dimensions)")
        let nonzero = #expect(throws: SpikeMeshError.self) {
            try IDXFile(bytes: [0x1f, 0x8b, 0x08, 0x00], name: "y.idx")
        }
        #expect(nonzero?.message.contains("bad magic 0x1f8b0800 at offset 0") == true)
    }

    @Test func knownButUnsupportedTypeNamesIt() {
        let error = #expect(throws: SpikeMeshError.self) {
            try IDXFile(bytes: [0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0], name: "f.idx")
        }
        #expect(error?.code == .unsupported)
        #expect(
            error?.message
                == "f.idx: IDX: data type 0x0d (32-bit float) at offset 2 is not supported (only "
                + "0x08 = unsigned byte)")
    }

    @Test func sizeMismatchSaysExpectedAndFound() {
        let short = DataFixtures.idx(dimensions: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7])
        let error = #expect(throws: SpikeMeshError.self) { try IDXFile(bytes: short, name: "s.idx") }
        #expect(
            error?.message
                == "s.idx: IDX: dimensions 2 × 2 × 2 need 8 bytes of data after the 16-byte header, "
                + "found 7 (file size 23)")
        let long = DataFixtures.idx(dimensions: [3], values: [1, 2, 3, 4])
        let longError = #expect(throws: SpikeMeshError.self) { try IDXFile(bytes: long, name: "l") }
        #expect(longError?.message.contains("need 3 bytes of data after the 8-byte header, found 4") == true)
    }

    @Test func overflowingDimensionsAndShortHeaders() {
        let huge = DataFixtures.idx(
            dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], values: [1, 2, 3])
        let overflow = #expect(throws: SpikeMeshError.self) { try IDXFile(bytes: huge, name: "h") }
        #expect(overflow?.message.contains("need more than \(Int.max) bytes") == true)
        let header = #expect(throws: SpikeMeshError.self) {
            try IDXFile(bytes: [0, 0, 8, 3, 0, 0, 0, 2], name: "h")
        }
        #expect(header?.message == "h: IDX: header of 3 dimensions needs 16 bytes, file has only 8")
        let tiny = #expect(throws: SpikeMeshError.self) { try IDXFile(bytes: [0, 0], name: "t") }
        #expect(tiny?.message.contains("file is 2 bytes") == true)
    }
}
