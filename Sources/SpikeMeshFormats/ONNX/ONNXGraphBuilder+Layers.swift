import Foundation
import SpikeMeshCore
import SpikeMeshModel

/// The ops that become ANN layers.
extension ONNXGraphBuilder {
    /// Strides and padding of a Conv or pooling node, with `auto_pad` resolved.
    func windowAttributes(_ node: ONNXNodeProto, kernel: (h: Int, w: Int), input: (h: Int, w: Int)) throws -> (
        sh: Int, sw: Int, padding: Padding
    ) {
        if let dilations = intsAttribute(node, "dilations"), dilations.contains(where: { $0 != 1 }) {
            throw SpikeMeshError(.unsupported, "attribute \"dilations\" = \(dilations) is not supported (only 1)")
        }
        let strides = intsAttribute(node, "strides") ?? [1, 1]
        guard strides.count == 2, strides.allSatisfy({ $0 >= 1 && $0 <= 1 << 16 }) else {
            throw SpikeMeshError(.unsupported, "attribute \"strides\" = \(strides) must be two positive values")
        }
        let sh = Int(strides[0])
        let sw = Int(strides[1])
        let autoPad = stringAttribute(node, "auto_pad") ?? "NOTSET"
        switch autoPad {
        case "NOTSET", "":
            let pads = intsAttribute(node, "pads") ?? [0, 0, 0, 0]
            guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else {
                throw SpikeMeshError(
                    .unsupported,
                    "attribute \"pads\" = \(pads) must be four non-negative values [top, left, bottom, right]")
            }
            return (sh, sw, Padding(top: Int(pads[0]), left: Int(pads[1]), bottom: Int(pads[2]), right: Int(pads[3])))
        case "VALID":
            return (sh, sw, .zero)
        case "SAME_UPPER", "SAME_LOWER":
            func split(_ size: Int, _ k: Int, _ s: Int) -> (Int, Int) {
                let out = (size + s - 1) / s
                let total = max((out - 1) * s + k - size, 0)
                let small = total / 2
                return autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small)
            }
            let (t, b) = split(input.h, kernel.h, sh)
            let (l, r) = split(input.w, kernel.w, sw)
            return (sh, sw, Padding(top: t, left: l, bottom: b, right: r))
        default:
            throw SpikeMeshError(.unsupported, "attribute \"auto_pad\" = \(Text.quoted(autoPad)) is not supported")
        }
    }

    func imageShape(_ layer: Int) throws -> (c: Int, h: Int, w: Int) {
        let s = ann.layers[layer].shape
        guard s.count == 3 else {
            throw SpikeMeshError(
                .invalidModel, "expects an image input [N, C, H, W], its input has per-sample shape \(s)")
        }
        return (s[0], s[1], s[2])
    }

    mutating func importConv(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        let input = try imageShape(x)
        let w = try constant(node, 1, "weights")
        guard w.shape.count == 4 else {
            throw SpikeMeshError(
                .unsupported, "weights have shape \(w.shape); only 2-D convolutions ([M, C, kH, kW]) are supported")
        }
        let group = intAttribute(node, "group", default: 1)
        guard group == 1 else {
            throw SpikeMeshError(.unsupported, "attribute \"group\" = \(group) is not supported (only 1)")
        }
        let (m, c, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        if let ks = intsAttribute(node, "kernel_shape"), ks != [Int64(kh), Int64(kw)] {
            throw SpikeMeshError(
                .invalidModel, "attribute \"kernel_shape\" = \(ks) disagrees with the weights' shape \(w.shape)")
        }
        guard c == input.c else {
            throw SpikeMeshError(
                .invalidModel, "weights \(w.shape) expect \(c) input channels, the input has \(input.c)")
        }
        var bias: [Float]?
        if let b = try optionalConstant(node, 2, "bias") {
            guard b.count == m else {
                throw SpikeMeshError(.invalidModel, "bias has \(b.count) values for \(m) output channels")
            }
            bias = b.floats
        }
        let (sh, sw, padding) = try windowAttributes(node, kernel: (kh, kw), input: (input.h, input.w))
        let conv = Conv2d(
            inChannels: c, outChannels: m, kernelHeight: kh, kernelWidth: kw,
            strideHeight: sh, strideWidth: sw, padding: padding, weights: w.floats, bias: bias)
        try emit(node, .conv2d(conv), inputs: [x])
    }

    func flatInput(_ layer: Int) throws -> Int {
        let s = ann.layers[layer].shape
        guard s.count == 1 else {
            throw SpikeMeshError(
                .unsupported, "expects a flat input [N, F], its input has per-sample shape \(s) (add a Flatten)")
        }
        return s[0]
    }

    mutating func importGemm(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        let features = try flatInput(x)
        let transA = intAttribute(node, "transA", default: 0)
        guard transA == 0 else {
            throw SpikeMeshError(
                .unsupported, "attribute \"transA\" = 1 is not supported: the data input must be [N, K]")
        }
        let transB = intAttribute(node, "transB", default: 0) != 0
        let alpha = floatAttribute(node, "alpha", default: 1)
        let beta = floatAttribute(node, "beta", default: 1)
        let b = try constant(node, 1, "B")
        guard b.shape.count == 2 else {
            throw SpikeMeshError(.invalidModel, "B has shape \(b.shape); expected 2 dimensions")
        }
        let (k, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == features else {
            throw SpikeMeshError(
                .invalidModel,
                "B \(b.shape)\(transB ? " (transposed)" : "") expects \(k) input features, the input has \(features)")
        }
        let values = b.floats
        var weights = [Float](repeating: 0, count: n * k)
        for o in 0..<n {
            for i in 0..<k { weights[o * k + i] = alpha * (transB ? values[o * k + i] : values[i * n + o]) }
        }
        var bias: [Float]?
        if let cTensor = try optionalConstant(node, 2, "C") {
            let cv = cTensor.floats
            guard cv.count == n || cv.count == 1 else {
                throw SpikeMeshError(
                    .unsupported,
                    "C has shape \(cTensor.shape); only a bias of \(n) values (or a scalar) broadcast over the batch is supported"
                )
            }
            bias = (0..<n).map { beta * cv[cv.count == 1 ? 0 : $0] }
        }
        try emit(node, .dense(Dense(inFeatures: k, outFeatures: n, weights: weights, bias: bias)), inputs: [x])
    }

    mutating func importMatMul(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        let features = try flatInput(x)
        let b = try constant(node, 1, "B")
        guard b.shape.count == 2 else {
            throw SpikeMeshError(.unsupported, "B has shape \(b.shape); only a 2-D weight matrix [K, N] is supported")
        }
        let (k, n) = (b.shape[0], b.shape[1])
        guard k == features else {
            throw SpikeMeshError(.invalidModel, "B \(b.shape) expects \(k) input features, the input has \(features)")
        }
        let values = b.floats
        var weights = [Float](repeating: 0, count: n * k)
        for o in 0..<n { for i in 0..<k { weights[o * k + i] = values[i * n + o] } }
        try emit(node, .dense(Dense(inFeatures: k, outFeatures: n, weights: weights)), inputs: [x])
    }

    /// `Add` of two activations is a residual join; `Add` of an activation and a constant is
    /// folded into the bias of the Dense or Conv2d layer that produced the activation.
    mutating func importAdd(_ node: ONNXNodeProto, index: Int) throws {
        guard node.inputs.count == 2 else {
            throw SpikeMeshError(.invalidModel, "expects 2 inputs, has \(node.inputs.count)")
        }
        let a = try value(node.inputs[0])
        let b = try value(node.inputs[1])
        switch (a, b) {
        case (.data(let x), .data(let y)):
            try emit(node, .add, inputs: [x, y])
        case (.data(let x), .constant(let c)), (.constant(let c), .data(let x)):
            let dataName = isData(node.inputs[0]) ? node.inputs[0] : node.inputs[1]
            guard soleConsumer(of: dataName) == index else {
                throw SpikeMeshError(
                    .unsupported,
                    "adding a constant to \(Text.quoted(dataName)) is supported only as the bias of the Conv/Gemm/MatMul that computes it, and \(Text.quoted(dataName)) has other uses"
                )
            }
            var layer = ann.layers[x]
            let add = c.floats
            func merged(_ bias: [Float]?, _ n: Int) throws -> [Float] {
                let ok = add.count == n || add.count == 1
                guard ok else {
                    throw SpikeMeshError(
                        .unsupported,
                        "a constant of shape \(c.shape) added to \(Text.quoted(dataName)) (per-sample shape \(layer.shape)) is not a per-channel bias"
                    )
                }
                return (0..<n).map { (bias?[$0] ?? 0) + add[add.count == 1 ? 0 : $0] }
            }
            switch layer.op {
            case .dense(var d):
                d.bias = try merged(d.bias, d.outFeatures)
                layer.op = .dense(d)
            case .conv2d(var conv):
                // A per-channel bias broadcasts as [C, 1, 1] or [1, C, 1, 1].
                let trailing = c.shape.suffix(2)
                guard c.count == 1 || (c.shape.count >= 3 && trailing.allSatisfy { $0 == 1 }) else {
                    throw SpikeMeshError(
                        .unsupported,
                        "a constant of shape \(c.shape) added to the convolution output \(Text.quoted(dataName)) is not a per-channel bias [C, 1, 1]"
                    )
                }
                conv.bias = try merged(conv.bias, conv.outChannels)
                layer.op = .conv2d(conv)
            default:
                throw SpikeMeshError(
                    .unsupported,
                    "adding a constant is supported only as the bias of a Conv, Gemm or MatMul; \(Text.quoted(dataName)) comes from a \(layer.op.typeName) layer"
                )
            }
            try ann.replaceOp(at: x, with: layer.op)
            setOutput(node, .data(x))
        case (.constant, .constant):
            throw SpikeMeshError(.invalidModel, "both inputs are constants (should have been folded)")
        }
    }

    mutating func importBatchNorm(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        if intAttribute(node, "training_mode", default: 0) != 0 {
            throw SpikeMeshError(.unsupported, "training_mode = 1 is not supported; export the model in eval() mode")
        }
        let channels = ann.layers[x].shape[0]
        let names = ["scale", "B", "input_mean", "input_var"]
        var params: [[Float]] = []
        for (i, name) in names.enumerated() {
            let t = try constant(node, i + 1, name)
            guard t.count == channels else {
                throw SpikeMeshError(.invalidModel, "\(name) has \(t.count) values; the input has \(channels) channels")
            }
            params.append(t.floats)
        }
        let epsilon = Double(floatAttribute(node, "epsilon", default: 1e-5))
        var scale = [Float](repeating: 0, count: channels)
        var shift = scale
        for c in 0..<channels {
            let s = Double(params[0][c]) / (Double(params[3][c]) + epsilon).squareRoot()
            scale[c] = Float(s)
            shift[c] = Float(Double(params[1][c]) - Double(params[2][c]) * s)
        }
        try emit(node, .batchNorm(BatchNorm(scale: scale, shift: shift)), inputs: [x])
    }

    mutating func importClip(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        var lo = -Float.infinity
        var hi = Float.infinity
        if opset < 11 {
            lo = floatAttribute(node, "min", default: lo)
            hi = floatAttribute(node, "max", default: hi)
        } else {
            if let t = try optionalConstant(node, 1, "min") {
                guard t.count == 1 else {
                    throw SpikeMeshError(.invalidModel, "min must be a scalar, has shape \(t.shape)")
                }
                lo = t.floats[0]
            }
            if let t = try optionalConstant(node, 2, "max") {
                guard t.count == 1 else {
                    throw SpikeMeshError(.invalidModel, "max must be a scalar, has shape \(t.shape)")
                }
                hi = t.floats[0]
            }
        }
        guard lo <= hi else { throw SpikeMeshError(.invalidModel, "min \(lo) is above max \(hi)") }
        if lo == 0 && hi == .infinity {
            try emit(node, .relu, inputs: [x])
        } else {
            try emit(node, .clip(min: lo, max: hi), inputs: [x])
        }
    }

    mutating func importPool(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        let input = try imageShape(x)
        guard let ks = intsAttribute(node, "kernel_shape"), ks.count == 2, ks.allSatisfy({ $0 >= 1 && $0 <= 1 << 16 })
        else {
            throw SpikeMeshError(
                .unsupported,
                "attribute \"kernel_shape\" must be two positive values (2-D pooling), is \(intsAttribute(node, "kernel_shape").map { "\($0)" } ?? "missing")"
            )
        }
        let kh = Int(ks[0])
        let kw = Int(ks[1])
        let (sh, sw, padding) = try windowAttributes(node, kernel: (kh, kw), input: (input.h, input.w))
        if intAttribute(node, "ceil_mode", default: 0) != 0 {
            // ceil_mode only matters when it changes the output size.
            for (size, k, s, p0, p1) in [
                (input.h, kh, sh, padding.top, padding.bottom), (input.w, kw, sw, padding.left, padding.right),
            ] {
                let span = size + p0 + p1 - k
                if span % s != 0 {
                    throw SpikeMeshError(
                        .unsupported,
                        "attribute \"ceil_mode\" = 1 changes the output size here and is not supported; use ceil_mode=0"
                    )
                }
            }
        }
        let isMax = node.opType == "MaxPool"
        if isMax {
            if intAttribute(node, "storage_order", default: 0) != 0 {
                throw SpikeMeshError(.unsupported, "attribute \"storage_order\" = 1 is not supported")
            }
            if node.outputs.count > 1, !node.outputs[1].isEmpty, consumers[node.outputs[1]] != nil {
                throw SpikeMeshError(.unsupported, "the Indices output of MaxPool is used; it is not supported")
            }
        }
        let pool = Pool(
            kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, padding: padding,
            countIncludePad: intAttribute(node, "count_include_pad", default: 0) != 0)
        try emit(node, isMax ? .maxPool(pool) : .avgPool(pool), inputs: [x])
    }

    /// `ReduceMean` over the two spatial axes is global average pooling (PyTorch's
    /// `AdaptiveAvgPool2d(1)` and `x.mean((2, 3))` export this way).
    mutating func importReduceMean(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        _ = try imageShape(x)
        let axes =
            opset >= 18
            ? try optionalConstant(node, 1, "axes").map { try Self.checkedInts($0) } : intsAttribute(node, "axes")
        let normalized = Set((axes ?? []).map { $0 < 0 ? $0 + 4 : $0 })
        guard normalized == [2, 3] else {
            throw SpikeMeshError(
                .unsupported,
                "ReduceMean over axes \(axes.map { "\($0)" } ?? "all") is not supported (only the spatial axes [2, 3], i.e. global average pooling)"
            )
        }
        let pooled = try ann.append(layerName(node), .globalAvgPool, inputs: [x])
        if intAttribute(node, "keepdims", default: 1) == 0 {
            try emit(node, .flatten, inputs: [pooled])
        } else {
            setOutput(node, .data(pooled))
        }
    }

    mutating func importFlatten(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        let rank = ann.layers[x].shape.count + 1
        var axis = intAttribute(node, "axis", default: 1)
        if axis < 0 { axis += Int64(rank) }
        guard axis == 1 else {
            throw SpikeMeshError(
                .unsupported,
                "attribute \"axis\" = \(intAttribute(node, "axis", default: 1)) is not supported (only 1: keep the batch dimension)"
            )
        }
        if ann.layers[x].shape.count == 1 {
            setOutput(node, .data(x))
        } else {
            try emit(node, .flatten, inputs: [x])
        }
    }

    /// Reshape is supported when it flattens to `[N, F]` (target `[0|-1|N|1, -1|F]`) or keeps
    /// the shape.
    mutating func importReshape(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        let shape = ann.layers[x].shape
        let features = Int64(shape.reduce(1, *))
        let target = try constant(node, 1, "shape").ints
        let batchLike: (Int64) -> Bool = { $0 == 0 || $0 == Self.batchMarker || $0 == 1 || $0 == -1 }
        if target.count == 2, batchLike(target[0]),
            target[1] == features || (target[1] == -1 && target[0] != -1)
        {
            if shape.count == 1 { setOutput(node, .data(x)) } else { try emit(node, .flatten, inputs: [x]) }
            return
        }
        if target.count == shape.count + 1, batchLike(target[0]),
            zip(target.dropFirst(), shape).allSatisfy({ $0 == Int64($1) || $0 == 0 })
        {
            setOutput(node, .data(x))
            return
        }
        let shown = target.map { $0 == Self.batchMarker ? "N" : String($0) }.joined(separator: ", ")
        throw SpikeMeshError(
            .unsupported,
            "reshape of per-sample shape \(shape) to [\(shown)] is not supported; only flattening to [N, \(features)] is"
        )
    }

    /// `Shape` of an activation becomes a constant `[N, C, H, W]` with N a batch marker.
    mutating func importShape(_ node: ONNXNodeProto) throws {
        let x = try data(node, 0)
        setOutput(node, .constant(shapeOutput(node, of: [Self.batchMarker] + ann.layers[x].shape.map(Int64.init))))
    }

    /// Shape's output for a tensor of shape `full`: the dims from `start` to `end`
    /// (attributes; negative counts from the end, clamped to the rank).
    func shapeOutput(_ node: ONNXNodeProto, of full: [Int64]) -> ConstantTensor {
        let rank = Int64(full.count)
        func clampAxis(_ a: Int64) -> Int { Int(min(max(a < 0 ? a + rank : a, 0), rank)) }
        let start = clampAxis(intAttribute(node, "start", default: 0))
        let end = clampAxis(intAttribute(node, "end", default: rank))
        let dims = start < end ? Array(full[start..<end]) : []
        return ConstantTensor(shape: [dims.count], values: .int(dims))
    }
}
