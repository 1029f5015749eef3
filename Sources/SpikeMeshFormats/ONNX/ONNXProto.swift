import SpikeMeshCore

/// The parts of the ONNX protobuf schema (onnx/onnx.proto, IR versions 6–10) that SpikeMesh
/// reads. Field numbers are the schema's; unknown fields are skipped, as protobuf requires.
///
/// Only structure is decoded here; tensor payloads stay as slices of the file's bytes until
/// `ONNXTensorProto.materialize` checks and converts them.
struct ONNXModelProto {
    var irVersion: Int64 = 0
    var opsetImports: [(domain: String, version: Int64)] = []
    var producerName = ""
    var producerVersion = ""
    var graph = ONNXGraphProto()
    var hasGraph = false
    var metadata: [(key: String, value: String)] = []
    var functionNames: [String] = []

    init() {}

    /// Decodes a ModelProto from the bytes of an `.onnx` file.
    init(bytes: [UInt8]) throws {
        var r = ProtobufReader(bytes: bytes, path: "ModelProto")
        while let (field, wire) = try r.readTag() {
            switch field {
            case 1: irVersion = try r.int64(wire, field: "ir_version")
            case 2: producerName = try r.string(wire, field: "producer_name")
            case 3: producerVersion = try r.string(wire, field: "producer_version")
            case 7:
                try r.expect(wire, .lengthDelimited, field: "graph")
                var sub = try r.readMessage("graph")
                graph = try ONNXGraphProto(&sub)
                hasGraph = true
            case 8:
                try r.expect(wire, .lengthDelimited, field: "opset_import")
                var sub = try r.readMessage("opset_import[\(opsetImports.count)]")
                var domain = ""
                var version: Int64 = 0
                while let (f, w) = try sub.readTag() {
                    switch f {
                    case 1: domain = try sub.string(w, field: "domain")
                    case 2: version = try sub.int64(w, field: "version")
                    default: try sub.skip(w)
                    }
                }
                opsetImports.append((domain, version))
            case 14:
                try r.expect(wire, .lengthDelimited, field: "metadata_props")
                var sub = try r.readMessage("metadata_props[\(metadata.count)]")
                metadata.append(try Self.readStringPair(&sub))
            case 25:
                try r.expect(wire, .lengthDelimited, field: "functions")
                var sub = try r.readMessage("functions[\(functionNames.count)]")
                var name = ""
                while let (f, w) = try sub.readTag() {
                    if f == 1 { name = try sub.string(w, field: "name") } else { try sub.skip(w) }
                }
                functionNames.append(name)
            default: try r.skip(wire)
            }
        }
    }

    static func readStringPair(_ r: inout ProtobufReader) throws -> (key: String, value: String) {
        var key = ""
        var value = ""
        while let (f, w) = try r.readTag() {
            switch f {
            case 1: key = try r.string(w, field: "key")
            case 2: value = try r.string(w, field: "value")
            default: try r.skip(w)
            }
        }
        return (key, value)
    }

    /// The opset of the default ("" or "ai.onnx") domain, if declared.
    var defaultOpset: Int64? {
        opsetImports.first { $0.domain == "" || $0.domain == "ai.onnx" }?.version
    }
}

struct ONNXGraphProto {
    var name = ""
    var nodes: [ONNXNodeProto] = []
    var initializers: [ONNXTensorProto] = []
    var inputs: [ONNXValueInfo] = []
    var outputs: [ONNXValueInfo] = []
    var sparseInitializerCount = 0

    init() {}

    init(_ r: inout ProtobufReader) throws {
        while let (field, wire) = try r.readTag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, field: "node")
                var sub = try r.readMessage("node[\(nodes.count)]")
                nodes.append(try ONNXNodeProto(&sub))
            case 2: name = try r.string(wire, field: "name")
            case 5:
                try r.expect(wire, .lengthDelimited, field: "initializer")
                var sub = try r.readMessage("initializer[\(initializers.count)]")
                initializers.append(try ONNXTensorProto(&sub))
            case 11, 12:
                try r.expect(wire, .lengthDelimited, field: field == 11 ? "input" : "output")
                var sub = try r.readMessage(field == 11 ? "input[\(inputs.count)]" : "output[\(outputs.count)]")
                let info = try ONNXValueInfo(&sub)
                if field == 11 { inputs.append(info) } else { outputs.append(info) }
            case 15:
                sparseInitializerCount += 1
                try r.skip(wire)
            default: try r.skip(wire)
            }
        }
    }
}

struct ONNXNodeProto {
    var inputs: [String] = []
    var outputs: [String] = []
    var name = ""
    var opType = ""
    var domain = ""
    var attributes: [ONNXAttribute] = []

    init(opType: String, name: String, inputs: [String], outputs: [String], attributes: [ONNXAttribute] = []) {
        self.opType = opType
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    init(_ r: inout ProtobufReader) throws {
        while let (field, wire) = try r.readTag() {
            switch field {
            case 1: inputs.append(try r.string(wire, field: "input"))
            case 2: outputs.append(try r.string(wire, field: "output"))
            case 3: name = try r.string(wire, field: "name")
            case 4: opType = try r.string(wire, field: "op_type")
            case 5:
                try r.expect(wire, .lengthDelimited, field: "attribute")
                var sub = try r.readMessage("attribute[\(attributes.count)]")
                attributes.append(try ONNXAttribute(&sub))
            case 7: domain = try r.string(wire, field: "domain")
            default: try r.skip(wire)
            }
        }
    }

    func attribute(_ name: String) -> ONNXAttribute? { attributes.first { $0.name == name } }
}

/// An AttributeProto. `type` follows AttributeProto.AttributeType (1 FLOAT, 2 INT, 3 STRING,
/// 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, ...).
struct ONNXAttribute {
    var name = ""
    var type: Int32 = 0
    var f: Float = 0
    var i: Int64 = 0
    var s: [UInt8] = []
    var t: ONNXTensorProto?
    var floats: [Float] = []
    var ints: [Int64] = []
    var strings: [String] = []
    var hasGraph = false

    init(name: String, ints: [Int64]) {
        self.name = name
        self.type = 7
        self.ints = ints
    }

    init(_ r: inout ProtobufReader) throws {
        while let (field, wire) = try r.readTag() {
            switch field {
            case 1: name = try r.string(wire, field: "name")
            case 2: f = try r.float(wire, field: "f")
            case 3: i = try r.int64(wire, field: "i")
            case 4:
                try r.expect(wire, .lengthDelimited, field: "s")
                s = Array(try r.readBytes())
            case 5:
                try r.expect(wire, .lengthDelimited, field: "t")
                var sub = try r.readMessage("t")
                t = try ONNXTensorProto(&sub)
            case 6:
                hasGraph = true
                try r.skip(wire)
            case 7: try r.appendFloats(wire, field: "floats", to: &floats)
            case 8: try r.appendVarints(wire, field: "ints", to: &ints)
            case 9:
                try r.expect(wire, .lengthDelimited, field: "strings")
                strings.append(try r.readString())
            case 20: type = try r.int32(wire, field: "type")
            default: try r.skip(wire)
            }
        }
    }
}

/// A ValueInfoProto reduced to a tensor's element type and dimensions.
struct ONNXValueInfo {
    enum Dimension: Equatable, CustomStringConvertible {
        case value(Int64)
        case symbolic(String)
        case unknown

        /// As a user reads a shape: `4`, `N` (a symbolic name, escaped), `?`.
        var description: String {
            switch self {
            case .value(let v): String(v)
            case .symbolic(let name): Text.escaped(name)
            case .unknown: "?"
            }
        }

        /// `[N, 1, 28, 28]`.
        static func shape(_ dims: some Sequence<Dimension>) -> String {
            "[" + dims.map(\.description).joined(separator: ", ") + "]"
        }
    }

    var name = ""
    var elementType: Int32 = 0
    var dims: [Dimension]? = nil

    init(_ r: inout ProtobufReader) throws {
        while let (field, wire) = try r.readTag() {
            switch field {
            case 1: name = try r.string(wire, field: "name")
            case 2:
                try r.expect(wire, .lengthDelimited, field: "type")
                var type = try r.readMessage("type")
                while let (f, w) = try type.readTag() {
                    guard f == 1 else {
                        try type.skip(w)
                        continue
                    }
                    try type.expect(w, .lengthDelimited, field: "tensor_type")
                    var tensor = try type.readMessage("tensor_type")
                    while let (tf, tw) = try tensor.readTag() {
                        switch tf {
                        case 1: elementType = try tensor.int32(tw, field: "elem_type")
                        case 2:
                            try tensor.expect(tw, .lengthDelimited, field: "shape")
                            var shape = try tensor.readMessage("shape")
                            var out: [Dimension] = []
                            while let (sf, sw) = try shape.readTag() {
                                guard sf == 1 else {
                                    try shape.skip(sw)
                                    continue
                                }
                                try shape.expect(sw, .lengthDelimited, field: "dim")
                                var dim = try shape.readMessage("dim[\(out.count)]")
                                var d = Dimension.unknown
                                while let (df, dw) = try dim.readTag() {
                                    switch df {
                                    case 1: d = .value(try dim.int64(dw, field: "dim_value"))
                                    case 2: d = .symbolic(try dim.string(dw, field: "dim_param"))
                                    default: try dim.skip(dw)
                                    }
                                }
                                out.append(d)
                            }
                            dims = out
                        default: try tensor.skip(tw)
                        }
                    }
                }
            default: try r.skip(wire)
            }
        }
    }
}
