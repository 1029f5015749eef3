import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats

@Suite struct GzipTests {
    typealias F = DataFixtures

    @Test func headerWithExtraNameCommentAndHeaderCRC() throws {
        #expect(Gzip.isGzip(F.gzipWithHeaderFields))
        let output = try Gzip.decompress(F.gzipWithHeaderFields, name: "notes.txt.gz")
        #expect(String(decoding: output, as: UTF8.self) == F.gzipText)
    }

    @Test func concatenatedMembersAndZeroPadding() throws {
        let file = F.gzipWithHeaderFields + F.gzipSecondMember + [0, 0, 0, 0]
        let output = try Gzip.decompress(file, name: "two.gz")
        #expect(String(decoding: output, as: UTF8.self) == F.gzipText + F.secondMemberText)
    }

    @Test func storedBlocksAcrossSeveralDeflateBlocks() throws {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let file = F.storedGzip(data, blockSize: 300)
        #expect(try Gzip.decompress(file, name: "stored.gz") == data)
        #expect(try Gzip.decompress(F.storedGzip([]), name: "empty.gz") == [])
    }

    @Test func badDataCRCNamesFileOffsetAndBothValues() {
        var file = F.gzipWithHeaderFields
        file[90] ^= 0xFF  // first byte of the stored CRC-32 0x8d2c0f25
        let error = #expect(throws: SpikeMeshError.self) {
            try Gzip.decompress(file, name: "t10k-images-idx3-ubyte.gz")
        }
        #expect(error?.code == .malformed)
        #expect(
            error?.message
                == "t10k-images-idx3-ubyte.gz: gzip: member 1 (at offset 0): CRC-32 mismatch at "
                + "offset 90: stored 0x8d2c0fda, computed 0x8d2c0f25")
    }

    @Test func badISIZE() {
        var file = F.gzipWithHeaderFields
        file[94] = 57
        let error = #expect(throws: SpikeMeshError.self) { try Gzip.decompress(file, name: "a.gz") }
        #expect(error?.message.contains("ISIZE mismatch at offset 94: stored 57, decompressed 56 bytes") == true)
    }

    @Test func badHeaderCRC() {
        var file = F.gzipWithHeaderFields
        file[44] ^= 1  // FHCRC field at offsets 44–45
        let error = #expect(throws: SpikeMeshError.self) { try Gzip.decompress(file, name: "a.gz") }
        #expect(error?.message.contains("header CRC-16 mismatch at offset 44") == true)
    }

    @Test func truncatedFilesAreErrorsWherever() {
        for cut in 0..<F.gzipWithHeaderFields.count {
            let error = #expect(throws: SpikeMeshError.self) {
                try Gzip.decompress(Array(F.gzipWithHeaderFields.prefix(cut)), name: "cut.gz")
            }
            #expect(error?.code == .malformed, "cut at \(cut)")
            #expect(error?.message.hasPrefix("cut.gz: gzip: ") == true, "cut at \(cut)")
        }
        let trailer = #expect(throws: SpikeMeshError.self) {
            try Gzip.decompress(Array(F.gzipWithHeaderFields.dropLast(3)), name: "cut.gz")
        }
        #expect(
            trailer?.message
                == "cut.gz: gzip: member 1 (at offset 0): truncated trailer (CRC-32, ISIZE) at "
                + "offset 90: needs 8 bytes, file has 5 left")
        let name = #expect(throws: SpikeMeshError.self) {
            try Gzip.decompress(Array(F.gzipWithHeaderFields.prefix(25)), name: "cut.gz")
        }
        #expect(name?.message.contains("file name (FNAME) starting at offset 20 has no terminating zero") == true)
    }

    @Test func notGzipAndTrailingGarbage() {
        let notGzip = #expect(throws: SpikeMeshError.self) {
            try Gzip.decompress([0x50, 0x4b, 0x03, 0x04], name: "a.zip")
        }
        #expect(
            notGzip?.message
                == "a.zip: gzip: not a gzip file: starts with 0x50 0x4b at offset 0 (expected "
                + "0x1f 0x8b)")
        #expect(!Gzip.isGzip([0x1f]))
        let garbage = #expect(throws: SpikeMeshError.self) {
            try Gzip.decompress(F.gzipSecondMember + [1, 2, 3], name: "a.gz")
        }
        #expect(garbage?.message.contains("3 bytes of trailing garbage at offset 34 after member 1") == true)
    }

    @Test func unsupportedMethodAndReservedFlags() {
        var method = F.gzipSecondMember
        method[2] = 7
        let unsupported = #expect(throws: SpikeMeshError.self) {
            try Gzip.decompress(method, name: "a.gz")
        }
        #expect(unsupported?.code == .unsupported)
        #expect(unsupported?.message.contains("compression method 7 at offset 2") == true)
        var flags = F.gzipSecondMember
        flags[3] = 0x20
        let reserved = #expect(throws: SpikeMeshError.self) { try Gzip.decompress(flags, name: "a.gz") }
        #expect(reserved?.message.contains("reserved flag bits 0x20 set in FLG 0x20 at offset 3") == true)
    }

    @Test func deflateErrorsCarryFileAndMember() {
        var file = F.gzipSecondMember
        file[10] = 0x07  // block type 3
        let error = #expect(throws: SpikeMeshError.self) { try Gzip.decompress(file, name: "b.gz") }
        #expect(
            error?.message
                == "b.gz: gzip: member 1 (at offset 0): deflate: block 1 (starts at byte 10 bit 0): "
                + "invalid block type 3 (reserved) at byte 10 bit 3")
    }
}
