import SpikeMeshCore
import SpikeMeshModel

/// Turns an `ANNGraph` into a `SpikingNetwork`'s structure (populations and projections).
///
/// A population stands wherever the ANN has a non-linearity or a pooling: every ReLU, QCFS
/// or `Clip(0, m)` output, every average pooling (a population of IF neurons fed by a
/// 1/k² convolution, so pooled values stay spikes), and the output layer. Between them,
/// linear layers fold into projections: a Conv2d or Dense with the BatchNorm after it
/// folded in (`w·s`, `b·s + t`), its bias a per-tick current of the target population; a
/// residual `Add` makes both branches project into one population (an identity projection
/// for the skip path). Because a spike of population p carries amplitude θ_p, the two
/// branches are balanced at the junction whatever their thresholds.
///
/// With `PoolingMode.linear`, an average pooling read by a convolution or dense layer (after
/// an optional Flatten) is folded into that layer's weights instead (`LinearPooling`); where
/// that is not exact — a pooling read by anything else, or ragged borders — it stays a
/// population.
enum NetworkBuilder {
    /// The value of an ANN layer during building: a population's output, or a linear
    /// combination of populations that has not met its activation yet.
    enum Value {
        case population(Int)
        case pending(terms: [(source: Int, kind: Projection.Kind)], bias: [Float]?, shape: [Int])
        /// Linear pooling not yet folded: layer `layer` pools population `source` (of shape
        /// `input`) to `pooled`; `shape` is the current shape (flattened or not).
        case pooled(layer: Int, source: Int, pool: Pool, input: [Int], pooled: [Int], shape: [Int])
    }

    static func build(_ graph: ANNGraph, reset: ResetMode, pooling: PoolingMode = .spiking) throws -> SpikingNetwork {
        var populations = [
            Population(
                name: "input", shape: graph.inputShape, threshold: 1, reset: reset,
                initialPotential: 0, bias: nil, layer: 0, qcfsLambda: nil)
        ]
        var projections: [Projection] = []
        var values: [Value] = [.population(0)]
        func fail(_ i: Int, _ why: String) -> SpikeMeshError {
            SpikeMeshError(
                .unsupported,
                "\(graph.source): layer \(Text.quoted(graph.layers[i].name)) (\(graph.layers[i].op.typeName)): \(why)")
        }
        func materialize(_ i: Int, _ terms: [(source: Int, kind: Projection.Kind)], _ bias: [Float]?, lambda: Float?)
            -> Int
        {
            let p = populations.count
            populations.append(
                Population(
                    name: graph.layers[i].name, shape: graph.layers[i].shape, threshold: 1,
                    reset: reset, initialPotential: 0, bias: bias, layer: i, qcfsLambda: lambda))
            for t in terms { projections.append(Projection(source: t.source, target: p, kind: t.kind)) }
            return p
        }
        /// A pooled value as a population of its own (spiking pooling).
        func resolved(_ v: Value) -> Value {
            guard case .pooled(let l, let p, let pool, _, _, _) = v else { return v }
            return .population(materialize(l, [(p, .avgPool(pool))], nil, lambda: populations[p].qcfsLambda))
        }
        for i in graph.layers.indices.dropFirst() {
            let layer = graph.layers[i]
            var input = values[layer.inputs[0]]
            if case .pooled(let l, let p, let pool, let inShape, let pooledShape, _) = input {
                switch layer.op {
                case .conv2d(let conv):
                    if let folded = LinearPooling.compose(
                        conv, after: pool, input: inShape, pooled: pooledShape, output: layer.shape)
                    {
                        values.append(.pending(terms: [(p, .conv(folded))], bias: conv.bias, shape: layer.shape))
                        continue
                    }
                case .dense(let d):
                    if let folded = LinearPooling.compose(
                        dense: d.weights, after: pool, input: inShape, pooled: pooledShape)
                    {
                        values.append(.pending(terms: [(p, .dense(weights: folded))], bias: d.bias, shape: layer.shape))
                        continue
                    }
                case .flatten:
                    values.append(
                        .pooled(
                            layer: l, source: p, pool: pool, input: inShape, pooled: pooledShape, shape: layer.shape))
                    continue
                case .relu, .qcfs, .clip:
                    // Pooled rates are already non-negative; a bounded activation after a
                    // pooling is not folded (the pooled population keeps it).
                    if case .relu = layer.op {
                        values.append(input)
                        continue
                    }
                default: break
                }
                input = resolved(input)
                values[layer.inputs[0]] = input
            }
            if layer.inputs.count > 1 { values[layer.inputs[1]] = resolved(values[layer.inputs[1]]) }
            let value: Value
            switch layer.op {
            case .input:
                throw fail(i, "a second input")
            case .conv2d(let conv):
                guard case .population(let p) = input else {
                    throw fail(
                        i, "follows another linear layer without an activation between them; fold them in the ANN first"
                    )
                }
                var c = conv
                c.bias = nil
                value = .pending(terms: [(p, .conv(c))], bias: conv.bias, shape: layer.shape)
            case .dense(let d):
                guard case .population(let p) = input else {
                    throw fail(
                        i, "follows another linear layer without an activation between them; fold them in the ANN first"
                    )
                }
                value = .pending(terms: [(p, .dense(weights: d.weights))], bias: d.bias, shape: layer.shape)
            case .batchNorm(let bn):
                guard case .pending(let terms, let bias, let shape) = input,
                    terms.allSatisfy({ if case .identity = $0.kind { false } else { true } })
                else {
                    throw fail(i, "BatchNorm can only be folded into the Conv2d or Dense layer right before it")
                }
                let scaled = terms.map { term -> (source: Int, kind: Projection.Kind) in
                    switch term.kind {
                    case .conv(var c):
                        let per = c.fanIn
                        for o in 0..<c.outChannels { for k in 0..<per { c.weights[o * per + k] *= bn.scale[o] } }
                        return (term.source, .conv(c))
                    case .dense(var w):
                        let per = w.count / bn.scale.count
                        for o in 0..<bn.scale.count { for k in 0..<per { w[o * per + k] *= bn.scale[o] } }
                        return (term.source, .dense(weights: w))
                    default: return term
                    }
                }
                let newBias = (0..<bn.scale.count).map { (bias?[$0] ?? 0) * bn.scale[$0] + bn.shift[$0] }
                value = .pending(terms: scaled, bias: newBias, shape: shape)
            case .relu, .qcfs, .clip:
                var lambda: Float?
                if case .qcfs(let q) = layer.op { lambda = q.lambda }
                if case .clip(let lo, _) = layer.op, lo != 0 {
                    throw fail(i, "Clip with min \(lo) has no spiking equivalent (only min 0, a bounded ReLU)")
                }
                switch input {
                case .population(let p):
                    value = .population(p)  // rates are already non-negative
                case .pending(let terms, let bias, _):
                    value = .population(materialize(i, terms, bias, lambda: lambda))
                case .pooled: preconditionFailure("pooled inputs are resolved above")
                }
            case .avgPool, .globalAvgPool:
                guard case .population(let p) = input else {
                    throw fail(i, "average pooling must follow an activation (ReLU or QCFS)")
                }
                let s = graph.layers[layer.inputs[0]].shape
                var pool = Pool(
                    kernelHeight: s[1], kernelWidth: s[2], strideHeight: 1, strideWidth: 1, padding: .zero,
                    countIncludePad: true)
                if case .avgPool(let explicit) = layer.op { pool = explicit }
                if pooling == .linear && LinearPooling.isUniform(pool) {
                    value = .pooled(layer: i, source: p, pool: pool, input: s, pooled: layer.shape, shape: layer.shape)
                } else {
                    value = .population(materialize(i, [(p, .avgPool(pool))], nil, lambda: populations[p].qcfsLambda))
                }
            case .maxPool:
                throw fail(
                    i,
                    "max pooling has no exact spiking equivalent here; retrain with average pooling (nn.AvgPool2d), as the RMP-SNN paper does"
                )
            case .flatten:
                switch input {
                case .population, .pooled: value = input
                case .pending(let terms, let bias, _): value = .pending(terms: terms, bias: bias, shape: layer.shape)
                }
            case .add:
                let other = values[layer.inputs[1]]
                func parts(_ v: Value) -> ([(source: Int, kind: Projection.Kind)], [Float]?) {
                    switch v {
                    case .population(let p): return ([(p, .identity)], nil)
                    case .pending(let t, let b, _): return (t, b)
                    case .pooled: preconditionFailure("pooled inputs are resolved above")
                    }
                }
                let (t1, b1) = parts(input)
                let (t2, b2) = parts(other)
                var bias: [Float]?
                if b1 != nil || b2 != nil {
                    let n = layer.shape[0]
                    bias = (0..<n).map { (b1?[$0] ?? 0) + (b2?[$0] ?? 0) }
                }
                value = .pending(terms: t1 + t2, bias: bias, shape: layer.shape)
            }
            values.append(value)
        }
        let outputIndex = graph.output
        let output: Int
        switch resolved(values[outputIndex]) {
        case .pending(let terms, let bias, _):
            output = materialize(outputIndex, terms, bias, lambda: nil)
        case .population(let p):
            output = materialize(outputIndex, [(p, .identity)], nil, lambda: nil)
        case .pooled: preconditionFailure("resolved above")
        }
        guard output == populations.count - 1 else {
            throw SpikeMeshError(.unsupported, "\(graph.source): the output layer must come last")
        }
        return SpikingNetwork(
            populations: populations, projections: projections, output: output,
            metadata: ["source": graph.source, "pooling": pooling.rawValue])
    }
}
