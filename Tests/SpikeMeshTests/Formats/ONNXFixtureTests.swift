import Foundation
import Testing

@testable import SpikeMeshFormats
@testable import SpikeMeshInference
@testable import SpikeMeshModel

/// Every fixture model, from both PyTorch exporters and from onnx.helper, must give
/// onnxruntime's outputs within 1e-4 (Tools/make_fixtures.py wrote them).
@Suite struct ONNXFixtureTests {
    static let fixtures = [
        "tiny_cnn_legacy", "tiny_cnn_dynamo", "tiny_view_legacy",
        "tiny_resnet_legacy", "tiny_resnet_dynamo",
        "tiny_qcfs_legacy", "tiny_qcfs_dynamo",
        "mlp_dynamo", "handmade_ops", "handmade_opset11", "handmade_opset21",
        // Exporter variants (Tools/make_exporter_fixtures.py).
        "tiny_resnet_dynamo_noopt", "tiny_cnn_opset11", "handmade_same_upper",
    ]

    @Test(arguments: fixtures)
    func matchesOnnxruntime(_ name: String) throws {
        let expected = try Fixtures.expected(name)
        let graph = try ONNXImporter.load(path: Fixtures.path("onnx/\(name).onnx"))
        let batch = expected.inputShape[0]
        #expect(graph.inputShape == Array(expected.inputShape.dropFirst()))
        #expect(graph.outputShape == Array(expected.outputShape.dropFirst()))
        for workers in [1, 2] {
            let output = ANNEngine(graph: graph, workers: workers).forward(expected.input, count: batch)
            #expect(output.count == expected.output.count)
            let worst = zip(output, expected.output).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4, "\(name): largest difference \(worst) with \(workers) worker(s)")
        }
    }

    @Test func bothExportersGiveTheSameGraph() throws {
        for base in ["tiny_cnn", "tiny_resnet", "tiny_qcfs"] {
            let legacy = try ONNXImporter.load(path: Fixtures.path("onnx/\(base)_legacy.onnx"))
            let dynamo = try ONNXImporter.load(path: Fixtures.path("onnx/\(base)_dynamo.onnx"))
            #expect(legacy.layers.map(\.op.typeName) == dynamo.layers.map(\.op.typeName), "\(base)")
            #expect(legacy.layers.map(\.shape) == dynamo.layers.map(\.shape), "\(base)")
            #expect(legacy.totalParameters == dynamo.totalParameters, "\(base)")
        }
    }

    @Test func qcfsChainsBecomeOneLayerWithTheirLambda() throws {
        for name in ["tiny_qcfs_legacy", "tiny_qcfs_dynamo"] {
            let graph = try ONNXImporter.load(path: Fixtures.path("onnx/\(name).onnx"))
            let qcfs = graph.layers.compactMap { layer -> QCFS? in
                if case .qcfs(let q) = layer.op { return q } else { return nil }
            }
            #expect(qcfs.count == 2)
            #expect(abs((qcfs.first?.lambda ?? 0) - 1.7) < 1e-6)
            #expect(abs((qcfs.last?.lambda ?? 0) - 2.3) < 1e-6)
            #expect(qcfs.allSatisfy { $0.levels == 4 })
        }
    }

    @Test func handmadeModelKeepsAsymmetricPaddingAndFoldsGemmScaling() throws {
        let graph = try ONNXImporter.load(path: Fixtures.path("onnx/handmade_ops.onnx"))
        guard case .conv2d(let conv) = graph.layers[1].op else {
            Issue.record("layer 1 is not a convolution")
            return
        }
        #expect(conv.padding == Padding(top: 0, left: 1, bottom: 1, right: 2))
        #expect(conv.kernelHeight == 3 && conv.kernelWidth == 2)
        #expect(
            graph.layers.map(\.op.typeName) == [
                "Input", "Conv2d", "Clip", "AvgPool", "Flatten", "Dense", "ReLU", "Dense",
            ])
        // MatMul + Add became one Dense layer with a bias.
        guard case .dense(let last) = graph.layers[7].op else {
            Issue.record("layer 7 is not dense")
            return
        }
        #expect(last.bias?.count == 4)
    }
}
