import Foundation
import SpikeMeshCore
import SpikeMeshModel

/// The layer table of `spikemesh inspect`, as text and as JSON.
public struct ModelSummary: Sendable {
    public let graph: ANNGraph

    public init(graph: ANNGraph) { self.graph = graph }

    /// A short description of a layer's hyper-parameters, e.g. `3×3 s1 p1`.
    public static func details(_ op: LayerOp) -> String {
        func window(_ kh: Int, _ kw: Int, _ sh: Int, _ sw: Int, _ p: Padding) -> String {
            "\(kh)×\(kw) s\(sh == sw ? "\(sh)" : "\(sh),\(sw)") p\(p)"
        }
        switch op {
        case .conv2d(let c):
            return window(c.kernelHeight, c.kernelWidth, c.strideHeight, c.strideWidth, c.padding)
                + (c.bias == nil ? " no bias" : "")
        case .dense(let d): return d.bias == nil ? "no bias" : ""
        case .avgPool(let p):
            return window(p.kernelHeight, p.kernelWidth, p.strideHeight, p.strideWidth, p.padding)
                + (p.padding != .zero ? (p.countIncludePad ? " pad counted" : " pad not counted") : "")
        case .maxPool(let p): return window(p.kernelHeight, p.kernelWidth, p.strideHeight, p.strideWidth, p.padding)
        case .clip(let lo, let hi): return "[\(lo), \(hi)]"
        case .qcfs(let q): return String(format: "λ=%.4g L=%d", q.lambda, q.levels)
        default: return ""
        }
    }

    static func shapeText(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    public func text(normalization: Normalization?) -> String {
        var rows: [[String]] = [["#", "layer", "type", "inputs", "output", "params", "MACs", "details"]]
        for (i, layer) in graph.layers.enumerated() {
            rows.append([
                String(i), layer.name, layer.op.typeName,
                layer.inputs.map(String.init).joined(separator: ","),
                Self.shapeText(layer.shape),
                graph.parameterCount(i) == 0 ? "" : Self.grouped(graph.parameterCount(i)),
                graph.macCount(i) == 0 ? "" : Self.grouped(graph.macCount(i)),
                Self.details(layer.op),
            ])
        }
        let rightAligned: Set<Int> = [0, 5, 6]
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        var out = ""
        let producer = graph.metadata["onnx.producer"].map { ", \($0)" } ?? ""
        out +=
            "\(graph.source): \(graph.layers.count) layers, opset \(graph.metadata["onnx.opset"] ?? "?")\(producer)\n"
        for row in rows {
            let cells = row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }
            var line = "  " + cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        out +=
            "total: \(Self.grouped(graph.totalParameters)) parameters, \(Self.grouped(graph.totalMACs)) MACs per image (convolution and dense layers)\n"
        out +=
            "input \(Self.shapeText(graph.inputShape)) → output \(Self.shapeText(graph.outputShape)) (layer \(graph.output))\n"
        if let n = normalization {
            out +=
                "normalization: mean \(n.mean.map { String(format: "%.4g", $0) }.joined(separator: ",")), std \(n.std.map { String(format: "%.4g", $0) }.joined(separator: ",")) (\(n.origin))\n"
        }
        if let acc = graph.metadata["spikemesh.pytorch_test_accuracy"] {
            out += "recorded PyTorch test accuracy: \(acc)\n"
        }
        return out
    }

    public func json(normalization: Normalization?) -> JSON {
        let layers: [JSON] = graph.layers.enumerated().map { i, layer in
            var fields: [(String, JSON)] = [
                ("index", .int(i)), ("name", .string(layer.name)), ("type", .string(layer.op.typeName)),
                ("inputs", .array(layer.inputs.map { .int($0) })), ("shape", .array(layer.shape.map { .int($0) })),
                ("parameters", .int(graph.parameterCount(i))), ("macs", .int(graph.macCount(i))),
            ]
            let d = Self.details(layer.op)
            if !d.isEmpty { fields.append(("details", .string(d))) }
            if case .qcfs(let q) = layer.op {
                fields.append(("lambda", .float(q.lambda)))
                fields.append(("levels", .int(q.levels)))
            }
            return .object(fields)
        }
        var fields: [(String, JSON)] = [
            ("model", .string(graph.source)),
            ("inputShape", .array(graph.inputShape.map { .int($0) })),
            ("outputShape", .array(graph.outputShape.map { .int($0) })),
            ("outputLayer", .int(graph.output)),
            ("layers", .array(layers)),
            ("totalParameters", .int(graph.totalParameters)),
            ("totalMACs", .int(graph.totalMACs)),
            ("metadata", .object(graph.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]
        if let n = normalization {
            fields.append(
                (
                    "normalization",
                    .object([
                        ("mean", .array(n.mean.map { JSON.float($0) })),
                        ("std", .array(n.std.map { JSON.float($0) })),
                        ("origin", .string(n.origin)),
                    ])
                ))
        }
        return .object(fields)
    }
}
