import Foundation
import SpikeMeshCore

/// A TensorProto as stored: dims, type, and the payload in whichever field carried it.
struct ONNXTensorProto {
    var name = ""
    var dims: [Int64] = []
    var dataType: Int32 = 0
    var rawData: ArraySlice<UInt8>?
    var floatData: [Float] = []
    var int32Data: [Int64] = []
    var int64Data: [Int64] = []
    var uint64Data: [Int64] = []
    var doubleData: [Double] = []
    var externalData: [(key: String, value: String)] = []
    var dataLocation: Int32 = 0
    var hasSegment = false

    init(_ r: inout ProtobufReader) throws {
        while let (field, wire) = try r.readTag() {
            switch field {
            case 1: try r.appendVarints(wire, field: "dims", to: &dims)
            case 2: dataType = try r.int32(wire, field: "data_type")
            case 3:
                hasSegment = true
                try r.skip(wire)
            case 4: try r.appendFloats(wire, field: "float_data", to: &floatData)
            case 5: try r.appendVarints(wire, field: "int32_data", to: &int32Data)
            case 7: try r.appendVarints(wire, field: "int64_data", to: &int64Data)
            case 8: name = try r.string(wire, field: "name")
            case 9:
                try r.expect(wire, .lengthDelimited, field: "raw_data")
                rawData = try r.readBytes()
            case 10: try r.appendDoubles(wire, field: "double_data", to: &doubleData)
            case 11: try r.appendVarints(wire, field: "uint64_data", to: &uint64Data)
            case 13:
                try r.expect(wire, .lengthDelimited, field: "external_data")
                var sub = try r.readMessage("external_data[\(externalData.count)]")
                externalData.append(try ONNXModelProto.readStringPair(&sub))
            case 14: dataLocation = try r.int32(wire, field: "data_location")
            default: try r.skip(wire)
            }
        }
    }

    /// TensorProto.DataType codes SpikeMesh reads.
    enum DataType: Int32 {
        case float = 1
        case uint8 = 2
        case int8 = 3
        case uint16 = 4
        case int16 = 5
        case int32 = 6
        case int64 = 7
        case bool = 9
        case float16 = 10
        case double = 11
        case uint32 = 12
        case uint64 = 13

        var byteWidth: Int {
            switch self {
            case .uint8, .int8, .bool: 1
            case .uint16, .int16, .float16: 2
            case .float, .int32, .uint32: 4
            case .int64, .double, .uint64: 8
            }
        }

        var isFloatingPoint: Bool { self == .float || self == .double || self == .float16 }
    }

    /// Checks the payload against `dims` and converts it.
    ///
    /// - Parameter externalFiles: reads `location` of external data, relative to the model's
    ///   folder (the caller keeps the bytes of each file once).
    /// The tensor's values. A float value that is not finite (NaN or ±infinity, as a diverged
    /// training run exports, or a double beyond Float's range) is an error naming the tensor
    /// and the index: nothing downstream computes with it.
    func materialize(externalFiles: (String) throws -> [UInt8]) throws -> ConstantTensor {
        let tensor = try decode(externalFiles: externalFiles)
        if case .float(let values) = tensor.values, let i = values.firstIndex(where: { !$0.isFinite }) {
            throw SpikeMeshError(
                .invalidModel,
                "initializer \(Text.quoted(name)): value [\(i)] of \(values.count) is \(values[i]), not a finite number (did training diverge?)"
            )
        }
        return tensor
    }

    private func decode(externalFiles: (String) throws -> [UInt8]) throws -> ConstantTensor {
        let label = "initializer \(Text.quoted(name))"
        guard let type = DataType(rawValue: dataType) else {
            throw SpikeMeshError(
                .unsupported,
                "\(label): data type \(dataType) is not supported (float, float16, double and integer types are)")
        }
        guard !hasSegment else { throw SpikeMeshError(.unsupported, "\(label): segmented tensors are not supported") }
        var count = 1
        var shape: [Int] = []
        for d in dims {
            guard d >= 0, d <= Int64(Int32.max) else {
                throw SpikeMeshError(.invalidModel, "\(label): invalid dimension \(d) in \(dims)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= 1 << 34 else {
                throw SpikeMeshError(.invalidModel, "\(label): dims \(dims) are too large")
            }
            count = product
            shape.append(Int(d))
        }

        var raw: ArraySlice<UInt8>? = rawData
        if dataLocation == 1 {
            raw = try readExternal(type: type, count: count, label: label, externalFiles: externalFiles)
        }
        if let raw {
            let expected = count * type.byteWidth
            guard raw.count == expected else {
                throw SpikeMeshError(
                    .invalidModel,
                    "\(label): raw data has \(raw.count) bytes, dims \(dims) of type \(type) need \(expected)")
            }
            return ConstantTensor(shape: shape, values: Self.decodeRaw(raw, type: type, count: count))
        }
        func check(_ n: Int, _ fieldName: String) throws {
            guard n == count else {
                throw SpikeMeshError(
                    .invalidModel, "\(label): \(fieldName) has \(n) values, dims \(dims) need \(count)")
            }
        }
        switch type {
        case .float:
            try check(floatData.count, "float_data")
            return ConstantTensor(shape: shape, values: .float(floatData))
        case .float16:
            try check(int32Data.count, "int32_data")
            return ConstantTensor(
                shape: shape,
                values: .float(int32Data.map { Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0))) }))
        case .double:
            try check(doubleData.count, "double_data")
            return ConstantTensor(shape: shape, values: .float(doubleData.map { Float($0) }))
        case .int64:
            try check(int64Data.count, "int64_data")
            return ConstantTensor(shape: shape, values: .int(int64Data))
        case .uint32, .uint64:
            try check(uint64Data.count, "uint64_data")
            return ConstantTensor(shape: shape, values: .int(uint64Data))
        case .int32, .int16, .int8, .uint16, .uint8, .bool:
            try check(int32Data.count, "int32_data")
            return ConstantTensor(shape: shape, values: .int(int32Data))
        }
    }

    private func readExternal(type: DataType, count: Int, label: String, externalFiles: (String) throws -> [UInt8])
        throws -> ArraySlice<UInt8>
    {
        var location: String?
        var offset = 0
        var length: Int?
        for (key, value) in externalData {
            switch key {
            case "location": location = value
            case "offset":
                guard let v = Int(value), v >= 0 else {
                    throw SpikeMeshError(
                        .invalidModel,
                        "\(label): external data offset \(Text.quoted(value)) is not a non-negative integer")
                }
                offset = v
            case "length":
                guard let v = Int(value), v >= 0 else {
                    throw SpikeMeshError(
                        .invalidModel,
                        "\(label): external data length \(Text.quoted(value)) is not a non-negative integer")
                }
                length = v
            default: break
            }
        }
        guard let location, !location.isEmpty else {
            throw SpikeMeshError(.invalidModel, "\(label): external data without a location")
        }
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else {
            throw SpikeMeshError(
                .invalidModel,
                "\(label): external data location \(Text.quoted(location)) must be a relative path inside the model's folder"
            )
        }
        let file: [UInt8]
        do {
            file = try externalFiles(location)
        } catch let e as SpikeMeshError {
            throw e.prefixed(label)
        }
        let needed = length ?? count * type.byteWidth
        guard offset <= file.count, needed <= file.count - offset else {
            throw SpikeMeshError(
                .invalidModel,
                "\(label): external data \(location) has \(file.count) bytes; offset \(offset) + length \(needed) runs past its end"
            )
        }
        return file[offset..<(offset + needed)]
    }

    private static func decodeRaw(_ raw: ArraySlice<UInt8>, type: DataType, count: Int) -> ConstantTensor.Values {
        let base = raw.startIndex
        func le(_ i: Int, _ width: Int) -> UInt64 {
            var v: UInt64 = 0
            for b in 0..<width { v |= UInt64(raw[base + i * width + b]) << (8 * UInt64(b)) }
            return v
        }
        switch type {
        case .float:
            return .float((0..<count).map { Float(bitPattern: UInt32(le($0, 4))) })
        case .float16:
            return .float((0..<count).map { Float(Float16(bitPattern: UInt16(le($0, 2)))) })
        case .double:
            return .float((0..<count).map { Float(Double(bitPattern: le($0, 8))) })
        case .int64, .uint64:
            return .int((0..<count).map { Int64(bitPattern: le($0, 8)) })
        case .int32:
            return .int((0..<count).map { Int64(Int32(bitPattern: UInt32(le($0, 4)))) })
        case .uint32:
            return .int((0..<count).map { Int64(le($0, 4)) })
        case .int16:
            return .int((0..<count).map { Int64(Int16(bitPattern: UInt16(le($0, 2)))) })
        case .uint16:
            return .int((0..<count).map { Int64(le($0, 2)) })
        case .int8:
            return .int((0..<count).map { Int64(Int8(bitPattern: UInt8(le($0, 1)))) })
        case .uint8, .bool:
            return .int((0..<count).map { Int64(le($0, 1)) })
        }
    }
}

/// A constant tensor from an initializer, a `Constant` node, or folding of shape arithmetic.
struct ConstantTensor: Equatable {
    enum Values: Equatable {
        case float([Float])
        case int([Int64])
    }

    var shape: [Int]
    var values: Values

    var count: Int {
        switch values {
        case .float(let v): v.count
        case .int(let v): v.count
        }
    }

    var floats: [Float] {
        switch values {
        case .float(let v): v
        case .int(let v): v.map { Float($0) }
        }
    }

    var ints: [Int64] {
        switch values {
        // Clamped (the values are finite: `materialize` checks), so an absurd float shape
        // value reaches the shape checks instead of trapping here.
        case .float(let v): v.map { $0 >= 9.2e18 ? .max : ($0 <= -9.2e18 ? .min : Int64($0)) }
        case .int(let v): v
        }
    }

    var isScalarLike: Bool { count == 1 }
}
