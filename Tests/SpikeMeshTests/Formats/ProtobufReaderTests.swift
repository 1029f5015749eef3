import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats

@Suite struct ProtobufReaderTests {
    @Test func varintsOfOneToTenBytes() throws {
        // 150 is the protobuf documentation's example: 0x96 0x01.
        var r = ProtobufReader(bytes: [0x96, 0x01, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], path: "t")
        #expect(try r.readVarint() == 150)
        #expect(try r.readVarint() == 0)
        #expect(try r.readVarint() == 127)
        #expect(try r.readVarint() == 0xFFFF_FFFF)
        #expect(r.isAtEnd)
    }

    @Test func negativeInt64TakesTenBytes() throws {
        var w = ProtoWriter()
        w.int(1, -1)
        w.int(2, Int64.min)
        w.int(3, -300)
        #expect(w.bytes.count == 3 * 11)
        var r = ProtobufReader(bytes: w.bytes, path: "t")
        var values: [Int64] = []
        while let (field, wire) = try r.readTag() { values.append(try r.int64(wire, field: "f\(field)")) }
        #expect(values == [-1, Int64.min, -300])
    }

    @Test func varintLongerThanTenBytesIsAnError() {
        var r = ProtobufReader(bytes: [UInt8](repeating: 0xFF, count: 11) + [0x01], path: "ModelProto")
        #expect(throws: SpikeMeshError.self) { try r.readVarint() }
        var t = ProtobufReader(bytes: [0x80, 0x80], path: "ModelProto")
        do {
            _ = try t.readVarint()
            Issue.record("truncated varint decoded")
        } catch let e as SpikeMeshError {
            #expect(e.code == .malformed)
            #expect(e.message.contains("truncated varint at byte 0 in ModelProto"))
        } catch { Issue.record("\(error)") }
    }

    @Test func packedAndUnpackedRepeatedFieldsAgree() throws {
        // dims (field 1) of a TensorProto: packed [2, 300] then one unpacked 7.
        var w = ProtoWriter()
        w.bytesField(1, [0x02, 0xAC, 0x02])
        w.int(1, 7)
        w.int(2, 1)
        w.packedFloats(4, [1.5, -2.25])
        w.float(4, 8)
        var r = ProtobufReader(bytes: w.bytes, path: "TensorProto")
        let t = try ONNXTensorProto(&r)
        #expect(t.dims == [2, 300, 7])
        #expect(t.floatData == [1.5, -2.25, 8])
    }

    @Test func packedFloatsNotAMultipleOfFourIsAnError() {
        var w = ProtoWriter()
        w.bytesField(4, [0, 0, 0x80, 0x3F, 0])
        var r = ProtobufReader(bytes: w.bytes, path: "TensorProto")
        #expect(throws: SpikeMeshError.self) { _ = try ONNXTensorProto(&r) }
    }

    @Test func nestedMessagesAndUnknownFieldsAreSkipped() throws {
        var w = ProtoWriter()
        w.int(99, 12345)  // unknown varint
        w.tag(98, 1)
        w.bytes += [UInt8](repeating: 7, count: 8)  // unknown fixed64
        w.float(97, 1)  // unknown fixed32
        w.string(96, "ignored")  // unknown length-delimited
        w.string(2, "producer")
        w.message(7) { graph in
            graph.string(2, "g")
            graph.int(77, 5)  // unknown inside a nested message
            graph.message(1, ProtoWriter.node("Relu", name: "r", inputs: ["x"], outputs: ["y"]))
        }
        w.message(8) {
            $0.string(1, "")
            $0.int(2, 13)
        }
        let model = try ONNXModelProto(bytes: w.bytes)
        #expect(model.producerName == "producer")
        #expect(model.graph.name == "g")
        #expect(model.graph.nodes.count == 1)
        #expect(model.graph.nodes.first?.opType == "Relu")
        #expect(model.graph.nodes.first?.inputs == ["x"])
        #expect(model.defaultOpset == 13)
    }

    @Test func wrongWireTypeNamesTheField() {
        var w = ProtoWriter()
        w.int(7, 1)  // graph as a varint
        do {
            _ = try ONNXModelProto(bytes: w.bytes)
            Issue.record("decoded")
        } catch let e as SpikeMeshError {
            #expect(e.code == .malformed)
            #expect(e.message.contains("field graph has wire type 0, expected 2"))
        } catch { Issue.record("\(error)") }
    }

    @Test func lengthPastTheEndIsAnErrorNotAnAllocation() {
        // A string field claiming 2^40 bytes.
        var w = ProtoWriter()
        w.tag(2, 2)
        w.varint(1 << 40)
        do {
            _ = try ONNXModelProto(bytes: w.bytes)
            Issue.record("decoded")
        } catch let e as SpikeMeshError {
            #expect(e.message.contains("length 1099511627776 exceeds the 0 bytes left"))
        } catch { Issue.record("\(error)") }
    }

    @Test func deepNestingIsRejected() {
        // Attributes can hold tensors; a graph field nested 100 deep must not recurse forever.
        var bytes: [UInt8] = []
        for _ in 0..<100 {
            var w = ProtoWriter()
            w.bytesField(7, bytes)
            bytes = w.bytes
        }
        var r = ProtobufReader(bytes: bytes, path: "M")
        func descend(_ r: inout ProtobufReader) throws {
            while let (_, wire) = try r.readTag() {
                try r.expect(wire, .lengthDelimited, field: "x")
                var sub = try r.readMessage("x")
                try descend(&sub)
            }
        }
        #expect(throws: SpikeMeshError.self) { try descend(&r) }
    }
}
