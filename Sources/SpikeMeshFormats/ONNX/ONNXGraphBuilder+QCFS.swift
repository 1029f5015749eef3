import SpikeMeshCore
import SpikeMeshModel

/// Recognition of the QCFS activation in its exported form: a chain of single-consumer
/// element-wise nodes, each with one activation input and scalar constants otherwise
/// (Mul, Div, Add, Sub, Floor, Clip, Relu, Max, Min), containing a Floor.
///
/// The chain is evaluated as a scalar function f and accepted when
/// `f(z) = λ·clip(floor(z·L/λ + ½)/L, 0, 1)` for `λ = f(+∞)` and `L` = its number of steps,
/// checked on a dense sweep of z away from the step edges. The chain's exact op order
/// (`x/λ·L + ½` or `x·(L/λ) + ½`, clip before or after the floor) therefore does not matter.
extension ONNXGraphBuilder {
    /// One step of a chain as a scalar function, if `node` can be one with `input` as its activation.
    func chainStep(_ node: ONNXNodeProto, input: String) throws -> ((Float) -> Float)? {
        guard let dataIndex = node.inputs.firstIndex(of: input), node.outputs.count == 1 else { return nil }
        // Every other present input must be a scalar constant.
        var scalars: [Int: Float] = [:]
        for (i, name) in node.inputs.enumerated() where i != dataIndex && !name.isEmpty {
            guard case .constant(let c)? = values[name], c.count == 1 else { return nil }
            scalars[i] = c.floats[0]
        }
        let other = scalars.first?.value
        switch node.opType {
        case "Floor": return scalars.isEmpty ? { $0.rounded(.down) } : nil
        case "Relu": return scalars.isEmpty ? { max($0, 0) } : nil
        case "Mul": return other.map { c in { $0 * c } }
        case "Add": return other.map { c in { $0 + c } }
        case "Sub": return other.map { c in dataIndex == 0 ? { $0 - c } : { c - $0 } }
        case "Div": return dataIndex == 0 ? other.map { c in { $0 / c } } : nil
        case "Max": return other.map { c in { max($0, c) } }
        case "Min": return other.map { c in { min($0, c) } }
        case "Clip":
            guard dataIndex == 0 else { return nil }
            let lo = opset < 11 ? floatAttribute(node, "min", default: -.infinity) : (scalars[1] ?? -.infinity)
            let hi = opset < 11 ? floatAttribute(node, "max", default: .infinity) : (scalars[2] ?? .infinity)
            return { min(max($0, lo), hi) }
        default: return nil
        }
    }

    /// Fuses a QCFS chain starting at node `index`, if there is one; returns whether it did.
    mutating func fuseQCFSChain(startingAt index: Int) throws -> Bool {
        let first = nodes[index]
        guard let input = first.inputs.first(where: isData), case .data(let x)? = values[input],
            let step = try chainStep(first, input: input)
        else { return false }
        var chain = [index]
        var functions = [step]
        var sawFloor = first.opType == "Floor"
        var tail = first
        // Nodes are in topological order, so a chain only moves forward; a node that feeds
        // an earlier one (a cycle in a corrupt file) ends it instead of looping forever.
        while let out = tail.outputs.first, let next = soleConsumer(of: out), next > chain.last!,
            let f = try chainStep(nodes[next], input: out)
        {
            chain.append(next)
            functions.append(f)
            sawFloor = sawFloor || nodes[next].opType == "Floor"
            tail = nodes[next]
        }
        guard sawFloor else { return false }
        // The chain may run on past the activation (e.g. into a bias Add); trim it to end at
        // the last node where the function is a QCFS.
        let evaluate: (Int, Float) -> Float = { count, z in functions.prefix(count).reduce(z) { $1($0) } }
        var qcfs: QCFS?
        var length = chain.count
        while length > 0 {
            if let q = Self.matchQCFS({ evaluate(length, $0) }) {
                qcfs = q
                break
            }
            length -= 1
        }
        let names = chain.prefix(max(length, 1)).map { nodes[$0].name.isEmpty ? nodes[$0].opType : nodes[$0].name }
        guard let qcfs else {
            throw SpikeMeshError(
                .unsupported,
                "the element-wise chain \(names.joined(separator: " → ")) contains a Floor but does not compute the QCFS activation λ·clip(floor(z·L/λ + ½)/L, 0, 1); no other use of Floor is supported"
            )
        }
        let used = Array(chain.prefix(length))
        for i in used { fused.insert(i) }
        let layer = try ann.append(layerName(first), .qcfs(qcfs), inputs: [x])
        let last = nodes[used.last ?? index]
        setOutput(last, .data(layer))
        return true
    }

    /// λ and L if `f` is a QCFS function, else nil.
    static func matchQCFS(_ f: (Float) -> Float) -> QCFS? {
        let lambda = f(1e6)
        guard lambda.isFinite, lambda > 0, f(-1e6) == 0 else { return nil }
        let samples = 4_000
        var levels = Set<Float>()
        var zs: [Float] = []
        for i in 0...samples {
            let z = lambda * (-0.5 + 2 * Float(i) / Float(samples))
            zs.append(z)
            levels.insert(f(z))
        }
        let l = levels.count - 1
        guard l >= 1, l <= 256 else { return nil }
        let q = QCFS(lambda: lambda, levels: l)
        let edgeTolerance = 1e-3 * lambda / Float(l)
        for z in zs {
            let position = z / lambda * Float(l) + 0.5
            if abs(position - position.rounded()) * lambda / Float(l) < edgeTolerance { continue }
            if abs(f(z) - q(z)) > 1e-5 * lambda { return nil }
        }
        return q
    }
}
