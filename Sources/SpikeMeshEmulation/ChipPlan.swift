import SpikeMeshCore
import SpikeMeshHardware
import SpikeMeshMapping
import SpikeMeshModel

/// The immutable tables of one emulation run (NEST's `Parameters_`): built once from the
/// emulator and the run's options, shared read-only by every worker, never changed by a tick.
struct ChipPlan: Sendable {
    let emulator: Emulator
    let options: EmulationOptions
    let schedule: TickSchedule
    /// Membranes saturate at ±limit = ±(2^(potentialBits−1) − 1).
    let limit: Int64
    /// Ticks ahead that packets may be queued for (longest axon delay + the link window + 2).
    let queueLength: Int
    /// Per mapped core: its neurons.
    let coreNeurons: [Int]
    let mappedNeurons: Int
    /// Per population: updated densely every tick (a bias or the direct input feeds it).
    let denseUpdate: [Bool]
    /// Per population fed only by conv and dense projections: its channel groups (touched
    /// *blocks* — one position's run of one core's channels — are tracked), else 0.
    let blockGroups: [Int]
    /// Per population: HWC index → CHW index (readout and spike trains are in CHW order).
    let chwIndex: [[Int]]
    /// CHW index → HWC index of the input.
    let inputInverse: [Int]
    /// Per population with a non-zero bias: its bias per neuron (channels-last, tiled over
    /// positions), in integer units.
    let biases: [[Int64]?]
    /// Projections out of the input population.
    let inputProjections: [Int]
    /// Somas update every neuron every tick (TrueNorth-style) for timing and energy.
    let everyTick: Bool
    /// A graded relay's payload saturates at ±payloadLimit = ±(2^(gradedSpikeBits−1) − 1).
    let payloadLimit: Int64
    /// Per projection: its `SynapseClass` (raw value), for per-kind synaptic costs.
    let projectionClass: [Int]
    /// The time tables every tick is priced by: the mapping's model's, then
    /// `EmulationOptions.alternativeTimes`.
    let timings: [TickTiming]
    /// Some timing prices per-event core time: the tick's events are counted per core
    /// (`TickScratch.coreEvents`).
    let detailedCoreTime: Bool
    /// NeuroBench's effective synaptic operations: per population and neuron (HWC), its
    /// non-zero synapses into convolutions and dense layers; and per input projection (in
    /// `inputProjections` order), the same for the input's neurons.
    let effectiveSynapses: [[Int32]]
    let inputEffectiveSynapses: [[Int32]]

    var network: FixedPointNetwork { emulator.network }
    var mapping: Mapping { emulator.mapping }
    var hardware: HardwareModel { emulator.mapping.hardware }
    var pipelined: Bool { options.delivery == .pipelined }

    init(emulator: Emulator, options: EmulationOptions, schedule: TickSchedule) {
        self.emulator = emulator
        self.options = options
        self.schedule = schedule
        let network = emulator.network
        let mapping = emulator.mapping
        let pops = network.populations
        limit = network.format.potentialLimit
        queueLength = (emulator.delays.max() ?? 0) + LinkWindow.ticks + 2
        coreNeurons = mapping.cores.map(\.neurons)
        mappedNeurons = coreNeurons.reduce(0, +)
        biases = pops.map { p in
            p.bias.flatMap { b in b.allSatisfy { $0 == 0 } ? nil : (0..<p.count).map { b[$0 % b.count] } }
        }
        let fedByInput = Set(network.projections.filter { $0.source == 0 }.map(\.target))
        let dense = pops.indices.map { p in
            p > 0
                && (pops[p].bias.map { $0.contains { $0 != 0 } } ?? false
                    || (options.encoding == .direct && fedByInput.contains(p)))
        }
        denseUpdate = dense
        chwIndex = pops.map { RunSupport.chwIndex($0.shape) }
        inputInverse = RunSupport.hwcIndex(pops[0].shape)
        inputProjections = network.projections.indices.filter { network.projections[$0].source == 0 }
        everyTick = mapping.hardware.core.somaUpdate == .everyTick
        let graded = mapping.hardware.core.gradedSpikeBits
        payloadLimit = graded > 1 ? (Int64(1) << Int64(graded - 1)) - 1 : 0
        projectionClass = network.projections.map { SynapseClass($0.kind).rawValue }
        let compiled = emulator.compiled
        let nonzero = compiled.map { $0.nonzeroSynapses() }
        effectiveSynapses = pops.indices.map { p in
            var sum = [Int32](repeating: 0, count: pops[p].count)
            for j in compiled.indices where compiled[j].source == p { for i in sum.indices { sum[i] += nonzero[j][i] } }
            return sum
        }
        inputEffectiveSynapses = inputProjections.map { nonzero[$0] }
        timings = ([mapping.hardware.time] + options.alternativeTimes).map {
            TickTiming($0, routes: emulator.routes, tilesInUse: mapping.tilesInUse)
        }
        detailedCoreTime = timings.contains { $0.detailed }
        let plan = emulator.plan
        blockGroups = pops.indices.map { p in
            guard p > 0, !dense[p], pops[p].relay == nil, let g = mapping.grids[p] else { return 0 }
            let incoming = network.projections.indices.filter { emulator.targets[$0] == p }
            let ok =
                !incoming.isEmpty
                && incoming.allSatisfy { j in
                    plan.info[j].kind == .conv || (plan.info[j].kind == .dense && g.channels == pops[p].count)
                }
            return ok ? g.groups : 0
        }
    }

    /// What a delivery into population p flags as touched.
    func tracking(_ p: Int) -> DeliveryPlan.Tracking {
        denseUpdate[p] ? .none : blockGroups[p] > 0 ? .blocks : .neurons
    }

    /// Flags per population: one per neuron, or one per block.
    func flagCount(_ p: Int) -> Int {
        blockGroups[p] > 0
            ? network.populations[p].count / mapping.grids[p]!.channels * blockGroups[p] : network.populations[p].count
    }
}
