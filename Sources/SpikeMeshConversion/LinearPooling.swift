import SpikeMeshModel

/// How average pooling is converted (`--pooling`).
public enum PoolingMode: String, Sendable, Codable, CaseIterable {
    /// A population of IF neurons fed by a 1/k² convolution: pooled values travel as spikes.
    case spiking
    /// No neurons: the pooling is folded into the weights of the layer after it, which then
    /// reads the un-pooled spikes over a larger window — how Bu et al. 2022 keep pooling
    /// linear in converted QCFS networks. It avoids re-quantizing the pooled value (which
    /// matters at small T) at the price of a larger fan-in per neuron.
    case linear
}

/// Folding an average pooling into the convolution or dense layer that reads it. The result
/// computes exactly the same pre-activation as pooling followed by the layer.
enum LinearPooling {
    /// Every window divides by the same count (no padding, or padding counted).
    static func isUniform(_ pool: Pool) -> Bool {
        pool.countIncludePad || pool.padding == .zero
    }

    /// One spatial dimension of `conv ∘ pool`: kernel, stride and padding of the composition,
    /// or nil when a window of the conv's padding would cover real input rows the pooling
    /// left out (overlapping or ragged pooling at the border).
    struct Axis {
        var kernel: Int, stride: Int, low: Int, high: Int
    }

    static func axis(
        input h: Int, poolKernel kp: Int, poolStride sp: Int, poolLow pl: Int, pooled hp: Int,
        kernel k: Int, stride s: Int, low: Int, output: Int
    ) -> Axis? {
        // Pooled row r reads input rows sp·r − pl + a, a < kp. The conv reads pooled rows
        // s·o − low + u; those outside 0..<hp are its zero padding, so the composition must
        // read only rows outside 0..<h for them.
        if low > 0 && kp > sp + pl { return nil }
        let lastRead = s * (output - 1) - low + k - 1
        if lastRead >= hp && sp * hp - pl < h { return nil }
        let kernel = (k - 1) * sp + kp
        let stride = s * sp
        let newLow = low * sp + pl
        let high = max(0, (output - 1) * stride + kernel - h - newLow)
        guard (h + newLow + high - kernel) / stride + 1 == output else { return nil }
        return Axis(kernel: kernel, stride: stride, low: newLow, high: high)
    }

    /// `conv` reading the `pool` of a `[C, H, W]` input, as one convolution of the input.
    static func compose(_ conv: Conv2d, after pool: Pool, input: [Int], pooled: [Int], output: [Int]) -> Conv2d? {
        guard isUniform(pool), input.count == 3, pooled.count == 3, output.count == 3 else { return nil }
        guard
            let y = axis(
                input: input[1], poolKernel: pool.kernelHeight, poolStride: pool.strideHeight,
                poolLow: pool.padding.top, pooled: pooled[1], kernel: conv.kernelHeight,
                stride: conv.strideHeight, low: conv.padding.top, output: output[1]),
            let x = axis(
                input: input[2], poolKernel: pool.kernelWidth, poolStride: pool.strideWidth,
                poolLow: pool.padding.left, pooled: pooled[2], kernel: conv.kernelWidth,
                stride: conv.strideWidth, low: conv.padding.left, output: output[2])
        else { return nil }
        let inverse = 1 / Float(pool.kernelHeight * pool.kernelWidth)
        let (ci, co) = (conv.inChannels, conv.outChannels)
        var w = [Float](repeating: 0, count: co * ci * y.kernel * x.kernel)
        for o in 0..<co {
            for c in 0..<ci {
                for u in 0..<conv.kernelHeight {
                    for v in 0..<conv.kernelWidth {
                        let value =
                            conv.weights[((o * ci + c) * conv.kernelHeight + u) * conv.kernelWidth + v] * inverse
                        for a in 0..<pool.kernelHeight {
                            for b in 0..<pool.kernelWidth {
                                let dy = u * pool.strideHeight + a
                                let dx = v * pool.strideWidth + b
                                w[((o * ci + c) * y.kernel + dy) * x.kernel + dx] += value
                            }
                        }
                    }
                }
            }
        }
        return Conv2d(
            inChannels: ci, outChannels: co, kernelHeight: y.kernel, kernelWidth: x.kernel,
            strideHeight: y.stride, strideWidth: x.stride,
            padding: Padding(top: y.low, left: x.low, bottom: y.high, right: x.high), weights: w)
    }

    /// Dense weights `[out][C·Hp·Wp]` reading the flattened `pool` of a `[C, H, W]` input, as
    /// weights `[out][C·H·W]` reading the input itself.
    static func compose(dense weights: [Float], after pool: Pool, input: [Int], pooled: [Int]) -> [Float]? {
        guard isUniform(pool), input.count == 3, pooled.count == 3 else { return nil }
        let (c, h, wd) = (input[0], input[1], input[2])
        let (hp, wp) = (pooled[1], pooled[2])
        let inPooled = c * hp * wp
        let inFull = c * h * wd
        guard inPooled > 0, weights.count % inPooled == 0 else { return nil }
        let out = weights.count / inPooled
        let inverse = 1 / Float(pool.kernelHeight * pool.kernelWidth)
        var w = [Float](repeating: 0, count: out * inFull)
        for o in 0..<out {
            for ch in 0..<c {
                for py in 0..<hp {
                    for px in 0..<wp {
                        let value = weights[o * inPooled + (ch * hp + py) * wp + px] * inverse
                        for a in 0..<pool.kernelHeight {
                            let yy = py * pool.strideHeight - pool.padding.top + a
                            guard yy >= 0 && yy < h else { continue }
                            for b in 0..<pool.kernelWidth {
                                let xx = px * pool.strideWidth - pool.padding.left + b
                                guard xx >= 0 && xx < wd else { continue }
                                w[o * inFull + (ch * h + yy) * wd + xx] += value
                            }
                        }
                    }
                }
            }
        }
        return w
    }
}
