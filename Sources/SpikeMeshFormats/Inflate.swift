import SpikeMeshCore

/// Decompression of raw DEFLATE streams (RFC 1951): stored, fixed-Huffman and
/// dynamic-Huffman blocks.
///
/// Huffman codes are decoded through a 2^10-entry table indexed by the next 10 input
/// bits (`HuffmanTable.fastBits`); codes longer than 10 bits, and bit patterns that are
/// no code, fall back to a bit-by-bit canonical decode. Bits come from a 64-bit buffer
/// refilled 8 bytes at a time, so one refill covers a whole length/distance pair
/// (at most 15 + 5 + 15 + 13 = 48 bits).
///
/// Every malformed input is a `SpikeMeshError(.malformed)` that names the block (1-based)
/// and the byte and bit where decoding stopped, e.g. `deflate: block 2 (starts at byte
/// 1187 bit 3): distance 4000 too far back (only 3120 bytes decoded so far) at byte 1190
/// bit 6`. Code sets follow zlib's rules: over-subscribed sets are always errors;
/// incomplete sets are errors except a literal/length or distance code with a single
/// 1-bit code; a distance code may be empty when the block has no matches.
///
/// Output never grows past `outputLimit` (an `.unsupported` error says so), and the
/// size hint is capped by what the input could expand to (1032 bytes per input byte,
/// the DEFLATE maximum), so a lying length field cannot make it allocate more.
package enum Inflate {
    /// Output cap used when the caller gives none: 1 GiB.
    package static let defaultOutputLimit = 1 << 30

    /// Most output one input byte of a DEFLATE stream can produce: a 258-byte match
    /// coded in 2 bits (1-bit literal/length code + 1-bit distance code) gives 1032.
    static let maxExpansion = 1032

    /// Decompresses the one raw DEFLATE stream that starts at byte 0 of `input`.
    /// Bytes after the stream's final block are ignored.
    package static func decompress(
        _ input: [UInt8], sizeHint: Int = 0, outputLimit: Int = defaultOutputLimit
    ) throws -> [UInt8] {
        try input.withUnsafeBufferPointer { buffer in
            try Inflater.with(input: buffer, sizeHint: sizeHint, outputLimit: outputLimit) {
                inflater in
                _ = try inflater.inflateStream(from: 0)
                return inflater.output(from: 0)
            }
        }
    }
}

/// The state of one decompression: input bit reader and output buffer. Several
/// streams (gzip members) can be inflated one after the other into the same output.
///
/// Use it only inside `Inflater.with`, which owns the output memory.
struct Inflater {
    private let input: UnsafeBufferPointer<UInt8>
    /// Next input byte to load into `bitBuffer`.
    private var position = 0
    /// Input bits not yet consumed, least significant first; bits at and above
    /// `bitCount` are either zero or the correct upcoming input bits.
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0

    private var output: UnsafeMutablePointer<UInt8>
    private(set) var outputCount = 0
    private var outputCapacity: Int
    private let outputLimit: Int
    /// Output index where the current stream began (matches may not reach before it).
    private var streamStart = 0

    /// 1-based number of the block being decoded and its first bit, for error messages.
    private var blockNumber = 0
    private var blockStartBit = 0

    private init(input: UnsafeBufferPointer<UInt8>, capacity: Int, outputLimit: Int) {
        self.input = input
        self.output = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, capacity))
        self.outputCapacity = capacity
        self.outputLimit = outputLimit
    }

    /// The largest first output buffer, whatever the size hint says: 64 MiB.
    static let initialCapacityCap = 64 << 20

    /// Runs `body` with an inflater reading `input`, then frees its output memory.
    ///
    /// The initial output capacity is `sizeHint`, at least 4 KiB, but never more than
    /// `outputLimit`, what `input` could decompress to, or `initialCapacityCap`.
    static func with<R>(
        input: UnsafeBufferPointer<UInt8>, sizeHint: Int, outputLimit: Int,
        _ body: (inout Inflater) throws -> R
    ) rethrows -> R {
        let limit = max(0, outputLimit)
        let (possible, overflow) = input.count.multipliedReportingOverflow(
            by: Inflate.maxExpansion)
        let bound = overflow ? limit : possible
        // A hint is a claim of the input's: the first buffer is at most 64 MiB, and grows (up to
        // the limit) only as output is really produced.
        let capacity = min(max(sizeHint, 4096), limit, bound, initialCapacityCap)
        var inflater = Inflater(input: input, capacity: capacity, outputLimit: limit)
        defer { inflater.output.deallocate() }
        return try body(&inflater)
    }

    /// Bits consumed from the start of `input`.
    private var bitOffset: Int { position * 8 - bitCount }

    /// A copy of the output from index `start` on.
    func output(from start: Int) -> [UInt8] {
        let from = min(max(0, start), outputCount)
        return Array(UnsafeBufferPointer(start: output + from, count: outputCount - from))
    }

    /// The CRC-32 of the output from index `start` on.
    func outputCRC(from start: Int) -> UInt32 {
        let from = min(max(0, start), outputCount)
        var crc = CRC32()
        crc.update(UnsafeBufferPointer(start: output + from, count: outputCount - from))
        return crc.value
    }

    /// Decodes the DEFLATE stream that starts at byte `offset` of the input, appending
    /// to the output, and returns the byte offset just past it (its last partial byte
    /// included).
    mutating func inflateStream(from offset: Int) throws -> Int {
        position = min(max(0, offset), input.count)
        bitBuffer = 0
        bitCount = 0
        streamStart = outputCount
        blockNumber = 0
        var isFinal = false
        while !isFinal {
            blockNumber += 1
            blockStartBit = bitOffset
            let header = try bits(3)
            isFinal = header & 1 == 1
            switch header >> 1 {
            case 0:
                try inflateStored()
            case 1:
                try inflateCodes(Inflater.fixedLiteral, Inflater.fixedDistance)
            case 2:
                let (literal, distance) = try readDynamicTables()
                try inflateCodes(literal, distance)
            default:
                throw malformed("invalid block type 3 (reserved)")
            }
        }
        // Hand back the whole bytes still buffered; the final partial byte is padding.
        let end = position - bitCount / 8
        position = end
        bitBuffer = 0
        bitCount = 0
        return end
    }

    // MARK: Errors

    private func failure(_ code: SpikeMeshError.Code, _ problem: String) -> SpikeMeshError {
        let bit = bitOffset
        return SpikeMeshError(
            code,
            "deflate: block \(blockNumber) (starts at byte \(blockStartBit / 8) bit "
                + "\(blockStartBit % 8)): \(problem) at byte \(bit / 8) bit \(bit % 8)")
    }

    private func malformed(_ problem: String) -> SpikeMeshError {
        failure(.malformed, problem)
    }

    private func truncated(needing bitsNeeded: Int) -> SpikeMeshError {
        malformed(
            "truncated input: \(bitsNeeded) more bits needed, only \(bitCount) left "
                + "(input is \(input.count) bytes)")
    }

    // MARK: Bit reading

    /// Loads input bytes until at least 56 bits are buffered or the input ends.
    @inline(__always)
    private mutating func refill() {
        if position + 8 <= input.count, let base = input.baseAddress {
            let word = UInt64(
                littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            bitBuffer |= word &<< UInt64(bitCount)
            let loaded = (63 - bitCount) >> 3
            position += loaded
            bitCount += loaded << 3
        } else {
            while bitCount <= 56 && position < input.count {
                bitBuffer |= UInt64(input[position]) &<< UInt64(bitCount)
                position += 1
                bitCount += 8
            }
        }
    }

    /// The next `n` (0...32) input bits as a number, first bit least significant.
    @inline(__always)
    private mutating func bits(_ n: Int) throws -> Int {
        if bitCount < n {
            refill()
            if bitCount < n { throw truncated(needing: n) }
        }
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 &<< UInt64(n)) &- 1))
        bitBuffer &>>= UInt64(n)
        bitCount -= n
        return value
    }

    /// The next Huffman-coded symbol of `table`, whose fast table is `fast`.
    @inline(__always)
    private mutating func decode(
        _ table: HuffmanTable, _ fast: UnsafeBufferPointer<UInt16>
    ) throws -> Int {
        let entry = Int(fast[Int(truncatingIfNeeded: bitBuffer) & HuffmanTable.fastMask])
        let length = entry & 15
        if length != 0 && length <= bitCount {
            bitBuffer &>>= UInt64(length)
            bitCount -= length
            return entry >> 4
        }
        return try decodeSlowly(table)
    }

    /// Canonical decode one bit at a time: codes of length L are consecutive integers
    /// starting at `first`, read most significant bit first.
    private mutating func decodeSlowly(_ table: HuffmanTable) throws -> Int {
        if bitCount < HuffmanTable.maxLength { refill() }
        let available = min(bitCount, HuffmanTable.maxLength)
        var peek = bitBuffer
        var code = 0
        var first = 0
        var index = 0
        var length = 1
        while length <= available {
            code |= Int(peek & 1)
            peek >>= 1
            let count = table.counts[length]
            if code - count < first {
                let symbolIndex = index + (code - first)
                guard symbolIndex >= 0 && symbolIndex < table.symbols.count else { break }
                bitBuffer &>>= UInt64(length)
                bitCount -= length
                return Int(table.symbols[symbolIndex])
            }
            index += count
            first = (first + count) << 1
            code <<= 1
            length += 1
        }
        if available < HuffmanTable.maxLength {
            throw malformed(
                "truncated input inside a \(table.name) code (only \(bitCount) bits left)")
        }
        throw malformed("invalid \(table.name) code (bit pattern matches no symbol)")
    }

    // MARK: Output

    /// Makes room for `needed` more output bytes.
    private mutating func grow(_ needed: Int) throws {
        let (required, overflow) = outputCount.addingReportingOverflow(needed)
        guard !overflow && required <= outputLimit else {
            throw failure(
                .unsupported,
                "decompressed output exceeds the limit of \(outputLimit) bytes")
        }
        let doubled = outputCapacity > outputLimit / 2 ? outputLimit : outputCapacity * 2
        let capacity = max(doubled, required)
        let newOutput = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        newOutput.initialize(from: output, count: outputCount)
        output.deallocate()
        output = newOutput
        outputCapacity = capacity
    }

    // MARK: Blocks

    /// A stored block: skip to a byte boundary, LEN, NLEN = ~LEN, then LEN raw bytes.
    private mutating func inflateStored() throws {
        let padding = bitCount & 7
        bitBuffer &>>= UInt64(padding)
        bitCount -= padding
        position -= bitCount / 8
        bitBuffer = 0
        bitCount = 0
        guard input.count - position >= 4 else {
            throw malformed(
                "truncated input: stored block header needs 4 bytes (LEN, NLEN), "
                    + "only \(input.count - position) left")
        }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xFFFF else {
            throw malformed(
                "stored block LEN \(length.zeroPaddedHex(digits: 4)) does not match NLEN "
                    + "\(complement.zeroPaddedHex(digits: 4)) (expected NLEN = "
                    + "\((~length & 0xFFFF).zeroPaddedHex(digits: 4)))")
        }
        position += 4
        guard input.count - position >= length else {
            throw malformed(
                "truncated input: stored block of \(length) bytes, only "
                    + "\(input.count - position) left")
        }
        if outputCapacity - outputCount < length { try grow(length) }
        if length > 0, let base = input.baseAddress {
            (output + outputCount).initialize(from: base + position, count: length)
        }
        outputCount += length
        position += length
    }

    /// Reads the code-length code and the literal/length and distance code lengths of
    /// a dynamic block (RFC 1951 §3.2.7) and builds both tables.
    private mutating func readDynamicTables() throws -> (HuffmanTable, HuffmanTable) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286 else {
            throw malformed("HLIT gives \(literalCount) literal/length codes (at most 286)")
        }
        guard distanceCount <= 30 else {
            throw malformed("HDIST gives \(distanceCount) distance codes (at most 30)")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            codeLengthLengths[Inflater.codeLengthOrder[i]] = UInt8(try bits(3))
        }
        if let problem = HuffmanTable.problem(in: codeLengthLengths, singleCodeAllowed: false) {
            throw malformed("code-length code: \(problem)")
        }
        let codeLengthTable = HuffmanTable(name: "code-length", lengths: codeLengthLengths)

        var lengths = [UInt8](repeating: 0, count: literalCount + distanceCount)
        var i = 0
        try codeLengthTable.fast.withUnsafeBufferPointer { fast in
            while i < lengths.count {
                if bitCount < 32 { refill() }
                let symbol = try decode(codeLengthTable, fast)
                var value: UInt8 = 0
                var repeatCount: Int
                switch symbol {
                case 0...15:
                    lengths[i] = UInt8(symbol)
                    i += 1
                    continue
                case 16:
                    guard i > 0 else {
                        throw malformed(
                            "code-length symbol 16 (repeat previous) with no previous length")
                    }
                    value = lengths[i - 1]
                    repeatCount = 3 + (try bits(2))
                case 17:
                    repeatCount = 3 + (try bits(3))
                default:
                    repeatCount = 11 + (try bits(7))
                }
                guard repeatCount <= lengths.count - i else {
                    throw malformed(
                        "code-length symbol \(symbol) repeats \(repeatCount) times at length "
                            + "\(i), past the \(lengths.count) lengths HLIT + HDIST announce")
                }
                for k in i..<(i + repeatCount) { lengths[k] = value }
                i += repeatCount
            }
        }
        guard lengths[256] != 0 else {
            throw malformed("no code for end-of-block (literal/length symbol 256)")
        }
        let literalLengths = Array(lengths[0..<literalCount])
        let distanceLengths = Array(lengths[literalCount...])
        if let problem = HuffmanTable.problem(in: literalLengths, singleCodeAllowed: true) {
            throw malformed("literal/length code: \(problem)")
        }
        if let problem = HuffmanTable.problem(in: distanceLengths, singleCodeAllowed: true) {
            throw malformed("distance code: \(problem)")
        }
        return (
            HuffmanTable(name: "literal/length", lengths: literalLengths),
            HuffmanTable(name: "distance", lengths: distanceLengths)
        )
    }

    /// Decodes literal/length and distance codes until end-of-block.
    private mutating func inflateCodes(_ literal: HuffmanTable, _ distance: HuffmanTable) throws {
        try literal.fast.withUnsafeBufferPointer { literalFast in
            try distance.fast.withUnsafeBufferPointer { distanceFast in
                try inflateCodes(literal, literalFast, distance, distanceFast)
            }
        }
    }

    /// The hot loop. Bit reader and output state live in locals while it runs (the
    /// compiler cannot keep `self`'s fields in registers across stores through the
    /// output pointer) and are written back before anything that reads `self`: the
    /// slow decode, refilling near the end of the input, growing, and every error.
    private mutating func inflateCodes(
        _ literal: HuffmanTable, _ literalFast: UnsafeBufferPointer<UInt16>,
        _ distance: HuffmanTable, _ distanceFast: UnsafeBufferPointer<UInt16>
    ) throws {
        guard let inputBase = input.baseAddress else { throw truncated(needing: 1) }
        let inputCount = input.count
        let fastMask = HuffmanTable.fastMask
        var buffer = bitBuffer
        var count = bitCount
        var next = position
        var out = output
        var outCount = outputCount
        var capacity = outputCapacity
        let firstOutput = streamStart
        /// Writes the local state back to `self`.
        @inline(__always) func save() {
            (bitBuffer, bitCount, position, outputCount) = (buffer, count, next, outCount)
        }

        try Inflater.lengthCodes.withUnsafeBufferPointer { lengthCodes in
            try Inflater.distanceCodes.withUnsafeBufferPointer { distanceCodes in
                while true {
                    if count < 48 {
                        if next + 8 <= inputCount {
                            let word = UInt64(
                                littleEndian: UnsafeRawPointer(inputBase + next)
                                    .loadUnaligned(as: UInt64.self))
                            buffer |= word &<< UInt64(count)
                            let loaded = (63 - count) >> 3
                            next += loaded
                            count += loaded << 3
                        } else {
                            save()
                            refill()
                            (buffer, count, next) = (bitBuffer, bitCount, position)
                        }
                    }

                    var symbol: Int
                    let entry = Int(literalFast[Int(truncatingIfNeeded: buffer) & fastMask])
                    let codeLength = entry & 15
                    if codeLength != 0 && codeLength <= count {
                        buffer &>>= UInt64(codeLength)
                        count -= codeLength
                        symbol = entry >> 4
                    } else {
                        save()
                        symbol = try decodeSlowly(literal)
                        (buffer, count, next) = (bitBuffer, bitCount, position)
                    }

                    if symbol < 256 {
                        if outCount == capacity {
                            save()
                            try grow(1)
                            (out, capacity) = (output, outputCapacity)
                        }
                        out[outCount] = UInt8(truncatingIfNeeded: symbol)
                        outCount += 1
                        continue
                    }
                    if symbol == 256 { break }

                    let lengthIndex = symbol - 257
                    guard lengthIndex < lengthCodes.count else {
                        save()
                        throw malformed(
                            "invalid literal/length symbol \(symbol) (286 and 287 are reserved)")
                    }
                    let lengthCode = Int(lengthCodes[lengthIndex])
                    let lengthBits = lengthCode & 15
                    guard lengthBits <= count else {
                        save()
                        throw truncated(needing: lengthBits)
                    }
                    let length =
                        (lengthCode >> 4)
                        + Int(truncatingIfNeeded: buffer & ((1 &<< UInt64(lengthBits)) &- 1))
                    buffer &>>= UInt64(lengthBits)
                    count -= lengthBits

                    let distanceEntry = Int(
                        distanceFast[Int(truncatingIfNeeded: buffer) & fastMask])
                    let distanceCodeLength = distanceEntry & 15
                    let distanceSymbol: Int
                    if distanceCodeLength != 0 && distanceCodeLength <= count {
                        buffer &>>= UInt64(distanceCodeLength)
                        count -= distanceCodeLength
                        distanceSymbol = distanceEntry >> 4
                    } else {
                        save()
                        distanceSymbol = try decodeSlowly(distance)
                        (buffer, count, next) = (bitBuffer, bitCount, position)
                    }
                    guard distanceSymbol < distanceCodes.count else {
                        save()
                        throw malformed(
                            "invalid distance symbol \(distanceSymbol) (30 and 31 are reserved)")
                    }
                    let distanceCode = Int(distanceCodes[distanceSymbol])
                    let distanceBits = distanceCode & 15
                    guard distanceBits <= count else {
                        save()
                        throw truncated(needing: distanceBits)
                    }
                    let back =
                        (distanceCode >> 4)
                        + Int(truncatingIfNeeded: buffer & ((1 &<< UInt64(distanceBits)) &- 1))
                    buffer &>>= UInt64(distanceBits)
                    count -= distanceBits
                    guard back <= outCount - firstOutput else {
                        save()
                        throw malformed(
                            "distance \(back) too far back (only \(outCount - firstOutput) "
                                + "bytes decoded so far)")
                    }

                    if capacity - outCount < length {
                        save()
                        try grow(length)
                        (out, capacity) = (output, outputCapacity)
                    }
                    let destination = out + outCount
                    let source = destination - back
                    if back >= length {
                        destination.initialize(from: source, count: length)
                    } else {
                        for k in 0..<length { destination[k] = source[k] }
                    }
                    outCount += length
                }
            }
        }
        save()
    }

    // MARK: Constants (RFC 1951 §3.2.5 – §3.2.7)

    /// Length symbols 257...285: base length << 4 | extra bits.
    private static let lengthCodes: [UInt16] = {
        let base: [UInt16] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
            35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
        ]
        let extra: [UInt16] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
            3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ]
        return zip(base, extra).map { $0 << 4 | $1 }
    }()

    /// Distance symbols 0...29: base distance << 4 | extra bits.
    private static let distanceCodes: [UInt32] = {
        let base: [UInt32] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
            257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ]
        return base.enumerated().map { index, base in
            base << 4 | UInt32(max(0, index / 2 - 1))
        }
    }()

    /// The order in which a dynamic block lists the code-length code's lengths.
    private static let codeLengthOrder = [
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
    ]

    /// Fixed literal/length code: 0–143 8 bits, 144–255 9, 256–279 7, 280–287 8.
    private static let fixedLiteral: HuffmanTable = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return HuffmanTable(name: "literal/length", lengths: lengths)
    }()

    /// Fixed distance code: 32 symbols of 5 bits (30 and 31 never valid).
    private static let fixedDistance = HuffmanTable(
        name: "distance", lengths: [UInt8](repeating: 5, count: 32))
}

/// A canonical Huffman code (RFC 1951 §3.2.2) ready for decoding.
struct HuffmanTable: Sendable {
    /// Bits the fast table looks at; codes up to this length decode in one lookup.
    static let fastBits = 10
    static let fastMask = (1 << fastBits) - 1
    /// Longest code DEFLATE allows.
    static let maxLength = 15

    /// "literal/length", "distance" or "code-length", for error messages.
    let name: String
    /// Indexed by the next `fastBits` input bits (first bit least significant):
    /// symbol << 4 | code length, or 0 when the code is longer or there is none.
    let fast: [UInt16]
    /// Number of codes of each length 0...15 (entry 0 unused).
    let counts: [Int]
    /// Symbols ordered by code length, then by symbol value (= canonical code order).
    let symbols: [UInt16]

    /// Builds the code whose symbol `s` has code length `lengths[s]` (0 = unused,
    /// at most 15). Lengths should have passed `problem(in:singleCodeAllowed:)`; if
    /// not, the table is wrong but building it does not trap.
    init(name: String, lengths: [UInt8]) {
        self.name = name
        var counts = [Int](repeating: 0, count: HuffmanTable.maxLength + 1)
        for length in lengths where length <= HuffmanTable.maxLength {
            counts[Int(length)] += 1
        }
        counts[0] = 0

        var offsets = [Int](repeating: 0, count: HuffmanTable.maxLength + 2)
        var nextCode = [Int](repeating: 0, count: HuffmanTable.maxLength + 1)
        var code = 0
        for length in 1...HuffmanTable.maxLength {
            offsets[length + 1] = offsets[length] + counts[length]
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }

        var symbols = [UInt16](repeating: 0, count: offsets[HuffmanTable.maxLength + 1])
        var fast = [UInt16](repeating: 0, count: 1 << HuffmanTable.fastBits)
        for (symbol, rawLength) in lengths.enumerated() {
            let length = Int(rawLength)
            guard length > 0 && length <= HuffmanTable.maxLength else { continue }
            symbols[offsets[length]] = UInt16(symbol)
            offsets[length] += 1
            let code = nextCode[length]
            nextCode[length] += 1
            guard length <= HuffmanTable.fastBits else { continue }
            // The input delivers a code's most significant bit first, so the fast
            // table is indexed by the code's bits reversed.
            var reversed = 0
            for bit in 0..<length { reversed |= ((code >> bit) & 1) << (length - 1 - bit) }
            let entry = UInt16(truncatingIfNeeded: symbol << 4 | length)
            var index = reversed
            while index < fast.count {
                fast[index] = entry
                index += 1 << length
            }
        }
        self.fast = fast
        self.counts = counts
        self.symbols = symbols
    }

    /// What is wrong with a set of code lengths, or nil if it forms a usable code:
    /// over-subscribed sets never are; incomplete sets are only when
    /// `singleCodeAllowed` and the set is a single 1-bit code; an empty set is accepted
    /// here (decoding any symbol with it fails).
    static func problem(in lengths: [UInt8], singleCodeAllowed: Bool) -> String? {
        var counts = [Int](repeating: 0, count: maxLength + 1)
        for length in lengths {
            guard length <= maxLength else { return "code length \(length) (at most 15)" }
            counts[Int(length)] += 1
        }
        let used = lengths.count - counts[0]
        if used == 0 { return nil }
        var left = 1
        for length in 1...maxLength {
            left = left << 1 - counts[length]
            if left < 0 {
                return "over-subscribed code lengths (more codes of length ≤ \(length) "
                    + "than the \(1 << length) patterns of \(length) bits)"
            }
        }
        if left > 0 && !(singleCodeAllowed && used == 1 && counts[1] == 1) {
            return "incomplete code lengths (\(used) codes leave \(left) of the "
                + "\(1 << maxLength) 15-bit patterns unused)"
        }
        return nil
    }
}
