import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats
@testable import SpikeMeshInference
@testable import SpikeMeshModel

/// Bad models give precise errors, never a crash.
@Suite struct ONNXImporterErrorTests {
    func importError(_ bytes: [UInt8]) -> SpikeMeshError? {
        do {
            _ = try ONNXImporter.importModel(bytes: bytes, source: "m.onnx", directory: nil)
            return nil
        } catch let e as SpikeMeshError {
            return e
        } catch {
            return SpikeMeshError(.io, "unexpected \(error)")
        }
    }

    /// input [N, 1, side, side] → Flatten → Gemm `name` (B: [outs, ins], transB=1) → output.
    func gemmModel(
        op: String = "Gemm", name: String = "fc", side: Int64 = 4, ins: Int64 = 16, outs: Int64 = 3,
        initializers: Bool = true
    ) -> [UInt8] {
        ProtoWriter.model { g in
            g.message(1, ProtoWriter.node("Flatten", name: "flat", inputs: ["x"], outputs: ["f"]))
            g.message(
                1,
                ProtoWriter.node(
                    op, name: name, inputs: ["f", "W", "b"], outputs: ["y"],
                    attributes: [
                        { a in
                            a.string(1, "transB")
                            a.int(3, 1)
                            a.int(20, 2)
                        }
                    ]))
            if initializers {
                g.message(
                    5,
                    ProtoWriter.floatTensor(
                        "W", dims: [outs, ins], values: [Float](repeating: 0.5, count: Int(outs * ins))))
                g.message(
                    5, ProtoWriter.floatTensor("b", dims: [outs], values: [Float](repeating: 1, count: Int(outs))))
            }
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1, side, side]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, outs]))
        }
    }

    @Test func handBuiltModelImportsAndComputes() throws {
        let graph = try ONNXImporter.importModel(bytes: gemmModel(), source: "m.onnx", directory: nil)
        #expect(graph.layers.map(\.op.typeName) == ["Input", "Flatten", "Dense"])
        // Every output is 1 + 0.5 · Σ x; with x = 1..16 that is 1 + 0.5 · 136 = 69.
        let out = ANNEngine(graph: graph).forward((1...16).map(Float.init), count: 1)
        #expect(out == [69, 69, 69])
    }

    @Test func unsupportedOpNamesOpNodeAndSupportedList() {
        let e = importError(gemmModel(op: "Resize"))
        #expect(e?.code == .unsupported)
        #expect(
            e?.message.hasPrefix("node \"fc\" (Resize): op Resize is not supported; supported ops: Add, AveragePool")
                == true, "\(String(describing: e))")
    }

    @Test func missingInitializerNamesTheTensor() {
        let e = importError(gemmModel(initializers: false))
        #expect(e?.code == .invalidModel)
        #expect(
            e?.message
                == "node \"fc\" (Gemm): input \"W\" is not produced by any earlier node, initializer or graph input")
    }

    @Test func shapeMismatchSaysBothSizes() {
        let e = importError(gemmModel(ins: 20))
        #expect(e?.code == .invalidModel)
        #expect(e?.message == "node \"fc\" (Gemm): B [3, 20] (transposed) expects 20 input features, the input has 16")
    }

    @Test func declaredOutputShapeIsChecked() {
        let bytes = ProtoWriter.model { g in
            g.message(1, ProtoWriter.node("Flatten", name: "flat", inputs: ["x"], outputs: ["y"]))
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1, 4, 4]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 15]))
        }
        let e = importError(bytes)
        #expect(e?.message == "graph output \"y\" is declared with per-sample shape [15], but the layers compute [16]")
    }

    @Test func groupedConvolutionIsRejected() {
        let bytes = ProtoWriter.model { g in
            g.message(
                1,
                ProtoWriter.node(
                    "Conv", name: "Conv_3", inputs: ["x", "W"], outputs: ["y"],
                    attributes: [
                        { a in
                            a.string(1, "group")
                            a.int(3, 2)
                            a.int(20, 2)
                        }
                    ]))
            g.message(5, ProtoWriter.floatTensor("W", dims: [2, 1, 3, 3], values: [Float](repeating: 0, count: 18)))
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 2, 4, 4]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 2, 2, 2]))
        }
        #expect(
            importError(bytes)?.message == "node \"Conv_3\" (Conv): attribute \"group\" = 2 is not supported (only 1)")
    }

    @Test func unsupportedOpsetIsNamed() {
        let bytes = ProtoWriter.model(opset: 9) { g in
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 4]))
        }
        #expect(importError(bytes)?.message.hasPrefix("opset 9 is not supported (11–23)") == true)
    }

    @Test func rawDataOfTheWrongSizeIsRejected() {
        let bytes = ProtoWriter.model { g in
            g.message(5) { t in
                t.int(1, 4)
                t.int(2, 1)
                t.bytesField(9, [0, 0, 0])
                t.string(8, "W")
            }
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 4]))
        }
        #expect(
            importError(bytes)?.message == "initializer \"W\": raw data has 3 bytes, dims [4] of type float need 16")
    }

    @Test func truncatedFilesFailWithAnOffsetAndNeverCrash() throws {
        let bytes = try Fixtures.bytes(Fixtures.path("onnx/tiny_cnn_legacy.onnx"))
        // Cut inside the graph: a length that runs past the end.
        let cut = Array(bytes.prefix(bytes.count / 2))
        let e = importError(cut)
        #expect(e?.code == .malformed)
        #expect(
            e?.message.contains("exceeds the") == true || e?.message.contains("truncated") == true,
            "\(String(describing: e))")
        #expect(e?.message.contains("at byte") == true)
        // Every prefix either imports (a cut at a field boundary can still be a whole model)
        // or throws a SpikeMeshError; none may trap.
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            _ = importError(Array(bytes.prefix(length)))
        }
        // Flipped bytes too.
        var rng = SplitMix(state: 7)  // the simulator's generator
        for _ in 0..<50 {
            var corrupt = bytes
            for _ in 0..<4 { corrupt[Int(rng.next() % UInt64(corrupt.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = importError(corrupt)
        }
    }

    @Test func missingExternalDataFileIsNamed() throws {
        let bytes = try Fixtures.bytes(Fixtures.path("onnx/tiny_cnn_dynamo.onnx"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikemesh-ext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("copy.onnx").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ONNXImporter.load(path: path)
            Issue.record("imported without its data file")
        } catch let e as SpikeMeshError {
            #expect(e.message.hasPrefix("copy.onnx: initializer"))
            #expect(e.message.contains("external data file \"tiny_cnn_dynamo.onnx.data\" is missing"))
        }
    }

    /// External data was found by its path string only: `tiny_cnn_dynamo.onnx.data ->
    /// /etc/passwd` beside the model was read as weights. A link inside the folder is followed.
    @Test func externalDataLinkedOutsideTheModelsFolderWasReadAsWeights() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikemesh-ext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("model"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("model/copy.onnx").path
        let data = dir.appendingPathComponent("model/tiny_cnn_dynamo.onnx.data").path
        try FileManager.default.copyItem(atPath: Fixtures.path("onnx/tiny_cnn_dynamo.onnx"), toPath: model)
        // Outside the folder: refused, naming where it leads.
        try FileManager.default.copyItem(
            atPath: Fixtures.path("onnx/tiny_cnn_dynamo.onnx.data"),
            toPath: dir.appendingPathComponent("elsewhere.data").path)
        try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: "../elsewhere.data")
        #expect {
            try ONNXImporter.load(path: model)
        } throws: { e in
            let m = (e as? SpikeMeshError)?.message ?? ""
            return m.contains("external data \"tiny_cnn_dynamo.onnx.data\" resolves to")
                && m.contains("elsewhere.data, outside the model's folder")
        }
        // Inside the folder: followed.
        try FileManager.default.removeItem(atPath: data)
        try FileManager.default.moveItem(
            atPath: dir.appendingPathComponent("elsewhere.data").path,
            toPath: dir.appendingPathComponent("model/real.data").path)
        try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: "real.data")
        #expect(try ONNXImporter.load(path: model).layers.count > 0)
    }

    /// Names from a corrupt file used to be printed raw: a newline, NUL or escape sequence in a
    /// node, op or domain name broke the one-line error. They are escaped, and long ones cut.
    @Test func controlCharactersInNamesAreEscapedInMessages() throws {
        let hostile = "Q\n\0\u{1b}[31m" + String(repeating: "x", count: 300)
        let bytes = ProtoWriter.model { g in
            g.message(1) { w in
                ProtoWriter.node("Resize\r", name: hostile, inputs: ["x"], outputs: ["y"])(&w)
                w.string(7, "\n\tceil_mode")
            }
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1, 4, 4]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 16]))
        }
        let e = try #require(importError(bytes))
        #expect(e.message.hasPrefix(#"node "Q\n\0\u{1b}[31mxxx"#), "\(e.message)")
        #expect(e.message.contains(#"op Resize\r of domain "\n\tceil_mode" is not supported"#), "\(e.message)")
        #expect(e.message.contains("x…\""), "a 300-character name is cut: \(e.message)")
        #expect(
            !e.message.unicodeScalars.contains { $0.properties.generalCategory == .control },
            "\(e.message.debugDescription)")
        // Through the CLI: one line on stderr, exit 1.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).onnx")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let r = try CommandLineTests.run(["inspect", path])
        #expect(
            r.code == 1 && r.stderr.hasPrefix("error: ") && r.stderr.filter { $0 == "\n" }.count == 1,
            "\(r.stderr.debugDescription)")
        #expect(!r.stderr.dropLast().unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test func textEscapesEveryControlCharacterAndCutsLongNames() {
        #expect(Text.escaped("a\nb\tc\rd\0e\u{1b}f\u{7f}g\u{2028}h\\i") == #"a\nb\tc\rd\0e\u{1b}f\u{7f}g\u{2028}h\\i"#)
        #expect(Text.quoted("say \"hi\"") == #""say \"hi\"""#)
        #expect(Text.escaped(String(repeating: "é", count: 100), limit: 5) == "ééééé…")
        #expect(Text.escaped("Conv_3/features.0") == "Conv_3/features.0")
        #expect(Text.singleLine("path\\x\nnext") == #"path\x\nnext"#)
    }

    /// The Gemm model with extra nodes over int64 initializers (folded as constants before the
    /// layers are built).
    func foldingModel(_ nodes: [(op: String, inputs: [String])], constants: [(String, [Int64])]) -> [UInt8] {
        ProtoWriter.model { g in
            for (k, n) in nodes.enumerated() {
                g.message(1, ProtoWriter.node(n.op, name: "fold\(k)", inputs: n.inputs, outputs: ["folded\(k)"]))
            }
            g.message(1, ProtoWriter.node("Flatten", name: "flat", inputs: ["x"], outputs: ["f"]))
            g.message(
                1,
                ProtoWriter.node(
                    "Gemm", name: "fc", inputs: ["f", "W", "b"], outputs: ["y"],
                    attributes: [
                        { a in
                            a.string(1, "transB")
                            a.int(3, 1)
                            a.int(20, 2)
                        }
                    ]))
            g.message(5, ProtoWriter.floatTensor("W", dims: [3, 16], values: [Float](repeating: 0.5, count: 48)))
            g.message(5, ProtoWriter.floatTensor("b", dims: [3], values: [1, 1, 1]))
            for (name, values) in constants {
                g.message(5, ProtoWriter.int64Tensor(name, dims: [Int64(values.count)], values: values))
            }
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1, 4, 4]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 3]))
        }
    }

    @Test func aNaNOrInfiniteInitializerIsNamedWithItsIndex() {
        var weights = [Float](repeating: 0.5, count: 48)
        weights[17] = .nan
        let nanModel = ProtoWriter.model { g in
            g.message(1, ProtoWriter.node("Flatten", name: "flat", inputs: ["x"], outputs: ["f"]))
            g.message(
                1,
                ProtoWriter.node(
                    "Gemm", name: "fc", inputs: ["f", "W"], outputs: ["y"],
                    attributes: [
                        { a in
                            a.string(1, "transB")
                            a.int(3, 1)
                            a.int(20, 2)
                        }
                    ]))
            g.message(5, ProtoWriter.floatTensor("W", dims: [3, 16], values: weights))
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1, 4, 4]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 3]))
        }
        let e = importError(nanModel)
        #expect(e?.code == .invalidModel)
        #expect(
            e?.message.contains(#"initializer "W": value [17] of 48 is nan, not a finite number"#) == true,
            "\(String(describing: e))")
    }

    /// Constant folding trapped on these (index out of range, multiplication overflow, an
    /// endless or overflowing Slice loop, Int64.min / −1); each is now an error or a result.
    @Test func constantFoldingTrapsAreErrors() throws {
        let zeros = importError(
            foldingModel([("Reshape", ["C", "T"])], constants: [("C", [1, 2, 3]), ("T", [0, 0, 0])]))
        #expect(
            zeros?.message
                == "node \"fold0\" (Reshape): cannot reshape a constant of shape [3] to [0, 0, 0]: 0 at index 1 copies a dimension the input does not have",
            "\(String(describing: zeros))")
        let huge = importError(
            foldingModel([("Reshape", ["C", "T"])], constants: [("C", [1, 2, 3]), ("T", [1 << 62, 4, 1])]))
        #expect(
            huge?.message.contains("it has more values than the 3 of the input") == true, "\(String(describing: huge))")
        let twoMinusOnes = importError(
            foldingModel([("Reshape", ["C", "T"])], constants: [("C", [1, 2, 3, 4]), ("T", [-1, -1])]))
        #expect(twoMinusOnes?.message.contains("more than one −1") == true, "\(String(describing: twoMinusOnes))")
        let division = importError(foldingModel([("Div", ["A", "B"])], constants: [("A", [Int64.min]), ("B", [-1])]))
        #expect(
            division?.message
                == "node \"fold0\" (Div): Div of the integers -9223372036854775808 and -1 overflows 64 bits",
            "\(String(describing: division))")
        let product = importError(
            foldingModel([("Mul", ["A", "B"])], constants: [("A", [1 << 40]), ("B", [1 << 40])]))
        #expect(product?.message.contains("overflows 64 bits") == true, "\(String(describing: product))")
        // A Slice whose step is Int64.max picks the first value and stops.
        let slice = foldingModel(
            [("Slice", ["C", "S", "E", "A", "P"])],
            constants: [("C", [5, 6, 7]), ("S", [0]), ("E", [3]), ("A", [0]), ("P", [Int64.max])])
        #expect(importError(slice) == nil)
        let back = foldingModel(
            [("Slice", ["C", "S", "E", "A", "P"])],
            constants: [("C", [5, 6, 7]), ("S", [-1]), ("E", [Int64.min]), ("A", [0]), ("P", [Int64.min])])
        #expect(importError(back) == nil)
    }

    @Test func anInputOf2To72ValuesAndADenseLayerWithoutOutputsAreRefused() {
        let big = ProtoWriter.model { g in
            g.message(1, ProtoWriter.node("Relu", name: "r", inputs: ["x"], outputs: ["y"]))
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1 << 24, 1 << 24, 1 << 24]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 1 << 24, 1 << 24, 1 << 24]))
        }
        let e = importError(big)
        #expect(e?.message.contains("has more than 268435456 values") == true, "\(String(describing: e))")
        let empty = ProtoWriter.model { g in
            g.message(1, ProtoWriter.node("Flatten", name: "flat", inputs: ["x"], outputs: ["f"]))
            g.message(
                1,
                ProtoWriter.node(
                    "Gemm", name: "fc", inputs: ["f", "W"], outputs: ["y"],
                    attributes: [
                        { a in
                            a.string(1, "transB")
                            a.int(3, 1)
                            a.int(20, 2)
                        }
                    ]))
            g.message(5, ProtoWriter.floatTensor("W", dims: [0, 16], values: []))
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1, 4, 4]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 0]))
        }
        let d = importError(empty)
        #expect(
            d?.message.contains("has 0 outputs; a dense layer needs at least one") == true, "\(String(describing: d))")
    }

    /// torch.onnx.export(dynamo=True, optimize=False) leaves shape arithmetic over
    /// initializers (Shape, Gather, Expand, Concat, CastLike) in the graph; it folds. Here the
    /// Reshape target [-1, 16] is computed from the weight's shape.
    @Test func shapeArithmeticOverInitializersFolds() throws {
        let axis0: (inout ProtoWriter) -> Void = { a in
            a.string(1, "axis")
            a.int(3, 0)
            a.int(20, 2)
        }
        let bytes = ProtoWriter.model { g in
            g.message(1, ProtoWriter.node("Flatten", name: "flat", inputs: ["x"], outputs: ["f"]))
            g.message(1, ProtoWriter.node("Shape", name: "shape", inputs: ["W"], outputs: ["s"]))
            g.message(
                1,
                ProtoWriter.node(
                    "Gather", name: "gather", inputs: ["s", "one"], outputs: ["features"], attributes: [axis0]))
            g.message(
                1, ProtoWriter.node("Expand", name: "expand", inputs: ["minusOne", "oneDim"], outputs: ["batch"]))
            g.message(
                1,
                ProtoWriter.node(
                    "Concat", name: "concat", inputs: ["batch", "features"], outputs: ["t"], attributes: [axis0]))
            g.message(
                1, ProtoWriter.node("CastLike", name: "castlike", inputs: ["t", "minusOne"], outputs: ["target"]))
            g.message(1, ProtoWriter.node("Reshape", name: "reshape", inputs: ["f", "target"], outputs: ["r"]))
            g.message(
                1,
                ProtoWriter.node(
                    "Gemm", name: "fc", inputs: ["r", "W", "b"], outputs: ["y"],
                    attributes: [
                        { a in
                            a.string(1, "transB")
                            a.int(3, 1)
                            a.int(20, 2)
                        }
                    ]))
            g.message(5, ProtoWriter.floatTensor("W", dims: [3, 16], values: [Float](repeating: 0.5, count: 48)))
            g.message(5, ProtoWriter.floatTensor("b", dims: [3], values: [1, 1, 1]))
            g.message(5, ProtoWriter.int64Tensor("one", dims: [1], values: [1]))
            g.message(5, ProtoWriter.int64Tensor("minusOne", dims: [1], values: [-1]))
            g.message(5, ProtoWriter.int64Tensor("oneDim", dims: [1], values: [1]))
            g.message(11, ProtoWriter.valueInfo("x", dims: [1, 1, 4, 4]))
            g.message(12, ProtoWriter.valueInfo("y", dims: [1, 3]))
        }
        let graph = try ONNXImporter.importModel(bytes: bytes, source: "m.onnx", directory: nil)
        #expect(graph.layers.map(\.op.typeName) == ["Input", "Flatten", "Dense"])
        #expect(ANNEngine(graph: graph).forward((1...16).map(Float.init), count: 1) == [69, 69, 69])
        let bad = importError(foldingModel([("Expand", ["C", "T"])], constants: [("C", [1, 2, 3]), ("T", [2, 2])]))
        #expect(
            bad?.message
                == "node \"fold0\" (Expand): cannot expand a constant of shape [3] to [2, 2]: 3 and 2 do not broadcast",
            "\(String(describing: bad))")
    }
}
