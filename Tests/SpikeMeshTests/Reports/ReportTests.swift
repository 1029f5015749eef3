import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshMapping
@testable import SpikeMeshReports

/// The report formats: JSON as the CLI writes it, and the mapping report of a hand-made chip.
@Suite struct ReportTests {
    @Test func jsonKeepsKeyOrderEscapesStringsAndWritesNonFiniteAsNull() {
        let v = JSON.object([
            ("b", .int(1)), ("a", .array([.number(.nan), .number(0.5), .float(0.1), .number(3)])),
            ("s", .string("q\"\\\n\u{1}")),
        ])
        #expect(v.rendered(indent: 0) == #"{"b":1,"a":[null, 0.5, 0.1, 3],"s":"q\"\\\n\u0001"}"#)
    }

    /// Thresholds of a network with random, unnormalised weights fall below 10⁻⁴ layer by
    /// layer and printed as `θ = 0.0000`; below 0.001 they print in scientific notation.
    @Test func smallThresholdsPrintedAsZero() {
        #expect(ThresholdTable.number(3.2e-5) == "3.200e-05")
        #expect(ThresholdTable.number(-4.5e-7, sign: true) == "-4.500e-07")
        #expect(ThresholdTable.number(2.5e-4, sign: true) == "+2.500e-04")
        #expect(ThresholdTable.number(0.0012) == "0.0012" && ThresholdTable.number(1.5) == "1.5000")
        #expect(ThresholdTable.number(Double(0)) == "0.0000")
        let text = ThresholdTable.text(LimitTests.chain([1, 1, 1], [1, 1, 1], threshold: 3.2e-5))
        #expect(text.contains("θ = 3.200e-05") && !text.contains("0.0000"), "\(text)")
    }

    @Test func theMappingReportNamesEveryLayerAndItsCores() throws {
        let net = LimitTests.chain([1, 1, 1], [1, 1, 1], threshold: 1)
        let hw = try Fixtures.hardware("generic-small", ["core.neurons=2"])
        var options = Mapper.Options()
        options.movesPerCore = 0
        let mapping = try Mapper.map(net, on: hw, options: options)
        let report = MappingReport(mapping: mapping, network: net)
        let text = report.text()
        // One row per layer: name, neurons, cores (the header's "fout%" column held "out", so
        // a search for the word could not fail).
        let rows = text.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(rows.contains { $0.count >= 3 && $0[0] == "A" && $0[1] == "3" && $0[2] == "2" }, "\(text)")
        #expect(rows.contains { $0.count >= 3 && $0[0] == "out" && $0[2] == "1" }, "\(text)")
        guard case .object(let fields) = report.json() else {
            Issue.record("object expected")
            return
        }
        let json = Dictionary(fields, uniquingKeysWith: { a, _ in a })
        #expect(json["cores"] == .int(3))  // A: 3 neurons on 2-neuron cores = 2, out = 1
        #expect(json["fits"] == .bool(true))
    }
}
