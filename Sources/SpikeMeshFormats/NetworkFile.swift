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

    /// Writes a float network to `path`.
    public static func save(_ network: SpikingNetwork, to path: String) throws {
        try write(network, to: path)
    }

    /// Writes a fixed-point network to `path`: the float layout with integer values and a
    /// `fixedPoint` object (widths and scales).
    public static func save(_ network: FixedPointNetwork, to path: String) throws {
        try write(FixedPointBody(network), to: path)
    }

    static func write(_ body: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .throw
        let encoded: Data
        do { encoded = try encoder.encode(body) } catch {
            throw SpikeMeshError(.invalidArgument, "\(path): the network has a non-finite value and cannot be saved")
        }
        var data = Data("{\"format\":\(Text.quoted(format)),\"version\":\(version),\"network\":".utf8)
        data.append(encoded)
        data.append(Data("}\n".utf8))
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw SpikeMeshError(.io, "\(path): cannot write (\(error.localizedDescription))")
        }
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
            throw SpikeMeshError(.malformed, "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription))")
        }
        guard let object = top as? [String: Any] else { throw SpikeMeshError(.malformed, "expected a JSON object at the top level") }
        guard let f = object["format"] as? String, f == format else {
            throw SpikeMeshError(.malformed, "\"format\" is \(object["format"].map { "\($0)" } ?? "missing"); expected \(Text.quoted(format)) (is this a network written by spikemesh convert -o?)")
        }
        guard let v = object["version"] as? Int else { throw SpikeMeshError(.malformed, "\"version\" is missing or not an integer") }
        guard v == version else { throw SpikeMeshError(.unsupported, "version \(v) is not supported (this build reads version \(version))") }
        for key in object.keys where !["format", "version", "network"].contains(key) {
            throw SpikeMeshError(.malformed, "unknown key \(Text.quoted(key)) at the top level")
        }
        guard let body = object["network"] else { throw SpikeMeshError(.malformed, "\"network\" is missing") }
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

extension SpikingNetwork {
    /// Checks that populations and projections fit each other; throws naming the first problem.
    public func validate() throws {
        func fail(_ message: String) -> SpikeMeshError { SpikeMeshError(.invalidModel, message) }
        guard !populations.isEmpty else { throw fail("network.populations is empty") }
        guard populations.indices.contains(output), output > 0 else {
            throw fail("network.output = \(output) is not a population index in 1..<\(populations.count)")
        }
        guard output == populations.count - 1 else { throw fail("network.output = \(output) must be the last population (\(populations.count - 1))") }
        for (i, p) in populations.enumerated() {
            let at = "population \(i) (\(Text.quoted(p.name)))"
            guard p.shape.count == 1 || p.shape.count == 3, p.shape.allSatisfy({ $0 > 0 }), p.count <= 1 << 28 else {
                throw fail("\(at): shape \(p.shape) must be [C, H, W] or [F] with positive sizes")
            }
            guard p.threshold.isFinite, p.threshold > 0 else { throw fail("\(at): threshold \(p.threshold) must be positive and finite") }
            guard p.initialPotential.isFinite else { throw fail("\(at): initialPotential is not finite") }
            if let b = p.bias {
                guard b.count == p.channels else { throw fail("\(at): \(b.count) bias values for \(p.channels) channels") }
                guard b.allSatisfy(\.isFinite) else { throw fail("\(at): a bias value is not finite") }
            }
        }
        for (j, proj) in projections.enumerated() {
            let at = "projection \(j)"
            guard populations.indices.contains(proj.source), populations.indices.contains(proj.target) else {
                throw fail("\(at): source \(proj.source) or target \(proj.target) is not a population index")
            }
            guard proj.source < proj.target else {
                throw fail("\(at): source \(proj.source) must come before target \(proj.target) (populations are in topological order)")
            }
            let src = populations[proj.source], dst = populations[proj.target]
            let (sc, sh, sw) = CompiledProjection.dims(src.shape)
            let (tc, th, tw) = CompiledProjection.dims(dst.shape)
            let between = "\(at) (\(Text.quoted(src.name)) → \(Text.quoted(dst.name)))"
            switch proj.kind {
            case .dense(let weights):
                guard dst.shape.count == 1 else { throw fail("\(between): a dense projection needs a [F] target, not \(dst.shape)") }
                guard weights.count == src.count * dst.count else {
                    throw fail("\(between): dense has \(weights.count) weights, expected \(src.count) × \(dst.count)")
                }
                guard weights.allSatisfy(\.isFinite) else { throw fail("\(between): a weight is not finite") }
            case .conv(let c):
                guard c.inChannels == sc, c.outChannels == tc, c.kernelHeight > 0, c.kernelWidth > 0,
                      min(c.padding.top, c.padding.left, c.padding.bottom, c.padding.right) >= 0,
                      c.strideHeight > 0, c.strideWidth > 0,
                      c.weights.count == c.outChannels * c.inChannels * c.kernelHeight * c.kernelWidth else {
                    throw fail("\(between): convolution \(c.outChannels)×\(c.inChannels)×\(c.kernelHeight)×\(c.kernelWidth) with \(c.weights.count) weights does not fit shapes \(src.shape) → \(dst.shape)")
                }
                let oh = (sh + c.padding.top + c.padding.bottom - c.kernelHeight) / c.strideHeight + 1
                let ow = (sw + c.padding.left + c.padding.right - c.kernelWidth) / c.strideWidth + 1
                guard oh == th, ow == tw else {
                    throw fail("\(between): convolution of a \(sh)×\(sw) input gives \(oh)×\(ow), but the target is \(th)×\(tw)")
                }
                guard c.weights.allSatisfy(\.isFinite) else { throw fail("\(between): a weight is not finite") }
            case .avgPool(let pool):
                guard pool.kernelHeight > 0, pool.kernelWidth > 0, pool.strideHeight > 0, pool.strideWidth > 0, sc == tc,
                      min(pool.padding.top, pool.padding.left, pool.padding.bottom, pool.padding.right) >= 0 else {
                    throw fail("\(between): average pooling needs positive window and stride and equal channels")
                }
                let oh = (sh + pool.padding.top + pool.padding.bottom - pool.kernelHeight) / pool.strideHeight + 1
                let ow = (sw + pool.padding.left + pool.padding.right - pool.kernelWidth) / pool.strideWidth + 1
                guard oh == th, ow == tw else {
                    throw fail("\(between): pooling a \(sh)×\(sw) input gives \(oh)×\(ow), but the target is \(th)×\(tw)")
                }
                if let w = proj.positionWeights, w.count != th * tw {
                    throw fail("\(between): \(w.count) position weights for \(th)×\(tw) target positions")
                }
            case .identity:
                guard src.count == dst.count else { throw fail("\(between): identity joins \(src.count) to \(dst.count) neurons") }
                if let w = proj.positionWeights, w.count != 1 { throw fail("\(between): identity takes one weight, found \(w.count)") }
            }
            if let w = proj.positionWeights, !w.allSatisfy(\.isFinite) { throw fail("\(between): a position weight is not finite") }
        }
        for p in populations.indices.dropFirst() where incoming(p).isEmpty {
            throw fail("population \(p) (\(Text.quoted(populations[p].name))) has no incoming projection")
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
        SpikingNetwork(populations: populations.map(\.integerView), projections: projections, output: output, metadata: metadata)
    }

    /// The network, every weight checked to be an integer that fits `fixedPoint.weightBits`
    /// and every threshold, bias and potential to fit `fixedPoint.potentialBits`.
    func network() throws -> FixedPointNetwork {
        let integers = try projections.enumerated().map { try FixedPointProjection(integers: $1, index: $0) }
        return try FixedPointNetwork(populations: populations, projections: integers, output: output, metadata: metadata,
                                     format: fixedPoint)
    }
}
