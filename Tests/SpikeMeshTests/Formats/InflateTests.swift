import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats

@Suite struct InflateTests {
    typealias F = DataFixtures

    @Test func crc32MatchesTheStandardCheckValueAndPython() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        // Long enough for the 8-byte loop and the tail; value from Python's zlib.crc32.
        #expect(CRC32.checksum(Array(F.dynamicText.utf8)) == F.dynamicTextCRC)
        // Feeding the bytes in pieces gives the same value.
        let bytes = Array(F.dynamicText.utf8)
        var crc = CRC32()
        crc.update(Array(bytes[0..<13]))
        crc.update(Array(bytes[13...]))
        #expect(crc.value == F.dynamicTextCRC)
    }

    @Test func storedBlock() throws {
        #expect(F.storedBlock[0] >> 1 & 3 == 0)
        let output = try Inflate.decompress(F.storedBlock)
        #expect(String(decoding: output, as: UTF8.self) == F.storedText)
    }

    @Test func fixedHuffmanBlockWithOverlappingMatch() throws {
        #expect(F.fixedBlock[0] >> 1 & 3 == 1)
        let output = try Inflate.decompress(F.fixedBlock)
        #expect(output.count == 65)
        #expect(String(decoding: output, as: UTF8.self) == F.fixedText)
    }

    @Test func dynamicHuffmanBlock() throws {
        #expect(F.dynamicBlock[0] >> 1 & 3 == 2)
        let output = try Inflate.decompress(F.dynamicBlock)
        #expect(output.count == 297)
        #expect(String(decoding: output, as: UTF8.self) == F.dynamicText)
    }

    @Test func streamEndIsReportedAndTrailingBytesAreLeftAlone() throws {
        let input = F.dynamicBlock + [0xAA, 0xBB]
        let end = try input.withUnsafeBufferPointer { buffer in
            try Inflater.with(input: buffer, sizeHint: 0, outputLimit: 1 << 20) { inflater in
                try inflater.inflateStream(from: 0)
            }
        }
        #expect(end == F.dynamicBlock.count)
    }

    @Test func invalidBlockType3() {
        let error = #expect(throws: SpikeMeshError.self) { try Inflate.decompress([0x07]) }
        #expect(error?.code == .malformed)
        #expect(
            error?.message
                == "deflate: block 1 (starts at byte 0 bit 0): invalid block type 3 (reserved) "
                + "at byte 0 bit 3")
    }

    @Test func storedLengthComplementMismatch() {
        let error = #expect(throws: SpikeMeshError.self) {
            try Inflate.decompress([0x01, 0x05, 0x00, 0x00, 0x00])
        }
        #expect(
            error?.message
                == "deflate: block 1 (starts at byte 0 bit 0): stored block LEN 0x0005 does not "
                + "match NLEN 0x0000 (expected NLEN = 0xfffa) at byte 1 bit 0")
    }

    @Test func distanceTooFarBack() {
        let error = #expect(throws: SpikeMeshError.self) {
            try Inflate.decompress(F.distanceTooFar)
        }
        // 3 header bits + 8 (literal) + 7 (length code) + 5 (distance code) = 23 bits.
        #expect(
            error?.message
                == "deflate: block 1 (starts at byte 0 bit 0): distance 2 too far back (only 1 "
                + "bytes decoded so far) at byte 2 bit 7")
    }

    @Test func reservedLiteralLengthAndDistanceSymbols() {
        let literal = #expect(throws: SpikeMeshError.self) { try Inflate.decompress(F.symbol286) }
        #expect(literal?.message.contains("invalid literal/length symbol 286") == true)
        #expect(literal?.message.hasSuffix("at byte 1 bit 3") == true)
        let distance = #expect(throws: SpikeMeshError.self) {
            try Inflate.decompress(F.distanceSymbol30)
        }
        #expect(distance?.message.contains("invalid distance symbol 30") == true)
    }

    @Test func overSubscribedAndIncompleteCodeSets() {
        let over = #expect(throws: SpikeMeshError.self) { try Inflate.decompress(F.overSubscribed) }
        #expect(over?.message.contains("code-length code: over-subscribed") == true)
        // 3 + 5 + 5 + 4 header bits and four 3-bit lengths = 29 bits.
        #expect(over?.message.hasSuffix("at byte 3 bit 5") == true)
        let incomplete = #expect(throws: SpikeMeshError.self) {
            try Inflate.decompress(F.incomplete)
        }
        #expect(incomplete?.message.contains("code-length code: incomplete") == true)
        let tooMany = #expect(throws: SpikeMeshError.self) {
            try Inflate.decompress(F.tooManyLiteralCodes)
        }
        #expect(tooMany?.message.contains("HLIT gives 287 literal/length codes (at most 286)") == true)
    }

    @Test func singleOneBitCodeIsTheOnlyIncompleteSetAllowed() {
        #expect(HuffmanTable.problem(in: [0, 1, 0], singleCodeAllowed: true) == nil)
        #expect(HuffmanTable.problem(in: [0, 1, 0], singleCodeAllowed: false) != nil)
        #expect(HuffmanTable.problem(in: [2, 0, 0], singleCodeAllowed: true) != nil)
        #expect(HuffmanTable.problem(in: [1, 1, 1], singleCodeAllowed: true) != nil)
        #expect(HuffmanTable.problem(in: [1, 2, 3, 3], singleCodeAllowed: false) == nil)
        #expect(HuffmanTable.problem(in: [0, 0], singleCodeAllowed: false) == nil)
    }

    @Test func truncatedInputIsAnErrorAtEveryCut() {
        for cut in 0..<F.dynamicBlock.count {
            let error = #expect(throws: SpikeMeshError.self) {
                try Inflate.decompress(Array(F.dynamicBlock.prefix(cut)))
            }
            #expect(error?.message.contains("truncated input") == true, "cut at \(cut)")
        }
        let stored = #expect(throws: SpikeMeshError.self) {
            try Inflate.decompress(Array(F.storedBlock.dropLast()))
        }
        #expect(stored?.message.contains("stored block of 23 bytes, only 22 left") == true)
    }

    @Test func outputLimitStopsGrowth() throws {
        #expect(try Inflate.decompress(F.fixedBlock, outputLimit: 65).count == 65)
        let error = #expect(throws: SpikeMeshError.self) {
            try Inflate.decompress(F.fixedBlock, outputLimit: 64)
        }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("exceeds the limit of 64 bytes") == true)
    }

    @Test func hugeSizeHintDoesNotAllocateOrMatter() throws {
        let output = try Inflate.decompress(F.storedBlock, sizeHint: Int.max)
        #expect(output.count == 23)
    }
}
