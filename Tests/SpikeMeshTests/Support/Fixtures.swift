import Foundation
import SpikeMeshHardware

/// Paths of test fixtures and of the package's bundled examples.
enum Fixtures {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        packageRoot.appendingPathComponent("Tests/SpikeMeshTests/Fixtures").appendingPathComponent(relative).path
    }

    static func example(_ relative: String) -> String {
        packageRoot.appendingPathComponent("Examples").appendingPathComponent(relative).path
    }

    /// A shipped hardware model by name, with `overrides` (`--set` syntax) applied.
    static func hardware(_ name: String, _ overrides: [String] = []) throws -> HardwareModel {
        try HardwareModel.load(packageRoot.path + "/HardwareModels/\(name).json", overrides: overrides)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// onnxruntime's output for a fixture model, written by Tools/make_fixtures.py.
    struct Expected: Decodable {
        var model: String
        var producer: String
        var inputShape: [Int]
        var input: [Float]
        var outputShape: [Int]
        var output: [Float]
    }

    static func expected(_ name: String) throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("onnx/\(name).expected.json")))
        return try JSONDecoder().decode(Expected.self, from: data)
    }
}
