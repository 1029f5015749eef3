import Foundation
import SpikeMeshCore
import SpikeMeshEmulation
import SpikeMeshEnergy
import SpikeMeshHardware
import SpikeMeshMapping
import SpikeMeshModel

/// One emulation run, ready to print: accuracy, latency, energy and the counters behind them.
public struct EmulationSummary: Sendable {
    public let hardware: HardwareModel
    public let mapping: Mapping
    public let network: FixedPointNetwork
    public let quantization: Quantizer.Report
    public let evaluation: Emulator.Evaluation
    public let options: EmulationOptions
    public let seconds: Double
    public let energy: EnergyEstimate
    /// Relays inserted by fan-in decomposition (empty when none were needed or splitting was off).
    public let relays: [FanInDecomposition.Relay]

    public init(
        hardware: HardwareModel, mapping: Mapping, network: FixedPointNetwork, quantization: Quantizer.Report,
        evaluation: Emulator.Evaluation, options: EmulationOptions, seconds: Double,
        relays: [FanInDecomposition.Relay] = []
    ) {
        self.relays = relays
        self.hardware = hardware
        self.mapping = mapping
        self.network = network
        self.quantization = quantization
        self.evaluation = evaluation
        self.options = options
        self.seconds = seconds
        energy = EnergyEstimate(counters: evaluation.counters, hardware: hardware, chips: mapping.chipsUsed)
    }

    public var accuracy: Double { evaluation.accuracy.last ?? 0 }

    /// NeuroBench's metrics of this run, per sample.
    public var neurobench: NeuroBenchMetrics {
        NeuroBenchMetrics(network: network, counters: evaluation.counters, spikeRate: evaluation.spikeRate)
    }

    public func text() -> String {
        let c = evaluation.counters
        let n = Double(max(evaluation.images, 1))
        var out = "hardware: \(hardware.name), \(mapping.cores.count) cores on \(mapping.chipsUsed) chip(s); "
        out +=
            "fixed point: \(quantization.weightBits)-bit weights, \(quantization.potentialBits)-bit potentials (\(quantization.hardware))\n"
        if mapping.chipsUsed > hardware.mesh.chips {
            out +=
                "note: the mapping needs \(mapping.chipsUsed) chips, more than the board's \(hardware.mesh.chips); it spilled to extra chips\n"
        }
        if !mapping.fits {
            out +=
                "warning: the network does not fit \(hardware.name); over-committed cores were emulated as if the limit were larger:\n"
            for v in mapping.violations { out += "  \(v.description)\n" }
        }
        let fanIn = relays.filter { $0.kind != .splitter }
        let splitters = relays.filter { $0.kind == .splitter }
        if !fanIn.isEmpty {
            let spikes = fanIn.reduce(0) { $0 + c.populationSpikes[$1.population] }
            let sops = fanIn.reduce(0) { $0 + c.populationSynapticOps[$1.population] }
            let layers = Set(fanIn.map(\.targetName)).count
            out +=
                "relays: \(fanIn.count) \(fanIn[0].kind.rawValue) relay populations for \(layers) layer(s) whose neurons exceed a core (Docs/Mapping.md, \"Relays\"): "
            out += String(
                format: "%.0f spikes and %.0f synaptic ops per inference (%.1f %% of the synaptic ops)\n",
                Double(spikes) / n, Double(sops) / n,
                100 * Double(sops) / Double(max(c.synapticOps, 1)))
        }
        if !splitters.isEmpty {
            let spikes = splitters.reduce(0) { $0 + c.populationSpikes[$1.population] }
            let copies = splitters.reduce(0) { $0 + splitterCopySpikes($1.population, c) }
            out +=
                "splitters: \(splitters.count) for layer(s) whose neurons have more than \(mapping.hardware.core.neuronFanOut) destination entries (Docs/Mapping.md, \"Splitters\"): "
            out += String(
                format: "%.0f spikes per inference, sent by %.0f hardware copies (%.1f %% of all spikes)\n",
                Double(spikes) / n, Double(copies) / n,
                100 * Double(copies) / Double(max(c.spikes, 1)))
        }
        out += "quantization (per layer: Θ, relative weight error, weights rounded to zero):\n"
        let nameWidth = max(34, (quantization.entries.map(\.name.count).max() ?? 0) + 1)
        for e in quantization.entries {
            out +=
                "  " + e.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + String(
                    format: "Θ = %-8d error %6.2f %%   zeroed %5.1f %%", e.integerThreshold, 100 * e.relativeError,
                    100 * Double(e.zeroed) / Double(max(e.weights, 1)))
                + (e.clipped > 0 ? "   \(e.clipped) weights clipped" : "")
                + (e.clampedValues > 0 ? "   \(e.clampedValues) biases/potentials clamped" : "") + "\n"
        }
        out += "\n      T   accuracy\n"
        for (t, a) in zip(evaluation.checkpoints, evaluation.accuracy) {
            out += String(format: "%7d   %6.2f %%\n", t, 100 * a)
        }
        out += String(
            format: "\nper inference (T = %d, %d ticks run, %@ delivery, %@ input):\n",
            evaluation.checkpoints.last ?? 0,
            evaluation.ticksRun, options.delivery.rawValue, options.encoding.rawValue)
        out += String(format: "  latency        %.0f ticks, %.2f µs\n", energy.latencyTicks, energy.latencyMicroseconds)
        out += String(
            format: "  energy         %.3f µJ  (%.2f pJ per synaptic op, all-in)\n", energy.totalMicrojoules,
            energy.picojoulesPerSOP)
        for p in energy.parts where p.microjoules > 0 {
            out +=
                "    " + p.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(
                    format: "%10.4f µJ  %5.1f %%\n", p.microjoules,
                    100 * p.microjoules / max(energy.totalMicrojoules, 1e-30))
        }
        out += String(
            format: "  synaptic ops   %.0f\n  neuron updates %.0f (event-driven %.0f; every neuron every tick %.0f)\n",
            energy.synapticOps, energy.neuronUpdates, Double(c.neuronUpdates) / n, Double(c.everyTickNeuronUpdates) / n)
        out += String(
            format: "  packets        %.0f (+ %.0f input), hops %.0f within chips, %.0f between chips\n",
            Double(c.packets) / n, Double(c.inputPackets) / n, Double(c.hopsWithinChip) / n,
            Double(c.hopsBetweenChips) / n)
        out += String(format: "  spike rate R   %.4f spikes per neuron per tick (eq. 8)\n", evaluation.spikeRate)
        out += neurobench.text
        out += String(
            format: "  peak link load %d packets/tick; stalled packet-ticks %d; late packets %d; saturations %d\n",
            c.linkPeak.max() ?? 0, c.stalledPacketTicks, c.latePackets, c.saturations)
        out += String(
            format: "emulated %d images in %.1f s (%.1f images/s)\n", evaluation.images, seconds,
            Double(evaluation.images) / max(seconds, 1e-9))
        return out
    }

    public func jsonFields() -> [(String, JSON)] {
        let c = evaluation.counters
        let n = Double(max(evaluation.images, 1))
        return [
            ("hardware", .string(hardware.name)),
            ("fits", .bool(mapping.fits)),
            ("violations", .array(mapping.violations.map { .string($0.description) })),
            ("cores", .int(mapping.cores.count)), ("chips", .int(mapping.chipsUsed)),
            ("weightBits", .int(quantization.weightBits)), ("potentialBits", .int(quantization.potentialBits)),
            ("spilled", .bool(mapping.chipsUsed > hardware.mesh.chips)),
            (
                "relays",
                .array(
                    relays.map { r in
                        .object([
                            ("name", .string(r.name)), ("layer", .string(r.targetName)),
                            ("kind", .string(r.kind.rawValue)),
                            ("limit", .string(r.limit)), ("neurons", .int(r.neurons)),
                            ("spikesPerImage", .number(Double(c.populationSpikes[r.population]) / n)),
                            (
                                "hardwareSpikesPerImage",
                                .number(
                                    Double(
                                        r.kind == .splitter
                                            ? splitterCopySpikes(r.population, c) : c.populationSpikes[r.population])
                                        / n)
                            ),
                            ("synapticOpsPerImage", .number(Double(c.populationSynapticOps[r.population]) / n)),
                        ])
                    })
            ),
            (
                "quantization",
                .array(
                    quantization.entries.map {
                        .object([
                            ("layer", .string($0.name)), ("threshold", .float($0.threshold)),
                            ("integerThreshold", .int($0.integerThreshold)),
                            ("relativeError", .number($0.relativeError)), ("zeroed", .int($0.zeroed)),
                            ("clipped", .int($0.clipped)),
                            ("clampedValues", .int($0.clampedValues)),
                        ])
                    })
            ),
            ("timesteps", .int(evaluation.checkpoints.last ?? 0)),
            ("encoding", .string(options.encoding.rawValue)), ("delivery", .string(options.delivery.rawValue)),
            ("accuracy", .number(accuracy)),
            (
                "curve",
                .array(
                    zip(evaluation.checkpoints, evaluation.accuracy).map {
                        .object([("timesteps", .int($0.0)), ("accuracy", .number($0.1))])
                    })
            ),
            ("latencyTicks", .number(energy.latencyTicks)),
            ("latencyMicroseconds", .number(energy.latencyMicroseconds)),
            ("energyMicrojoules", .number(energy.totalMicrojoules)),
            ("energyBreakdown", energy.breakdownJSON),
            ("picojoulesPerSynapticOp", .number(energy.picojoulesPerSOP)),
            ("synapticOps", .number(energy.synapticOps)),
            (
                "synapticOpsByKind",
                .object(SynapseClass.allCases.map { ($0.name, .number(Double(c.synapticOpsByClass[$0.rawValue]) / n)) })
            ),
            ("neuronUpdates", .number(energy.neuronUpdates)),
            ("spikes", .number(Double(c.spikes) / n)),
            (
                "latencyPartsMicroseconds",
                .object([
                    ("cores", .number(Double(c.coreTimePs) / n / 1e6)),
                    ("mesh", .number(Double(c.meshTimePs) / n / 1e6)),
                    ("barrier", .number(Double(c.barrierTimePs) / n / 1e6)),
                ])
            ),
            ("spikeRate", .number(evaluation.spikeRate)),
            ("neurobench", neurobench.json),
            ("packets", .number(Double(c.packets) / n)),
            ("inputPackets", .number(Double(c.inputPackets) / n)),
            ("hops", .number(energy.hops)),
            ("hopsBetweenChips", .number(Double(c.hopsBetweenChips) / n)),
            ("hopsNorthSouth", .number(Double(c.hopsNorthSouth) / n)),
            ("peakLinkLoad", .int(c.linkPeak.max() ?? 0)),
            ("stalledPacketTicks", .int(c.stalledPacketTicks)),
            ("latePackets", .int(c.latePackets)),
            ("saturations", .int(c.saturations)),
            (
                "layers",
                .array(
                    network.populations.indices.dropFirst().map { p in
                        .object([
                            ("name", .string(network.populations[p].name)),
                            ("spikesPerImage", .number(Double(c.populationSpikes[p]) / n)),
                            ("synapticOpsPerImage", .number(Double(c.populationSynapticOps[p]) / n)),
                            ("neuronUpdatesPerImage", .number(Double(c.populationNeuronUpdates[p]) / n)),
                            ("saturations", .int(c.populationSaturations[p])),
                        ])
                    })
            ),
            ("seconds", .number((seconds * 1000).rounded() / 1000)),
        ]
    }

    /// Spikes a splitter's hardware copies sent: the spikes of its cores.
    func splitterCopySpikes(_ p: Int, _ c: EmulationCounters) -> Int {
        let first = mapping.firstCore[p]
        return c.coreSpikes[first..<(first + mapping.grids[p]!.count)].reduce(0, +)
    }
}
