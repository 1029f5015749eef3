import Foundation
import SpikeMeshCore
import SpikeMeshModel

/// Batched float inference over an `ANNGraph`, on all cores.
///
/// Images are split into contiguous ranges, one per worker; each worker runs its images
/// through every layer, one image at a time, into per-layer output arrays that hold the whole
/// batch (layer-major: `outputs[l]` is `batch × layers[l].outputCount`, NCHW per image).
/// Convolutions are im2col + `GEMM.multiply`; results do not depend on the worker count.
public struct ANNEngine: Sendable {
    public let graph: ANNGraph
    /// Worker threads (default: active processor count).
    public var workers: Int

    public init(graph: ANNGraph, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.graph = graph
        self.workers = max(1, workers)
    }

    /// The network's output (logits) for `count` images laid out `count × inputCount`.
    public func forward(_ input: [Float], count: Int) -> [Float] {
        run(input, count: count, keep: { $0 == graph.output })[graph.output]
    }

    /// Every layer's output for `count` images; entries for layers where `keep` is false are
    /// empty (they are computed but not stored beyond the image).
    public func run(_ input: [Float], count: Int, keep: (Int) -> Bool = { _ in true }) -> [[Float]] {
        let layers = graph.layers
        precondition(
            input.count == count * layers[0].outputCount,
            "input holds \(input.count) values, \(count) images need \(count * layers[0].outputCount)")
        let kept = layers.indices.map(keep)
        // Each worker fills the kept layers' outputs of its own images; the chunks are joined
        // in image order.
        let chunks = Parallel.map(count: count, workers: workers) { range in
            var outputs = layers.indices.map { l in
                [Float](repeating: 0, count: kept[l] ? range.count * layers[l].outputCount : 0)
            }
            var scratch = Scratch(graph: graph)
            for image in range {
                scratch.runImage(image, input: input, outputs: &outputs, slot: image - range.lowerBound)
            }
            return outputs
        }
        var outputs = layers.indices.map { l in
            kept[l] ? chunks.flatMap { $0[l] } : []
        }
        outputs[0] = input
        return outputs
    }
}

/// One worker's per-image activations and im2col buffer.
private struct Scratch {
    let graph: ANNGraph
    var activations: [[Float]]
    var columns: [Float]

    init(graph: ANNGraph) {
        self.graph = graph
        activations = graph.layers.map { [Float](repeating: 0, count: $0.outputCount) }
        var largest = 0
        for layer in graph.layers {
            if case .conv2d(let c) = layer.op { largest = max(largest, c.fanIn * layer.shape[1] * layer.shape[2]) }
        }
        columns = [Float](repeating: 0, count: largest)
    }

    /// Runs image `image` of `input`; each kept layer's output goes to `outputs[l]` at `slot`.
    mutating func runImage(_ image: Int, input: [Float], outputs: inout [[Float]], slot: Int) {
        let layers = graph.layers
        let n0 = layers[0].outputCount
        input.withUnsafeBufferPointer { src in
            activations[0].withUnsafeMutableBufferPointer { dst in
                dst.baseAddress!.update(from: src.baseAddress! + image * n0, count: n0)
            }
        }
        for l in 1..<layers.count {
            let layer = layers[l]
            var out = activations[l]
            activations[l] = []
            out.withUnsafeMutableBufferPointer { o in
                compute(layer, into: o.baseAddress!)
            }
            activations[l] = out
            if !outputs[l].isEmpty {
                let size = layer.outputCount
                outputs[l].replaceSubrange((slot * size)..<((slot + 1) * size), with: activations[l])
            }
        }
    }

    private mutating func compute(_ layer: Layer, into out: UnsafeMutablePointer<Float>) {
        let xIndex = layer.inputs.first ?? 0
        let inShape = graph.layers[xIndex].shape
        let size = layer.outputCount
        activations[xIndex].withUnsafeBufferPointer { xb in
            let x = xb.baseAddress!
            switch layer.op {
            case .input:
                break
            case .conv2d(let conv):
                convolve(conv, input: x, inShape: inShape, outShape: layer.shape, out: out)
            case .dense(let d):
                d.weights.withUnsafeBufferPointer { w in
                    for o in 0..<d.outFeatures {
                        out[o] = GEMM.dot(w.baseAddress! + o * d.inFeatures, x, d.inFeatures) + (d.bias?[o] ?? 0)
                    }
                }
            case .batchNorm(let bn):
                let plane = size / max(bn.scale.count, 1)
                for c in 0..<bn.scale.count {
                    let s = bn.scale[c]
                    let t = bn.shift[c]
                    for i in (c * plane)..<((c + 1) * plane) { out[i] = x[i] * s + t }
                }
            case .relu:
                for i in 0..<size { out[i] = max(x[i], 0) }
            case .clip(let lo, let hi):
                for i in 0..<size { out[i] = min(max(x[i], lo), hi) }
            case .qcfs(let q):
                for i in 0..<size { out[i] = q(x[i]) }
            case .avgPool(let p):
                pool(p, isMax: false, input: x, inShape: inShape, outShape: layer.shape, out: out)
            case .maxPool(let p):
                pool(p, isMax: true, input: x, inShape: inShape, outShape: layer.shape, out: out)
            case .globalAvgPool:
                let plane = inShape[1] * inShape[2]
                for c in 0..<inShape[0] {
                    var s: Float = 0
                    for i in 0..<plane { s += x[c * plane + i] }
                    out[c] = s / Float(plane)
                }
            case .flatten:
                out.update(from: x, count: size)
            case .add:
                activations[layer.inputs[1]].withUnsafeBufferPointer { y in
                    for i in 0..<size { out[i] = x[i] + y[i] }
                }
            }
        }
    }

    private mutating func convolve(
        _ conv: Conv2d, input x: UnsafePointer<Float>, inShape: [Int], outShape: [Int], out: UnsafeMutablePointer<Float>
    ) {
        let (h, w) = (inShape[1], inShape[2])
        let (oh, ow) = (outShape[1], outShape[2])
        let positions = oh * ow
        let k = conv.fanIn
        columns.withUnsafeMutableBufferPointer { cb in
            let col = cb.baseAddress!
            // im2col: row r = (c, u, v) holds x[c, i·sh + u − top, j·sw + v − left] for every (i, j).
            var r = 0
            for c in 0..<conv.inChannels {
                let plane = x + c * h * w
                for u in 0..<conv.kernelHeight {
                    for v in 0..<conv.kernelWidth {
                        let row = col + r * positions
                        for i in 0..<oh {
                            let y = i * conv.strideHeight + u - conv.padding.top
                            let dst = row + i * ow
                            if y < 0 || y >= h {
                                dst.update(repeating: 0, count: ow)
                                continue
                            }
                            let src = plane + y * w
                            if conv.strideWidth == 1 {
                                let x0 = v - conv.padding.left
                                // Columns j with 0 ≤ j + x0 < w copy straight; the rest are padding.
                                let lo = max(0, -x0)
                                let hi = min(ow, w - x0)
                                if lo > 0 { dst.update(repeating: 0, count: min(lo, ow)) }
                                if hi > lo { (dst + lo).update(from: src + lo + x0, count: hi - lo) }
                                if hi < ow { (dst + max(hi, lo)).update(repeating: 0, count: ow - max(hi, lo)) }
                            } else {
                                for j in 0..<ow {
                                    let xx = j * conv.strideWidth + v - conv.padding.left
                                    dst[j] = (xx >= 0 && xx < w) ? src[xx] : 0
                                }
                            }
                        }
                        r += 1
                    }
                }
            }
            conv.weights.withUnsafeBufferPointer { wb in
                if let bias = conv.bias {
                    bias.withUnsafeBufferPointer { bb in
                        GEMM.multiply(
                            m: conv.outChannels, n: positions, k: k, a: wb.baseAddress!, b: col, c: out,
                            bias: bb.baseAddress!)
                    }
                } else {
                    GEMM.multiply(
                        m: conv.outChannels, n: positions, k: k, a: wb.baseAddress!, b: col, c: out, bias: nil)
                }
            }
        }
    }

    private func pool(
        _ p: Pool, isMax: Bool, input x: UnsafePointer<Float>, inShape: [Int], outShape: [Int],
        out: UnsafeMutablePointer<Float>
    ) {
        let (channels, h, w) = (inShape[0], inShape[1], inShape[2])
        let (oh, ow) = (outShape[1], outShape[2])
        let windowArea = Float(p.kernelHeight * p.kernelWidth)
        if !isMax && p.kernelHeight == 2 && p.kernelWidth == 2 && p.strideHeight == 2 && p.strideWidth == 2
            && p.padding == .zero
        {
            // The common 2×2 / 2 average: same sums in the same order as the general loop.
            for c in 0..<channels {
                for i in 0..<oh {
                    let r0 = x + (c * h + 2 * i) * w
                    let r1 = r0 + w
                    let o = out + (c * oh + i) * ow
                    for j in 0..<ow { o[j] = (((r0[2 * j] + r0[2 * j + 1]) + r1[2 * j]) + r1[2 * j + 1]) / 4 }
                }
            }
            return
        }
        for c in 0..<channels {
            let plane = x + c * h * w
            for i in 0..<oh {
                let y0 = i * p.strideHeight - p.padding.top
                let ya = max(y0, 0)
                let yb = min(y0 + p.kernelHeight, h)
                for j in 0..<ow {
                    let x0 = j * p.strideWidth - p.padding.left
                    let xa = max(x0, 0)
                    let xb = min(x0 + p.kernelWidth, w)
                    var acc: Float = isMax ? -.infinity : 0
                    if ya < yb && xa < xb {
                        for y in ya..<yb {
                            for xx in xa..<xb {
                                let v = plane[y * w + xx]
                                if isMax { acc = max(acc, v) } else { acc += v }
                            }
                        }
                    }
                    if !isMax {
                        // With ceil_mode 0 a window never runs past the padding, so with
                        // count_include_pad the divisor is always the window's area.
                        let inside = Float(max(yb - ya, 0) * max(xb - xa, 0))
                        acc /= p.countIncludePad ? windowArea : max(inside, 1)
                    }
                    out[(c * oh + i) * ow + j] = acc
                }
            }
        }
    }
}
