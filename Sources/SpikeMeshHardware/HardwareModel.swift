import Foundation
import SpikeMeshCore

/// A neuromorphic chip, as a JSON file in `HardwareModels/` (every key: `Docs/HardwareModels.md`).
///
/// Topology (`mesh`, `core`) is kept apart from technology (`time`, `energy`), as BookSim2
/// keeps its techfile apart from its topology: a what-if study changes one without the other.
public struct HardwareModel: Sendable, Equatable {
    public struct Mesh: Sendable, Equatable {
        /// Routers per chip, as columns × rows.
        public var columns = 4, rows = 4
        /// Cores that share one router (Loihi: 4 cores per tile).
        public var coresPerRouter = 1
        /// Chips on the board, as columns × rows; chip-to-chip links cost more.
        public var chipColumns = 1, chipRows = 1
        /// Packets one directed link forwards per tick; 0 = unlimited.
        public var linkCapacity = 0

        public var coresPerChip: Int { columns * rows * coresPerRouter }
        public var chips: Int { chipColumns * chipRows }
    }

    public enum SomaUpdate: String, Sendable, CaseIterable {
        /// Only neurons an event touched are updated (the emulator's own rule).
        case event
        /// The hardware updates every neuron every tick (energy counts those updates too).
        case everyTick
    }

    public struct Core: Sendable, Equatable {
        public var neurons = 256
        /// Input axons: distinct source neurons a core can receive from.
        public var axons = 256
        public var synapseMemoryBits = 65_536
        /// Bits per stored synapse besides its weight (an index, a format tag).
        public var synapseOverheadBits = 0
        /// Routing entries: a neuron that reaches k cores uses k entries.
        public var fanOut = 256
        public var weightBits = 8
        public var potentialBits = 16
        /// Whether a convolution kernel may be stored once and shared by a core's neurons.
        public var sharedKernels = false
        public var somaUpdate = SomaUpdate.event
        /// Payload bits a spike may carry (graded spikes, Loihi 2: up to 32, Lava uses 24);
        /// 0 = binary spikes. Fan-in decomposition uses graded relays when it is above 0, and
        /// a relay's payload saturates (counted) at ±(2^(bits−1) − 1).
        public var gradedSpikeBits = 0
        /// Destination entries (packets per spike) one neuron may have; 0 = no limit beyond
        /// `fanOut`. TrueNorth: 1 (a neuron targets one axon on one core). Fan-out splitting
        /// inserts splitter populations whose copies each stay within it.
        public var neuronFanOut = 0
    }

    public struct Time: Sendable, Equatable {
        public var synapticOpNs = 0.0, neuronUpdateNs = 0.0, hopNs = 0.0, hopBetweenChipsNs = 0.0, barrierNs = 0.0
        /// A tick never ends sooner than this (TrueNorth's real-time 1 ms tick); 0 = no floor.
        public var minimumTickNs = 0.0
        /// Per synaptic op of each kind (`SynapseClass`); nil = `synapticOpNs`.
        public var synapticOpConvNs: Double?, synapticOpDenseNs: Double?, synapticOpSparseNs: Double?
        /// Every-tick somas: the time of a neuron whose state did not change (SANA-FE's neuron
        /// access alone); nil = `neuronUpdateNs`.
        public var idleNeuronUpdateNs: Double?
        /// On the source core, per spike a neuron emits and per packet (message) it sends; on
        /// the destination core, per packet it receives.
        public var spikeNs = 0.0, packetOutNs = 0.0, packetInNs = 0.0
        /// A hop along Y (north–south) within a chip; nil = `hopNs` (which then prices X hops).
        public var hopNorthSouthNs: Double?
        /// The tick barrier as it grows with the tiles (routers) in use: the entry with the
        /// largest tile count ≤ the tiles in use (the first entry below it), as SANA-FE's
        /// `latency_sync` table; empty = `barrierNs`.
        public var barrierNsByTilesInUse: [BarrierStep] = []

        /// Whether any per-event core time beyond SOPs × synapticOpNs + updates × neuronUpdateNs is set.
        public var hasDetailedCoreTime: Bool {
            synapticOpConvNs != nil || synapticOpDenseNs != nil || synapticOpSparseNs != nil
                || idleNeuronUpdateNs != nil
                || spikeNs > 0 || packetOutNs > 0 || packetInNs > 0
        }

        /// The time of one synaptic op of class c.
        public func synapticOpNs(_ c: SynapseClass) -> Double {
            switch c {
            case .conv: synapticOpConvNs ?? synapticOpNs
            case .dense: synapticOpDenseNs ?? synapticOpNs
            case .sparse: synapticOpSparseNs ?? synapticOpNs
            }
        }

        /// The barrier of a tick when `tiles` routers have a mapped core.
        public func barrierNs(tilesInUse tiles: Int) -> Double {
            guard let first = barrierNsByTilesInUse.first else { return barrierNs }
            return barrierNsByTilesInUse.last(where: { $0.tiles <= tiles })?.ns ?? first.ns
        }
    }

    /// One entry of `time.barrierNsByTilesInUse`.
    public struct BarrierStep: Sendable, Equatable {
        public var tiles: Int
        public var ns: Double
        public init(tiles: Int, ns: Double) {
            self.tiles = tiles
            self.ns = ns
        }
    }

    public struct Energy: Sendable, Equatable {
        /// `spikeOutPJ` is per packet (message: one per spike and destination core).
        public var synapticOpPJ = 0.0, neuronUpdatePJ = 0.0, idleNeuronUpdatePJ = 0.0, spikeOutPJ = 0.0
        public var hopPJ = 0.0, hopBetweenChipsPJ = 0.0, barrierPJ = 0.0
        public var staticPowerMW = 0.0
        /// Per synaptic op of each kind (`SynapseClass`); nil = `synapticOpPJ`.
        public var synapticOpConvPJ: Double?, synapticOpDensePJ: Double?, synapticOpSparsePJ: Double?
        /// Per spike a neuron emits, whatever its destinations (SANA-FE's soma "spike out").
        public var spikePJ = 0.0
        /// A hop along Y (north–south) within a chip; nil = `hopPJ`.
        public var hopNorthSouthPJ: Double?

        public var hasSynapseClasses: Bool {
            synapticOpConvPJ != nil || synapticOpDensePJ != nil || synapticOpSparsePJ != nil
        }

        /// The energy of one synaptic op of class c.
        public func synapticOpPJ(_ c: SynapseClass) -> Double {
            switch c {
            case .conv: synapticOpConvPJ ?? synapticOpPJ
            case .dense: synapticOpDensePJ ?? synapticOpPJ
            case .sparse: synapticOpSparsePJ ?? synapticOpPJ
            }
        }
    }

    public var version = 1
    public var name: String
    public var description = ""
    public var mesh = Mesh()
    public var core = Core()
    public var time = Time()
    public var energy = Energy()
    /// Where the model came from (a path, or "built-in").
    public var source = ""

    public init(name: String) { self.name = name }

    public static let formatVersion = 1

    /// The largest value each key may take (Docs/HardwareModels.md, "Limits"). They are far
    /// above any chip built so far, and they keep every product the mapper and the emulator
    /// form (cores, links, link-window slots, picoseconds) well inside memory and Int.
    public enum Limits {
        /// mesh.columns and mesh.rows: at most 256 × 256 = 65,536 routers per chip.
        public static let meshSide = 256
        public static let coresPerRouter = 64
        /// mesh.chipColumns and mesh.chipRows.
        public static let boardSide = 1024
        /// mesh.linkCapacity, packets per link per tick (0 = unlimited).
        public static let linkCapacity = 1 << 20
        /// core.neurons (Loihi: 1,024; TrueNorth: 256).
        public static let neurons = 1 << 20
        public static let axons = 1 << 24
        public static let fanOut = 1 << 20
        /// core.synapseMemoryBits: 1 Tibit.
        public static let synapseMemoryBits = 1 << 40
        public static let synapseOverheadBits = 64
        /// Every time.* key: one second.
        public static let nanoseconds = 1e9
        /// Every energy.*PJ key: one joule.
        public static let picojoules = 1e12
        /// energy.staticPowerMW: one kilowatt.
        public static let milliwatts = 1e6
    }
}

extension HardwareModel {
    /// The shipped model names (files `HardwareModels/NAME.json`).
    public static let shipped = ["loihi", "loihi-sanafe", "loihi2", "spinnaker2", "truenorth", "generic-small"]

    /// Folders searched for `NAME.json`: `$SPIKEMESH_HARDWARE_DIR`, `./HardwareModels`, and
    /// `HardwareModels` beside the package the executable was built in.
    public static var searchFolders: [String] {
        var folders: [String] = []
        if let env = ProcessInfo.processInfo.environment["SPIKEMESH_HARDWARE_DIR"] { folders.append(env) }
        folders.append(FileManager.default.currentDirectoryPath + "/HardwareModels")
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            folders.append(url.path + "/HardwareModels")
        }
        return folders
    }

    /// A shipped name (`loihi`) or a path to a JSON file, with `key=value` overrides
    /// (`core.neurons=512`) applied before checking.
    ///
    /// `labels[i]`, when given, is how the user typed override `i` (`--vary core.neurons=1e9`);
    /// an error in that override starts with it instead of `--set KEY=VALUE`.
    public static func load(_ nameOrPath: String, overrides: [String] = [], labels: [String] = []) throws
        -> HardwareModel
    {
        var path = nameOrPath
        if !nameOrPath.contains("/") && !nameOrPath.hasSuffix(".json") {
            guard
                let found = searchFolders.map({ $0 + "/" + nameOrPath + ".json" }).first(where: {
                    FileManager.default.fileExists(atPath: $0)
                })
            else {
                throw SpikeMeshError(
                    .usage,
                    "no hardware model named '\(Text.escaped(nameOrPath))' (shipped: \(shipped.joined(separator: ", ")); or give a path to a .json file)"
                )
            }
            path = found
        }
        let data = Data(try InputFile.read(path, limit: 1 << 24))
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        // The file alone first, then each --set on top of the ones before it: the first parse
        // that fails says whose error it is (the file's, or that option's on the command line).
        var model: HardwareModel
        do { model = try parse(data, defaultName: name) } catch let e as SpikeMeshError { throw e.prefixed(path) }
        for i in overrides.indices {
            do {
                model = try parse(data, defaultName: name, overrides: Array(overrides[...i]))
            } catch let e as SpikeMeshError where e.code != .usage {
                let label = i < labels.count ? labels[i] : "--set \(Text.escaped(overrides[i]))"
                throw SpikeMeshError(.usage, "\(label): \(e.message) (hardware model \(Text.escaped(path)))")
            }
        }
        model.source = path
        return model
    }

    /// Parses a hardware model; `overrides` are `section.key=value` strings.
    public static func parse(_ data: Data, defaultName: String, overrides: [String] = []) throws -> HardwareModel {
        let top: Any
        do { top = try JSONSerialization.jsonObject(with: data) } catch {
            throw SpikeMeshError(
                .malformed,
                "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription))"
            )
        }
        guard var root = top as? [String: Any] else {
            throw SpikeMeshError(.malformed, "expected a JSON object at the top level")
        }
        for o in overrides { try apply(override: o, to: &root) }
        var r = ObjectReader(root, path: "")
        var m = HardwareModel(name: defaultName)
        guard root["version"] != nil else {
            throw SpikeMeshError(.malformed, "\"version\" is required (this build reads version \(formatVersion))")
        }
        m.version = try r.int("version", m.version)
        guard m.version == formatVersion else {
            throw SpikeMeshError(
                .unsupported, "\"version\": \(m.version) is not supported (this build reads version \(formatVersion))")
        }
        m.name = try r.string("name", m.name)
        m.description = try r.string("description", m.description)
        if var s = try r.object("mesh") {
            m.mesh.columns = try s.int("columns", m.mesh.columns, min: 1, max: Limits.meshSide)
            m.mesh.rows = try s.int("rows", m.mesh.rows, min: 1, max: Limits.meshSide)
            m.mesh.coresPerRouter = try s.int(
                "coresPerRouter", m.mesh.coresPerRouter, min: 1, max: Limits.coresPerRouter)
            m.mesh.chipColumns = try s.int("chipColumns", m.mesh.chipColumns, min: 1, max: Limits.boardSide)
            m.mesh.chipRows = try s.int("chipRows", m.mesh.chipRows, min: 1, max: Limits.boardSide)
            let routing = try s.string("routing", "xy")
            guard routing == "xy" else {
                throw SpikeMeshError(
                    .unsupported,
                    "mesh.routing: \(Text.quoted(routing)) is not supported (only \"xy\", dimension-order routing)")
            }
            m.mesh.linkCapacity = try s.int("linkCapacity", m.mesh.linkCapacity, min: 0, max: Limits.linkCapacity)
            try s.finish()
        }
        if var s = try r.object("core") {
            m.core.neurons = try s.int("neurons", m.core.neurons, min: 1, max: Limits.neurons)
            m.core.axons = try s.int("axons", m.core.axons, min: 1, max: Limits.axons)
            m.core.synapseMemoryBits = try s.int(
                "synapseMemoryBits", m.core.synapseMemoryBits, min: 1, max: Limits.synapseMemoryBits)
            m.core.synapseOverheadBits = try s.int(
                "synapseOverheadBits", m.core.synapseOverheadBits, min: 0, max: Limits.synapseOverheadBits)
            m.core.fanOut = try s.int("fanOut", m.core.fanOut, min: 1, max: Limits.fanOut)
            m.core.weightBits = try s.int("weightBits", m.core.weightBits, min: 2, max: 24)
            m.core.potentialBits = try s.int("potentialBits", m.core.potentialBits, min: 2, max: 32)
            m.core.sharedKernels = try s.bool("sharedKernels", m.core.sharedKernels)
            m.core.gradedSpikeBits = try s.int("gradedSpikeBits", m.core.gradedSpikeBits, min: 0, max: 32)
            m.core.neuronFanOut = try s.int("neuronFanOut", m.core.neuronFanOut, min: 0, max: Limits.fanOut)
            if m.core.gradedSpikeBits == 1 {
                throw SpikeMeshError(
                    .malformed, "core.gradedSpikeBits = 1 is not a signed payload (0 for binary spikes, or 2…32)")
            }
            let soma = try s.string("somaUpdate", m.core.somaUpdate.rawValue)
            guard let mode = SomaUpdate(rawValue: soma) else {
                throw SpikeMeshError(
                    .malformed,
                    "core.somaUpdate: \(Text.quoted(soma)) is not one of \(SomaUpdate.allCases.map { "\(Text.quoted($0.rawValue))" }.joined(separator: ", "))"
                )
            }
            m.core.somaUpdate = mode
            try s.finish()
        }
        if var s = try r.object("time") {
            m.time.synapticOpNs = try s.double("synapticOpNs", 0, max: Limits.nanoseconds)
            m.time.neuronUpdateNs = try s.double("neuronUpdateNs", 0, max: Limits.nanoseconds)
            m.time.hopNs = try s.double("hopNs", 0, max: Limits.nanoseconds)
            m.time.hopBetweenChipsNs = try s.double("hopBetweenChipsNs", 0, max: Limits.nanoseconds)
            m.time.barrierNs = try s.double("barrierNs", 0, max: Limits.nanoseconds)
            m.time.minimumTickNs = try s.double("minimumTickNs", 0, max: Limits.nanoseconds)
            m.time.synapticOpConvNs = try s.optionalDouble("synapticOpConvNs", max: Limits.nanoseconds)
            m.time.synapticOpDenseNs = try s.optionalDouble("synapticOpDenseNs", max: Limits.nanoseconds)
            m.time.synapticOpSparseNs = try s.optionalDouble("synapticOpSparseNs", max: Limits.nanoseconds)
            m.time.idleNeuronUpdateNs = try s.optionalDouble("idleNeuronUpdateNs", max: Limits.nanoseconds)
            m.time.spikeNs = try s.double("spikeNs", 0, max: Limits.nanoseconds)
            m.time.packetOutNs = try s.double("packetOutNs", 0, max: Limits.nanoseconds)
            m.time.packetInNs = try s.double("packetInNs", 0, max: Limits.nanoseconds)
            m.time.hopNorthSouthNs = try s.optionalDouble("hopNorthSouthNs", max: Limits.nanoseconds)
            m.time.barrierNsByTilesInUse = try s.barrierTable("barrierNsByTilesInUse")
            try s.finish()
        }
        if var s = try r.object("energy") {
            m.energy.synapticOpPJ = try s.double("synapticOpPJ", 0, max: Limits.picojoules)
            m.energy.neuronUpdatePJ = try s.double("neuronUpdatePJ", 0, max: Limits.picojoules)
            m.energy.idleNeuronUpdatePJ = try s.double("idleNeuronUpdatePJ", 0, max: Limits.picojoules)
            m.energy.spikeOutPJ = try s.double("spikeOutPJ", 0, max: Limits.picojoules)
            m.energy.hopPJ = try s.double("hopPJ", 0, max: Limits.picojoules)
            m.energy.hopBetweenChipsPJ = try s.double("hopBetweenChipsPJ", 0, max: Limits.picojoules)
            m.energy.barrierPJ = try s.double("barrierPJ", 0, max: Limits.picojoules)
            m.energy.staticPowerMW = try s.double("staticPowerMW", 0, max: Limits.milliwatts)
            m.energy.synapticOpConvPJ = try s.optionalDouble("synapticOpConvPJ", max: Limits.picojoules)
            m.energy.synapticOpDensePJ = try s.optionalDouble("synapticOpDensePJ", max: Limits.picojoules)
            m.energy.synapticOpSparsePJ = try s.optionalDouble("synapticOpSparsePJ", max: Limits.picojoules)
            m.energy.spikePJ = try s.double("spikePJ", 0, max: Limits.picojoules)
            m.energy.hopNorthSouthPJ = try s.optionalDouble("hopNorthSouthPJ", max: Limits.picojoules)
            try s.finish()
        }
        try r.finish()
        return m
    }

    /// `section.key=value`: sets (or adds) a key before parsing, so it is checked like the file.
    static func apply(override: String, to root: inout [String: Any]) throws {
        let parts = override.split(separator: "=", maxSplits: 1).map(String.init)
        let keys = parts.first?.split(separator: ".").map(String.init) ?? []
        guard parts.count == 2, keys.count == 1 || keys.count == 2 else {
            throw SpikeMeshError(
                .usage, "--set \(override): expected SECTION.KEY=VALUE, e.g. core.neurons=512 or energy.hopPJ=2")
        }
        let text = parts[1]
        let value: Any
        if let i = Int(text) {
            value = NSNumber(value: i)
        } else if let d = Double(text) {
            value = NSNumber(value: d)
        } else if text == "true" || text == "false" {
            value = NSNumber(value: text == "true")
        } else {
            value = text
        }
        if keys.count == 1 {
            root[keys[0]] = value
            return
        }
        var section = root[keys[0]] as? [String: Any] ?? [:]
        section[keys[1]] = value
        root[keys[0]] = section
    }
}

/// Reads one JSON object, remembering which keys were used so `finish()` can reject the rest.
struct ObjectReader {
    let object: [String: Any]
    let path: String
    var used: Set<String> = []

    init(_ object: [String: Any], path: String) {
        self.object = object
        self.path = path
    }

    func place(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func value(_ key: String) -> Any? {
        used.insert(key)
        return object[key]
    }

    mutating func int(_ key: String, _ fallback: Int, min: Int = Int.min, max: Int = Int.max) throws -> Int {
        guard let v = value(key) else { return fallback }
        guard let n = v as? NSNumber, !Self.isBool(v), let i = Int(exactly: n.doubleValue) else {
            throw SpikeMeshError(.malformed, "\(place(key)): expected an integer, found \(v)")
        }
        guard i >= min else { throw SpikeMeshError(.malformed, "\(place(key)) = \(i) is below the minimum \(min)") }
        guard i <= max else { throw SpikeMeshError(.malformed, "\(place(key)) = \(i) is above the limit \(max)") }
        return i
    }

    mutating func double(_ key: String, _ fallback: Double, max: Double) throws -> Double {
        guard let v = value(key) else { return fallback }
        guard let n = v as? NSNumber, !Self.isBool(v), n.doubleValue.isFinite else {
            throw SpikeMeshError(.malformed, "\(place(key)): expected a number, found \(v)")
        }
        guard n.doubleValue >= 0 else {
            throw SpikeMeshError(.malformed, "\(place(key)) = \(n.doubleValue) must not be negative")
        }
        guard n.doubleValue <= max else {
            throw SpikeMeshError(.malformed, "\(place(key)) = \(n.doubleValue) is above the limit \(max)")
        }
        return n.doubleValue
    }

    mutating func optionalDouble(_ key: String, max: Double) throws -> Double? {
        guard object[key] != nil else {
            used.insert(key)
            return nil
        }
        return try double(key, 0, max: max)
    }

    /// A table of tile counts to nanoseconds: a JSON object `{"1": 600, "4": 1400}`, or (from
    /// `--set`) the string `1:600,4:1400`. Tile counts 1…2^20, increasing once sorted; at most
    /// 64 entries; times within `Limits.nanoseconds`.
    mutating func barrierTable(_ key: String) throws -> [HardwareModel.BarrierStep] {
        guard let v = value(key) else { return [] }
        var pairs: [(String, Any)] = []
        if let o = v as? [String: Any] {
            pairs = o.map { ($0.key, $0.value) }
        } else if let text = v as? String {
            for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                let kv = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, let ns = Double(kv[1]) else {
                    throw SpikeMeshError(
                        .malformed,
                        "\(place(key)): expected TILES:NS pairs separated by commas (e.g. 1:600,4:1400), found \(Text.quoted(String(item)))"
                    )
                }
                pairs.append((kv[0], NSNumber(value: ns)))
            }
        } else {
            throw SpikeMeshError(
                .malformed,
                "\(place(key)): expected an object of tile counts to nanoseconds, e.g. {\"1\": 600, \"4\": 1400}")
        }
        guard !pairs.isEmpty, pairs.count <= 64 else {
            throw SpikeMeshError(.malformed, "\(place(key)): expected 1 to 64 entries, found \(pairs.count)")
        }
        var steps: [HardwareModel.BarrierStep] = []
        for (k, value) in pairs {
            guard let tiles = Int(k), tiles >= 1, tiles <= 1 << 20 else {
                throw SpikeMeshError(
                    .malformed, "\(place(key)): the tile count \(Text.quoted(k)) is not an integer in 1…\(1 << 20)")
            }
            var entry = ObjectReader([k: value], path: place(key))
            steps.append(
                HardwareModel.BarrierStep(
                    tiles: tiles, ns: try entry.double(k, 0, max: HardwareModel.Limits.nanoseconds)))
        }
        steps.sort { $0.tiles < $1.tiles }
        for i in steps.indices.dropFirst() where steps[i].tiles == steps[i - 1].tiles {
            throw SpikeMeshError(.malformed, "\(place(key)): the tile count \(steps[i].tiles) appears twice")
        }
        return steps
    }

    mutating func bool(_ key: String, _ fallback: Bool) throws -> Bool {
        guard let v = value(key) else { return fallback }
        guard let n = v as? NSNumber, Self.isBool(v) else {
            throw SpikeMeshError(.malformed, "\(place(key)): expected true or false, found \(v)")
        }
        return n.boolValue
    }

    mutating func string(_ key: String, _ fallback: String) throws -> String {
        guard let v = value(key) else { return fallback }
        guard let s = v as? String else {
            throw SpikeMeshError(.malformed, "\(place(key)): expected a string, found \(v)")
        }
        return s
    }

    mutating func object(_ key: String) throws -> ObjectReader? {
        guard let v = value(key) else { return nil }
        guard let o = v as? [String: Any] else { throw SpikeMeshError(.malformed, "\(place(key)): expected an object") }
        return ObjectReader(o, path: place(key))
    }

    /// JSON true/false (Foundation gives an NSNumber of ObjC type "c").
    static func isBool(_ v: Any) -> Bool {
        (v as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
    }

    func finish() throws {
        if let unknown = object.keys.sorted().first(where: { !used.contains($0) }) {
            throw SpikeMeshError(
                .malformed,
                "unknown key \"\(place(unknown))\""
                    + (path.isEmpty ? "" : " (known: \(used.sorted().joined(separator: ", ")))"))
        }
    }
}

extension HardwareModel.Time {
    /// Every time zero (a run priced only by alternative tables, as a sweep's).
    public static let zero = HardwareModel.Time()
}
