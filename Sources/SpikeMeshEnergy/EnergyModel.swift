import SpikeMeshCore
import SpikeMeshEmulation
import SpikeMeshHardware
import SpikeMeshModel

/// Energy and latency per inference from emulation counters (Docs/Emulation.md, "Energy").
///
/// ```
/// E = SOPs·E_sop + updates·E_update (+ idle updates·E_idle, for every-tick somas)
///   + packets·E_spikeOut + spikes·E_spike + hops within chips·E_hop + hops between chips·E_hopChips
///   + ticks·chips·E_barrier + static power·chips·time
/// ```
///
/// Where the model prices synapses by kind, SOPs·E_sop is Σ over `SynapseClass` of that
/// class's SOPs × its cost; where it prices north–south hops apart, the within-chip part is
/// east–west hops·E_hop + north–south hops·E_hopNS. The `spikeOut` part holds both the
/// per-packet (message) and the per-spike energy.
///
/// Input packets from the host and the host's direct-input arithmetic are not charged
/// (the chip's I/O is outside the model); everything is per image.
public struct EnergyEstimate: Sendable {
    public struct Part: Sendable {
        public var name: String
        public var microjoules: Double
    }

    public var parts: [Part]
    public var latencyTicks: Double
    public var latencyMicroseconds: Double
    public var synapticOps: Double
    public var neuronUpdates: Double
    public var packets: Double
    public var hops: Double
    public var totalMicrojoules: Double { parts.reduce(0) { $0 + $1.microjoules } }
    /// Total energy over synaptic ops, for comparison with published pJ/SOP figures.
    public var picojoulesPerSOP: Double { synapticOps > 0 ? totalMicrojoules * 1e6 / synapticOps : 0 }

    public init(counters c: EmulationCounters, hardware hw: HardwareModel, chips: Int) {
        let n = Double(max(c.images, 1))
        let e = hw.energy
        let everyTick = hw.core.somaUpdate == .everyTick
        let active = Double(c.neuronUpdates) / n
        let idle = everyTick ? Double(max(0, c.everyTickNeuronUpdates - c.neuronUpdates)) / n : 0
        let ticks = Double(c.ticks) / n
        let timeNs = c.timeNs / n
        let pj = 1e-6
        // The plain formulas where the model has no per-kind, per-spike or per-direction keys
        // (so their totals stay bit for bit what they were before those keys existed).
        let synaptic =
            e.hasSynapseClasses
            ? SynapseClass.allCases.reduce(0.0) {
                $0 + Double(c.synapticOpsByClass[$1.rawValue]) / n * e.synapticOpPJ($1)
            }
            : Double(c.synapticOps) / n * e.synapticOpPJ
        var spikeOut = Double(c.packets) / n * e.spikeOutPJ
        if e.spikePJ > 0 { spikeOut += Double(c.spikes) / n * e.spikePJ }
        let withinChip =
            e.hopNorthSouthPJ.map { ns in
                Double(c.hopsWithinChip - c.hopsNorthSouth) / n * e.hopPJ + Double(c.hopsNorthSouth) / n * ns
            } ?? Double(c.hopsWithinChip) / n * e.hopPJ
        // In `partNames` order.
        let microjoules = [
            synaptic * pj,
            (active * e.neuronUpdatePJ + idle * e.idleNeuronUpdatePJ) * pj,
            spikeOut * pj,
            withinChip * pj,
            Double(c.hopsBetweenChips) / n * e.hopBetweenChipsPJ * pj,
            ticks * Double(chips) * e.barrierPJ * pj,
            e.staticPowerMW * Double(chips) * timeNs * pj,  // mW × ns = pJ.
        ]
        parts = zip(Self.partNames, microjoules).map { Part(name: $0, microjoules: $1) }
        latencyTicks = ticks
        latencyMicroseconds = timeNs / 1000
        synapticOps = Double(c.synapticOps) / n
        neuronUpdates = everyTick ? Double(c.everyTickNeuronUpdates) / n : active
        packets = Double(c.packets) / n
        hops = Double(c.hopsWithinChip + c.hopsBetweenChips) / n
    }

    /// The parts of every estimate, in order.
    public static let partNames = [
        "synaptic", "neuron", "spikeOut", "routingWithinChip", "routingBetweenChips", "barrier", "static",
    ]

    public var breakdownJSON: JSON { .object(parts.map { ($0.name, .number($0.microjoules)) }) }
}

/// The usual 45 nm reference points (Horowitz, ISSCC 2014): a 32-bit float multiply-add
/// costs about 4.6 pJ and an add about 0.9 pJ. An ANN pays one MAC per synapse per
/// inference; an SNN one accumulate (AC) per synaptic op.
public enum ReferenceEnergy {
    public static let macPJ = 4.6
    public static let acPJ = 0.9
}

extension SpikingNetwork {
    /// Multiply-accumulates of the ANN this network replaces: one per synapse of every
    /// convolution and dense projection (pooling and identity paths are not MACs).
    public var macCount: Int {
        projections.reduce(0) { total, p in
            let target = populations[p.target]
            switch p.kind {
            case .dense: return total + populations[p.source].count * target.count
            case .conv(let c):
                let (_, th, tw) = CompiledProjection.dims(target.shape)
                return total + th * tw * c.outChannels * c.fanIn
            case .avgPool, .identity: return total
            }
        }
    }
}

/// NeuroBench's metrics (Yik et al., "The NeuroBench framework for benchmarking neuromorphic
/// computing algorithms and systems", Nature Communications 2025; the `neurobench` harness's
/// `Footprint`, `ConnectionSparsity`, `ActivationSparsity`, `SynapticOperations`), named as
/// NeuroBench names them, per sample, so SpikeMesh's numbers sit beside NeuroBench results.
/// Docs/Emulation.md ("NeuroBench metrics") maps each to the hardware counters it differs from.
public struct NeuroBenchMetrics: Sendable {
    /// Bytes of the fixed-point network: every stored weight at `weightBits`, every threshold,
    /// bias and initial potential at `potentialBits`.
    public var footprint: Int
    /// Zero weights / all weights of the convolutions and dense layers.
    public var connectionSparsity: Double
    /// 1 − spikes / (neurons × ticks) over the hidden neuron populations (RMP-SNN's R).
    public var activationSparsity: Double
    /// Non-zero synapses reached by non-zero analog inputs (the direct input) and by spikes,
    /// and every synapse of every convolution and dense layer each tick (`Dense`).
    public var effectiveMACs: Double
    public var effectiveACs: Double
    public var dense: Double

    public init(network: FixedPointNetwork, counters c: EmulationCounters, spikeRate: Double) {
        let n = Double(max(c.images, 1))
        var weightCount = 0
        var zeros = 0
        var connections = 0
        var densePerTick = 0
        for p in network.projections {
            let w = p.weights
            weightCount += w.count
            switch p.kind {
            case .dense:
                connections += w.count
                zeros += w.filter { $0 == 0 }.count
                densePerTick += w.count
            case .conv(let window, let inChannels, let outChannels, _):
                connections += w.count
                zeros += w.filter { $0 == 0 }.count
                let (_, th, tw) = CompiledProjection.dims(network.populations[p.target].shape)
                densePerTick += th * tw * outChannels * inChannels * window.taps
            case .avgPool, .identity:
                break
            }
        }
        var parameters = 0
        for p in network.populations.dropFirst() {
            parameters += 1 + (p.bias?.count ?? 0) + (p.channelInitialPotential?.count ?? 1)
        }
        let bits = weightCount * network.format.weightBits + parameters * network.format.potentialBits
        footprint = (bits + 7) / 8
        connectionSparsity = connections > 0 ? Double(zeros) / Double(connections) : 0
        activationSparsity = 1 - spikeRate
        effectiveMACs = Double(c.effectiveMACs) / n
        effectiveACs = Double(c.effectiveACs) / n
        dense = Double(densePerTick) * Double(c.ticks) / n
    }

    public var json: JSON {
        .object([
            ("footprint", .int(footprint)), ("connection_sparsity", .number(connectionSparsity)),
            ("activation_sparsity", .number(activationSparsity)),
            (
                "synaptic_operations",
                .object([
                    ("Effective_MACs", .number(effectiveMACs)), ("Effective_ACs", .number(effectiveACs)),
                    ("Dense", .number(dense)),
                ])
            ),
        ])
    }

    public var text: String {
        String(
            format:
                "  NeuroBench     footprint %d B, connection sparsity %.4f, activation sparsity %.4f;\n                 synaptic operations: Effective_MACs %.0f, Effective_ACs %.0f, Dense %.0f\n",
            footprint, connectionSparsity, activationSparsity, effectiveMACs, effectiveACs, dense)
    }
}
