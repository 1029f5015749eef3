import SpikeMeshCore

/// A protobuf wire-format decoder over a byte range, written for the ONNX schema.
///
/// The wire format is a sequence of fields, each a varint *tag* `(fieldNumber << 3) | wireType`
/// followed by a value:
///
/// ```
/// wire type 0  varint            int32, int64, uint64, bool, enum
/// wire type 1  8 bytes (LE)      fixed64, double
/// wire type 2  varint length n,  then n bytes: string, bytes, message, packed repeated
/// wire type 5  4 bytes (LE)      fixed32, float
/// ```
///
/// Safety: every length is checked against the bytes that remain before anything is read or
/// allocated, varints longer than 10 bytes are rejected, and nested messages are limited to
/// `maximumDepth`, so a truncated or hostile file gives a `SpikeMeshError(.malformed)` naming
/// the byte offset and the field path — never a trap, a hang or a huge allocation.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    /// Deeper nesting than this is treated as corrupt input (ONNX nests a handful of levels).
    static let maximumDepth = 64

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// Field path for error messages, e.g. `ModelProto.graph.node[3]`.
    let path: String
    let depth: Int

    init(bytes: [UInt8], path: String) {
        self.init(bytes: bytes, range: 0..<bytes.count, path: path, depth: 0)
    }

    private init(bytes: [UInt8], range: Range<Int>, path: String, depth: Int) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.path = path
        self.depth = depth
    }

    var isAtEnd: Bool { position >= end }

    func error(_ what: String, at offset: Int? = nil) -> SpikeMeshError {
        SpikeMeshError(.malformed, "protobuf: \(what) at byte \(offset ?? position) in \(path)")
    }

    // MARK: Scalars

    mutating func readVarint() throws -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw error("truncated varint", at: start) }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw error("varint overflows 64 bits", at: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw error("varint longer than 10 bytes", at: start) }
        }
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw error("truncated fixed32 (need 4 bytes, \(end - position) left)") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func readFixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw error("truncated fixed64 (need 8 bytes, \(end - position) left)") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// Reads a tag; returns nil at the end of this message.
    mutating func readTag() throws -> (field: Int, wire: WireType)? {
        guard !isAtEnd else { return nil }
        let start = position
        let tag = try readVarint()
        guard let wire = WireType(rawValue: UInt8(tag & 7)) else {
            throw error("invalid wire type \(tag & 7)", at: start)
        }
        let field = tag >> 3
        guard field >= 1, field <= 536_870_911 else { throw error("invalid field number \(field)", at: start) }
        return (Int(field), wire)
    }

    /// The byte range of a length-delimited value, checked against what remains.
    mutating func readLengthDelimitedRange() throws -> Range<Int> {
        let start = position
        let length = try readVarint()
        let remaining = end - position
        guard length <= UInt64(remaining) else {
            throw error("length \(length) exceeds the \(remaining) bytes left", at: start)
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    mutating func readBytes() throws -> ArraySlice<UInt8> {
        bytes[try readLengthDelimitedRange()]
    }

    mutating func readString() throws -> String {
        String(decoding: try readBytes(), as: UTF8.self)
    }

    /// A reader over a nested message, for the field named `name` (used in error paths).
    mutating func readMessage(_ name: String) throws -> ProtobufReader {
        let range = try readLengthDelimitedRange()
        guard depth + 1 <= Self.maximumDepth else {
            throw error("messages nested deeper than \(Self.maximumDepth) levels")
        }
        return ProtobufReader(bytes: bytes, range: range, path: "\(path).\(name)", depth: depth + 1)
    }

    /// Skips a value of an unknown field.
    mutating func skip(_ wire: WireType) throws {
        switch wire {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimitedRange()
        case .startGroup, .endGroup: throw error("groups (wire type \(wire.rawValue)) are not supported")
        }
    }

    /// Fails unless the field's wire type is the one the schema declares.
    func expect(_ wire: WireType, _ expected: WireType, field: String) throws {
        guard wire == expected else {
            throw error("field \(field) has wire type \(wire.rawValue), expected \(expected.rawValue)")
        }
    }

    // MARK: Typed fields

    mutating func int64(_ wire: WireType, field: String) throws -> Int64 {
        try expect(wire, .varint, field: field)
        return Int64(bitPattern: try readVarint())
    }

    mutating func int32(_ wire: WireType, field: String) throws -> Int32 {
        try expect(wire, .varint, field: field)
        // int32 negatives are sign-extended to 64 bits on the wire; truncation keeps the value.
        return Int32(truncatingIfNeeded: Int64(bitPattern: try readVarint()))
    }

    mutating func float(_ wire: WireType, field: String) throws -> Float {
        try expect(wire, .fixed32, field: field)
        return Float(bitPattern: try readFixed32())
    }

    mutating func string(_ wire: WireType, field: String) throws -> String {
        try expect(wire, .lengthDelimited, field: field)
        return try readString()
    }

    /// A repeated varint field, packed (one length-delimited run) or not (one value).
    mutating func appendVarints(_ wire: WireType, field: String, to out: inout [Int64]) throws {
        switch wire {
        case .varint:
            out.append(Int64(bitPattern: try readVarint()))
        case .lengthDelimited:
            let range = try readLengthDelimitedRange()
            var packed = ProtobufReader(bytes: bytes, range: range, path: "\(path).\(field)", depth: depth + 1)
            while !packed.isAtEnd { out.append(Int64(bitPattern: try packed.readVarint())) }
        default:
            throw error("field \(field) has wire type \(wire.rawValue), expected 0 or 2")
        }
    }

    /// A repeated float field, packed or not. Packed runs must be a multiple of 4 bytes.
    mutating func appendFloats(_ wire: WireType, field: String, to out: inout [Float]) throws {
        switch wire {
        case .fixed32:
            out.append(Float(bitPattern: try readFixed32()))
        case .lengthDelimited:
            let range = try readLengthDelimitedRange()
            guard range.count % 4 == 0 else {
                throw error(
                    "packed float field \(field) has \(range.count) bytes, not a multiple of 4", at: range.lowerBound)
            }
            out.reserveCapacity(out.count + range.count / 4)
            var i = range.lowerBound
            while i < range.upperBound {
                let bits =
                    UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3])
                    << 24
                out.append(Float(bitPattern: bits))
                i += 4
            }
        default:
            throw error("field \(field) has wire type \(wire.rawValue), expected 5 or 2")
        }
    }

    /// A repeated double field, packed or not.
    mutating func appendDoubles(_ wire: WireType, field: String, to out: inout [Double]) throws {
        switch wire {
        case .fixed64:
            out.append(Double(bitPattern: try readFixed64()))
        case .lengthDelimited:
            let range = try readLengthDelimitedRange()
            guard range.count % 8 == 0 else {
                throw error(
                    "packed double field \(field) has \(range.count) bytes, not a multiple of 8", at: range.lowerBound)
            }
            var sub = ProtobufReader(bytes: bytes, range: range, path: "\(path).\(field)", depth: depth + 1)
            while !sub.isAtEnd { out.append(Double(bitPattern: try sub.readFixed64())) }
        default:
            throw error("field \(field) has wire type \(wire.rawValue), expected 1 or 2")
        }
    }
}
