import Foundation
import SpikeMeshCore
import SpikeMeshHardware
import SpikeMeshMapping
import SpikeMeshModel

public struct EmulationOptions: Sendable {
    /// Input-presentation ticks at which accuracy is read; the run lasts the largest.
    public var checkpoints: [Int] = [64]
    public var encoding: InputEncoding = .direct
    public var delivery: DeliveryMode = .layerSynchronous
    public var readout: ReadoutMode = .membrane
    public var seed: UInt64 = 0
    public var srpTau: Int = 0
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Keep every population's spike train per image, in the reference simulator's format.
    public var keepSpikeTrains = false
    /// More time tables to price every tick with, beside the mapping's model's own: a sweep's
    /// points that differ only in `time.*` keys share one emulation. Their totals are
    /// `EmulationCounters.times[1...]`, in this order.
    public var alternativeTimes: [HardwareModel.Time] = []
    public init() {}
}

public struct EmulationResult: Sendable {
    /// `predictions[k][image]` at checkpoint k.
    public var predictions: [[Int]]
    public var counters: EmulationCounters
    /// `[image][population]` → (tick − 1) · count + CHW index of every spike.
    public var spikeTrains: [[[Int]]]
    public var ticksRun: Int
}

/// The event-driven multi-core emulator (Docs/Emulation.md, "The tick loop").
///
/// It runs a fixed-point network (`Quantizer`) on a `Mapping`. Per tick, in topological
/// order of populations: packets due this tick are delivered — each fans out through the
/// destination core's synapses (a shared kernel or stored weights) and adds integer weights
/// to the membranes it touches; biases are added; only neurons that were touched, have a
/// bias or direct input, or still hold a residual ≥ Θ are updated; each spike becomes one
/// packet per destination core, routed XY hop by hop, a link carrying at most
/// `linkCapacity` packets per tick (the rest wait and are counted, never dropped).
public struct Emulator: Sendable {
    public let network: FixedPointNetwork
    public let mapping: Mapping
    let plan: DeliveryPlan
    let compiled: [CompiledProjection]
    let delays: [Int]
    let depths: [Int]
    /// Per population: the core of each neuron (HWC).
    let neuronCore: [[Int32]]
    /// Target population of each projection.
    let targets: [Int]
    /// The XY route of every destination entry of the mapping, computed once.
    let routes: RouteTable

    public init(network: FixedPointNetwork, mapping: Mapping) throws {
        self.network = network
        self.mapping = mapping
        if mapping.hardware.core.gradedSpikeBits == 0, let r = network.populations.first(where: { $0.relay == .graded })
        {
            throw SpikeMeshError(
                .invalidArgument,
                "relay \(Text.quoted(r.name)) sends graded spikes, but \(mapping.hardware.name) has core.gradedSpikeBits = 0 (binary spikes): decompose the network for this hardware"
            )
        }
        // Kernel taps and weight layouts come from the integer view, whose weights are exact
        // (|W| < 2^23); thresholds, biases and potentials are read as integers.
        let view = network.integerView()
        compiled = view.projections.map { CompiledProjection($0, network: view) }
        depths = view.depths
        delays = view.axonDelays
        neuronCore = network.populations.indices.map { p in
            p == 0 ? [] : (0..<network.populations[p].count).map { Int32(mapping.coreOf(population: p, neuron: $0)) }
        }
        targets = network.projections.map(\.target)
        routes = RouteTable(mapping: mapping, neuronCore: neuronCore)
        plan = DeliveryPlan(compiled: compiled, targets: targets, mapping: mapping)
    }

    public var depth: Int { depths[network.output] }

    /// Runs `count` images (NCHW, normalized). Images are split over workers; every counter
    /// is an integer sum (or max), so results do not depend on the worker count.
    public func run(_ input: [Float], count: Int, options: EmulationOptions) throws -> EmulationResult {
        let schedule = try TickSchedule(
            checkpoints: options.checkpoints, srpTau: options.srpTau, delivery: options.delivery,
            depths: depths, output: network.output)
        let inputSize = network.populations[0].count
        try checkBatch(input, count: count, inputSize: inputSize)
        let plan = ChipPlan(emulator: self, options: options, schedule: schedule)
        let partials = try Parallel.map(count: count, workers: options.workers) { range in
            var chip = Chip(plan: plan)
            var predictions: [(Int, [Int])] = []
            var trains: [(Int, [[Int]])] = []
            for image in range {
                let r = try chip.run(
                    image: image, pixels: Array(input[(image * inputSize)..<((image + 1) * inputSize)]))
                predictions.append((image, r.predictions))
                if options.keepSpikeTrains { trains.append((image, r.trains)) }
            }
            return (chip.counters, predictions, trains)
        }
        let total = schedule.totalTicks
        var counters = EmulationCounters(
            cores: mapping.cores.count, populations: network.populations.count,
            links: mapping.mesh.linkCount, ticks: total, timeTables: plan.timings.count)
        var predictions = [[Int]](repeating: [Int](repeating: 0, count: count), count: schedule.checkpoints.count)
        var trains = [[[Int]]](repeating: [], count: options.keepSpikeTrains ? count : 0)
        for (c, p, t) in partials {
            counters.add(c)
            for (image, preds) in p { for k in preds.indices { predictions[k][image] = preds[k] } }
            for (image, train) in t { trains[image] = train }
        }
        // Each worker's sums fit; their total may not.
        if counters.times[0].overflowed { throw TimeTotals.overflowError }
        return EmulationResult(predictions: predictions, counters: counters, spikeTrains: trains, ticksRun: total)
    }
}

/// The links of each (source core, destination core) route that a spike can take, found once
/// per mapping: the emulator walks a packet's links from this table instead of recomputing
/// router coordinates hop by hop.
struct RouteTable: Sendable {
    /// Per population: the route of each destination entry (parallel to `destinationCore`).
    let entryRoute: [[Int32]]
    /// Route r's links are `links[start[r]..<start[r + 1]]`, in the order the packet takes them.
    let start: [Int32]
    let links: [Int32]
    let hopsWithin: [Int32]
    /// Of `hopsWithin`, those along Y (north–south).
    let hopsNorthSouth: [Int32]
    let hopsBetween: [Int32]
    /// Per route: its class, the routes with the same hops of each kind — whose time on the
    /// wire is the same under any time table (`TickTiming.wireNs`).
    let routeClass: [Int32]
    /// Per class: (hops within chips, of them north–south, hops between chips).
    let classHops: [(within: Int, northSouth: Int, between: Int)]

    init(mapping: Mapping, neuronCore: [[Int32]]) {
        var index: [Int: Int32] = [:]
        var classIndex: [Int: Int32] = [:]
        var start: [Int32] = [0]
        var links: [Int32] = []
        var within: [Int32] = []
        var northSouth: [Int32] = []
        var between: [Int32] = []
        var routeClass: [Int32] = []
        var classHops: [(within: Int, northSouth: Int, between: Int)] = []
        let mesh = mapping.mesh
        let coreCount = mapping.cores.count
        func route(_ a: Int, _ b: Int) -> Int32 {
            if let r = index[a * coreCount + b] { return r }
            var w: Int32 = 0
            var x: Int32 = 0
            var y: Int32 = 0
            mesh.route(mapping.placement[a], mapping.placement[b]) { link, crosses in
                links.append(Int32(link))
                if crosses {
                    x += 1
                } else {
                    w += 1
                    if MeshGeometry.isNorthSouth(link: link) { y += 1 }
                }
            }
            let r = Int32(within.count)
            start.append(Int32(links.count))
            within.append(w)
            northSouth.append(y)
            between.append(x)
            let key = (Int(w) << 42) | (Int(y) << 21) | Int(x)
            if let c = classIndex[key] {
                routeClass.append(c)
            } else {
                classIndex[key] = Int32(classHops.count)
                routeClass.append(Int32(classHops.count))
                classHops.append((Int(w), Int(y), Int(x)))
            }
            index[a * coreCount + b] = r
            return r
        }
        var entryRoute: [[Int32]] = []
        for p in mapping.destinationOffsets.indices {
            let o = mapping.destinationOffsets[p]
            let dst = mapping.destinationCore[p]
            var r = [Int32](repeating: -1, count: dst.count)
            if p > 0 {
                for i in 0..<max(0, o.count - 1) {
                    let src = Int(neuronCore[p][i])
                    for k in Int(o[i])..<Int(o[i + 1]) { r[k] = route(src, Int(dst[k])) }
                }
            }
            entryRoute.append(r)
        }
        self.entryRoute = entryRoute
        self.start = start
        self.links = links
        hopsWithin = within
        hopsNorthSouth = northSouth
        hopsBetween = between
        self.routeClass = routeClass
        self.classHops = classHops
    }
}
