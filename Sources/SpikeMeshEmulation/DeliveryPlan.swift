import SpikeMeshMapping
import SpikeMeshModel

/// Flat copies of every projection's integer weights and kernel taps and of every core's slice
/// bounds, so that delivering a packet reads plain memory: no structure is copied and no
/// reference count is touched per packet.
struct DeliveryPlan: Sendable {
    enum Kind: UInt8, Sendable { case identity, dense, conv, avgPool }
    /// What a delivery flags as touched: nothing (the population is updated densely), each
    /// neuron, or each block — one position's run of a core's channels, which is what a conv
    /// or dense packet touches (block `position · targetGroups + group`).
    enum Tracking: UInt8 { case none, neurons, blocks }

    struct ProjectionInfo: Sendable {
        var kind: Kind
        /// Source channels (a source neuron i is position i / sc, channel i % sc, channels-last).
        var sourceChannels: Int
        /// Target channels (dense: every target neuron).
        var targetChannels: Int
        /// Kernel taps per input channel (kh · kw).
        var kernel: Int
        var weightBase: Int
        var tapStartBase: Int
        var rowBase: Int
        var identityWeight: Int64
        /// Channel groups of the target population (`SliceGrid`), for tracking touched blocks.
        var targetGroups: Int
        /// The first source channel a conv reads (`Projection.sourceRange`): source channel
        /// c uses kernel channel c − firstChannel. The mapping sends no packet from a channel
        /// the projection does not read.
        var firstChannel: Int
    }

    /// The part of its population a core holds, as half-open ranges.
    struct CoreWindow: Sendable {
        var c0: Int32, c1: Int32, r0: Int32, r1: Int32, x0: Int32, x1: Int32
        /// The core's channel group in its population: c0 / channels per core.
        var group: Int32
    }

    let info: [ProjectionInfo]
    /// Conv: kernels channels-last `[ci][u][v][o]`; dense: `[row][o]`; avgPool: weight per target position.
    let weights: [Int32]
    /// Taps of source position q of projection j: `taps[tapStart[tapStartBase + q] ..< tapStart[tapStartBase + q + 1]]`.
    let tapStart: [Int32]
    let taps: [CompiledProjection.Tap]
    /// Dense: the weight row of each source neuron (HWC → CHW order of the ANN's flatten).
    let rows: [Int32]
    let cores: [CoreWindow]
    /// The taps of a (projection, source position, destination core) that land in the core's
    /// window, filtered once here: `windowTaps[windowTapStart[r] ..< windowTapStart[r + 1]]`.
    let windowTapStart: [Int32]
    let windowTaps: [CompiledProjection.Tap]
    /// Per source population and destination entry k (Mapping's `destination…[p][k]`): the
    /// window-tap range r of the entry, or −1 for dense and identity projections.
    let entryTaps: [[Int32]]

    init(compiled: [CompiledProjection], targets: [Int], mapping: Mapping) {
        var info: [ProjectionInfo] = []
        var weights: [Int32] = []
        var tapStart: [Int32] = []
        var taps: [CompiledProjection.Tap] = []
        var rows: [Int32] = []
        for c in compiled {
            var p = ProjectionInfo(
                kind: .identity, sourceChannels: c.sc, targetChannels: c.tc, kernel: 1,
                weightBase: weights.count, tapStartBase: tapStart.count, rowBase: rows.count, identityWeight: 0,
                targetGroups: 0, firstChannel: c.channels.lowerBound)
            switch c.op {
            case .identity(let w):
                p.identityWeight = Int64(w)
            case .dense(let w, let row):
                p.kind = .dense
                p.targetChannels = c.tc * c.th * c.tw
                weights += w.map { Int32($0) }
                rows += row.map { Int32($0) }
            case .conv(let w, let window):
                p.kind = .conv
                p.kernel = window.taps
                weights += w.map { Int32($0) }
            case .avgPool(_, let inverse):
                p.kind = .avgPool
                weights += inverse.map { Int32($0) }
            }
            if p.kind == .conv || p.kind == .avgPool {
                let offset = Int32(taps.count)
                tapStart += c.tapStart.map { $0 + offset }
                taps += c.taps
            }
            info.append(p)
        }
        for j in info.indices {
            if let g = mapping.grids[targets[j]] { info[j].targetGroups = g.groups }
        }
        self.info = info
        self.weights = weights
        self.tapStart = tapStart
        self.taps = taps
        self.rows = rows
        let cores = mapping.cores.map { core in
            let s = core.slice
            return CoreWindow(
                c0: Int32(s.channels.lowerBound), c1: Int32(s.channels.upperBound),
                r0: Int32(s.rows.lowerBound), r1: Int32(s.rows.upperBound),
                x0: Int32(s.cols.lowerBound), x1: Int32(s.cols.upperBound),
                group: Int32(s.channels.lowerBound / mapping.grids[core.population]!.channelsPerCore))
        }
        self.cores = cores
        // Window taps, shared by every channel of a source position and every entry that
        // reaches the same core.
        var windowTapStart: [Int32] = [0]
        var windowTaps: [CompiledProjection.Tap] = []
        struct TapKey: Hashable { var projection: Int, position: Int, core: Int }
        var rangeOf: [TapKey: Int32] = [:]
        var entryTaps: [[Int32]] = []
        for p in mapping.destinationOffsets.indices {
            let offsets = mapping.destinationOffsets[p]
            let projection = mapping.destinationProjection[p]
            let core = mapping.destinationCore[p]
            var ranges = [Int32](repeating: -1, count: projection.count)
            for i in 0..<max(offsets.count - 1, 0) {
                for k in Int(offsets[i])..<Int(offsets[i + 1]) {
                    let j = Int(projection[k])
                    let c = Int(core[k])
                    let pj = info[j]
                    guard pj.kind == .conv || pj.kind == .avgPool else { continue }
                    let q = i / pj.sourceChannels
                    let key = TapKey(projection: j, position: q, core: c)
                    if let r = rangeOf[key] {
                        ranges[k] = r
                        continue
                    }
                    let win = cores[c]
                    for t in taps[Int(tapStart[pj.tapStartBase + q])..<Int(tapStart[pj.tapStartBase + q + 1])]
                    where t.row >= win.r0 && t.row < win.r1 && t.column >= win.x0 && t.column < win.x1 {
                        windowTaps.append(t)
                    }
                    let r = Int32(windowTapStart.count - 1)
                    windowTapStart.append(Int32(windowTaps.count))
                    rangeOf[key] = r
                    ranges[k] = r
                }
            }
            entryTaps.append(ranges)
        }
        self.windowTapStart = windowTapStart
        self.windowTaps = windowTaps
        self.entryTaps = entryTaps
    }

    struct Pointers {
        let info: UnsafePointer<ProjectionInfo>
        let weights: UnsafePointer<Int32>
        let tapStart: UnsafePointer<Int32>
        let taps: UnsafePointer<CompiledProjection.Tap>
        let rows: UnsafePointer<Int32>
        let cores: UnsafePointer<CoreWindow>
        let windowTapStart: UnsafePointer<Int32>
        let windowTaps: UnsafePointer<CompiledProjection.Tap>
    }

    func withPointers<R>(_ body: (Pointers) throws -> R) rethrows -> R {
        // Empty arrays have no base address; a dangling pointer is never read through.
        func base<T>(_ b: UnsafeBufferPointer<T>) -> UnsafePointer<T> {
            b.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
        }
        return try info.withUnsafeBufferPointer { i in
            try weights.withUnsafeBufferPointer { w in
                try tapStart.withUnsafeBufferPointer { s in
                    try taps.withUnsafeBufferPointer { t in
                        try rows.withUnsafeBufferPointer { r in
                            try cores.withUnsafeBufferPointer { c in
                                try windowTapStart.withUnsafeBufferPointer { ws in
                                    try windowTaps.withUnsafeBufferPointer { wt in
                                        try body(
                                            Pointers(
                                                info: base(i), weights: base(w), tapStart: base(s), taps: base(t),
                                                rows: base(r), cores: base(c), windowTapStart: base(ws),
                                                windowTaps: base(wt)))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Fans one packet out through the destination core's synapses into `acc` (integer input
    /// current of the target population, channels-last); returns the synaptic ops. With
    /// `track` `.neurons`, every neuron touched is flagged and listed once (`list[listed]`, then
    /// `listed += 1`; the list has room for the whole population); with `.blocks`, every block.
    @inline(__always)
    static func deliver(
        neuron i: Int, sign: Int64, projection j: Int, core: Int, taps r: Int, _ p: Pointers,
        acc: UnsafeMutablePointer<Int64>, flags: UnsafeMutablePointer<Bool>,
        list: UnsafeMutablePointer<Int32>, listed: inout Int, track: Tracking
    ) -> Int {
        let info = p.info[j]
        let win = p.cores[core]
        @inline(__always) func touch(_ n: Int) {
            if !flags[n] {
                flags[n] = true
                list[listed] = Int32(n)
                listed += 1
            }
        }
        /// Flags and lists the neurons first..<first + width not yet touched this tick; eight
        /// flags (bytes of 0 or 1) are checked at once, as in a busy layer most are already set.
        @inline(__always) func touchRun(_ first: Int, _ width: Int) {
            var o = 0
            while o + 8 <= width {
                if UnsafeRawPointer(flags + first + o).loadUnaligned(as: UInt64.self) != 0x0101_0101_0101_0101 {
                    for k in o..<(o + 8) { touch(first + k) }
                }
                o += 8
            }
            while o < width {
                touch(first + o)
                o += 1
            }
        }
        switch info.kind {
        case .identity:
            acc[i] &+= sign &* info.identityWeight
            if track == .neurons { touch(i) }
            return 1
        case .dense:
            let c0 = Int(win.c0)
            let width = Int(win.c1 - win.c0)
            let w = p.weights + info.weightBase + Int(p.rows[info.rowBase + i]) * info.targetChannels + c0
            addRun(w, into: acc + c0, count: width, negate: sign != 1)
            if track == .neurons { touchRun(c0, width) } else if track == .blocks { touch(Int(win.group)) }
            return width
        case .conv:
            // The source position's kernel taps inside this core's window; each adds the core's
            // run of output channels.
            let c = i % info.sourceChannels - info.firstChannel
            let outC = info.targetChannels
            let c0 = Int(win.c0)
            let width = Int(win.c1 - win.c0)
            let kernelBase = p.weights + info.weightBase + c * info.kernel * outC + c0
            var sops = 0
            forEachTap(r, p) { t in
                let first = Int(t.position) * outC + c0
                addRun(kernelBase + Int(t.tap) * outC, into: acc + first, count: width, negate: sign != 1)
                if track == .neurons {
                    touchRun(first, width)
                } else if track == .blocks {
                    touch(Int(t.position) * info.targetGroups + Int(win.group))
                }
                sops += width
            }
            return sops
        case .avgPool:
            let c = i % info.sourceChannels
            guard c >= Int(win.c0) && c < Int(win.c1) else { return 0 }
            let outC = info.targetChannels
            var sops = 0
            forEachTap(r, p) { t in
                let n = Int(t.position) * outC + c
                acc[n] &+= sign &* Int64(p.weights[info.weightBase + Int(t.position)])
                if track == .neurons { touch(n) }
                sops += 1
            }
            return sops
        }
    }

    /// The taps of window-tap range r (a source position's taps inside one core's window).
    @inline(__always)
    static func forEachTap(_ r: Int, _ p: Pointers, _ body: (CompiledProjection.Tap) -> Void) {
        for k in Int(p.windowTapStart[r])..<Int(p.windowTapStart[r + 1]) { body(p.windowTaps[k]) }
    }

    /// dst[o] += w[o] (or −=) for o < count, eight at a time; the usual core widths get a
    /// loop of constant length that the compiler unrolls.
    @inline(__always)
    static func addRun(_ w: UnsafePointer<Int32>, into dst: UnsafeMutablePointer<Int64>, count: Int, negate: Bool) {
        @inline(__always) func blocks(_ n: Int) {
            for b in 0..<n {
                let v = SIMD8<Int64>(
                    truncatingIfNeeded: UnsafeRawPointer(w + 8 * b).loadUnaligned(as: SIMD8<Int32>.self))
                let d = UnsafeMutableRawPointer(dst + 8 * b)
                let old = d.loadUnaligned(as: SIMD8<Int64>.self)
                d.storeBytes(of: negate ? old &- v : old &+ v, as: SIMD8<Int64>.self)
            }
        }
        switch count {
        case 16: blocks(2)
        case 32: blocks(4)
        case 64: blocks(8)
        default:
            blocks(count / 8)
            for o in (count & ~7)..<count { dst[o] = negate ? dst[o] &- Int64(w[o]) : dst[o] &+ Int64(w[o]) }
        }
    }
}
