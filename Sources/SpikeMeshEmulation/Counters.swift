import SpikeMeshCore
import SpikeMeshHardware

/// What an emulation counted, summed over the images it ran (Docs/Emulation.md, "Counters").
///
/// Each quantity is stored once, at its finest grain; totals are derived (`synapticOps` is the
/// sum over ticks, which equals the sums over cores and over populations).
public struct EmulationCounters: Sendable {
    /// Per mapped core.
    public var coreSynapticOps: [Int]
    public var coreNeuronUpdates: [Int]
    public var corePacketsOut: [Int]
    public var corePacketsIn: [Int]
    public var coreSpikes: [Int]
    public var coreSaturations: [Int]
    /// Per population: spikes over its counted window (as the reference counts them),
    /// synaptic ops into it, neuron updates, saturations.
    public var populationSpikes: [Int]
    public var populationSynapticOps: [Int]
    public var populationNeuronUpdates: [Int]
    public var populationSaturations: [Int]
    /// Per directed link: packets carried, and the most it carried in one tick.
    public var linkPackets: [Int]
    public var linkPeak: [Int]
    /// Per tick (summed over images): spikes, packets, synaptic ops.
    public var tickSpikes: [Int]
    public var tickPackets: [Int]
    public var tickSynapticOps: [Int]

    /// Packets from spikes of mapped cores (one per spike and destination core).
    public var packets: Int { tickPackets.reduce(0, +) }
    /// Packets the host injected for Poisson input spikes (at their destination core).
    public var inputPackets = 0
    /// Packets delivered to cores (input packets included).
    public var delivered: Int { corePacketsIn.reduce(0, +) }
    /// Packets still waiting when the run ended (pipelined delivery: spikes of the last ticks).
    public var pendingAtEnd = 0
    public var hopsWithinChip = 0
    /// Of `hopsWithinChip`, those along Y (north–south), priced apart where the model says so.
    public var hopsNorthSouth = 0
    public var hopsBetweenChips = 0
    /// NeuroBench's effective synaptic operations (`SynapticOperations`): non-zero synapses of
    /// convolutions and dense layers reached by a spike (ACs) or by a non-zero analog input
    /// (MACs: the direct input, each tick it is presented), summed over ticks.
    public var effectiveACs = 0
    public var effectiveMACs = 0
    /// Synaptic ops by `SynapseClass` (conv, dense, sparse); they sum to `synapticOps`.
    public var synapticOpsByClass = [Int](repeating: 0, count: SynapseClass.allCases.count)
    /// Packet-ticks spent waiting for a full link, and packets that arrived after their tick.
    public var stalledPacketTicks = 0
    public var latePackets = 0
    public var synapticOps: Int { tickSynapticOps.reduce(0, +) }
    /// Neuron updates of the event-driven rule, and what a soma updating every neuron every
    /// tick would do (mapped neurons × ticks).
    public var neuronUpdates: Int { coreNeuronUpdates.reduce(0, +) }
    public var everyTickNeuronUpdates = 0
    public var saturations: Int { populationSaturations.reduce(0, +) }
    /// Spikes of every tick (populationSpikes counts each population's own window only).
    public var spikes: Int { tickSpikes.reduce(0, +) }
    public var ticks = 0
    /// Σ over ticks of the modelled tick time and its parts, per time table: `times[0]` by the
    /// mapping's hardware model, then one per `EmulationOptions.alternativeTimes`.
    public var times: [TimeTotals]
    /// The run's own tick time and its parts (`times[0]`), in integer picoseconds.
    public var timePs: Int {
        get { times[0].timePs }
        set { times[0].timePs = newValue }
    }
    public var coreTimePs: Int {
        get { times[0].coreTimePs }
        set { times[0].coreTimePs = newValue }
    }
    public var meshTimePs: Int {
        get { times[0].meshTimePs }
        set { times[0].meshTimePs = newValue }
    }
    public var barrierTimePs: Int {
        get { times[0].barrierTimePs }
        set { times[0].barrierTimePs = newValue }
    }
    public var timeNs: Double { Double(timePs) / 1000 }
    public var images = 0

    init(cores: Int, populations: Int, links: Int, ticks: Int, timeTables: Int = 1) {
        times = [TimeTotals](repeating: TimeTotals(), count: max(1, timeTables))
        coreSynapticOps = Array(repeating: 0, count: cores)
        coreNeuronUpdates = coreSynapticOps
        corePacketsOut = coreSynapticOps
        corePacketsIn = coreSynapticOps
        coreSpikes = coreSynapticOps
        coreSaturations = coreSynapticOps
        populationSpikes = Array(repeating: 0, count: populations)
        populationSynapticOps = populationSpikes
        populationNeuronUpdates = populationSpikes
        populationSaturations = populationSpikes
        linkPackets = Array(repeating: 0, count: links)
        linkPeak = linkPackets
        tickSpikes = Array(repeating: 0, count: ticks)
        tickPackets = tickSpikes
        tickSynapticOps = tickSpikes
    }

    mutating func add(_ o: EmulationCounters) {
        func sum(_ a: inout [Int], _ b: [Int]) { for i in a.indices { a[i] += b[i] } }
        sum(&coreSynapticOps, o.coreSynapticOps)
        sum(&coreNeuronUpdates, o.coreNeuronUpdates)
        sum(&corePacketsOut, o.corePacketsOut)
        sum(&corePacketsIn, o.corePacketsIn)
        sum(&coreSpikes, o.coreSpikes)
        sum(&coreSaturations, o.coreSaturations)
        sum(&populationSpikes, o.populationSpikes)
        sum(&populationSynapticOps, o.populationSynapticOps)
        sum(&populationNeuronUpdates, o.populationNeuronUpdates)
        sum(&populationSaturations, o.populationSaturations)
        sum(&linkPackets, o.linkPackets)
        for i in linkPeak.indices { linkPeak[i] = max(linkPeak[i], o.linkPeak[i]) }
        sum(&tickSpikes, o.tickSpikes)
        sum(&tickPackets, o.tickPackets)
        sum(&tickSynapticOps, o.tickSynapticOps)
        inputPackets += o.inputPackets
        pendingAtEnd += o.pendingAtEnd
        hopsWithinChip += o.hopsWithinChip
        hopsBetweenChips += o.hopsBetweenChips
        hopsNorthSouth += o.hopsNorthSouth
        for c in synapticOpsByClass.indices { synapticOpsByClass[c] += o.synapticOpsByClass[c] }
        effectiveACs += o.effectiveACs
        effectiveMACs += o.effectiveMACs
        stalledPacketTicks += o.stalledPacketTicks
        latePackets += o.latePackets
        everyTickNeuronUpdates += o.everyTickNeuronUpdates
        ticks += o.ticks
        for k in times.indices { times[k].add(o.times[k]) }
        images += o.images
    }

    /// These counters with time table k's totals as the run's own (k = 0: unchanged): what a
    /// run on the model with that table would have counted, since time never changes a spike.
    /// Throws when that table's emulated time passed Int.max ps.
    public func retimed(_ k: Int) throws -> EmulationCounters {
        precondition(times.indices.contains(k), "no time table \(k)")
        guard !times[k].overflowed else { throw TimeTotals.overflowError }
        var c = self
        c.times = [times[k]]
        return c
    }
}

/// Σ over ticks of the modelled tick time and its parts, in integer picoseconds, so sums do
/// not depend on the order images are added in. A sum beyond Int.max ps (about 107 days of chip
/// time) sets `overflowed` and stops growing, never wraps.
public struct TimeTotals: Sendable, Equatable {
    public var timePs = 0, coreTimePs = 0, meshTimePs = 0, barrierTimePs = 0
    public var overflowed = false

    static let overflowError = SpikeMeshError(
        .invalidArgument,
        "the emulated time passed \(Int.max) ps (about 107 days): the hardware model's times are too large")

    /// Adds one tick's time and parts (ns); false when a sum would pass Int.max ps.
    mutating func addTick(ns: Double, coreNs: Double, meshNs: Double, barrierNs: Double) -> Bool {
        guard !overflowed else { return false }
        let ok =
            Self.add(ns, &timePs) && Self.add(coreNs, &coreTimePs) && Self.add(meshNs, &meshTimePs)
            && Self.add(barrierNs, &barrierTimePs)
        if !ok { overflowed = true }
        return ok
    }

    mutating func add(_ o: TimeTotals) {
        let sums = [
            timePs.addingReportingOverflow(o.timePs), coreTimePs.addingReportingOverflow(o.coreTimePs),
            meshTimePs.addingReportingOverflow(o.meshTimePs), barrierTimePs.addingReportingOverflow(o.barrierTimePs),
        ]
        guard !overflowed, !o.overflowed, !sums.contains(where: \.overflow) else {
            overflowed = true
            return
        }
        (timePs, coreTimePs, meshTimePs, barrierTimePs) = (
            sums[0].partialValue, sums[1].partialValue, sums[2].partialValue, sums[3].partialValue
        )
    }

    private static func add(_ ns: Double, _ total: inout Int) -> Bool {
        let ps = (ns * 1000).rounded()
        guard ps < 9.2e18, case (let sum, false) = total.addingReportingOverflow(Int(ps)) else { return false }
        total = sum
        return true
    }
}
