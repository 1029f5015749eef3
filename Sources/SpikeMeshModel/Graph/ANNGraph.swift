import Foundation
import SpikeMeshCore

/// A trained ANN as a typed graph of layers in topological order; layer 0 is the input.
///
/// Layers are appended through `append`, which infers and checks every shape, so a graph
/// that exists is consistent: a convolution's input has its channel count, a dense layer's
/// input has its feature count, an `add` joins equal shapes.
public struct ANNGraph: Sendable {
    public private(set) var layers: [Layer]
    /// The layer whose output is the network's output (logits).
    public var output: Int
    /// Key/value metadata carried by the model (ONNX `metadata_props`).
    public var metadata: [String: String]
    /// Where the graph came from (file name), for messages.
    public var source: String

    public init(inputShape: [Int], inputName: String = "input", source: String = "") throws {
        guard inputShape.count == 3 || inputShape.count == 1, inputShape.allSatisfy({ $0 > 0 }) else {
            throw SpikeMeshError(
                .invalidModel, "\(source): input shape \(inputShape) must be [C, H, W] or [F] with positive sizes")
        }
        guard let size = Self.product(inputShape), size <= Self.maximumLayerSize else {
            throw SpikeMeshError(
                .invalidModel,
                "\(source): input shape \(inputShape) has more than \(Self.maximumLayerSize) values (the limit per layer)"
            )
        }
        layers = [Layer(name: inputName, op: .input, inputs: [], shape: inputShape)]
        output = 0
        metadata = [:]
        self.source = source
    }

    public var inputShape: [Int] { layers[0].shape }
    public var outputShape: [Int] { layers[output].shape }

    /// Appends a layer after checking its inputs' shapes; returns its index.
    @discardableResult
    public mutating func append(_ name: String, _ op: LayerOp, inputs: [Int]) throws -> Int {
        for i in inputs where i < 0 || i >= layers.count {
            throw SpikeMeshError(
                .invalidArgument, "layer \(Text.quoted(name)): input index \(i) is not an existing layer")
        }
        let shape = try Self.inferShape(name: name, op: op, inputShapes: inputs.map { layers[$0].shape })
        layers.append(Layer(name: name, op: op, inputs: inputs, shape: shape))
        output = layers.count - 1
        return output
    }

    /// Replaces a layer's operation in place (used to fold a bias into a Dense or Conv2d);
    /// the new operation must give the same output shape.
    package mutating func replaceOp(at index: Int, with op: LayerOp) throws {
        let shape = try Self.inferShape(
            name: layers[index].name, op: op, inputShapes: layers[index].inputs.map { layers[$0].shape })
        precondition(shape == layers[index].shape, "replaceOp must keep the shape")
        layers[index].op = op
    }

    /// The most values one layer may have: 2^28 (VGG-16's largest layer at 224×224 has 3.2 M).
    /// It keeps every size, weight count and MAC count of the graph far inside Int.
    public static let maximumLayerSize = 1 << 28
    /// The largest kernel, stride or padding of a convolution or pooling.
    public static let maximumWindow = 1 << 16

    /// Whether a kernel and stride are in 1…`maximumWindow` and the padding in 0…that, so no
    /// output-size arithmetic can overflow (graph layers and network-file projections alike).
    package static func windowFits(_ kh: Int, _ kw: Int, _ sh: Int, _ sw: Int, _ p: Padding) -> Bool {
        [kh, kw, sh, sw].allSatisfy { (1...maximumWindow).contains($0) }
            && [p.top, p.left, p.bottom, p.right].allSatisfy { (0...maximumWindow).contains($0) }
    }

    /// The product of `dims`, or nil when it overflows Int.
    package static func product(_ dims: [Int]) -> Int? {
        var p = 1
        for d in dims {
            let (r, overflow) = p.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            p = r
        }
        return p
    }

    static func poolOutput(_ size: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int) -> Int {
        let span = size + padBegin + padEnd - kernel
        return span < 0 ? 0 : span / stride + 1
    }

    static func inferShape(name: String, op: LayerOp, inputShapes: [[Int]]) throws -> [Int] {
        func fail(_ why: String) -> SpikeMeshError {
            SpikeMeshError(.invalidModel, "layer \(Text.quoted(name)) (\(op.typeName)): \(why)")
        }
        let arity: Int
        switch op {
        case .input: arity = 0
        case .add: arity = 2
        default: arity = 1
        }
        guard inputShapes.count == arity else { throw fail("expects \(arity) input(s), got \(inputShapes.count)") }
        let shape = try inferShapeUnchecked(op: op, inputShapes: inputShapes, fail: fail)
        guard shape.allSatisfy({ $0 > 0 }), let size = product(shape), size <= maximumLayerSize else {
            throw fail("its output shape \(shape) must have positive sizes and at most \(maximumLayerSize) values")
        }
        return shape
    }

    private static func inferShapeUnchecked(op: LayerOp, inputShapes: [[Int]], fail: (String) -> SpikeMeshError) throws
        -> [Int]
    {
        func image() throws -> (c: Int, h: Int, w: Int) {
            let s = inputShapes[0]
            guard s.count == 3 else { throw fail("expects an image input [C, H, W], got \(s)") }
            return (s[0], s[1], s[2])
        }
        func spatial(_ h: Int, _ w: Int, kh: Int, kw: Int, sh: Int, sw: Int, p: Padding) throws -> (Int, Int) {
            guard windowFits(kh, kw, sh, sw, p) else {
                throw fail(
                    "kernel \(kh)×\(kw), stride \(sh)×\(sw) and padding \(p) must be positive / non-negative and at most \(maximumWindow)"
                )
            }
            let oh = poolOutput(h, kernel: kh, stride: sh, padBegin: p.top, padEnd: p.bottom)
            let ow = poolOutput(w, kernel: kw, stride: sw, padBegin: p.left, padEnd: p.right)
            guard oh > 0, ow > 0 else {
                throw fail("kernel \(kh)×\(kw) with padding \(p) does not fit the \(h)×\(w) input")
            }
            return (oh, ow)
        }
        switch op {
        case .input:
            throw fail("only layer 0 is an input")
        case .conv2d(let c):
            let (ci, h, w) = try image()
            guard ci == c.inChannels else {
                throw fail("weights expect \(c.inChannels) input channels, input has \(ci)")
            }
            guard c.outChannels > 0, c.kernelHeight > 0, c.kernelWidth > 0,
                c.kernelHeight <= maximumWindow, c.kernelWidth <= maximumWindow,
                product([c.outChannels, c.inChannels, c.kernelHeight, c.kernelWidth]) == c.weights.count
            else {
                throw fail(
                    "has \(c.weights.count) weights, [\(c.outChannels), \(c.inChannels), \(c.kernelHeight), \(c.kernelWidth)] needs their product"
                )
            }
            if let b = c.bias, b.count != c.outChannels {
                throw fail("bias has \(b.count) values for \(c.outChannels) channels")
            }
            let (oh, ow) = try spatial(
                h, w, kh: c.kernelHeight, kw: c.kernelWidth, sh: c.strideHeight, sw: c.strideWidth, p: c.padding)
            return [c.outChannels, oh, ow]
        case .dense(let d):
            let s = inputShapes[0]
            guard s.count == 1 else { throw fail("expects a flat input [F], got \(s) — flatten first") }
            guard s[0] == d.inFeatures else {
                throw fail("weights expect \(d.inFeatures) input features, input has \(s[0])")
            }
            guard d.outFeatures > 0 else {
                throw fail("has \(d.outFeatures) outputs; a dense layer needs at least one")
            }
            guard product([d.inFeatures, d.outFeatures]) == d.weights.count else {
                throw fail(
                    "has \(d.weights.count) weights, [\(d.outFeatures), \(d.inFeatures)] needs \(d.inFeatures) × \(d.outFeatures)"
                )
            }
            if let b = d.bias, b.count != d.outFeatures {
                throw fail("bias has \(b.count) values for \(d.outFeatures) outputs")
            }
            return [d.outFeatures]
        case .batchNorm(let bn):
            let s = inputShapes[0]
            guard bn.scale.count == s[0], bn.shift.count == s[0] else {
                throw fail("has \(bn.scale.count) channels, its input \(s) has \(s[0])")
            }
            return s
        case .relu, .clip, .qcfs:
            return inputShapes[0]
        case .avgPool(let p), .maxPool(let p):
            let (c, h, w) = try image()
            let (oh, ow) = try spatial(
                h, w, kh: p.kernelHeight, kw: p.kernelWidth, sh: p.strideHeight, sw: p.strideWidth, p: p.padding)
            return [c, oh, ow]
        case .globalAvgPool:
            let (c, _, _) = try image()
            return [c, 1, 1]
        case .flatten:
            return [inputShapes[0].reduce(1, *)]
        case .add:
            guard inputShapes[0] == inputShapes[1] else {
                throw fail("joins shapes \(inputShapes[0]) and \(inputShapes[1]); they must be equal (no broadcasting)")
            }
            return inputShapes[0]
        }
    }
}

extension ANNGraph {
    /// Learned parameters of a layer (weights, biases, BatchNorm scale and shift, QCFS λ).
    public func parameterCount(_ index: Int) -> Int {
        switch layers[index].op {
        case .conv2d(let c): c.weights.count + (c.bias?.count ?? 0)
        case .dense(let d): d.weights.count + (d.bias?.count ?? 0)
        case .batchNorm(let b): b.scale.count + b.shift.count
        case .qcfs: 1
        default: 0
        }
    }

    /// Multiply-accumulates per sample of a layer: convolutions and dense layers only
    /// (pooling, BatchNorm and activations are not counted, as in most ANN MAC counts).
    public func macCount(_ index: Int) -> Int {
        switch layers[index].op {
        case .conv2d(let c): layers[index].outputCount * c.fanIn
        case .dense(let d): d.inFeatures * d.outFeatures
        default: 0
        }
    }

    public var totalParameters: Int { layers.indices.reduce(0) { $0 + parameterCount($1) } }
    public var totalMACs: Int { layers.indices.reduce(0) { $0 + macCount($1) } }

    /// Normalization the model carries in its metadata (`spikemesh.mean`, `spikemesh.std`).
    public var metadataNormalization: (mean: [Float], std: [Float])? { Self.normalization(in: metadata) }

    /// `spikemesh.mean` / `spikemesh.std` of a metadata table (models and network files).
    public static func normalization(in metadata: [String: String]) -> (mean: [Float], std: [Float])? {
        guard let m = metadata["spikemesh.mean"], let s = metadata["spikemesh.std"] else { return nil }
        let mean = m.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        let std = s.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !mean.isEmpty, !std.isEmpty else { return nil }
        return (mean, std)
    }
}
