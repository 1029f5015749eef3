import SpikeMeshCore
import SpikeMeshModel

/// One population's state on the chip (NEST's `State_`), channels-last (HWC).
struct PopulationState {
    /// V per neuron, integer units, saturating at ±limit.
    var membranes: [Int64]
    /// This tick's input current per neuron; the update adds it to V and zeroes it.
    var accumulator: [Int64]
    /// Touched this tick, per neuron or per block (`ChipPlan.blockGroups`).
    var touched: [Bool]
    /// The touched neurons or blocks, `touchedList[0..<touchedCount]` (room for all).
    var touchedList: [Int32]
    var touchedCount = 0
    /// Neurons whose residual is still ≥ Θ: they fire next tick without input.
    var active: [Int32] = []
    /// Neurons SRP silenced (residual ≤ 0 at tick τ).
    var suppressed: [Bool]
    /// The direct input's current per neuron, computed once per image by the host.
    var inputCurrent: [Int64]?

    init(count: Int, flags: Int) {
        membranes = [Int64](repeating: 0, count: count)
        accumulator = membranes
        touched = [Bool](repeating: false, count: flags)
        touchedList = [Int32](repeating: 0, count: flags)
        suppressed = [Bool](repeating: false, count: count)
    }

    /// Lists the neurons whose membrane is ≥ Θ.
    mutating func refreshActive(threshold theta: Int64) {
        active.removeAll(keepingCapacity: true)
        for i in membranes.indices where membranes[i] >= theta { active.append(Int32(i)) }
    }
}

/// The chip's state for the image being run: populations, packets in flight, link use, the
/// output's spike counts and the input's random stream.
struct ChipState {
    var populations: [PopulationState]
    var queues: PacketQueues
    var links: LinkWindow
    var outputSpikes: [Int]
    var rng = SplitMix(state: 0)
    /// The image, CHW, normalized.
    var pixels: [Float] = []
    /// Per population, when kept: (tick − 1) · count + CHW index of every spike.
    var trains: [[Int]] = []
    var predictions: [Int] = []
    /// Per input projection (direct input): the non-zero pixels' non-zero synapses, which one
    /// tick of the input current costs in NeuroBench's effective MACs.
    var inputEffectiveMACs: [Int] = []
}

/// Work of the tick in progress (NEST's `Variables_`): per-core work for timing, and the
/// population being updated's spikes and saturations. Cleared as it is used.
struct TickScratch {
    var coreSOPs: [Int]
    var coreUpdates: [Int]
    /// Per core, when a timing prices per-event core time (`ChipPlan.detailedCoreTime`): the
    /// tick's events, `TickTiming.eventStride` per core.
    var coreEvents: [Int]
    /// Routing: per route class, the `route` call that last saw it; the classes the call saw.
    var classStamp: [Int]
    var routeCall = 0
    var seenClasses: [Int32] = []
    /// Per timing: the longest route that travelled in the tick being closed, ns.
    var routeNs: [Double]
    var fired: [Int32] = []
    /// A relay population's payload per fired neuron (graded: the partial sum; signed: ±1);
    /// empty for a neuron population, whose spikes carry +1.
    var payloads: [Int32] = []
    var saturated: [Int32] = []

    init(cores: Int, routeClasses: Int, timings: Int) {
        coreSOPs = [Int](repeating: 0, count: cores)
        coreUpdates = coreSOPs
        coreEvents = [Int](repeating: 0, count: cores * TickTiming.eventStride)
        classStamp = [Int](repeating: 0, count: routeClasses)
        routeNs = [Double](repeating: 0, count: timings)
    }
}

/// What one tick cost: its modelled time and parts (ns) and its activity.
package struct TickCost: Sendable, Equatable {
    package var ns: Double
    package var coreNs: Double
    package var meshNs: Double
    package var barrierNs: Double
    package var spikes = 0
    package var packets = 0
    package var synapticOps = 0
}
