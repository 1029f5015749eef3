import Foundation
import Testing

@testable import SpikeMeshCore

/// The golden regression: fixed configurations of the whole pipeline against committed JSON
/// (see `GoldenRun` for what is compared and how to regenerate). A behaviour-preserving change
/// leaves every file identical.
@Suite struct GoldenRegression {
    static var regenerate: Bool { ProcessInfo.processInfo.environment["SPIKEMESH_REGENERATE_GOLDEN"] == "1" }

    @Test(arguments: GoldenConfiguration.all)
    func matchesTheGoldenFile(_ config: GoldenConfiguration) throws {
        let actual = try GoldenRun.run(config).rendered() + "\n"
        if Self.regenerate {
            try actual.write(toFile: config.goldenPath, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: config.goldenPath, encoding: .utf8)
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
            func shown(_ lines: [Substring]) -> String {
                line < lines.count ? String(lines[line].prefix(300)) : "<end>"
            }
            let got = shown(a)
            let want = shown(e)
            Issue.record(
                "\(config.name): differs from \(config.goldenPath) at line \(line + 1): got \(got), expected \(want)")
        }
    }

    /// Determinism: one worker thread gives the same file as the default (every core). The
    /// other half of the guarantee, the same file in debug and release builds and with and
    /// without SPIKEMESH_NATIVE=1, is checked by .ci/run, which runs this suite in each build.
    @Test(arguments: GoldenConfiguration.all)
    func oneWorkerGivesTheGoldenFileToo(_ config: GoldenConfiguration) throws {
        guard !Self.regenerate else { return }
        let one = try GoldenRun.run(config, workers: 1).rendered() + "\n"
        let expected = try String(contentsOfFile: config.goldenPath, encoding: .utf8)
        #expect(one == expected, "\(config.name) with 1 worker differs from \(config.goldenPath)")
    }

    /// The configurations exercise what they are named for, so the golden files pin real
    /// behaviour: stalls, saturations, SRP, several chips' worth of routing.
    @Test func theConfigurationsExerciseWhatTheyClaim() throws {
        func golden(_ name: String) throws -> [String: Any] {
            let path = Fixtures.path("golden/\(name).json")
            return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
                as! [String: Any]
        }
        func total(_ g: [String: Any], _ key: String) -> Int { (g["totals"] as! [String: Any])[key] as! Int }
        let stalls = try golden("cnn-generic-small-poisson-pipelined-stalls")
        #expect(total(stalls, "stalledPacketTicks") > 0)
        #expect(total(stalls, "latePackets") > 0)
        #expect(total(stalls, "inputPackets") > 0)
        let saturating = try golden("cnn-saturating-generic-small")
        #expect(total(saturating, "saturations") > 0)
        let srp = try golden("qcfs-srp-truenorth")
        #expect(srp["ticksRun"] as! Int == 12)
        for name in ["cnn-truenorth-signed-relays", "cnn-truenorth-graded-relays"] {
            let relays = try golden(name)
            #expect((relays["mapping"] as! [String: Any])["fits"] as! Bool == true, "\(name) must fit with its relays")
            let names = (relays["quantization"] as! [[String: Any]]).map { $0["layer"] as! String }
            #expect(names.contains { $0.hasSuffix("/relay0") }, "\(name) must contain relays")
        }
        for name in GoldenConfiguration.all.map(\.name) {
            let g = try golden(name)
            #expect(total(g, "spikes") > 1000, "\(name) must involve real activity")
            #expect(total(g, "hopsWithinChip") > 0, "\(name) must route packets over the mesh")
        }
    }
}
