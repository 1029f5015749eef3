import Foundation
import SpikeMeshConversion
import SpikeMeshCore
import SpikeMeshEnergy
import SpikeMeshHardware
import SpikeMeshInference
import SpikeMeshModel

/// The per-population θ table of a converted model (with what calibration measured) or of a
/// network file.
public enum ThresholdTable {
    /// `v` with four decimals, or in scientific notation with four significant digits when
    /// four decimals would show at most one digit of it (0 < |v| < 0.001): unnormalised
    /// weights make thresholds of 10⁻⁵ and below, which printed as `θ = 0.0000`. `sign`
    /// writes `+` before positives.
    public static func number(_ v: Double, sign: Bool = false) -> String {
        let small = v != 0 && abs(v) < 0.001
        return String(format: small ? (sign ? "%+.3e" : "%.3e") : (sign ? "%+.4f" : "%.4f"), v)
    }

    static func number(_ v: Float, sign: Bool = false) -> String { number(Double(v), sign: sign) }

    static func range(_ values: [Float], sign: Bool = false) -> String {
        number(values.min() ?? 0, sign: sign) + "…" + number(values.max() ?? 0, sign: sign)
    }

    public static func text(_ s: CalibrationSummary) -> String {
        var out = "thresholds (method \(s.method.rawValue), α = \(s.alpha), \(s.images) calibration images):\n"
        for e in s.entries {
            out +=
                "  " + e.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: "%8d neurons   θ = ", e.neurons) + number(e.threshold)
                + (e.maxActivation.map { "   (max activation \(number($0)))" } ?? "")
                + (e.channelThresholds.map { "   per channel \(range($0))" } ?? "")
                + (e.biasShift.map { "   bias shift \(range($0, sign: true))" } ?? "")
                + (e.potentialShift.map { "   V(0) shift \(range($0, sign: true))" } ?? "") + "\n"
        }
        return out
    }

    public static func text(_ network: SpikingNetwork) -> String {
        var out = "thresholds (\(network.metadata["method"] ?? "?") method, α = \(network.metadata["alpha"] ?? "?")):\n"
        for p in network.hidden {
            let pop = network.populations[p]
            out +=
                "  " + pop.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: "%8d neurons   θ = ", pop.count) + number(pop.threshold) + "\n"
        }
        return out
    }
}

/// `spikemesh evaluate`: the float ANN's accuracy and speed.
public struct EvaluationReport: Sendable {
    public var model: String, data: String, threads: Int
    public var result: EvaluationResult
    public var normalization: Normalization

    public init(model: String, data: String, threads: Int, result: EvaluationResult, normalization: Normalization) {
        (self.model, self.data, self.threads, self.result, self.normalization) = (
            model, data, threads, result, normalization
        )
    }

    public func json() -> JSON {
        .object([
            ("model", .string(model)), ("data", .string(data)), ("count", .int(result.count)),
            ("correct", .int(result.correct)),
            ("accuracy", .number(result.accuracy)),
            ("imagesPerSecond", .number((result.imagesPerSecond * 10).rounded() / 10)),
            ("seconds", .number((result.seconds * 1000).rounded() / 1000)),
            (
                "normalization",
                .object([
                    ("mean", .array(normalization.mean.map { JSON.float($0) })),
                    ("std", .array(normalization.std.map { JSON.float($0) })),
                    ("origin", .string(normalization.origin)),
                ])
            ),
        ])
    }

    public func text() -> String {
        """
        model:    \(model)
        data:     \(data), \(result.count) images
        normalization: mean \(normalization.mean), std \(normalization.std) (\(normalization.origin))
        \(String(format: "accuracy: %.2f %% (%d/%d)", 100 * result.accuracy, result.correct, result.count))
        \(String(format: "speed:    %.0f images/s (%.2f s, %d threads)", result.imagesPerSecond, result.seconds, threads))

        """
    }
}

/// `spikemesh convert`: thresholds, the optional fixed point, and where the network went.
public struct ConversionReport: Sendable {
    public var model: String
    public var summary: CalibrationSummary
    public var reset: String
    public var quantization: Quantizer.Report?
    public var output: String?

    public init(
        model: String, summary: CalibrationSummary, reset: String, quantization: Quantizer.Report?, output: String?
    ) {
        (self.model, self.summary, self.reset, self.quantization, self.output) = (
            model, summary, reset, quantization, output
        )
    }

    public func json() -> JSON {
        .object([
            ("model", .string(model)), ("method", .string(summary.method.rawValue)), ("alpha", .float(summary.alpha)),
            ("reset", .string(reset)), ("calibrationImages", .int(summary.images)),
            (
                "layers",
                .array(
                    summary.entries.map {
                        .object([
                            ("name", .string($0.name)), ("neurons", .int($0.neurons)),
                            ("threshold", .float($0.threshold)),
                            ("statistic", .float($0.statistic)),
                        ])
                    })
            ),
            (
                "fixedPoint",
                quantization.map { q in
                    .object([
                        ("hardware", .string(q.hardware)), ("weightBits", .int(q.weightBits)),
                        ("potentialBits", .int(q.potentialBits)),
                        ("integerThresholds", .array(q.entries.map { .int($0.integerThreshold) })),
                    ])
                } ?? .null
            ),
            ("output", output.map { .string($0) } ?? .null),
        ])
    }

    public func text() -> String {
        var out = "model: \(model)\n" + ThresholdTable.text(summary)
        if let q = quantization {
            out += "fixed point for \(q.hardware): \(q.weightBits)-bit weights, \(q.potentialBits)-bit potentials\n"
            for e in q.entries {
                out +=
                    "  " + e.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                    + String(
                        format: "Θ = %-8d relative weight error %.2f %%", e.integerThreshold, 100 * e.relativeError)
                    + "\n"
            }
        }
        return out + (output.map { "wrote \($0)" } ?? "not saved (give -o NET to save the network)") + "\n"
    }
}

/// `spikemesh energy`: one emulation per chip, beside the ANN's MAC estimate (45 nm reference
/// points, Horowitz, ISSCC 2014).
public struct EnergyComparison: Sendable {
    public var model: String
    public var images: Int
    public var macs: Int
    public var rows: [EmulationSummary]

    public init(model: String, images: Int, macs: Int, rows: [EmulationSummary]) {
        (self.model, self.images, self.macs, self.rows) = (model, images, macs, rows)
    }

    var macMicrojoules: Double { Double(macs) * ReferenceEnergy.macPJ * 1e-6 }

    public func json() -> JSON {
        .object([
            ("model", .string(model)), ("count", .int(images)),
            ("macs", .int(macs)), ("macEnergyMicrojoules", .number(macMicrojoules)),
            (
                "rows",
                .array(
                    rows.map { r in
                        .object([
                            ("hardware", .string(r.hardware.name)), ("fits", .bool(r.mapping.fits)),
                            ("spilled", .bool(r.mapping.chipsUsed > r.hardware.mesh.chips)),
                            ("accuracy", .number(r.accuracy)),
                            ("timesteps", .int(r.evaluation.checkpoints.last ?? 0)),
                            ("energyMicrojoules", .number(r.energy.totalMicrojoules)),
                            ("energyBreakdown", r.energy.breakdownJSON),
                            ("latencyMicroseconds", .number(r.energy.latencyMicroseconds)),
                            ("latencyTicks", .number(r.energy.latencyTicks)),
                            ("synapticOps", .number(r.energy.synapticOps)),
                            ("picojoulesPerSynapticOp", .number(r.energy.picojoulesPerSOP)),
                            ("acEnergyMicrojoules", .number(r.energy.synapticOps * ReferenceEnergy.acPJ * 1e-6)),
                            ("neurobench", r.neurobench.json),
                        ])
                    })
            ),
        ])
    }

    public func text() -> String {
        var out = "network: \(model), \(images) images, T = \(rows.first?.evaluation.checkpoints.last ?? 0)\n"
        out +=
            "  hardware        accuracy   energy/inference   latency/inference   synaptic ops   pJ/SOP   cores  chips\n"
        for r in rows {
            out +=
                "  " + r.hardware.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(
                    format: "%8.2f %%  %13.3f µJ  %15.1f µs  %13.0f  %7.1f  %5d  %5d%@", 100 * r.accuracy,
                    r.energy.totalMicrojoules,
                    r.energy.latencyMicroseconds, r.energy.synapticOps, r.energy.picojoulesPerSOP,
                    r.mapping.cores.count,
                    r.mapping.chipsUsed,
                    (r.mapping.fits ? "" : "  (does not fit; over-committed)")
                        + (r.mapping.chipsUsed > r.hardware.mesh.chips
                            ? "  (spills past the \(r.hardware.mesh.chips)-chip board)" : "")) + "\n"
        }
        out += "\nwhere the energy goes (µJ per inference):\n"
        let partNames = rows.first?.energy.parts.map(\.name) ?? []
        out +=
            "  " + "part".padding(toLength: 22, withPad: " ", startingAt: 0)
            + rows.map { $0.hardware.name.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined() + "\n"
        for (k, name) in partNames.enumerated() {
            out +=
                "  " + name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + rows.map { String(format: "%-14.4f", $0.energy.parts[k].microjoules) }.joined() + "\n"
        }
        out += "\nNeuroBench metrics per sample (Docs/Emulation.md):\n"
        out +=
            "  hardware        footprint B  conn. sparsity  act. sparsity  Effective_MACs  Effective_ACs           Dense\n"
        for r in rows {
            let nb = r.neurobench
            out +=
                "  " + r.hardware.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(
                    format: "%11d  %14.4f  %13.4f  %14.0f  %13.0f  %14.0f\n", nb.footprint, nb.connectionSparsity,
                    nb.activationSparsity,
                    nb.effectiveMACs, nb.effectiveACs, nb.dense)
        }
        out += String(
            format:
                "\nreference (45 nm, Horowitz 2014): the ANN's %d MACs × 4.6 pJ = %.3f µJ; the SNN's synaptic ops × 0.9 pJ = %@\n",
            macs, macMicrojoules,
            rows.map {
                String(format: "%.3f µJ (%@)", $0.energy.synapticOps * ReferenceEnergy.acPJ * 1e-6, $0.hardware.name)
            }.joined(separator: ", "))
        return out
    }
}

/// `spikemesh report`: the whole pipeline on one model, on one screen.
public struct PipelineReport: Sendable {
    public var model: String, data: String, images: Int
    public var graph: ANNGraph
    public var ann: EvaluationResult
    public var summary: CalibrationSummary
    /// Reference-simulator accuracy at each of `checkpoints`.
    public var checkpoints: [Int]
    public var reference: [Double]
    public var emulation: EmulationSummary

    public init(
        model: String, data: String, images: Int, graph: ANNGraph, ann: EvaluationResult, summary: CalibrationSummary,
        checkpoints: [Int], reference: [Double], emulation: EmulationSummary
    ) {
        (self.model, self.data, self.images, self.graph, self.ann, self.summary) = (
            model, data, images, graph, ann, summary
        )
        (self.checkpoints, self.reference, self.emulation) = (checkpoints, reference, emulation)
    }

    var mapping: MappingReport {
        MappingReport(mapping: emulation.mapping, network: emulation.network.integerView(), relays: emulation.relays)
    }

    public func json() -> JSON {
        .object(
            [
                ("model", .string(model)), ("data", .string(data)), ("count", .int(images)),
                ("annAccuracy", .number(ann.accuracy)), ("referenceAccuracy", .number(reference.last ?? 0)),
                (
                    "thresholds",
                    .array(
                        summary.entries.map {
                            .object([("layer", .string($0.name)), ("threshold", .float($0.threshold))])
                        })
                ),
                ("mapping", mapping.json()),
            ] + emulation.jsonFields())
    }

    public func text() -> String {
        let m = emulation.mapping
        let tight = mapping.tightest
        var out = "SpikeMesh report — \(model) on \(emulation.hardware.name), \(images) images of \(data)\n\n"
        out += String(
            format: "1. ANN (float32): accuracy %.2f %%, %d MACs per inference\n", 100 * ann.accuracy, graph.totalMACs)
        out += "2. conversion to soft-reset (RMP) neurons, " + ThresholdTable.text(summary)
        out +=
            "3. float reference simulator: "
            + zip(checkpoints, reference).map { String(format: "T = %d: %.2f %%", $0.0, 100 * $0.1) }.joined(
                separator: ", ") + "\n"
        out += String(
            format:
                "4. mapping: %d cores on %d chip(s); tightest limit %@ in \"%@\" at %.1f %%; placement cost %.0f vs snake %.0f\n",
            m.cores.count, m.chipsUsed, tight.limit, tight.layer, 100 * tight.use, m.placementCost, m.baselineCost)
        return out + "5. emulation (event-driven, fixed point):\n" + emulation.text()
    }
}
