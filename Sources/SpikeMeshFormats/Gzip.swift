import SpikeMeshCore

/// Reading gzip files (RFC 1952), e.g. the `.gz` IDX files of MNIST and Fashion-MNIST.
///
/// A gzip file is one or more members, each:
///
/// ```
/// offset 0  1f 8b        magic
///        2  08           compression method (8 = deflate, the only one defined)
///        3  FLG          bit 0 FTEXT, 1 FHCRC, 2 FEXTRA, 3 FNAME, 4 FCOMMENT; 5–7 reserved (0)
///        4  MTIME (4), XFL (1), OS (1)
///       10  [FEXTRA: XLEN (2, little-endian), XLEN bytes]
///           [FNAME: zero-terminated] [FCOMMENT: zero-terminated]
///           [FHCRC: low 16 bits of the CRC-32 of the header bytes before it]
///           DEFLATE stream
///           CRC-32 (4, LE) of the member's data, ISIZE (4, LE) = its length mod 2^32
/// ```
///
/// All members are decompressed and concatenated. Zero bytes after the last member
/// (padding some tools add) are ignored; any other trailing bytes are an error. Both
/// checksums (header CRC-16 when present, data CRC-32) and ISIZE are checked.
package enum Gzip {
    /// Whether `bytes` starts with the gzip magic `1f 8b`.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed contents of the gzip file `bytes`.
    ///
    /// Errors are `.malformed` (`.unsupported` for a compression method other than
    /// deflate, or output past `outputLimit`) with messages starting `name: gzip: `.
    /// The last member's ISIZE is used as a size hint, capped by `outputLimit` and by
    /// what the input can expand to.
    package static func decompress(
        _ bytes: [UInt8], name: String, outputLimit: Int = Inflate.defaultOutputLimit
    ) throws -> [UInt8] {
        guard isGzip(bytes) else {
            let found = bytes.prefix(2).map { $0.zeroPaddedHex(digits: 2) }
            throw SpikeMeshError(
                .malformed,
                "\(name): gzip: not a gzip file: starts with "
                    + (found.isEmpty ? "nothing (empty file)" : found.joined(separator: " "))
                    + " at offset 0 (expected 0x1f 0x8b)")
        }
        let sizeHint = bytes.count >= 18 ? Int(readUInt32(bytes, at: bytes.count - 4)) : 0
        return try bytes.withUnsafeBufferPointer { buffer in
            try Inflater.with(input: buffer, sizeHint: sizeHint, outputLimit: outputLimit) {
                inflater in
                var offset = 0
                var member = 1
                while true {
                    offset = try decompressMember(
                        bytes, at: offset, number: member, name: name, into: &inflater)
                    if offset == bytes.count || bytes[offset...].allSatisfy({ $0 == 0 }) {
                        break
                    }
                    guard
                        bytes.count - offset >= 2 && bytes[offset] == 0x1F
                            && bytes[offset + 1] == 0x8B
                    else {
                        throw SpikeMeshError(
                            .malformed,
                            "\(name): gzip: \(bytes.count - offset) bytes of trailing garbage "
                                + "at offset \(offset) after member \(member) (neither a "
                                + "gzip member, which starts 0x1f 0x8b, nor zero padding)")
                    }
                    member += 1
                }
                return inflater.output(from: 0)
            }
        }
    }

    /// Decompresses the member starting at `start` into `inflater` and returns the
    /// offset just past its trailer.
    private static func decompressMember(
        _ bytes: [UInt8], at start: Int, number: Int, name: String,
        into inflater: inout Inflater
    ) throws -> Int {
        let context = "\(name): gzip: member \(number) (at offset \(start))"
        func fail(_ problem: String, code: SpikeMeshError.Code = .malformed) -> SpikeMeshError {
            SpikeMeshError(code, "\(context): \(problem)")
        }
        func need(_ count: Int, at offset: Int, for field: String) throws {
            guard bytes.count - offset >= count else {
                throw fail(
                    "truncated \(field) at offset \(offset): needs \(count) bytes, "
                        + "file has \(max(0, bytes.count - offset)) left")
            }
        }

        try need(10, at: start, for: "header")
        let method = bytes[start + 2]
        guard method == 8 else {
            throw fail(
                "compression method \(method) at offset \(start + 2) is not supported "
                    + "(only 8 = deflate)", code: .unsupported)
        }
        let flags = bytes[start + 3]
        guard flags & 0xE0 == 0 else {
            throw fail(
                "reserved flag bits \((flags & 0xE0).zeroPaddedHex(digits: 2)) set in FLG "
                    + "\(flags.zeroPaddedHex(digits: 2)) at offset \(start + 3)")
        }
        var offset = start + 10
        if flags & 0x04 != 0 {  // FEXTRA
            try need(2, at: offset, for: "FEXTRA length (XLEN)")
            let extraLength = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            offset += 2
            try need(extraLength, at: offset, for: "FEXTRA field of XLEN = \(extraLength) bytes")
            offset += extraLength
        }
        for (flag, field) in [(UInt8(0x08), "file name (FNAME)"), (0x10, "comment (FCOMMENT)")]
        where flags & flag != 0 {
            guard let terminator = bytes[offset...].firstIndex(of: 0) else {
                throw fail(
                    "\(field) starting at offset \(offset) has no terminating zero byte "
                        + "before the end of the file")
            }
            offset = terminator + 1
        }
        if flags & 0x02 != 0 {  // FHCRC
            try need(2, at: offset, for: "header CRC (FHCRC)")
            let stored = UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
            let computed = UInt16(truncatingIfNeeded: CRC32.checksum(Array(bytes[start..<offset])))
            guard stored == computed else {
                throw fail(
                    "header CRC-16 mismatch at offset \(offset): stored "
                        + "\(stored.zeroPaddedHex(digits: 4)), computed "
                        + "\(computed.zeroPaddedHex(digits: 4))")
            }
            offset += 2
        }

        let outputStart = inflater.outputCount
        do {
            offset = try inflater.inflateStream(from: offset)
        } catch let error as SpikeMeshError {
            throw error.prefixed(context)
        }

        try need(8, at: offset, for: "trailer (CRC-32, ISIZE)")
        let storedCRC = readUInt32(bytes, at: offset)
        let computedCRC = inflater.outputCRC(from: outputStart)
        guard storedCRC == computedCRC else {
            throw fail(
                "CRC-32 mismatch at offset \(offset): stored "
                    + "\(storedCRC.zeroPaddedHex(digits: 8)), computed "
                    + "\(computedCRC.zeroPaddedHex(digits: 8))")
        }
        let storedSize = readUInt32(bytes, at: offset + 4)
        let size = inflater.outputCount - outputStart
        guard storedSize == UInt32(truncatingIfNeeded: size) else {
            throw fail(
                "ISIZE mismatch at offset \(offset + 4): stored \(storedSize), "
                    + "decompressed \(size) bytes")
        }
        return offset + 8
    }

    /// The little-endian UInt32 at `offset` (the caller checks 4 bytes are there).
    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
