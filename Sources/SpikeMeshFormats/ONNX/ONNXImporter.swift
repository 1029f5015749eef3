import Foundation
import SpikeMeshCore
import SpikeMeshModel

/// Reads an ONNX file into an `ANNGraph`.
///
/// What both PyTorch exporters write is understood: `dynamo=False` (Flatten, Gemm) and
/// `dynamo=True` (Reshape with a constant shape, MatMul + Add, weights in a `.onnx.data`
/// file). Shape arithmetic (`Shape → Gather → Unsqueeze → Concat → Reshape`, as
/// `x.view(x.size(0), -1)` exports) is folded to constants. A chain of scalar element-wise
/// ops around a `Floor` is recognised as the QCFS activation when it computes
/// `λ·clip(floor(z·L/λ + ½)/L, 0, 1)` (checked numerically, so the chain's exact op order
/// does not matter). Biases that follow a MatMul/Conv as an `Add` are folded into the layer.
public enum ONNXImporter {
    /// The default-domain opsets accepted. 11–21 are tested; 22 and 23 changed no semantics
    /// of the supported ops.
    public static let supportedOpsets: ClosedRange<Int64> = 11...23

    /// Ops the importer understands, for the "unsupported op" error and `--help`.
    public static let supportedOps: [String] = [
        "Add", "AveragePool", "BatchNormalization", "Cast", "CastLike", "Clip", "Concat", "Constant", "Conv",
        "Div", "Dropout", "Expand", "Flatten", "Floor", "Gather", "Gemm", "GlobalAveragePool", "Identity",
        "MatMul", "Max", "MaxPool", "Min", "Mul", "ReduceMean", "Relu", "Reshape", "Shape", "Slice", "Squeeze",
        "Sub", "Unsqueeze",
    ]

    /// Loads an `.onnx` file; errors name the file.
    public static func load(path: String) throws -> ANNGraph {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        let bytes = try InputFile.read(path)
        do {
            return try importModel(bytes: bytes, source: name, directory: url.deletingLastPathComponent().path)
        } catch let e as SpikeMeshError {
            if e.code == .malformed, !path.lowercased().hasSuffix(".onnx") {
                throw SpikeMeshError(e.code, "\(e.message) (is this an ONNX file?)").prefixed(name)
            }
            throw e.prefixed(name)
        }
    }

    /// Imports a model from its bytes. `directory` is where external tensor data files are
    /// looked up (nil: external data is an error).
    package static func importModel(bytes: [UInt8], source: String, directory: String?) throws -> ANNGraph {
        let model = try ONNXModelProto(bytes: bytes)
        guard model.hasGraph else {
            throw SpikeMeshError(.invalidModel, "no graph in the model (is this an ONNX file?)")
        }
        guard let opset = model.defaultOpset else {
            throw SpikeMeshError(.invalidModel, "the model declares no opset for the default ONNX domain")
        }
        guard supportedOpsets.contains(opset) else {
            throw SpikeMeshError(
                .unsupported,
                "opset \(opset) is not supported (\(supportedOpsets.lowerBound)–\(supportedOpsets.upperBound)); re-export with opset_version=17, say"
            )
        }
        var cache: [String: [UInt8]] = [:]
        let external: (String) throws -> [UInt8] = { location in
            if let bytes = cache[location] { return bytes }
            guard let directory else {
                throw SpikeMeshError(
                    .io, "external data \(Text.quoted(location)) cannot be read: the model was not loaded from a file")
            }
            let path = (directory as NSString).appendingPathComponent(location)
            guard FileManager.default.fileExists(atPath: path) else {
                throw SpikeMeshError(
                    .io,
                    "external data file \(Text.quoted(location)) is missing (looked in \(directory)); keep it beside the model"
                )
            }
            // Resolved, not trusted: with symlinks and `..` followed, the file must stay in the
            // model's folder, as onnx ≥ 1.16 requires (a link to /etc/passwd is not weights).
            let folder = InputFile.realPath(directory)
            let real = InputFile.realPath(path)
            guard real.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
                throw SpikeMeshError(
                    .invalidModel,
                    "external data \(Text.quoted(location)) resolves to \(Text.escaped(real)), outside the model's folder \(Text.escaped(folder)); keep the data file itself beside the model"
                )
            }
            let bytes = try InputFile.read(real)
            cache[location] = bytes
            return bytes
        }
        var builder = try ONNXGraphBuilder(graph: model.graph, opset: opset, source: source, externalFiles: external)
        try builder.build()
        var graph = builder.ann
        for (key, value) in model.metadata { graph.metadata[key] = value }
        if !model.producerName.isEmpty {
            graph.metadata["onnx.producer"] =
                model.producerName + (model.producerVersion.isEmpty ? "" : " " + model.producerVersion)
        }
        graph.metadata["onnx.opset"] = String(opset)
        return graph
    }
}
