import SpikeMeshCore
import SpikeMeshModel

/// Walks an ONNX graph's nodes in order and builds the `ANNGraph`.
struct ONNXGraphBuilder {
    /// What a tensor name refers to while building.
    enum Value {
        /// The output of a layer of the ANN graph (a per-sample activation).
        case data(Int)
        case constant(ConstantTensor)
    }

    /// Stands for the batch dimension in folded shape tensors (`Shape` of an activation).
    static let batchMarker: Int64 = -(1 << 40)

    let nodes: [ONNXNodeProto]
    let opset: Int64
    let source: String
    let outputName: String
    var ann: ANNGraph
    var values: [String: Value] = [:]
    /// Node indices consuming each tensor name.
    var consumers: [String: [Int]] = [:]
    /// Nodes already handled as part of a fused pattern.
    var fused: Set<Int> = []

    init(graph: ONNXGraphProto, opset: Int64, source: String, externalFiles: (String) throws -> [UInt8]) throws {
        nodes = graph.nodes
        self.opset = opset
        self.source = source
        var table: [String: Value] = [:]
        for (index, tensor) in graph.initializers.enumerated() {
            guard !tensor.name.isEmpty else { throw SpikeMeshError(.invalidModel, "initializer #\(index) has no name") }
            table[tensor.name] = .constant(try tensor.materialize(externalFiles: externalFiles))
        }
        guard graph.sparseInitializerCount == 0 else {
            throw SpikeMeshError(.unsupported, "sparse initializers are not supported")
        }
        let dataInputs = graph.inputs.filter { table[$0.name] == nil }
        guard dataInputs.count == 1, let input = dataInputs.first else {
            throw SpikeMeshError(
                .unsupported,
                "the graph has \(dataInputs.count) data inputs (\(dataInputs.map(\.name).joined(separator: ", "))); SpikeMesh needs exactly one image or feature input"
            )
        }
        guard input.elementType == 1 || input.elementType == 0 else {
            throw SpikeMeshError(
                .unsupported,
                "input \(Text.quoted(input.name)) has element type \(input.elementType); only float (1) is supported")
        }
        guard let dims = input.dims, dims.count == 4 || dims.count == 2 else {
            throw SpikeMeshError(
                .unsupported,
                "input \(Text.quoted(input.name)) must have shape [N, C, H, W] or [N, F], has \(input.dims.map { "\($0.count) dimensions" } ?? "no shape")"
            )
        }
        var shape: [Int] = []
        for (axis, d) in dims.enumerated().dropFirst() {
            guard case .value(let v) = d, v > 0, v <= 1 << 24 else {
                throw SpikeMeshError(
                    .unsupported,
                    "input \(Text.quoted(input.name)): dimension \(axis) is \(d); all but the batch dimension must be fixed positive sizes"
                )
            }
            shape.append(Int(v))
        }
        ann = try ANNGraph(inputShape: shape, inputName: input.name, source: source)
        table[input.name] = .data(0)

        guard graph.outputs.count == 1, let output = graph.outputs.first else {
            throw SpikeMeshError(
                .unsupported, "the graph has \(graph.outputs.count) outputs; SpikeMesh needs exactly one (the logits)")
        }
        outputName = output.name
        outputDims = output.dims
        values = table
        for (i, node) in nodes.enumerated() {
            for name in node.inputs where !name.isEmpty { consumers[name, default: []].append(i) }
        }
    }

    let outputDims: [ONNXValueInfo.Dimension]?

    mutating func build() throws {
        // Constant nodes first: exporters interleave them with the chains that use them.
        for index in nodes.indices where nodes[index].opType == "Constant" {
            do {
                _ = try foldConstant(nodes[index])
            } catch let e as SpikeMeshError {
                throw e.prefixed(label(index))
            }
            fused.insert(index)
        }
        for index in nodes.indices where !fused.contains(index) {
            do {
                try handle(index)
            } catch let e as SpikeMeshError {
                throw e.prefixed(label(index))
            }
        }
        guard let value = values[outputName] else {
            throw SpikeMeshError(.invalidModel, "graph output \(Text.quoted(outputName)) is not produced by any node")
        }
        guard case .data(let layer) = value else {
            throw SpikeMeshError(
                .unsupported, "graph output \(Text.quoted(outputName)) is a constant, not computed from the input")
        }
        ann.output = layer
        if let dims = outputDims {
            let expected = dims.dropFirst().map { d -> Int? in if case .value(let v) = d { Int(v) } else { nil } }
            let ours = ann.layers[layer].shape
            if expected.count != ours.count || zip(expected, ours).contains(where: { $0 != nil && $0 != $1 }) {
                throw SpikeMeshError(
                    .invalidModel,
                    "graph output \(Text.quoted(outputName)) is declared with per-sample shape \(ONNXValueInfo.Dimension.shape(dims.dropFirst())), but the layers compute \(ours)"
                )
            }
        }
    }

    func label(_ index: Int) -> String {
        let node = nodes[index]
        let name = node.name.isEmpty ? "#\(index)" : "\(Text.quoted(node.name))"
        return "node \(name) (\(Text.escaped(node.opType)))"
    }

    // MARK: Operands

    func value(_ name: String) throws -> Value {
        guard let v = values[name] else {
            throw SpikeMeshError(
                .invalidModel,
                "input \(Text.quoted(name)) is not produced by any earlier node, initializer or graph input")
        }
        return v
    }

    func data(_ node: ONNXNodeProto, _ i: Int) throws -> Int {
        guard i < node.inputs.count, !node.inputs[i].isEmpty else {
            throw SpikeMeshError(.invalidModel, "input \(i) is missing")
        }
        guard case .data(let layer) = try value(node.inputs[i]) else {
            throw SpikeMeshError(
                .unsupported,
                "input \(i) \(Text.quoted(node.inputs[i])) must be computed from the network input, but it is a constant"
            )
        }
        return layer
    }

    func constant(_ node: ONNXNodeProto, _ i: Int, _ what: String) throws -> ConstantTensor {
        guard i < node.inputs.count, !node.inputs[i].isEmpty else {
            throw SpikeMeshError(.invalidModel, "input \(i) (\(what)) is missing")
        }
        guard case .constant(let c) = try value(node.inputs[i]) else {
            throw SpikeMeshError(
                .unsupported,
                "input \(i) (\(what)) \(Text.quoted(node.inputs[i])) must be a constant (an initializer), but it is computed from the network input"
            )
        }
        return c
    }

    func optionalConstant(_ node: ONNXNodeProto, _ i: Int, _ what: String) throws -> ConstantTensor? {
        guard i < node.inputs.count, !node.inputs[i].isEmpty else { return nil }
        return try constant(node, i, what)
    }

    func isData(_ name: String) -> Bool {
        if case .data = values[name] { return true }
        return false
    }

    func intAttribute(_ node: ONNXNodeProto, _ name: String, default value: Int64) -> Int64 {
        node.attribute(name)?.i ?? value
    }

    func intsAttribute(_ node: ONNXNodeProto, _ name: String) -> [Int64]? {
        node.attribute(name)?.ints
    }

    func floatAttribute(_ node: ONNXNodeProto, _ name: String, default value: Float) -> Float {
        node.attribute(name)?.f ?? value
    }

    func stringAttribute(_ node: ONNXNodeProto, _ name: String) -> String? {
        node.attribute(name).map { String(decoding: $0.s, as: UTF8.self) }
    }

    mutating func setOutput(_ node: ONNXNodeProto, _ value: Value) {
        if let name = node.outputs.first, !name.isEmpty { values[name] = value }
    }

    /// Names a layer after its ONNX node (or output tensor, if the node has no name).
    func layerName(_ node: ONNXNodeProto) -> String {
        node.name.isEmpty ? (node.outputs.first ?? node.opType) : node.name
    }

    mutating func emit(_ node: ONNXNodeProto, _ op: LayerOp, inputs: [Int]) throws {
        let index = try ann.append(layerName(node), op, inputs: inputs)
        setOutput(node, .data(index))
    }

    /// The only consumer of a tensor, if it has exactly one and is not the graph output.
    func soleConsumer(of name: String) -> Int? {
        guard name != outputName, let list = consumers[name], list.count == 1 else { return nil }
        return list[0]
    }

    // MARK: Dispatch

    mutating func handle(_ index: Int) throws {
        let node = nodes[index]
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw SpikeMeshError(
                .unsupported,
                "op \(Text.escaped(node.opType)) of domain \(Text.quoted(node.domain)) is not supported (only the default ONNX domain; export with function inlining)"
            )
        }
        // Shape arithmetic on constants folds, whatever the op.
        if try foldConstant(node) { return }
        if try fuseQCFSChain(startingAt: index) { return }
        switch node.opType {
        case "Identity", "Dropout":
            if node.outputs.count > 1, !node.outputs[1].isEmpty, consumers[node.outputs[1]] != nil {
                throw SpikeMeshError(.unsupported, "the Dropout mask output is used; only inference is supported")
            }
            setOutput(node, try value(node.inputs.first ?? ""))
        case "Conv": try importConv(node)
        case "Gemm": try importGemm(node)
        case "MatMul": try importMatMul(node)
        case "Add": try importAdd(node, index: index)
        case "BatchNormalization": try importBatchNorm(node)
        case "Relu": try emit(node, .relu, inputs: [try data(node, 0)])
        case "Clip": try importClip(node)
        case "AveragePool", "MaxPool": try importPool(node)
        case "GlobalAveragePool": try emit(node, .globalAvgPool, inputs: [try data(node, 0)])
        case "ReduceMean": try importReduceMean(node)
        case "Flatten": try importFlatten(node)
        case "Reshape": try importReshape(node)
        case "Shape": try importShape(node)
        default:
            if ONNXImporter.supportedOps.contains(node.opType) {
                throw SpikeMeshError(
                    .unsupported,
                    "op \(Text.escaped(node.opType)) is supported only on constants or as part of a QCFS activation chain; here it is applied to \(node.inputs.filter(isData).map { "\(Text.quoted($0))" }.joined(separator: ", "))"
                )
            }
            throw SpikeMeshError(
                .unsupported,
                "op \(Text.escaped(node.opType)) is not supported; supported ops: \(ONNXImporter.supportedOps.joined(separator: ", "))"
            )
        }
    }
}
