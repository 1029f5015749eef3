import Foundation
import SpikeMeshCore
import SpikeMeshModel

/// The converted-network file (`spikemesh convert -o NET`), documented in `Docs/NetworkFormat.md`.
///
/// One JSON object: `{"format": "spikemesh-network", "version": 1, "network": {…}}`, the
/// network being `SpikingNetwork`'s Codable form — with, for a fixed-point network, integer
/// values and a `fixedPoint` object (`FixedPointBody`). Loading checks the header first, then the
/// structure (with the JSON path of anything missing or mistyped), then every population and
/// projection against each other, so a bad file fails with the place and the problem.
public enum NetworkFile {
    public static let format = "spikemesh-network"
    public static let version = 1
    /// File name extension `convert` suggests.
    public static let fileExtension = "smnet"

    /// What a network file holds: a float network (thresholds balanced, not yet quantized) or
    /// a fixed-point one (`convert --hardware H -o` or `--exact -o`).
    public enum Contents: Sendable {
        case float(SpikingNetwork)
        case fixedPoint(FixedPointNetwork)

        public var metadata: [String: String] {
            switch self {
            case .float(let n): n.metadata
            case .fixedPoint(let n): n.metadata
            }
        }
    }

    /// Writes a float network to `path` (`OutputFile`: atomically, never over a file this
    /// process read).
    public static func save(_ network: SpikingNetwork, to path: String) throws {
        try OutputFile.write(try encoded(network), to: path, option: "network file")
    }

    /// Writes a fixed-point network to `path`: the float layout with integer values and a
    /// `fixedPoint` object (widths and scales).
    public static func save(_ network: FixedPointNetwork, to path: String) throws {
        try OutputFile.write(try encoded(network), to: path, option: "network file")
    }

    /// The bytes of a float network's file.
    public static func encoded(_ network: SpikingNetwork) throws -> [UInt8] { try encode(network) }

    /// The bytes of a fixed-point network's file.
    public static func encoded(_ network: FixedPointNetwork) throws -> [UInt8] { try encode(FixedPointBody(network)) }

    static func encode(_ body: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .throw
        let encoded: Data
        do { encoded = try encoder.encode(body) } catch {
            throw SpikeMeshError(.invalidArgument, "the network has a non-finite value and cannot be saved")
        }
        var data = Data("{\"format\":\"\(format)\",\"version\":\(version),\"network\":".utf8)
        data.append(encoded)
        data.append(Data("}\n".utf8))
        return [UInt8](data)
    }

    /// True when the file starts like JSON (so commands can take MODEL or NET: an ONNX file is
    /// protobuf and never starts with `{`); a JSON file that is not a network then fails to
    /// load with a message about its header.
    public static func looks(_ path: String) -> Bool {
        guard (try? InputFile.check(path)) != nil, let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 256)
        return head.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
    }

    public static func load(path: String) throws -> Contents {
        let data = Data(try InputFile.read(path))
        do { return try decode(data) } catch let e as SpikeMeshError { throw e.prefixed(path) }
    }

    public static func decode(_ data: Data) throws -> Contents {
        let top: Any
        do { top = try JSONSerialization.jsonObject(with: data) } catch {
            throw SpikeMeshError(
                .malformed,
                "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription))"
            )
        }
        guard let object = top as? [String: Any] else {
            throw SpikeMeshError(.malformed, "expected a JSON object at the top level")
        }
        guard let f = object["format"] as? String, f == format else {
            throw SpikeMeshError(
                .malformed,
                "\"format\" is \(object["format"].map { "\($0)" } ?? "missing"); expected \(Text.quoted(format)) (is this a network written by spikemesh convert -o?)"
            )
        }
        guard let v = object["version"] as? Int else {
            throw SpikeMeshError(.malformed, "\"version\" is missing or not an integer")
        }
        guard v == version else {
            throw SpikeMeshError(.unsupported, "version \(v) is not supported (this build reads version \(version))")
        }
        for key in object.keys where !["format", "version", "network"].contains(key) {
            throw SpikeMeshError(.malformed, "unknown key \(Text.quoted(key)) at the top level")
        }
        guard let body = object["network"] else { throw SpikeMeshError(.malformed, "\"network\" is missing") }
        guard body is [String: Any] else {
            throw SpikeMeshError(.malformed, "\"network\" must be an object, found \(Text.escaped("\(body)"))")
        }
        if let f = (body as? [String: Any])?["fixedPoint"], !(f is NSNull) {
            let decoded = try decodeChecked(FixedPointBody.self, from: body)
            let view = decoded.integerView
            try view.validate()
            return .fixedPoint(try decoded.network())
        }
        let network = try decodeChecked(SpikingNetwork.self, from: body)
        try network.validate()
        return .float(network)
    }

    /// Decodes `body` as `T`, then rejects any key that `T` does not know.
    static func decodeChecked<T: Codable>(_ type: T.Type, from body: Any) throws -> T {
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: body))
        } catch let error as DecodingError {
            throw SpikeMeshError(.malformed, describe(error))
        }
        // JSONDecoder skips keys it does not know; a misspelt key must not vanish silently.
        if let known = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) {
            if let path = unknownKey(body, known: known, path: "network") {
                throw SpikeMeshError(.malformed, "unknown key \(Text.quoted(path))")
            }
        }
        return value
    }

    /// The first key path in `value` that the re-encoded `known` does not have.
    static func unknownKey(_ value: Any, known: Any, path: String) -> String? {
        if let object = value as? [String: Any] {
            let k = known as? [String: Any] ?? [:]
            for key in object.keys.sorted() {
                // Optional fields written as null, or absent from the re-encoding because nil.
                guard let sub = k[key] else {
                    if object[key] is NSNull || Self.optionalKeys.contains(key) { continue }
                    return "\(path).\(key)"
                }
                if let found = unknownKey(object[key]!, known: sub, path: "\(path).\(key)") { return found }
            }
        } else if let array = value as? [Any], let k = known as? [Any], array.count == k.count {
            // The decoder has already checked the element types: an array of numbers (weights,
            // biases, shapes) holds no keys, and casting each of its elements would be slow.
            if let first = k.first, !(first is [String: Any]), !(first is [Any]) { return nil }
            for (i, item) in array.enumerated() {
                if let found = unknownKey(item, known: k[i], path: "\(path)[\(i)]") { return found }
            }
        }
        return nil
    }

    /// Optional fields that are left out of the encoding when nil.
    static let optionalKeys: Set<String> = ["bias", "qcfsLambda", "positionWeights", "fixedPoint"]

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            "network" + keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A fixed-point network in the file's layout: the float network's keys, with thresholds,
/// biases and initial potentials as 64-bit integers and weights as integers in the float
/// layout (exact: every weight is below 2^24), plus `fixedPoint`.
struct FixedPointBody: Codable {
    var populations: [FixedPointPopulation]
    var projections: [Projection]
    var output: Int
    var metadata: [String: String]
    var fixedPoint: FixedPointInfo

    init(_ network: FixedPointNetwork) {
        let view = network.integerView()
        populations = network.populations
        projections = view.projections
        output = network.output
        metadata = network.metadata
        fixedPoint = network.format
    }

    /// The structure as a float network, for the structural checks every file gets.
    var integerView: SpikingNetwork {
        SpikingNetwork(
            populations: populations.map(\.integerView), projections: projections, output: output, metadata: metadata)
    }

    /// The network, every weight checked to be an integer that fits `fixedPoint.weightBits`
    /// and every threshold, bias and potential to fit `fixedPoint.potentialBits`.
    func network() throws -> FixedPointNetwork {
        let integers = try projections.enumerated().map { try FixedPointProjection(integers: $1, index: $0) }
        return try FixedPointNetwork(
            populations: populations, projections: integers, output: output, metadata: metadata,
            format: fixedPoint)
    }
}
