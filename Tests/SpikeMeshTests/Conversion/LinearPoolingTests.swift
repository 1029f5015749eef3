import Foundation
import Testing

@testable import SpikeMeshConversion
@testable import SpikeMeshCore
@testable import SpikeMeshFormats
@testable import SpikeMeshModel

/// Folding average pooling into the next layer (`--pooling linear`): the folded layer must
/// compute exactly what pooling followed by the layer computes.
struct LinearPoolingTests {
    /// Plain average pooling of one `[C, H, W]` image, written out independently here.
    func pool(_ x: [Float], _ s: [Int], _ p: Pool) -> ([Float], [Int]) {
        let (c, h, w) = (s[0], s[1], s[2])
        let ho = (h + p.padding.top + p.padding.bottom - p.kernelHeight) / p.strideHeight + 1
        let wo = (w + p.padding.left + p.padding.right - p.kernelWidth) / p.strideWidth + 1
        var out = [Float](repeating: 0, count: c * ho * wo)
        for ch in 0..<c {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var sum: Float = 0
                    var inside = 0
                    for a in 0..<p.kernelHeight {
                        for b in 0..<p.kernelWidth {
                            let y = oy * p.strideHeight - p.padding.top + a
                            let xx = ox * p.strideWidth - p.padding.left + b
                            if y >= 0 && y < h && xx >= 0 && xx < w {
                                sum += x[(ch * h + y) * w + xx]
                                inside += 1
                            }
                        }
                    }
                    out[(ch * ho + oy) * wo + ox] =
                        sum / Float(p.countIncludePad ? p.kernelHeight * p.kernelWidth : inside)
                }
            }
        }
        return (out, [c, ho, wo])
    }

    /// Plain convolution (no bias) of one `[C, H, W]` image.
    func conv(_ x: [Float], _ s: [Int], _ k: Conv2d) -> ([Float], [Int]) {
        let (h, w) = (s[1], s[2])
        let ho = (h + k.padding.top + k.padding.bottom - k.kernelHeight) / k.strideHeight + 1
        let wo = (w + k.padding.left + k.padding.right - k.kernelWidth) / k.strideWidth + 1
        var out = [Float](repeating: 0, count: k.outChannels * ho * wo)
        for o in 0..<k.outChannels {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var sum: Float = 0
                    for c in 0..<k.inChannels {
                        for u in 0..<k.kernelHeight {
                            for v in 0..<k.kernelWidth {
                                let y = oy * k.strideHeight - k.padding.top + u
                                let xx = ox * k.strideWidth - k.padding.left + v
                                guard y >= 0 && y < h && xx >= 0 && xx < w else { continue }
                                sum +=
                                    k.weights[((o * k.inChannels + c) * k.kernelHeight + u) * k.kernelWidth + v]
                                    * x[(c * h + y) * w + xx]
                            }
                        }
                    }
                    out[(o * ho + oy) * wo + ox] = sum
                }
            }
        }
        return (out, [k.outChannels, ho, wo])
    }

    func random(_ n: Int, _ rng: inout SplitMix) -> [Float] { (0..<n).map { _ in rng.unitFloat() * 2 - 1 } }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// (H, pool k, s, pad, countIncludePad, conv k, s, pad, foldable).
    static let cases: [(Int, Int, Int, Int, Bool, Int, Int, Int, Bool)] = [
        (28, 2, 2, 0, true, 3, 1, 1, true),  // the bundled CNN
        (14, 2, 2, 0, false, 3, 1, 1, true),
        (12, 3, 3, 0, true, 3, 1, 1, true),
        (12, 2, 2, 0, true, 3, 2, 0, true),  // strided conv
        (13, 3, 2, 1, true, 3, 1, 1, true),  // overlapping pool, padding counted
        (11, 2, 2, 0, true, 3, 1, 1, false),  // ragged: the pool drops the last row, the conv pads there
        (12, 3, 1, 0, true, 3, 1, 1, false),  // overlapping pool under a padded conv
        (12, 3, 2, 1, false, 3, 1, 1, false),  // padding not counted: the divisor varies
        (10, 2, 2, 0, true, 5, 1, 2, true),
        (9, 3, 3, 0, true, 1, 1, 0, true),
    ]

    @Test(arguments: cases.indices)
    func foldedConvolutionEqualsPoolThenConv(_ index: Int) throws {
        let (h, kp, sp, pp, counted, k, s, pad, foldable) = Self.cases[index]
        var rng = SplitMix(state: UInt64(index) + 7)
        let shape = [3, h, h]
        let p = Pool(
            kernelHeight: kp, kernelWidth: kp, strideHeight: sp, strideWidth: sp,
            padding: Padding(top: pp, left: pp, bottom: pp, right: pp), countIncludePad: counted)
        let c = Conv2d(
            inChannels: 3, outChannels: 4, kernelHeight: k, kernelWidth: k, strideHeight: s, strideWidth: s,
            padding: Padding(top: pad, left: pad, bottom: pad, right: pad), weights: random(4 * 3 * k * k, &rng))
        let x = random(shape.reduce(1, *), &rng)
        let (pooled, pooledShape) = pool(x, shape, p)
        let (expected, outShape) = conv(pooled, pooledShape, c)
        let folded = LinearPooling.compose(c, after: p, input: shape, pooled: pooledShape, output: outShape)
        let wasFolded = folded != nil
        #expect(wasFolded == foldable)
        guard let folded else { return }
        let (got, gotShape) = conv(x, shape, folded)
        #expect(gotShape == outShape)
        #expect(maxDifference(got, expected) < 1e-5)
    }

    /// A 2×2 pooling of 29 columns drops the last one, where the padded conv reads zeros.
    @Test func raggedWidthIsNotFolded() throws {
        let p = Pool(
            kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padding: .zero, countIncludePad: true)
        let c = Conv2d(
            inChannels: 1, outChannels: 1, kernelHeight: 3, kernelWidth: 3,
            padding: Padding(top: 1, left: 1, bottom: 1, right: 1), weights: Array(repeating: 1, count: 9))
        #expect(
            LinearPooling.compose(c, after: p, input: [1, 28, 29], pooled: [1, 14, 14], output: [1, 14, 14]) == nil)
        #expect(
            LinearPooling.compose(c, after: p, input: [1, 28, 28], pooled: [1, 14, 14], output: [1, 14, 14]) != nil)
    }

    @Test func foldedDenseEqualsPoolThenDense() throws {
        var rng = SplitMix(state: 3)
        for (h, kp, sp, pp) in [(14, 2, 2, 0), (7, 7, 1, 0), (11, 2, 2, 0), (9, 3, 2, 1)] {
            let shape = [2, h, h]
            let p = Pool(
                kernelHeight: kp, kernelWidth: kp, strideHeight: sp, strideWidth: sp,
                padding: Padding(top: pp, left: pp, bottom: pp, right: pp), countIncludePad: true)
            let x = random(shape.reduce(1, *), &rng)
            let (pooled, pooledShape) = pool(x, shape, p)
            let out = 5
            let w = random(out * pooled.count, &rng)
            let folded = try #require(LinearPooling.compose(dense: w, after: p, input: shape, pooled: pooledShape))
            #expect(folded.count == out * x.count)
            for o in 0..<out {
                let expected = (0..<pooled.count).reduce(Float(0)) { $0 + w[o * pooled.count + $1] * pooled[$1] }
                let got = (0..<x.count).reduce(Float(0)) { $0 + folded[o * x.count + $1] * x[$1] }
                #expect(abs(got - expected) < 1e-5)
            }
        }
    }

    /// The bundled QCFS model with linear pooling: no pooling populations, the layers after
    /// each pooling read the un-pooled spikes through the folded weights.
    @Test func qcfsModelWithLinearPooling() throws {
        let graph = try ONNXImporter.load(path: Fixtures.example("fmnist_cnn_qcfs.onnx"))
        let net = try Converter.structure(of: graph, pooling: .linear)
        #expect(
            net.populations.map(\.shape) == [[1, 28, 28], [16, 28, 28], [32, 28, 28], [32, 14, 14], [64], [10]])
        #expect(net.projections.map(\.typeName) == ["conv", "conv", "conv", "dense", "dense"])
        guard case .conv(let folded) = net.projections[2].kind else {
            Issue.record("not a convolution")
            return
        }
        let geometry: [Int] = [folded.kernelHeight, folded.strideHeight, folded.padding.top, folded.padding.bottom]
        #expect(geometry == [6, 2, 2, 2])
        #expect(net.metadata["pooling"] == "linear")
        // A 1,568-input dense layer after a 2×2 pooling of 32×14×14 reads 6,272 inputs.
        guard case .dense(let w) = net.projections[3].kind else {
            Issue.record("not dense")
            return
        }
        #expect(w.count == 64 * 6272)
        try net.validate()
    }
}
