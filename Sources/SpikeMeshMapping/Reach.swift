import SpikeMeshModel

/// Which source neurons a projection connects to which target neurons, in the terms the
/// mapper needs: a window (convolution, pooling, identity) or everything (dense).
package struct Reach: Sendable {
    enum Kind: Sendable {
        /// Target (c, oy, ox) sees the window's source rows and columns, and every source
        /// channel (`allChannels`, a convolution) or only channel c (pooling, identity).
        case window(Window, allChannels: Bool)
        case dense
    }

    let projection: Int
    let source: Int
    let target: Int
    let kind: Kind
    let sourceDims: (Int, Int, Int)
    let targetDims: (Int, Int, Int)
    /// What the projection reads (`Projection.sourceRange`): a window's source channels, or a
    /// dense projection's source neurons in CHW order.
    let channels: Range<Int>
    /// Synapses per target neuron with the whole window inside the input.
    package let fanIn: Int

    package init(_ j: Int, network: SpikingNetwork) {
        let p = network.projections[j]
        projection = j
        source = p.source
        target = p.target
        sourceDims = CompiledProjection.dims(network.populations[p.source].shape)
        targetDims = CompiledProjection.dims(network.populations[p.target].shape)
        channels = network.readRange(of: p)
        switch p.kind {
        case .conv(let c):
            kind = .window(c.window, allChannels: true)
            fanIn = c.inChannels * c.kernelHeight * c.kernelWidth
        case .avgPool(let pool):
            kind = .window(pool.window, allChannels: false)
            fanIn = pool.kernelHeight * pool.kernelWidth
        case .identity:
            kind = .window(.identity, allChannels: false)
            fanIn = 1
        case .dense:
            kind = .dense
            fanIn = channels.count
        }
    }

    /// Whether source neuron `hwc` (channels-last) is read: always, but for a decomposed
    /// projection's `sourceRange`.
    func reads(hwc i: Int) -> Bool {
        let (c, yx) = (i % sourceDims.0, i / sourceDims.0)
        switch kind {
        case .dense: return channels.contains((c * sourceDims.1 + yx / sourceDims.2) * sourceDims.2 + yx % sourceDims.2)
        case .window: return channels.contains(c)
        }
    }

    /// Source index range (clipped to the input) that target indices `range` see along one axis.
    static func needed(_ range: Range<Int>, k: Int, stride: Int, pad: Int, size: Int) -> Range<Int> {
        guard !range.isEmpty else { return 0..<0 }
        let lo = max(0, range.lowerBound * stride - pad)
        let hi = min(size, (range.upperBound - 1) * stride - pad + k)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Distinct source indices (within the input) that target indices `range` see along one
    /// axis: the union of their windows, which has gaps when the stride exceeds the kernel.
    static func covered(_ range: Range<Int>, k: Int, stride: Int, pad: Int, size: Int) -> Int {
        if k >= stride { return needed(range, k: k, stride: stride, pad: pad, size: size).count }
        var total = 0
        for o in range {
            let start = o * stride - pad
            total += max(0, min(size, start + k) - max(0, start))
        }
        return total
    }

    /// Number of taps inside the input, summed over target indices `range` along one axis.
    static func validTaps(_ range: Range<Int>, k: Int, stride: Int, pad: Int, size: Int) -> Int {
        var total = 0
        for o in range {
            let start = o * stride - pad
            total += max(0, min(size, start + k) - max(0, start))
        }
        return total
    }

    /// Distinct source neurons (input axons) a target slice needs.
    func axons(_ s: SliceGrid.Slice) -> Int {
        switch kind {
        case .dense: return fanIn
        case .window(let w, let all):
            let rows = Self.covered(
                s.rows, k: w.kernelHeight, stride: w.strideHeight, pad: w.padding.top, size: sourceDims.1)
            let cols = Self.covered(
                s.cols, k: w.kernelWidth, stride: w.strideWidth, pad: w.padding.left, size: sourceDims.2)
            return (all ? channels.count : s.channels.count) * rows * cols
        }
    }

    /// Synapses a target slice stores: shared kernels once per core, else one per connection.
    func synapses(_ s: SliceGrid.Slice, shared: Bool) -> Int {
        switch kind {
        case .dense: return s.neurons * fanIn
        case .window(let w, let all):
            if w.taps == 1 && !all { return s.neurons }  // identity
            if shared { return (all ? channels.count : 1) * w.taps * s.channels.count }
            let rows = Self.validTaps(
                s.rows, k: w.kernelHeight, stride: w.strideHeight, pad: w.padding.top, size: sourceDims.1)
            let cols = Self.validTaps(
                s.cols, k: w.kernelWidth, stride: w.strideWidth, pad: w.padding.left, size: sourceDims.2)
            return rows * cols * (all ? channels.count : 1) * s.channels.count
        }
    }

    /// Upper bounds of axons and synapses for any slice of `cpc × th × tw` (used while searching).
    func bounds(cpc: Int, th: Int, tw: Int, shared: Bool) -> (axons: Int, synapses: Int) {
        let neurons = cpc * th * tw
        switch kind {
        case .dense: return (fanIn, neurons * fanIn)
        case .window(let w, let all):
            let rows = min(sourceDims.1, (th - 1) * w.strideHeight + w.kernelHeight)
            let cols = min(sourceDims.2, (tw - 1) * w.strideWidth + w.kernelWidth)
            let axons = (all ? channels.count : cpc) * rows * cols
            if w.taps == 1 && !all { return (axons, neurons) }
            return (axons, shared ? (all ? channels.count : 1) * w.taps * cpc : neurons * fanIn)
        }
    }

    /// For a window reach into the slice grid `t` from a source of `height` × `width`: per
    /// source row, the target row tiles whose windows read it, and per source column the
    /// column tiles (nil for dense, which reaches every core).
    func targetTiles(_ t: SliceGrid, height: Int, width: Int) -> (rows: [Range<Int>], cols: [Range<Int>])? {
        guard case .window(let w, _) = kind else { return nil }
        return (
            Self.tilesNeeding(
                size: height, tiles: t.rowTiles, perTile: t.rowsPerCore, targetSize: t.height,
                k: w.kernelHeight, stride: w.strideHeight, pad: w.padding.top),
            Self.tilesNeeding(
                size: width, tiles: t.colTiles, perTile: t.colsPerCore, targetSize: t.width,
                k: w.kernelWidth, stride: w.strideWidth, pad: w.padding.left)
        )
    }

    /// For each source index along one axis, the range of target tiles that need it.
    static func tilesNeeding(size: Int, tiles: Int, perTile: Int, targetSize: Int, k: Int, stride: Int, pad: Int)
        -> [Range<Int>]
    {
        var first = [Int](repeating: Int.max, count: size)
        var last = [Int](repeating: -1, count: size)
        for t in 0..<tiles {
            for o in (t * perTile)..<min(targetSize, (t + 1) * perTile) {
                for u in 0..<k {
                    let y = o * stride - pad + u
                    guard y >= 0, y < size else { continue }
                    first[y] = min(first[y], t)
                    last[y] = max(last[y], t)
                }
            }
        }
        return (0..<size).map { first[$0] <= last[$0] ? first[$0]..<(last[$0] + 1) : 0..<0 }
    }
}
