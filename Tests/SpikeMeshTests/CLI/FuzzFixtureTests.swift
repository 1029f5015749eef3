import Foundation
import Testing

@testable import spikemesh_fuzz

/// Replays the committed fuzz inputs (Tests/SpikeMeshTests/Fixtures/fuzz/TARGET) through the
/// same targets the fuzzer runs (Tools/Fuzz, Docs/Fuzzing.md). `seed-*` files are valid
/// inputs and must be accepted; every other file is an input the fuzzer found, named after
/// what broke, and must now be rejected with a one-line error (a trap would end the test run).
@Suite struct FuzzFixtureTests {
    static let folder = Fixtures.path("fuzz")

    @Test(arguments: FuzzTarget.allCases)
    func committedInputsReplayCleanly(_ target: FuzzTarget) throws {
        let dir = Self.folder + "/" + target.rawValue
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
        #expect(files.contains { $0.hasPrefix("seed-") }, "no seed inputs for \(target.rawValue) in \(dir)")
        for file in files {
            let bytes = try Fixtures.bytes(dir + "/" + file)
            let outcome = target.runAcceptingErrors(bytes)
            if file.hasPrefix("seed-") {
                #expect(outcome == "accepted", "\(target.rawValue)/\(file): \(outcome)")
            } else {
                #expect(outcome.hasPrefix("rejected: "), "\(target.rawValue)/\(file): \(outcome)")
            }
            #expect(
                !outcome.contains { $0.isNewline },
                "\(target.rawValue)/\(file): the message is not one line: \(outcome.debugDescription)")
        }
    }
}
