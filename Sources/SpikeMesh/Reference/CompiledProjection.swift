/// A projection laid out for spike-driven accumulation in channels-last (HWC) order.
struct CompiledProjection: Sendable {
    enum Op: Sendable {
        /// `weights[((c·kh + u)·kw + v)·outC + o]`.
        case conv(weights: [Float], kh: Int, kw: Int, sh: Int, sw: Int, top: Int, left: Int)
        /// `weights[chw · out + o]`, `row[hwc]` = chw index of a source neuron.
        case dense(weights: [Float], row: [Int])
        /// `inverseArea[oy · tw + ox]` = 1/divisor of that window.
        case avgPool(kh: Int, kw: Int, sh: Int, sw: Int, top: Int, left: Int, inverseArea: [Float])
        case identity(weight: Float)
    }

    let source: Int
    let target: Int
    let op: Op
    let sc: Int, sh: Int, sw: Int
    let tc: Int, th: Int, tw: Int

    static func dims(_ shape: [Int]) -> (Int, Int, Int) {
        shape.count == 3 ? (shape[0], shape[1], shape[2]) : (shape.reduce(1, *), 1, 1)
    }

    init(_ p: Projection, network: SpikingNetwork) {
        source = p.source
        target = p.target
        (sc, sh, sw) = Self.dims(network.populations[p.source].shape)
        (tc, th, tw) = Self.dims(network.populations[p.target].shape)
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
            op = .conv(weights: w, kh: c.kernelHeight, kw: c.kernelWidth, sh: c.strideHeight, sw: c.strideWidth,
                       top: c.padding.top, left: c.padding.left)
        case .dense(let weights):
            let inCount = sc * sh * sw
            let out = tc * th * tw
            var w = [Float](repeating: 0, count: weights.count)
            for o in 0..<out { for i in 0..<inCount { w[i * out + o] = weights[o * inCount + i] } }
            var row = [Int](repeating: 0, count: inCount)
            for y in 0..<sh { for x in 0..<sw { for c in 0..<sc { row[(y * sw + x) * sc + c] = (c * sh + y) * sw + x } } }
            op = .dense(weights: w, row: row)
        case .avgPool(let pool):
            var inverse = [Float](repeating: 0, count: th * tw)
            let (h, w) = (sh, sw)
            for oy in 0..<th {
                for ox in 0..<tw {
                    let y0 = oy * pool.strideHeight - pool.padding.top, x0 = ox * pool.strideWidth - pool.padding.left
                    let inside = (min(y0 + pool.kernelHeight, h) - max(y0, 0)) * (min(x0 + pool.kernelWidth, w) - max(x0, 0))
                    let divisor = pool.countIncludePad ? pool.kernelHeight * pool.kernelWidth : max(inside, 1)
                    inverse[oy * tw + ox] = 1 / Float(divisor)
                }
            }
            if let explicit = p.positionWeights, explicit.count == inverse.count { inverse = explicit }
            op = .avgPool(kh: pool.kernelHeight, kw: pool.kernelWidth, sh: pool.strideHeight, sw: pool.strideWidth,
                          top: pool.padding.top, left: pool.padding.left, inverseArea: inverse)
        case .identity:
            op = .identity(weight: p.positionWeights?.first ?? 1)
        }
    }

    /// Adds `amplitude · s · w` for every non-zero source value `s` into `current` (HWC).
    func accumulate(_ s: UnsafePointer<Float>, amplitude: Float, into current: UnsafeMutablePointer<Float>) {
        switch op {
        case .identity(let weight):
            for i in 0..<(sc * sh * sw) where s[i] != 0 { current[i] += amplitude * s[i] * weight }
        case .dense(let weights, let row):
            let out = tc * th * tw
            weights.withUnsafeBufferPointer { w in
                for i in 0..<(sc * sh * sw) where s[i] != 0 {
                    let a = amplitude * s[i]
                    let wr = w.baseAddress! + row[i] * out
                    for o in 0..<out { current[o] += a * wr[o] }
                }
            }
        case .conv(let weights, let kh, let kw, let strideH, let strideW, let top, let left):
            let outC = tc
            weights.withUnsafeBufferPointer { w in
                for y in 0..<sh {
                    for x in 0..<sw {
                        let base = (y * sw + x) * sc
                        for c in 0..<sc where s[base + c] != 0 {
                            let a = amplitude * s[base + c]
                            for u in 0..<kh {
                                let ny = y + top - u
                                guard ny >= 0, ny % strideH == 0 else { continue }
                                let oy = ny / strideH
                                guard oy < th else { continue }
                                for v in 0..<kw {
                                    let nx = x + left - v
                                    guard nx >= 0, nx % strideW == 0 else { continue }
                                    let ox = nx / strideW
                                    guard ox < tw else { continue }
                                    let dst = current + (oy * tw + ox) * outC
                                    let wr = w.baseAddress! + ((c * kh + u) * kw + v) * outC
                                    for o in 0..<outC { dst[o] += a * wr[o] }
                                }
                            }
                        }
                    }
                }
            }
        case .avgPool(let kh, let kw, let strideH, let strideW, let top, let left, let inverse):
            for y in 0..<sh {
                for x in 0..<sw {
                    let base = (y * sw + x) * sc
                    for c in 0..<sc where s[base + c] != 0 {
                        let a = amplitude * s[base + c]
                        for u in 0..<kh {
                            let ny = y + top - u
                            guard ny >= 0, ny % strideH == 0, ny / strideH < th else { continue }
                            let oy = ny / strideH
                            for v in 0..<kw {
                                let nx = x + left - v
                                guard nx >= 0, nx % strideW == 0, nx / strideW < tw else { continue }
                                let ox = nx / strideW
                                current[(oy * tw + ox) * tc + c] += a * inverse[oy * tw + ox]
                            }
                        }
                    }
                }
            }
        }
    }
}
