/// A projection laid out for spike-driven accumulation in channels-last (HWC) order.
package struct CompiledProjection: Sendable {
    package enum Op: Sendable {
        /// `weights[((c·kh + u)·kw + v)·outC + o]`.
        case conv(weights: [Float], window: Window)
        /// `weights[chw · out + o]`, `row[hwc]` = chw index of a source neuron within the
        /// channels read (−1 for a neuron outside them).
        case dense(weights: [Float], row: [Int])
        /// `inverseArea[oy · tw + ox]` = 1/divisor of that window.
        case avgPool(window: Window, inverseArea: [Float])
        case identity(weight: Float)
    }

    package let source: Int
    let target: Int
    package let op: Op
    package let sc: Int, sh: Int, sw: Int
    package let tc: Int, th: Int, tw: Int
    /// What a conv or dense projection reads (`Projection.sourceRange`): conv, the source
    /// channels (source channel c uses kernel channel c − lowerBound); dense, the source neurons
    /// in CHW order. The whole source when nil.
    package let channels: Range<Int>

    package static func dims(_ shape: [Int]) -> (Int, Int, Int) {
        shape.count == 3 ? (shape[0], shape[1], shape[2]) : (shape.reduce(1, *), 1, 1)
    }

    package init(_ p: Projection, network: SpikingNetwork) {
        source = p.source
        target = p.target
        (sc, sh, sw) = Self.dims(network.populations[p.source].shape)
        (tc, th, tw) = Self.dims(network.populations[p.target].shape)
        channels = network.readRange(of: p)
        switch p.kind {
        case .conv(let c):
            var w = [Float](repeating: 0, count: c.weights.count)
            for o in 0..<c.outChannels {
                for ci in 0..<c.inChannels {
                    for u in 0..<c.kernelHeight {
                        for v in 0..<c.kernelWidth {
                            let src = ((o * c.inChannels + ci) * c.kernelHeight + u) * c.kernelWidth + v
                            w[((ci * c.kernelHeight + u) * c.kernelWidth + v) * c.outChannels + o] = c.weights[src]
                        }
                    }
                }
            }
            op = .conv(weights: w, window: c.window)
            buildTaps(c.window)
        case .dense(let weights):
            let inCount = channels.count
            let out = tc * th * tw
            var w = [Float](repeating: 0, count: weights.count)
            for o in 0..<out { for i in 0..<inCount { w[i * out + o] = weights[o * inCount + i] } }
            var row = [Int](repeating: -1, count: sc * sh * sw)
            for y in 0..<sh {
                for x in 0..<sw {
                    for c in 0..<sc {
                        let chw = (c * sh + y) * sw + x
                        if channels.contains(chw) { row[(y * sw + x) * sc + c] = chw - channels.lowerBound }
                    }
                }
            }
            op = .dense(weights: w, row: row)
        case .avgPool(let pool):
            var inverse = [Float](repeating: 0, count: th * tw)
            let (h, w) = (sh, sw)
            for oy in 0..<th {
                for ox in 0..<tw {
                    let y0 = oy * pool.strideHeight - pool.padding.top
                    let x0 = ox * pool.strideWidth - pool.padding.left
                    let inside =
                        (min(y0 + pool.kernelHeight, h) - max(y0, 0)) * (min(x0 + pool.kernelWidth, w) - max(x0, 0))
                    let divisor = pool.countIncludePad ? pool.kernelHeight * pool.kernelWidth : max(inside, 1)
                    inverse[oy * tw + ox] = 1 / Float(divisor)
                }
            }
            if let explicit = p.positionWeights, explicit.count == inverse.count { inverse = explicit }
            op = .avgPool(window: pool.window, inverseArea: inverse)
            buildTaps(pool.window)
        case .identity:
            op = .identity(weight: p.positionWeights?.first ?? 1)
        }
    }

    /// For convolution and pooling: the targets each source position reaches, as
    /// `(target position oy·tw + ox, kernel tap u·kw + v, oy, ox)`; the entries of source position
    /// q = y·sw + x are `taps[tapStart[q]..<tapStart[q + 1]]`. Built once, so delivering a
    /// spike needs no division or bounds arithmetic.
    package private(set) var tapStart: [Int32] = []
    package private(set) var taps: [Tap] = []

    package struct Tap: Sendable {
        package var position: Int32, tap: Int32, row: Int32, column: Int32
    }

    mutating func buildTaps(_ window: Window) {
        let (kh, kw, strideH, strideW) = (
            window.kernelHeight, window.kernelWidth, window.strideHeight, window.strideWidth
        )
        let (top, left) = (window.padding.top, window.padding.left)
        tapStart = [0]
        tapStart.reserveCapacity(sh * sw + 1)
        for y in 0..<sh {
            for x in 0..<sw {
                for u in 0..<kh {
                    let ny = y + top - u
                    guard ny >= 0, ny % strideH == 0, ny / strideH < th else { continue }
                    for v in 0..<kw {
                        let nx = x + left - v
                        guard nx >= 0, nx % strideW == 0, nx / strideW < tw else { continue }
                        let (oy, ox) = (ny / strideH, nx / strideW)
                        taps.append(
                            Tap(
                                position: Int32(oy * tw + ox), tap: Int32(u * kw + v), row: Int32(oy), column: Int32(ox)
                            ))
                    }
                }
                tapStart.append(Int32(taps.count))
            }
        }
    }

    /// Per source neuron (HWC): its synapses of non-zero weight in this projection, for
    /// NeuroBench's effective synaptic operations (convolutions and dense layers; 0 for pooling
    /// and identity paths, which NeuroBench does not count as connection layers).
    package func nonzeroSynapses() -> [Int32] {
        var out = [Int32](repeating: 0, count: sc * sh * sw)
        switch op {
        case .dense(let weights, let row):
            let n = tc * th * tw
            for i in out.indices where row[i] >= 0 {
                var k: Int32 = 0
                for o in 0..<n where weights[row[i] * n + o] != 0 { k += 1 }
                out[i] = k
            }
        case .conv(let weights, let window):
            let taps = window.taps
            // Non-zero output channels of each (kernel channel, tap).
            var nz = [Int32](repeating: 0, count: channels.count * taps)
            for k in nz.indices { for o in 0..<tc where weights[k * tc + o] != 0 { nz[k] += 1 } }
            for q in 0..<(sh * sw) {
                for c in channels where c < sc {
                    let kc = c - channels.lowerBound
                    var k: Int32 = 0
                    for t in Int(tapStart[q])..<Int(tapStart[q + 1]) { k += nz[kc * taps + Int(self.taps[t].tap)] }
                    out[q * sc + c] = k
                }
            }
        case .avgPool, .identity:
            break
        }
        return out
    }

    /// `dst[i] += a · src[i]` for i < n, eight lanes at a time.
    @inline(__always)
    static func addScaled(_ a: Float, _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count n: Int)
    {
        var i = 0
        let av = SIMD8<Float>(repeating: a)
        while i + 8 <= n {
            let w = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            let d = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: d + av * w, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            dst[i] += a * src[i]
            i += 1
        }
    }

    /// One source spike of value `a` into every kernel tap it reaches.
    @inline(__always)
    static func fanOut(
        _ a: Float, _ kernel: UnsafePointer<Float>, _ current: UnsafeMutablePointer<Float>,
        _ taps: UnsafeBufferPointer<Tap>, _ from: Int, _ to: Int, _ outC: Int
    ) {
        for k in from..<to {
            let t = taps[k]
            addScaled(a, kernel + Int(t.tap) * outC, into: current + Int(t.position) * outC, count: outC)
        }
    }

    /// Adds `amplitude · s[i] · w` for every non-zero `s[i]`, in index order.
    package func accumulate(
        _ s: UnsafeBufferPointer<Float>, amplitude: Float, into current: UnsafeMutablePointer<Float>
    ) {
        let active = s.indices.filter { s[$0] != 0 }.map { Int32($0) }
        active.withUnsafeBufferPointer { accumulate(s.baseAddress!, active: $0, amplitude: amplitude, into: current) }
    }

    /// Adds `amplitude · s[i] · w` for every source neuron `i` in `active` (the HWC indices
    /// where `s` is non-zero) into `current` (HWC).
    package func accumulate(
        _ s: UnsafePointer<Float>, active: UnsafeBufferPointer<Int32>, amplitude: Float,
        into current: UnsafeMutablePointer<Float>
    ) {
        switch op {
        case .identity(let weight):
            for i32 in active {
                let i = Int(i32)
                current[i] += amplitude * s[i] * weight
            }
        case .dense(let weights, let row):
            let out = tc * th * tw
            weights.withUnsafeBufferPointer { w in
                for i32 in active {
                    let i = Int(i32)
                    guard row[i] >= 0 else { continue }
                    Self.addScaled(amplitude * s[i], w.baseAddress! + row[i] * out, into: current, count: out)
                }
            }
        case .conv(let weights, let window):
            let outC = tc
            let kernel = window.taps
            weights.withUnsafeBufferPointer { w in
                tapStart.withUnsafeBufferPointer { start in
                    taps.withUnsafeBufferPointer { taps in
                        for i32 in active {
                            let i = Int(i32)
                            let (q, c) = i.quotientAndRemainder(dividingBy: sc)
                            guard channels.contains(c) else { continue }
                            let a = amplitude * s[i]
                            let kernelBase = w.baseAddress! + (c - channels.lowerBound) * kernel * outC
                            let (from, to) = (Int(start[q]), Int(start[q + 1]))
                            // Constant widths let the compiler unroll the common cases.
                            switch outC {
                            case 16: Self.fanOut(a, kernelBase, current, taps, from, to, 16)
                            case 32: Self.fanOut(a, kernelBase, current, taps, from, to, 32)
                            case 64: Self.fanOut(a, kernelBase, current, taps, from, to, 64)
                            default: Self.fanOut(a, kernelBase, current, taps, from, to, outC)
                            }
                        }
                    }
                }
            }
        case .avgPool(_, let inverse):
            for i32 in active {
                let i = Int(i32)
                let (q, c) = i.quotientAndRemainder(dividingBy: sc)
                let a = amplitude * s[i]
                for k in Int(tapStart[q])..<Int(tapStart[q + 1]) {
                    let position = Int(taps[k].position)
                    current[position * tc + c] += a * inverse[position]
                }
            }
        }
    }
}
