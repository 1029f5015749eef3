/// A minimal protobuf encoder for building test models by hand.
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wire: UInt8) { varint(UInt64(field) << 3 | UInt64(wire)) }

    mutating func int(_ field: Int, _ value: Int64) {
        tag(field, 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        let b = value.bitPattern
        for i in 0..<4 { bytes.append(UInt8((b >> (8 * UInt32(i))) & 0xFF)) }
    }

    mutating func bytesField(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }
    mutating func string(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }
    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var sub = ProtoWriter()
        build(&sub)
        bytesField(field, sub.bytes)
    }

    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var raw: [UInt8] = []
        for v in values {
            let b = v.bitPattern
            for i in 0..<4 { raw.append(UInt8((b >> (8 * UInt32(i))) & 0xFF)) }
        }
        bytesField(field, raw)
    }

    // MARK: ONNX helpers

    /// A TensorProto of floats with the given dims (float_data, packed).
    static func floatTensor(_ name: String, dims: [Int64], values: [Float]) -> (inout ProtoWriter) -> Void {
        { w in
            for d in dims { w.int(1, d) }
            w.int(2, 1)
            w.packedFloats(4, values)
            w.string(8, name)
        }
    }

    /// A TensorProto of 64-bit integers with the given dims (int64_data, one field per value).
    static func int64Tensor(_ name: String, dims: [Int64], values: [Int64]) -> (inout ProtoWriter) -> Void {
        { w in
            for d in dims { w.int(1, d) }
            w.int(2, 7)
            for v in values { w.int(7, v) }
            w.string(8, name)
        }
    }

    /// A ValueInfoProto of a float tensor with the given dims (first one symbolic "N").
    static func valueInfo(_ name: String, dims: [Int64]) -> (inout ProtoWriter) -> Void {
        { w in
            w.string(1, name)
            w.message(2) { type in
                type.message(1) { tensor in
                    tensor.int(1, 1)
                    tensor.message(2) { shape in
                        for (i, d) in dims.enumerated() {
                            shape.message(1) { dim in if i == 0 { dim.string(2, "N") } else { dim.int(1, d) } }
                        }
                    }
                }
            }
        }
    }

    static func node(
        _ op: String, name: String, inputs: [String], outputs: [String],
        attributes: [(inout ProtoWriter) -> Void] = []
    ) -> (inout ProtoWriter) -> Void {
        { w in
            for i in inputs { w.string(1, i) }
            for o in outputs { w.string(2, o) }
            w.string(3, name)
            w.string(4, op)
            for a in attributes { w.message(5, a) }
        }
    }

    /// A ModelProto (opset `opset`) around a graph built by `graph`.
    static func model(opset: Int64 = 13, graph: @escaping (inout ProtoWriter) -> Void) -> [UInt8] {
        var w = ProtoWriter()
        w.int(1, 8)
        w.string(2, "test")
        w.message(7, graph)
        w.message(8) { $0.int(2, opset) }
        return w.bytes
    }
}
