import Foundation
import Testing
@testable import SpikeMeshCore
@testable import SpikeMeshModel
@testable import SpikeMeshFormats
@testable import SpikeMeshReference
@testable import SpikeMeshConversion
@testable import SpikeMeshHardware

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
        return try NetworkFile.load(path: path)
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
        o.checkpoints = [16]; o.keepSpikeTrains = true
        let a = try ReferenceSimulator(network: net).run(x, count: 2, options: o)
        let b = try ReferenceSimulator(network: back).run(x, count: 2, options: o)
        #expect(a.spikeTrains == b.spikeTrains && a.spikes.reduce(0, +) > 0)
        let (fixed, _) = try Quantizer.exact(net)
        #expect(try roundTrip(fixed).fixedPoint == fixed.fixedPoint)
    }

    func error(_ text: String) -> String {
        do { _ = try NetworkFile.decode(Data(text.utf8)); return "no error" } catch { return "\(error)" }
    }

    @Test func badFilesSayWhatIsWrong() throws {
        #expect(error("[1]").contains("expected a JSON object"))
        #expect(error(#"{"format": "onnx"}"#).contains("\"format\" is onnx"))
        #expect(error(#"{"format": "spikemesh-network", "version": 9, "network": {}}"#).contains("version 9 is not supported"))
        #expect(error(#"{"format": "spikemesh-network", "version": 1}"#).contains("\"network\" is missing"))
        #expect(error(#"{"format": "spikemesh-network", "version": 1, "network": {"populations": []}}"#).contains("network.projections is missing"))
        // Structural checks on an otherwise valid file.
        let net = try Self.network.get()
        let body = try JSONSerialization.jsonObject(with: JSONEncoder().encode(net)) as! [String: Any]
        func broken(_ edit: (inout [String: Any]) -> Void) -> String {
            var b = body
            edit(&b)
            let data = try! JSONSerialization.data(withJSONObject: ["format": "spikemesh-network", "version": 1, "network": b])
            do { _ = try NetworkFile.decode(data); return "no error" } catch { return "\(error)" }
        }
        #expect(broken { b in
            var pops = b["populations"] as! [[String: Any]]
            pops[1]["threshold"] = -1
            b["populations"] = pops
        }.contains("threshold -1.0 must be positive"))
        #expect(broken { b in
            var projs = b["projections"] as! [[String: Any]]
            projs[0]["target"] = 0
            b["projections"] = projs
        }.contains("must come before target"))
        #expect(broken { b in b["output"] = 99 }.contains("network.output = 99"))
        #expect(broken { b in
            var pops = b["populations"] as! [[String: Any]]
            pops[2]["biass"] = [1, 2]
            b["populations"] = pops
        }.contains("unknown key \"network.populations[2].biass\""))
        #expect(broken { b in
            var pops = b["populations"] as! [[String: Any]]
            pops[1]["shape"] = [5, 5, 5]
            pops[1]["bias"] = nil
            b["populations"] = pops
        }.contains("does not fit shapes"))
    }
}
