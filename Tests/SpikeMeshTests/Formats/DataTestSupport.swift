import Foundation

@testable import SpikeMeshFormats

/// Byte vectors and file builders shared by the Data tests.
///
/// The DEFLATE and gzip vectors were made with Python's zlib (3.x, zlib 1.2/1.3):
///
/// ```python
/// def raw(data, level):
///     c = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
///     return c.compress(data) + c.flush()
/// raw(b"SpikeMesh stored block\n", 0)                             # storedBlock
/// raw(b"spikes, spikes, spikes! " + b"a" * 40 + b"\n", 9)         # fixedBlock
/// raw(DataFixtures.dynamicText, 9)                                # dynamicBlock
/// ```
///
/// The block type is bits 1–2 of the first byte: 0x01 → stored, 0x2b → fixed (01),
/// 0x5d → dynamic (10). The hand-made invalid streams were checked to fail in zlib
/// with the errors named next to them.
enum DataFixtures {
    static let storedText = "SpikeMesh stored block\n"
    static let storedBlock: [UInt8] = [
        0x01, 0x17, 0x00, 0xe8, 0xff, 0x53, 0x70, 0x69, 0x6b, 0x65, 0x4d, 0x65, 0x73, 0x68,
        0x20, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x64, 0x20, 0x62, 0x6c, 0x6f, 0x63, 0x6b, 0x0a,
    ]

    static let fixedText = "spikes, spikes, spikes! " + String(repeating: "a", count: 40) + "\n"
    static let fixedBlock: [UInt8] = [
        0x2b, 0x2e, 0xc8, 0xcc, 0x4e, 0x2d, 0xd6, 0x51, 0x28, 0x46, 0xa1, 0x15, 0x15, 0x12,
        0x89, 0x04, 0x5c, 0x00,
    ]

    static let dynamicText =
        "Neuromorphic cores integrate weighted spikes; a membrane crosses threshold, "
        + "fires, and subtracts the threshold (soft reset). Packets hop across the mesh "
        + "from router to router until they reach the destination core. "
        + "0123456789 spikes spikes spikes mesh mesh mesh router router router core core core."
    /// CRC-32 of `dynamicText` according to Python's `zlib.crc32`.
    static let dynamicTextCRC: UInt32 = 0x3867_9941
    static let dynamicBlock: [UInt8] = [
        0x5d, 0x8f, 0xdd, 0x8a, 0xc2, 0x40, 0x0c, 0x85, 0x5f, 0xe5, 0x5c, 0xba, 0x20, 0xc5,
        0xf5, 0x67, 0x55, 0x7c, 0x07, 0xf1, 0x15, 0xe2, 0x34, 0x75, 0x06, 0xed, 0xa4, 0x64,
        0x52, 0xc4, 0xb7, 0x37, 0x1d, 0x5c, 0xca, 0xee, 0x4d, 0x4e, 0x42, 0xbe, 0x9c, 0x24,
        0x67, 0x1e, 0x55, 0x7a, 0xd1, 0x21, 0xa6, 0x80, 0x20, 0xca, 0x05, 0x29, 0x1b, 0xdf,
        0x94, 0x8c, 0xf1, 0xe4, 0x74, 0x8b, 0xc6, 0x2d, 0xca, 0x90, 0xee, 0x5c, 0x4e, 0x20,
        0xf4, 0xdc, 0x5f, 0x95, 0x32, 0x23, 0xa8, 0x94, 0xe2, 0xb4, 0x45, 0x9f, 0x89, 0xf2,
        0x68, 0x97, 0xe8, 0x92, 0xa7, 0x4b, 0x50, 0xf6, 0x81, 0xf1, 0x6a, 0x4a, 0xc1, 0xa6,
        0x3e, 0xcf, 0x0c, 0x16, 0x45, 0x3a, 0x83, 0x57, 0x6c, 0x5f, 0x0d, 0x2e, 0x14, 0xee,
        0xec, 0x4c, 0x94, 0x01, 0x54, 0x0d, 0x2b, 0xde, 0x3b, 0x8c, 0xce, 0xcf, 0x82, 0xca,
        0x68, 0xac, 0x30, 0xf9, 0xcd, 0xc6, 0x6c, 0xe9, 0x31, 0x41, 0x2f, 0x37, 0xa1, 0x10,
        0x2b, 0xdf, 0x72, 0xb1, 0x94, 0xc9, 0x92, 0xe4, 0xfa, 0x42, 0x83, 0xd5, 0xf7, 0x7a,
        0xb3, 0xdd, 0xfd, 0xec, 0x0f, 0xc7, 0xcf, 0xe9, 0xff, 0xa4, 0x6e, 0x98, 0xc3, 0xc7,
        0xfc, 0xaf, 0x4c, 0x4e, 0x73, 0x68, 0xde,
    ]

    /// Fixed block: literal "x", then length 3 at distance 2 (only 1 byte decoded).
    /// zlib: "invalid distance too far back".
    static let distanceTooFar: [UInt8] = [0xab, 0x00, 0x42, 0x00]
    /// Fixed block whose first symbol is literal/length 286. zlib: "invalid
    /// literal/length code".
    static let symbol286: [UInt8] = [0x1b, 0x03, 0x00]
    /// Fixed block: "x", length 3, distance symbol 30. zlib: "invalid distance code".
    static let distanceSymbol30: [UInt8] = [0xab, 0x00, 0x3e, 0x00]
    /// Dynamic block, HCLEN = 4 code-length codes all of length 1. zlib: "invalid code
    /// lengths set".
    static let overSubscribed: [UInt8] = [0x05, 0x00, 0x92, 0x04]
    /// Dynamic block, code-length codes 16 and 17 of length 2, no others. zlib:
    /// "invalid code lengths set".
    static let incomplete: [UInt8] = [0x05, 0x00, 0x24, 0x00]
    /// Dynamic block with HLIT = 30 (287 codes). zlib: "too many length or distance
    /// symbols".
    static let tooManyLiteralCodes: [UInt8] = [0xf5, 0x00, 0x00]

    /// One gzip member with FHCRC, FEXTRA ("SM", 4 bytes "v1.0"), FNAME "notes.txt" and
    /// FCOMMENT "made by tv.py", built by hand in Python around `raw(gzipText, 9)`;
    /// `gzip.decompress` accepts it. Data CRC-32 0x8d2c0f25 at offset 90, ISIZE 56.
    static let gzipText = "IDX files are big-endian; SMDS files are little-endian.\n"
    static let gzipWithHeaderFields: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x1e, 0x00, 0xf1, 0x53, 0x65, 0x02, 0x03, 0x08, 0x00, 0x53, 0x4d,
        0x04, 0x00, 0x76, 0x31, 0x2e, 0x30, 0x6e, 0x6f, 0x74, 0x65, 0x73, 0x2e, 0x74, 0x78,
        0x74, 0x00, 0x6d, 0x61, 0x64, 0x65, 0x20, 0x62, 0x79, 0x20, 0x74, 0x76, 0x2e, 0x70,
        0x79, 0x00, 0x01, 0xdd, 0xf3, 0x74, 0x89, 0x50, 0x48, 0xcb, 0xcc, 0x49, 0x2d, 0x56,
        0x48, 0x2c, 0x4a, 0x55, 0x48, 0xca, 0x4c, 0xd7, 0x4d, 0xcd, 0x4b, 0xc9, 0x4c, 0xcc,
        0xb3, 0x56, 0x08, 0xf6, 0x75, 0x09, 0x46, 0x92, 0xca, 0xc9, 0x2c, 0x29, 0xc9, 0x49,
        0x85, 0xca, 0xea, 0x71, 0x01, 0x00, 0x25, 0x0f, 0x2c, 0x8d, 0x38, 0x00, 0x00, 0x00,
    ]

    /// `gzip.compress(b"second member\n", mtime=0)`: no optional header fields.
    static let secondMemberText = "second member\n"
    static let gzipSecondMember: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x2b, 0x4e, 0x4d, 0xce,
        0xcf, 0x4b, 0x51, 0xc8, 0x4d, 0xcd, 0x4d, 0x4a, 0x2d, 0xe2, 0x02, 0x00, 0x36, 0x18,
        0x4b, 0x0e, 0x0e, 0x00, 0x00, 0x00,
    ]

    /// A gzip file holding `data` in stored (uncompressed) DEFLATE blocks of at most
    /// `blockSize` bytes: exercises the gzip trailer and multi-block streams without a
    /// compressor.
    static func storedGzip(_ data: [UInt8], blockSize: Int = 65535) -> [UInt8] {
        var bytes: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]
        var start = 0
        repeat {
            let end = min(start + blockSize, data.count)
            let length = end - start
            bytes.append(end == data.count ? 0x01 : 0x00)
            bytes += littleEndian16(length) + littleEndian16(~length & 0xFFFF)
            bytes += data[start..<end]
            start = end
        } while start < data.count
        bytes += littleEndian32(CRC32.checksum(data)) + littleEndian32(UInt32(data.count))
        return bytes
    }

    /// An IDX file of unsigned bytes (type 0x08) with the given dimensions.
    static func idx(dimensions: [Int], values: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [
                UInt8(truncatingIfNeeded: size >> 24), UInt8(truncatingIfNeeded: size >> 16),
                UInt8(truncatingIfNeeded: size >> 8), UInt8(truncatingIfNeeded: size),
            ]
        }
        return bytes + values
    }

    static func littleEndian16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
    }

    static func littleEndian32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// A new empty folder under the temporary directory; the caller removes it.
    static func makeTemporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("spikemesh-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The Fashion-MNIST files of Debian's `dataset-fashion-mnist` package.
    static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"
    static var hasFashionMNIST: Bool {
        FileManager.default.fileExists(atPath: fashionMNISTFolder + "/t10k-labels-idx1-ubyte.gz")
    }
}
