import Foundation
import Testing

@testable import SpikeMeshConversion
@testable import SpikeMeshCore
@testable import SpikeMeshFormats
@testable import SpikeMeshHardware
@testable import SpikeMeshModel
@testable import SpikeMeshReference

@Suite struct NetworkFileTests {
    static let network = Result { () throws -> SpikingNetwork in
        let graph = try ONNXImporter.load(path: Fixtures.path("onnx/tiny_cnn_legacy.onnx"))
        var n = try Converter.structure(of: graph)
        for (k, p) in n.populations.indices.enumerated() { n.populations[p].threshold = 1 + Float(k) / 7 }
        return n
    }

    func roundTrip(_ net: SpikingNetwork) throws -> SpikingNetwork {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nf-\(UUID().uuidString).smnet").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NetworkFile.save(net, to: path)
        #expect(NetworkFile.looks(path))
        guard case .float(let back) = try NetworkFile.load(path: path) else {
            throw SpikeMeshError(.malformed, "not read back as float")
        }
        return back
    }

    func roundTrip(_ net: FixedPointNetwork) throws -> FixedPointNetwork {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nf-\(UUID().uuidString).smnet").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NetworkFile.save(net, to: path)
        guard case .fixedPoint(let back) = try NetworkFile.load(path: path) else {
            throw SpikeMeshError(.malformed, "not read back as fixed point")
        }
        return back
    }

    @Test func savedNetworksLoadBitForBit() throws {
        let net = try Self.network.get()
        let back = try roundTrip(net)
        #expect(back.populations.map(\.threshold) == net.populations.map(\.threshold))
        #expect(back.populations.map(\.shape) == net.populations.map(\.shape))
        #expect(back.output == net.output)
        // Same spikes from the reference simulator.
        var x = [Float](repeating: 0, count: 2 * net.populations[0].count)
        var rng = SplitMix(state: 1)
        for i in x.indices { x[i] = Float(rng.next() >> 40) * 0x1p-24 }
        var o = SimulationOptions()
        o.checkpoints = [16]
        o.keepSpikeTrains = true
        let a = try ReferenceSimulator(network: net).run(x, count: 2, options: o)
        let b = try ReferenceSimulator(network: back).run(x, count: 2, options: o)
        #expect(a.spikeTrains == b.spikeTrains && a.spikes.reduce(0, +) > 0)
        let (fixed, _) = try Quantizer.exact(net)
        #expect(try roundTrip(fixed) == fixed)
    }

    /// The error of a file whose network is `body` after `edit`, or "no error".
    static func error(editing body: [String: Any], _ edit: (inout [String: Any]) -> Void) -> String {
        var b = body
        edit(&b)
        let data = try! JSONSerialization.data(withJSONObject: [
            "format": "spikemesh-network", "version": 1, "network": b,
        ])
        do {
            _ = try NetworkFile.decode(data)
            return "no error"
        } catch { return "\(error)" }
    }

    func error(_ text: String) -> String {
        do {
            _ = try NetworkFile.decode(Data(text.utf8))
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func badFilesSayWhatIsWrong() throws {
        #expect(error("[1]").contains("expected a JSON object"))
        #expect(error(#"{"format": "onnx"}"#).contains("\"format\" is onnx"))
        #expect(
            error(#"{"format": "spikemesh-network", "version": 9, "network": {}}"#).contains(
                "version 9 is not supported"))
        #expect(error(#"{"format": "spikemesh-network", "version": 1}"#).contains("\"network\" is missing"))
        #expect(
            error(#"{"format": "spikemesh-network", "version": 1, "network": {"populations": []}}"#).contains(
                "network.projections is missing"))
        // Structural checks on an otherwise valid file.
        let net = try Self.network.get()
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(net)) as! [String: Any]
        func broken(_ edit: (inout [String: Any]) -> Void) -> String { Self.error(editing: body, edit) }
        #expect(
            broken { b in
                var pops = b["populations"] as! [[String: Any]]
                pops[1]["threshold"] = -1
                b["populations"] = pops
            }.contains("threshold -1.0 must be positive"))
        #expect(
            broken { b in
                var projs = b["projections"] as! [[String: Any]]
                projs[0]["target"] = 0
                b["projections"] = projs
            }.contains("must come before target"))
        #expect(broken { b in b["output"] = 99 }.contains("network.output = 99"))
        #expect(
            broken { b in
                var pops = b["populations"] as! [[String: Any]]
                pops[2]["biass"] = [1, 2]
                b["populations"] = pops
            }.contains("unknown key \"network.populations[2].biass\""))
        #expect(
            broken { b in
                var pops = b["populations"] as! [[String: Any]]
                pops[1]["shape"] = [5, 5, 5]
                pops[1]["bias"] = nil
                b["populations"] = pops
            }.contains("does not fit shapes"))
    }

    /// These trapped in validation (products and output sizes overflowed) or in Foundation.
    @Test func hugeShapesWindowsAndANonObjectNetworkAreErrors() throws {
        #expect(
            error(#"{"format": "spikemesh-network", "version": 1, "network": 1}"#)
                == "\"network\" must be an object, found 1")
        let net = try Self.network.get()
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(net)) as! [String: Any]
        func broken(_ edit: (inout [String: Any]) -> Void) -> String { Self.error(editing: body, edit) }
        func editConv(_ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { b in
                var projs = b["projections"] as! [[String: Any]]
                var kind = projs[0]["kind"] as! [String: Any]
                var inner = kind["conv"] as! [String: Any]
                var c = inner["_0"] as! [String: Any]
                edit(&c)
                inner["_0"] = c
                kind["conv"] = inner
                projs[0]["kind"] = kind
                b["projections"] = projs
            }
        }
        #expect(broken { _ in } == "no error")
        #expect(
            broken(editConv { c in c["padding"] = ["top": Int.max, "left": 1, "bottom": 1, "right": 1] }).contains(
                "does not fit shapes"))
        #expect(broken(editConv { c in c["kernelWidth"] = Int.max }).contains("does not fit shapes"))
        #expect(broken(editConv { c in c["strideHeight"] = Int.max }).contains("does not fit shapes"))
        #expect(
            broken { b in
                var pops = b["populations"] as! [[String: Any]]
                pops[1]["shape"] = [Int.max, 8, 8]
                b["populations"] = pops
            }.contains("must be [C, H, W] or [F] with positive sizes and at most 268435456 values"))
    }

    /// A fixed-point file is checked against its own widths, with the place and the problem.
    @Test func badFixedPointFilesSayWhatIsWrong() throws {
        let (fixed, _) = try Quantizer.exact(try Self.network.get())
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fx-\(UUID().uuidString).smnet").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NetworkFile.save(fixed, to: path)
        let top = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        func broken(_ edit: (inout [String: Any]) -> Void) -> String {
            var b = top["network"] as! [String: Any]
            edit(&b)
            let data = try! JSONSerialization.data(withJSONObject: [
                "format": "spikemesh-network", "version": 1, "network": b,
            ])
            do {
                _ = try NetworkFile.decode(data)
                return "no error"
            } catch { return "\(error)" }
        }
        func editFirstWeight(_ value: Double) -> (inout [String: Any]) -> Void {
            { b in
                var projs = b["projections"] as! [[String: Any]]
                var kind = projs[0]["kind"] as! [String: Any]
                let key = kind.keys.first!
                var inner = kind[key] as! [String: Any]
                if var c = inner["_0"] as? [String: Any] {
                    var w = c["weights"] as! [Double]
                    w[0] = value
                    c["weights"] = w
                    inner["_0"] = c
                } else {
                    var w = inner["weights"] as! [Double]
                    w[0] = value
                    inner["weights"] = w
                }
                kind[key] = inner
                projs[0]["kind"] = kind
                b["projections"] = projs
            }
        }
        #expect(broken { _ in } == "no error")
        #expect(broken(editFirstWeight(40000)).contains("projection 0: weight 40000 does not fit 16-bit weights"))
        #expect(
            broken(editFirstWeight(1.5)).contains(
                "projection 0: weight 1.5 of a fixed-point network is not a 32-bit integer"))
        func population1(_ key: String, _ value: @escaping (Any?) -> Any) -> (inout [String: Any]) -> Void {
            { b in
                var pops = b["populations"] as! [[String: Any]]
                pops[1][key] = value(pops[1][key])
                b["populations"] = pops
            }
        }
        #expect(
            broken(population1("threshold") { _ in 1 << 31 }).contains(
                "threshold 2147483648 must be in 1…2147483647 (32-bit potentials)"))
        #expect(
            broken(population1("threshold") { _ in 2.5 }).contains(
                "network.populations[1].threshold: 2.5 is not an integer"))
        #expect(
            broken(population1("bias") { old in [1, 2, 3.25] + Array(repeating: 0, count: (old as! [Any]).count - 3) })
                .contains("network.populations[1].bias[2]: 3.25 is not an integer"))
        #expect(
            broken { b in
                var f = b["fixedPoint"] as! [String: Any]
                f["scales"] = [1]
                b["fixedPoint"] = f
            }.contains("network.fixedPoint.scales has 1 values"))
    }
}
