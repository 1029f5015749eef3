import SpikeMeshCore

extension SpikingNetwork {
    /// Checks that populations and projections fit each other; throws naming the first problem.
    public func validate() throws {
        func fail(_ message: String) -> SpikeMeshError { SpikeMeshError(.invalidModel, message) }
        guard !populations.isEmpty else { throw fail("network.populations is empty") }
        guard populations.indices.contains(output), output > 0 else {
            throw fail("network.output = \(output) is not a population index in 1..<\(populations.count)")
        }
        guard output == populations.count - 1 else {
            throw fail("network.output = \(output) must be the last population (\(populations.count - 1))")
        }
        for (i, p) in populations.enumerated() {
            let at = "population \(i) (\(Text.quoted(p.name)))"
            guard p.shape.count == 1 || p.shape.count == 3, p.shape.allSatisfy({ $0 > 0 }),
                let size = ANNGraph.product(p.shape), size <= ANNGraph.maximumLayerSize
            else {
                throw fail(
                    "\(at): shape \(p.shape) must be [C, H, W] or [F] with positive sizes and at most \(ANNGraph.maximumLayerSize) values"
                )
            }
            guard p.threshold.isFinite, p.threshold > 0 else {
                throw fail("\(at): threshold \(p.threshold) must be positive and finite")
            }
            guard p.initialPotential.isFinite else { throw fail("\(at): initialPotential is not finite") }
            if let v = p.channelInitialPotential {
                guard v.count == p.channels else {
                    throw fail("\(at): \(v.count) channelInitialPotential values for \(p.channels) channels")
                }
                guard v.allSatisfy(\.isFinite) else {
                    throw fail("\(at): a channelInitialPotential value is not finite")
                }
            }
            if let b = p.bias {
                guard b.count == p.channels else {
                    throw fail("\(at): \(b.count) bias values for \(p.channels) channels")
                }
                guard b.allSatisfy(\.isFinite) else { throw fail("\(at): a bias value is not finite") }
            }
        }
        for (j, proj) in projections.enumerated() {
            let at = "projection \(j)"
            guard populations.indices.contains(proj.source), populations.indices.contains(proj.target) else {
                throw fail("\(at): source \(proj.source) or target \(proj.target) is not a population index")
            }
            guard proj.source < proj.target else {
                throw fail(
                    "\(at): source \(proj.source) must come before target \(proj.target) (populations are in topological order)"
                )
            }
            let src = populations[proj.source]
            let dst = populations[proj.target]
            let (fullSC, sh, sw) = CompiledProjection.dims(src.shape)
            var sc = fullSC
            var readCount = src.count
            if let range = proj.sourceRange {
                let whole: Int
                switch proj.kind {
                case .dense: whole = src.count
                case .conv: whole = src.channels
                default:
                    throw fail("\(at): sourceRange applies to dense and conv projections only, not \(proj.typeName)")
                }
                guard range.lowerBound >= 0, range.upperBound <= whole, !range.isEmpty else {
                    throw fail(
                        "\(at): sourceRange \(range.lowerBound)..<\(range.upperBound) is not a non-empty range within 0..<\(whole) (\(proj.typeName == "conv" ? "source channels" : "source neurons"))"
                    )
                }
                sc = range.count
                readCount = range.count
            }
            if src.relay == .graded {
                guard case .identity = proj.kind else {
                    throw fail(
                        "\(at): a graded relay (\(Text.quoted(src.name))) feeds its target through an identity projection only, not \(proj.typeName)"
                    )
                }
            }
            let (tc, th, tw) = CompiledProjection.dims(dst.shape)
            let between = "\(at) (\(Text.quoted(src.name)) → \(Text.quoted(dst.name)))"
            switch proj.kind {
            case .dense(let weights):
                guard dst.shape.count == 1 else {
                    throw fail("\(between): a dense projection needs a [F] target, not \(dst.shape)")
                }
                guard ANNGraph.product([readCount, dst.count]) == weights.count else {
                    throw fail("\(between): dense has \(weights.count) weights, expected \(readCount) × \(dst.count)")
                }
                guard weights.allSatisfy(\.isFinite) else { throw fail("\(between): a weight is not finite") }
            case .conv(let c):
                guard c.inChannels == sc, c.outChannels == tc,
                    ANNGraph.windowFits(c.kernelHeight, c.kernelWidth, c.strideHeight, c.strideWidth, c.padding),
                    ANNGraph.product([c.outChannels, c.inChannels, c.kernelHeight, c.kernelWidth]) == c.weights.count
                else {
                    throw fail(
                        "\(between): convolution \(c.outChannels)×\(c.inChannels)×\(c.kernelHeight)×\(c.kernelWidth) with \(c.weights.count) weights does not fit shapes \(src.shape) → \(dst.shape)"
                    )
                }
                let oh = (sh + c.padding.top + c.padding.bottom - c.kernelHeight) / c.strideHeight + 1
                let ow = (sw + c.padding.left + c.padding.right - c.kernelWidth) / c.strideWidth + 1
                guard oh == th, ow == tw else {
                    throw fail(
                        "\(between): convolution of a \(sh)×\(sw) input gives \(oh)×\(ow), but the target is \(th)×\(tw)"
                    )
                }
                guard c.weights.allSatisfy(\.isFinite) else { throw fail("\(between): a weight is not finite") }
            case .avgPool(let pool):
                guard
                    ANNGraph.windowFits(
                        pool.kernelHeight, pool.kernelWidth, pool.strideHeight, pool.strideWidth, pool.padding),
                    sc == tc
                else {
                    throw fail(
                        "\(between): average pooling needs a window and stride in 1…\(ANNGraph.maximumWindow), padding in 0…\(ANNGraph.maximumWindow) and equal channels"
                    )
                }
                let oh = (sh + pool.padding.top + pool.padding.bottom - pool.kernelHeight) / pool.strideHeight + 1
                let ow = (sw + pool.padding.left + pool.padding.right - pool.kernelWidth) / pool.strideWidth + 1
                guard oh == th, ow == tw else {
                    throw fail(
                        "\(between): pooling a \(sh)×\(sw) input gives \(oh)×\(ow), but the target is \(th)×\(tw)")
                }
                if let w = proj.positionWeights, w.count != th * tw {
                    throw fail("\(between): \(w.count) position weights for \(th)×\(tw) target positions")
                }
            case .identity:
                guard src.count == dst.count else {
                    throw fail("\(between): identity joins \(src.count) to \(dst.count) neurons")
                }
                if let w = proj.positionWeights, w.count != 1 {
                    throw fail("\(between): identity takes one weight, found \(w.count)")
                }
            }
            if let w = proj.positionWeights, !w.allSatisfy(\.isFinite) {
                throw fail("\(between): a position weight is not finite")
            }
        }
        if let r = populations.firstIndex(where: { $0.relay != nil }), r == 0 || r == output {
            throw fail(
                "population \(r) (\(Text.quoted(populations[r].name))): the input and the output cannot be relays")
        }
        for p in populations.indices.dropFirst() where incoming(p).isEmpty {
            throw fail("population \(p) (\(Text.quoted(populations[p].name))) has no incoming projection")
        }
    }
}
