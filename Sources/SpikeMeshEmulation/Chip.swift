import SpikeMeshCore
import SpikeMeshMapping
import SpikeMeshModel

/// One worker's chip: the plan (immutable tables), the state of the image being run, the
/// tick's scratch and the counters, reused image after image.
///
/// A tick is a state machine — `step(t)`:
///
/// ```
/// begin ─▶ inject (Poisson input packets)
///       ─▶ for each population in topological order:
///              deliver (packets due now → input current)
///              update  (a strategy per population and tick → spikes)
///              emit    (spikes → packets, routed over the link window, queued)
///       ─▶ close (SRP reset at τ, tick time, counters)
/// ```
///
/// The parts decide (which neurons fire, which tick a packet arrives); the engine counts.
/// Tests can `reset` a chip and advance it tick by tick (`membranes(of:)`).
struct Chip {
    let plan: ChipPlan
    var state: ChipState
    var scratch: TickScratch
    var counters: EmulationCounters

    init(plan: ChipPlan) {
        self.plan = plan
        let network = plan.network
        let mapping = plan.mapping
        state = ChipState(
            populations: network.populations.indices.map {
                PopulationState(count: network.populations[$0].count, flags: plan.flagCount($0))
            },
            queues: PacketQueues(populations: network.populations.count, length: plan.queueLength),
            links: LinkWindow(
                linkCount: mapping.mesh.linkCount, capacity: mapping.hardware.mesh.linkCapacity,
                timings: plan.timings.count),
            outputSpikes: [Int](repeating: 0, count: network.populations[network.output].count))
        scratch = TickScratch(
            cores: mapping.cores.count, routeClasses: plan.emulator.routes.classHops.count, timings: plan.timings.count)
        counters = EmulationCounters(
            cores: mapping.cores.count, populations: network.populations.count,
            links: mapping.mesh.linkCount, ticks: plan.schedule.totalTicks, timeTables: plan.timings.count)
    }

    /// A chip for one worker, with the plan built here (tests and single-image use).
    init(emulator: Emulator, options: EmulationOptions) throws {
        let schedule = try TickSchedule(
            checkpoints: options.checkpoints, srpTau: options.srpTau, delivery: options.delivery,
            depths: emulator.depths, output: emulator.network.output)
        self.init(plan: ChipPlan(emulator: emulator, options: options, schedule: schedule))
    }

    struct ImageResult {
        var predictions: [Int]
        var trains: [[Int]]
    }

    /// Runs one image (CHW, normalized) for the whole schedule.
    mutating func run(image: Int, pixels: [Float]) throws -> ImageResult {
        reset(image: image, pixels: pixels)
        let schedule = plan.schedule
        for t in 1...schedule.totalTicks {
            try step(t)
            for _ in schedule.checkpointsRead(at: t) { state.predictions.append(readout()) }
        }
        while state.predictions.count < schedule.checkpoints.count { state.predictions.append(readout()) }
        // Packets still queued (pipelined: emitted in the last ticks, due after the run) are
        // counted, so packets out = delivered + pending at the end.
        counters.pendingAtEnd += state.queues.clear()
        return ImageResult(predictions: state.predictions, trains: state.trains)
    }

    /// Advances the chip by tick t and returns what the tick cost.
    @discardableResult
    mutating func step(_ t: Int) throws -> TickCost {
        beginTick(t)
        try inject(t)
        var activity = (spikes: 0, packets: 0, synapticOps: 0)
        for p in 1..<plan.network.populations.count {
            activity.synapticOps += deliver(p, tick: t)
            addInputCurrent(p, tick: t)
            if let relay = plan.network.populations[p].relay {
                updateRelay(p, relay)
            } else {
                update(p, tick: t, strategy: strategy(p))
            }
            let (spikes, packets) = try emit(p, tick: t)
            activity.spikes += spikes
            activity.packets += packets
        }
        if plan.schedule.isSRPReset(t) { resetForSRP() }
        var cost = try closeTick(t)
        (cost.spikes, cost.packets, cost.synapticOps) = activity
        return cost
    }

    /// Population p's membranes (HWC, integer units), for tests that step a chip.
    func membranes(of p: Int) -> [Int64] { state.populations[p].membranes }
}
