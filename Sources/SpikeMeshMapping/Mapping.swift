import SpikeMeshCore
import SpikeMeshHardware

/// A spiking network placed on a chip: every hidden and output population cut into slices
/// that fit a core, each slice on one physical core, with the destination cores of every
/// neuron (one AER packet per spike and destination core).
public struct Mapping: Sendable {
    /// One used core: a slice of a population and what it uses of the core's limits.
    public struct Core: Sendable {
        public var population: Int
        public var slice: SliceGrid.Slice
        public var neurons: Int
        public var axons: Int
        public var synapses: Int
        public var synapseBits: Int
        /// Routing entries: Σ over the core's neurons of their destination cores.
        public var fanOutEntries: Int
    }

    /// A core limit that cannot be met even by a one-neuron slice; such cores are
    /// over-committed (the emulator runs them as if the limit were larger) and reported.
    public struct Violation: Sendable, Equatable {
        public var limit: String
        public var population: Int
        public var name: String
        public var needed: Int
        public var available: Int
        public var description: String {
            limit == "neuron fan-out"
                ? "\(limit): layer \(Text.quoted(name)) needs \(needed) destination entries per neuron, a neuron may have \(available) (over by \(needed - available))"
                : "\(limit): layer \(Text.quoted(name)) needs \(needed) per core, the core has \(available) (over by \(needed - available))"
        }
    }

    public internal(set) var hardware: HardwareModel
    /// Per population; nil for the input (it lives on the host).
    public let grids: [SliceGrid?]
    /// Index of each population's first core in `cores`.
    public let firstCore: [Int]
    public let cores: [Core]
    public let violations: [Violation]
    /// Per splitter population (`Relay.splitter`), HWC: each neuron's hardware copies,
    /// ⌈destination entries / core.neuronFanOut⌉; empty for every other population.
    public let copies: [[Int32]]
    /// Destinations per population, CSR over its neurons in HWC order: neuron i sends to
    /// `destinationCore[k]` through projection `destinationProjection[k]`, k in offsets[i]..<offsets[i+1].
    public let destinationOffsets: [[Int32]]
    public let destinationCore: [[Int32]]
    public let destinationProjection: [[Int32]]
    /// Expected spikes per neuron per tick of each population (from calibration, or assumed).
    public let rates: [Double]
    /// Expected packets per tick between cores (source core, destination core, rate).
    public let traffic: [(from: Int, to: Int, rate: Double)]
    /// Physical core of each mapped core, traffic-aware and baseline (snake) placements.
    public let placement: [Int]
    public let baselinePlacement: [Int]
    public let placementCost: Double
    public let baselineCost: Double
    /// Chips the mapping occupies (more than the board has means it spilled over).
    public let chipsUsed: Int
    public let mesh: MeshGeometry

    public var fits: Bool { violations.isEmpty }
    public func coreOf(population p: Int, neuron hwc: Int) -> Int {
        let g = grids[p]!
        let c = hwc % g.channels
        let yx = hwc / g.channels
        return firstCore[p] + g.slice(containing: c, yx / g.width, yx % g.width)
    }
}

extension Mapping {
    /// Routers (tiles: a router and its cores) with at least one mapped core, over every chip;
    /// the tick barrier of a model with `time.barrierNsByTilesInUse` grows with it.
    public var tilesInUse: Int {
        Set(placement.map { $0 / mesh.coresPerRouter }).count
    }
}

extension Mapping {
    /// This mapping on `hardware`, a model with the same mesh and core: a what-if of its
    /// `time` and `energy` keys, which change no slice, placement or route.
    public func withTechnology(of hardware: HardwareModel) throws -> Mapping {
        guard hardware.mesh == self.hardware.mesh, hardware.core == self.hardware.core else {
            throw SpikeMeshError(
                .invalidArgument,
                "\(hardware.name) differs from \(self.hardware.name) in mesh or core keys; map it again")
        }
        var m = self
        m.hardware = hardware
        return m
    }
}
