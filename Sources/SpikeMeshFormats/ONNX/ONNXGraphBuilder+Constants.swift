import SpikeMeshCore
import SpikeMeshModel

/// Folding of nodes whose inputs are all constants: `Constant`, and the shape arithmetic
/// exporters emit around `Reshape` (Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast and
/// element-wise arithmetic).
extension ONNXGraphBuilder {
    /// Folds the node if it is a `Constant` or all its inputs are constants; returns whether it did.
    mutating func foldConstant(_ node: ONNXNodeProto) throws -> Bool {
        if node.opType == "Constant" {
            setOutput(node, .constant(try constantNodeValue(node)))
            return true
        }
        let present = node.inputs.filter { !$0.isEmpty }
        guard !present.isEmpty else { return false }
        var inputs: [ConstantTensor?] = []
        for name in node.inputs {
            if name.isEmpty {
                inputs.append(nil)
                continue
            }
            guard case .constant(let c) = try value(name) else { return false }
            inputs.append(c)
        }
        func input(_ i: Int) throws -> ConstantTensor {
            guard i < inputs.count, let c = inputs[i] else {
                throw SpikeMeshError(.invalidModel, "input \(i) is missing")
            }
            return c
        }
        let result: ConstantTensor
        switch node.opType {
        case "Identity", "Dropout":
            result = try input(0)
        case "Cast":
            let to = intAttribute(node, "to", default: 1)
            let x = try input(0)
            let isFloat = to == 1 || to == 10 || to == 11 || to == 16
            result = ConstantTensor(shape: x.shape, values: isFloat ? .float(x.floats) : .int(try Self.checkedInts(x)))
        case "Shape":
            // The shape of a constant (an exporter's shape arithmetic over initializers).
            result = shapeOutput(node, of: try input(0).shape.map(Int64.init))
        case "CastLike":
            let x = try input(0)
            if case .int = try input(1).values {
                result = ConstantTensor(shape: x.shape, values: .int(try Self.checkedInts(x)))
            } else {
                result = ConstantTensor(shape: x.shape, values: .float(x.floats))
            }
        case "Expand":
            result = try expand(try input(0), to: try Self.checkedInts(try input(1)))
        case "Gather":
            result = try gather(try input(0), try input(1), axis: intAttribute(node, "axis", default: 0))
        case "Unsqueeze", "Squeeze":
            let x = try input(0)
            let axes =
                opset >= 13
                ? (try inputs.count > 1 ? inputs[1].map { try Self.checkedInts($0) } : nil)
                : intsAttribute(node, "axes")
            result = try reshapeForSqueeze(x, axes: axes, unsqueeze: node.opType == "Unsqueeze")
        case "Concat":
            var axis = intAttribute(node, "axis", default: 0)
            let parts = inputs.compactMap { $0 }
            let rank = parts.first?.shape.count ?? 1
            if axis < 0 { axis += Int64(rank) }
            guard axis == 0, parts.allSatisfy({ $0.shape.count == 1 }) else {
                throw SpikeMeshError(.unsupported, "Concat of constants is supported for 1-D tensors only")
            }
            if parts.allSatisfy({ if case .int = $0.values { true } else { false } }) {
                let values = parts.flatMap(\.ints)
                result = ConstantTensor(shape: [values.count], values: .int(values))
            } else {
                let values = parts.flatMap(\.floats)
                result = ConstantTensor(shape: [values.count], values: .float(values))
            }
        case "Slice":
            result = try slice(try input(0), inputs: inputs, node: node)
        case "Add", "Sub", "Mul", "Div":
            result = try arithmetic(node.opType, try input(0), try input(1))
        case "Reshape":
            let x = try input(0)
            result = ConstantTensor(
                shape: try Self.reshapeTarget(try Self.checkedInts(try input(1)), of: x), values: x.values)
        default:
            return false
        }
        setOutput(node, .constant(result))
        return true
    }

    /// ONNX Reshape's target: 0 copies the input's dimension at that index (allowzero = 0),
    /// one −1 is inferred; every product is checked, so a shape such as [2^62, 4, 1] is an
    /// error rather than an overflow.
    static func reshapeTarget(_ raw: [Int64], of x: ConstantTensor) throws -> [Int] {
        let fail = { (why: String) in
            SpikeMeshError(.invalidModel, "cannot reshape a constant of shape \(x.shape) to \(raw): \(why)")
        }
        guard raw.filter({ $0 == -1 }).count <= 1 else { throw fail("more than one −1") }
        var dims: [Int] = []
        var known = 1
        for (i, d) in raw.enumerated() {
            let dim: Int
            if d == 0 {
                guard i < x.shape.count else {
                    throw fail("0 at index \(i) copies a dimension the input does not have")
                }
                dim = x.shape[i]
            } else if d == -1 {
                dims.append(-1)
                continue
            } else {
                guard d > 0 else { throw fail("dimension \(d) is negative") }
                dim = Int(d)
            }
            let (product, overflow) = known.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= x.count || x.count == 0 else {
                throw fail("it has more values than the \(x.count) of the input")
            }
            known = product
            dims.append(dim)
        }
        if let i = dims.firstIndex(of: -1) {
            guard known > 0, x.count % known == 0 else { throw fail("no size for −1 fits \(x.count) values") }
            dims[i] = x.count / known
        } else {
            guard known == x.count else { throw fail("it has \(known) values, the input \(x.count)") }
        }
        return dims
    }

    static func checkedInts(_ t: ConstantTensor) throws -> [Int64] {
        switch t.values {
        case .int(let v): return v
        case .float(let v):
            return try v.map {
                guard $0.isFinite, abs($0) < 9e15 else {
                    throw SpikeMeshError(.invalidModel, "value \($0) is not a valid integer")
                }
                return Int64($0)
            }
        }
    }

    func constantNodeValue(_ node: ONNXNodeProto) throws -> ConstantTensor {
        guard let attribute = node.attributes.first else {
            throw SpikeMeshError(.invalidModel, "Constant node without a value attribute")
        }
        switch attribute.name {
        case "value":
            guard let t = attribute.t else {
                throw SpikeMeshError(.invalidModel, "attribute \"value\" holds no tensor")
            }
            return try t.materialize(externalFiles: { _ in
                throw SpikeMeshError(.unsupported, "Constant with external data")
            })
        case "value_float", "value_floats":
            let values = attribute.name == "value_float" ? [attribute.f] : attribute.floats
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw SpikeMeshError(
                    .invalidModel, "attribute \(attribute.name): value [\(i)] is \(values[i]), not a finite number")
            }
            return ConstantTensor(shape: attribute.name == "value_float" ? [] : [values.count], values: .float(values))
        case "value_int": return ConstantTensor(shape: [], values: .int([attribute.i]))
        case "value_ints": return ConstantTensor(shape: [attribute.ints.count], values: .int(attribute.ints))
        default:
            throw SpikeMeshError(
                .unsupported,
                "Constant attribute \(Text.quoted(attribute.name)) is not supported (value, value_float(s), value_int(s))"
            )
        }
    }

    private func gather(_ data: ConstantTensor, _ indices: ConstantTensor, axis: Int64) throws -> ConstantTensor {
        guard data.shape.count == 1, axis == 0 || axis == -1 else {
            throw SpikeMeshError(
                .unsupported, "Gather of constants is supported on 1-D tensors only, got shape \(data.shape)")
        }
        let n = data.count
        let picks = try Self.checkedInts(indices).map { i -> Int in
            let j = i < 0 ? Int(i) + n : Int(i)
            guard j >= 0, j < n else {
                throw SpikeMeshError(.invalidModel, "Gather index \(i) is out of range for \(n) values")
            }
            return j
        }
        switch data.values {
        case .int(let v): return ConstantTensor(shape: indices.shape, values: .int(picks.map { v[$0] }))
        case .float(let v): return ConstantTensor(shape: indices.shape, values: .float(picks.map { v[$0] }))
        }
    }

    /// ONNX Expand: numpy broadcasting of `x` against `target` (either may have the larger
    /// rank; a 1 stretches), limited to `ANNGraph.maximumLayerSize` values.
    private func expand(_ x: ConstantTensor, to target: [Int64]) throws -> ConstantTensor {
        let fail = { (why: String) in
            SpikeMeshError(.invalidModel, "cannot expand a constant of shape \(x.shape) to \(target): \(why)")
        }
        let rank = max(x.shape.count, target.count)
        let a = [Int](repeating: 1, count: rank - x.shape.count) + x.shape
        var b: [Int] = []
        for d in target {
            guard d >= 0, d <= Int64(ANNGraph.maximumLayerSize) else { throw fail("dimension \(d) is out of range") }
            b.append(Int(d))
        }
        b = [Int](repeating: 1, count: rank - b.count) + b
        var shape: [Int] = []
        for (p, q) in zip(a, b) {
            guard p == q || p == 1 || q == 1 else { throw fail("\(p) and \(q) do not broadcast") }
            shape.append(p == 1 ? q : p)
        }
        guard let count = ANNGraph.product(shape), count <= ANNGraph.maximumLayerSize else {
            throw fail("too many values")
        }
        // Row-major strides of x, 0 where x is broadcast.
        var strides = [Int](repeating: 0, count: rank)
        var step = 1
        for i in (0..<rank).reversed() {
            strides[i] = a[i] == 1 ? 0 : step
            step *= a[i]
        }
        let sources: [Int] = (0..<count).map { flat in
            var rest = flat
            var source = 0
            for i in (0..<rank).reversed() {
                source += (rest % shape[i]) * strides[i]
                rest /= shape[i]
            }
            return source
        }
        switch x.values {
        case .int(let v): return ConstantTensor(shape: shape, values: .int(sources.map { v[$0] }))
        case .float(let v): return ConstantTensor(shape: shape, values: .float(sources.map { v[$0] }))
        }
    }

    private func reshapeForSqueeze(_ x: ConstantTensor, axes: [Int64]?, unsqueeze: Bool) throws -> ConstantTensor {
        var shape = x.shape
        if unsqueeze {
            guard let axes else { throw SpikeMeshError(.invalidModel, "Unsqueeze without axes") }
            let rank = shape.count + axes.count
            for a in axes.map({ Int($0 < 0 ? $0 + Int64(rank) : $0) }).sorted() {
                guard a >= 0, a <= shape.count else {
                    throw SpikeMeshError(.invalidModel, "Unsqueeze axis \(a) out of range")
                }
                shape.insert(1, at: a)
            }
        } else if let axes {
            let rank = shape.count
            for a in axes.map({ Int($0 < 0 ? $0 + Int64(rank) : $0) }).sorted(by: >) {
                guard a >= 0, a < shape.count, shape[a] == 1 else {
                    throw SpikeMeshError(.invalidModel, "Squeeze axis \(a) is not of size 1 in \(x.shape)")
                }
                shape.remove(at: a)
            }
        } else {
            shape.removeAll { $0 == 1 }
        }
        return ConstantTensor(shape: shape, values: x.values)
    }

    private func slice(_ x: ConstantTensor, inputs: [ConstantTensor?], node: ONNXNodeProto) throws -> ConstantTensor {
        guard x.shape.count == 1 else {
            throw SpikeMeshError(.unsupported, "Slice of constants is supported on 1-D tensors only")
        }
        let starts: [Int64]
        let ends: [Int64]
        let steps: [Int64]
        if opset >= 10 {
            starts = try inputs.count > 1 ? inputs[1].map { try Self.checkedInts($0) } ?? [0] : [0]
            ends = try inputs.count > 2 ? inputs[2].map { try Self.checkedInts($0) } ?? [Int64.max] : [Int64.max]
            steps = try inputs.count > 4 ? inputs[4].map { try Self.checkedInts($0) } ?? [1] : [1]
        } else {
            starts = intsAttribute(node, "starts") ?? [0]
            ends = intsAttribute(node, "ends") ?? [Int64.max]
            steps = [1]
        }
        guard starts.count == 1, ends.count == 1, steps.count == 1, steps[0] != 0 else {
            throw SpikeMeshError(.unsupported, "Slice of constants supports one axis")
        }
        let n = Int64(x.count)
        let step = steps[0]
        func norm(_ v: Int64, _ lo: Int64, _ hi: Int64) -> Int64 { min(max(v < 0 ? v + n : v, lo), hi) }
        var picks: [Int] = []
        // Forward slices clamp to [0, n], backward ones to [-1, n - 1]; a step that would
        // overflow past Int64's range ends the slice.
        let (lo, hi) = step > 0 ? (Int64(0), n) : (Int64(-1), n - 1)
        var i = norm(starts[0], lo, hi)
        let e = norm(ends[0], lo, hi)
        while step > 0 ? i < e : i > e {
            picks.append(Int(i))
            let (next, overflow) = i.addingReportingOverflow(step)
            if overflow { break }
            i = next
        }
        switch x.values {
        case .int(let v): return ConstantTensor(shape: [picks.count], values: .int(picks.map { v[$0] }))
        case .float(let v): return ConstantTensor(shape: [picks.count], values: .float(picks.map { v[$0] }))
        }
    }

    private func arithmetic(_ op: String, _ a: ConstantTensor, _ b: ConstantTensor) throws -> ConstantTensor {
        guard a.count == b.count || a.count == 1 || b.count == 1 else {
            throw SpikeMeshError(
                .unsupported,
                "\(op) of constants with shapes \(a.shape) and \(b.shape) needs general broadcasting, which is not supported"
            )
        }
        let n = max(a.count, b.count)
        let shape = a.count >= b.count ? a.shape : b.shape
        if case .int(let x) = a.values, case .int(let y) = b.values {
            if x.contains(Self.batchMarker) || y.contains(Self.batchMarker) {
                throw SpikeMeshError(
                    .unsupported, "arithmetic on the batch size is not supported; flatten with torch.flatten(x, 1)")
            }
            let out = try (0..<n).map { i -> Int64 in
                let p = x[x.count == 1 ? 0 : i]
                let q = y[y.count == 1 ? 0 : i]
                let (r, overflow): (Int64, Bool)
                switch op {
                case "Add": (r, overflow) = p.addingReportingOverflow(q)
                case "Sub": (r, overflow) = p.subtractingReportingOverflow(q)
                case "Mul": (r, overflow) = p.multipliedReportingOverflow(by: q)
                default:
                    guard q != 0 else { throw SpikeMeshError(.invalidModel, "integer division by zero") }
                    (r, overflow) = p.dividedReportingOverflow(by: q)
                }
                guard !overflow else {
                    throw SpikeMeshError(.invalidModel, "\(op) of the integers \(p) and \(q) overflows 64 bits")
                }
                return r
            }
            return ConstantTensor(shape: shape, values: .int(out))
        }
        let x = a.floats
        let y = b.floats
        let out = (0..<n).map { i -> Float in
            let p = x[x.count == 1 ? 0 : i]
            let q = y[y.count == 1 ? 0 : i]
            switch op {
            case "Add": return p + q
            case "Sub": return p - q
            case "Mul": return p * q
            default: return p / q
            }
        }
        if let i = out.firstIndex(where: { !$0.isFinite }) {
            throw SpikeMeshError(.invalidModel, "\(op) of constants gives \(out[i]) at index \(i), not a finite number")
        }
        return ConstantTensor(shape: shape, values: .float(out))
    }
}
