import SpikeMeshCore

/// A fixed-point spiking network: what a chip's synapse and neuron memories hold
/// (Docs/Emulation.md, "Fixed point"). `Quantizer` makes one from a float `SpikingNetwork`; a network
/// file may hold one; the emulator runs nothing else. The float network stays float, as Lava
/// keeps `PyLifModelFloat` beside `PyLifModelBitAcc`.
///
/// Every value is an integer in its target population's units: population q's threshold Θ_q,
/// its weights, bias and initial potential are the float values times `format.scales[q]`
/// (Θ_q/θ_q), rounded half away from zero. A spike adds its weight unscaled (amplitude 1, not θ:
/// the weight already carries θ_source). The direct input current is the normalized pixel
/// times the integer weight, summed in Float and rounded half away from zero per tick
/// (the host's job on a chip). Membranes are signed `potentialBits` integers and saturate at
/// ±`format.potentialLimit`; the emulator counts every saturation.
///
/// Widths: weights are at most 24 bits, so they are stored in `Int32` and are exact in Float
/// (|W| < 2^23); thresholds, biases and potentials are at most 32 bits, stored in `Int64` so
/// that a sum of two never overflows. The reference simulator runs the same integers in Float
/// (`integerView()`), which is exact while every membrane stays below 2^24 — as `--exact`'s
/// widths guarantee; the emulator's arithmetic is integer and exact at every width.
public struct FixedPointNetwork: Sendable, Equatable {
    public var populations: [FixedPointPopulation]
    public var projections: [FixedPointProjection]
    /// Index of the population that is read out (never fires; its membranes accumulate).
    public var output: Int
    /// The float network's metadata (source, method, α, normalization), plus what was added since.
    public var metadata: [String: String]
    /// The widths and scales the integers were made with.
    public var format: FixedPointInfo

    /// Checks every value against `format`'s widths; throws naming the first that does not fit.
    public init(
        populations: [FixedPointPopulation], projections: [FixedPointProjection], output: Int,
        metadata: [String: String], format: FixedPointInfo
    ) throws {
        self.populations = populations
        self.projections = projections
        self.output = output
        self.metadata = metadata
        self.format = format
        try checkWidths()
    }

    /// Hidden populations: every population but the input and the output.
    public var hidden: [Int] { populations.indices.filter { $0 != 0 && $0 != output } }

    /// The same network with every integer written as a Float, in the float network's layout
    /// (average pooling and identity carry their integer weights as `positionWeights`). Code
    /// that reads structure (mapping, kernel taps, reports) and the reference simulator, which
    /// runs these values in integer units, use it. Weights are exact; a threshold, bias or
    /// potential of 2^24 or more is rounded to the nearest Float.
    public func integerView() -> SpikingNetwork {
        SpikingNetwork(
            populations: populations.map(\.integerView), projections: projections.map(\.integerView),
            output: output, metadata: metadata)
    }

    func checkWidths() throws {
        func fail(_ message: String) -> SpikeMeshError { SpikeMeshError(.invalidModel, message) }
        guard FixedPointInfo.weightBitsRange.contains(format.weightBits),
            FixedPointInfo.potentialBitsRange.contains(format.potentialBits)
        else {
            throw fail(
                "network.fixedPoint: weightBits \(format.weightBits) must be in 2…24 and potentialBits \(format.potentialBits) in 2…32"
            )
        }
        guard format.scales.count == populations.count else {
            throw fail(
                "network.fixedPoint.scales has \(format.scales.count) values for \(populations.count) populations")
        }
        let limit = format.potentialLimit
        for (i, p) in populations.enumerated() where i > 0 {
            let at = "population \(i) (\(Text.quoted(p.name)))"
            guard p.threshold >= 1, p.threshold <= limit else {
                throw fail(
                    "\(at): threshold \(p.threshold) must be in 1…\(limit) (\(format.potentialBits)-bit potentials)")
            }
            guard abs(p.initialPotential) <= limit, (p.bias ?? []).allSatisfy({ abs($0) <= limit }),
                (p.channelInitialPotential ?? []).allSatisfy({ abs($0) <= limit })
            else {
                throw fail(
                    "\(at): a bias or initial potential does not fit \(format.potentialBits)-bit potentials (±\(limit))"
                )
            }
        }
        let wMax = Int32((1 << (format.weightBits - 1)) - 1)
        for (j, proj) in projections.enumerated() {
            if let w = proj.weights.first(where: { $0 < -wMax || $0 > wMax }) {
                throw fail("projection \(j): weight \(w) does not fit \(format.weightBits)-bit weights (±\(wMax))")
            }
        }
    }
}

/// How a fixed-point network was made (`Quantizer`).
public struct FixedPointInfo: Sendable, Codable, Equatable {
    /// The hardware model whose widths were used ("exact" for `--exact`).
    public var hardware: String
    /// Signed weight width, 2…24: every |W| ≤ 2^(weightBits−1) − 1.
    public var weightBits: Int
    /// Signed membrane width, 2…32: every membrane, threshold, bias and initial potential lies
    /// in ±(2^(potentialBits−1) − 1).
    public var potentialBits: Int
    /// Integer units per unit of the float network's value, per population (Θ/θ; 1 for the input).
    public var scales: [Float]

    public init(hardware: String, weightBits: Int, potentialBits: Int, scales: [Float]) {
        self.hardware = hardware
        self.weightBits = weightBits
        self.potentialBits = potentialBits
        self.scales = scales
    }

    /// The widths a fixed-point network may have: weights fit `Int32` and are exact in Float;
    /// potentials fit `Int64` with room for the sum of two.
    public static let weightBitsRange = 2...24
    public static let potentialBitsRange = 2...32

    /// The largest membrane magnitude, 2^(potentialBits−1) − 1.
    public var potentialLimit: Int64 { (Int64(1) << Int64(potentialBits - 1)) - 1 }
}

/// A population in integer units. Name, shape, reset and layer are the float population's.
public struct FixedPointPopulation: Sendable, Codable, Equatable {
    public var name: String
    /// Per-sample shape, `[C, H, W]` or `[F]`.
    public var shape: [Int]
    /// Θ, the integer threshold: 1…2^(potentialBits−1) − 1. Quantization chooses the largest Θ
    /// that keeps every incoming weight within `weightBits`.
    public var threshold: Int64
    public var reset: ResetMode
    /// V(0) = round(V0_float · Θ/θ), half away from zero; clamped to ±limit (the quantizer
    /// counts each clamp).
    public var initialPotential: Int64
    /// Integer current per tick, one per channel, rounded and clamped like V(0); nil for none.
    public var bias: [Int64]?
    /// The ANN layer whose activation this population carries.
    public var layer: Int
    /// λ of the QCFS activation this population replaces, if any (float units, for reports).
    public var qcfsLambda: Float?
    /// V(0) per channel, rounded and clamped like V(0), replacing it where present; nil for none.
    public var channelInitialPotential: [Int64]?
    /// A relay of fan-in decomposition (`Relay`); it shares its target's units (scale), so a
    /// graded relay's payload is already in the target's integers.
    public var relay: Relay?

    public init(
        name: String, shape: [Int], threshold: Int64, reset: ResetMode, initialPotential: Int64, bias: [Int64]?,
        layer: Int, qcfsLambda: Float?, channelInitialPotential: [Int64]? = nil, relay: Relay? = nil
    ) {
        self.name = name
        self.shape = shape
        self.threshold = threshold
        self.reset = reset
        self.initialPotential = initialPotential
        self.bias = bias
        self.layer = layer
        self.qcfsLambda = qcfsLambda
        self.channelInitialPotential = channelInitialPotential
        self.relay = relay
    }

    public var count: Int { shape.reduce(1, *) }
    public var channels: Int { shape[0] }

    enum CodingKeys: String, CodingKey {
        case name, shape, threshold, reset, initialPotential, bias, layer, qcfsLambda, channelInitialPotential, relay
    }

    /// Reads the integers as JSON numbers and says which is not an integer (JSONDecoder's own
    /// Int64 decoding reports only "not valid JSON", with no place).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func integer(_ value: Double, _ key: CodingKeys, _ index: Int? = nil) throws -> Int64 {
            guard value == value.rounded(), abs(value) <= 0x1p53 else {
                let path = index.map { c.codingPath + [key, IndexKey(intValue: $0)] } ?? c.codingPath + [key]
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path, debugDescription: "\(value) is not an integer"))
            }
            return Int64(value)
        }
        name = try c.decode(String.self, forKey: .name)
        shape = try c.decode([Int].self, forKey: .shape)
        threshold = try integer(c.decode(Double.self, forKey: .threshold), .threshold)
        reset = try c.decode(ResetMode.self, forKey: .reset)
        initialPotential = try integer(c.decode(Double.self, forKey: .initialPotential), .initialPotential)
        bias = try c.decodeIfPresent([Double].self, forKey: .bias).map { b in
            try b.indices.map { try integer(b[$0], .bias, $0) }
        }
        layer = try c.decode(Int.self, forKey: .layer)
        qcfsLambda = try c.decodeIfPresent(Float.self, forKey: .qcfsLambda)
        channelInitialPotential = try c.decodeIfPresent([Double].self, forKey: .channelInitialPotential).map { v in
            try v.indices.map { try integer(v[$0], .channelInitialPotential, $0) }
        }
        relay = try c.decodeIfPresent(Relay.self, forKey: .relay)
    }

    struct IndexKey: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }

    /// The potential SRP resets to: Θ/2 rounded half away from zero (Θ ≥ 1).
    public var halfThreshold: Int64 { (threshold + 1) / 2 }

    /// The population with its integers as Floats (`FixedPointNetwork.integerView()`).
    package var integerView: Population {
        Population(
            name: name, shape: shape, threshold: Float(threshold), reset: reset,
            initialPotential: Float(initialPotential),
            bias: bias.map { $0.map { Float($0) } }, layer: layer, qcfsLambda: qcfsLambda,
            channelInitialPotential: channelInitialPotential.map { $0.map { Float($0) } }, relay: relay)
    }
}

/// A projection with integer weights, each |W| ≤ 2^(weightBits−1) − 1, in its target's units.
public struct FixedPointProjection: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Row-major `[out][in]`, `in` in the source's C·H·W order.
        case dense(weights: [Int32])
        /// A convolution; weights OIHW.
        case conv(window: Window, inChannels: Int, outChannels: Int, weights: [Int32])
        /// Average pooling of each channel: one weight per target position (H·W, row-major),
        /// which carries the window's divisor.
        case avgPool(window: Window, weights: [Int32])
        /// One-to-one (residual paths), one weight.
        case identity(weight: Int32)
    }

    public var source: Int
    public var target: Int
    public var kind: Kind
    /// The source channels a dense or conv projection reads (`Projection.sourceRange`).
    public var sourceRange: Range<Int>?

    public init(source: Int, target: Int, kind: Kind, sourceRange: Range<Int>? = nil) {
        self.source = source
        self.target = target
        self.kind = kind
        self.sourceRange = sourceRange
    }

    /// Every integer weight, in the kind's layout.
    public var weights: [Int32] {
        switch kind {
        case .dense(let w), .conv(_, _, _, let w), .avgPool(_, let w): w
        case .identity(let w): [w]
        }
    }

    var integerView: Projection {
        switch kind {
        case .dense(let w):
            return Projection(
                source: source, target: target, kind: .dense(weights: w.map { Float($0) }), sourceRange: sourceRange)
        case .conv(let window, let inChannels, let outChannels, let w):
            let c = Conv2d(
                inChannels: inChannels, outChannels: outChannels, kernelHeight: window.kernelHeight,
                kernelWidth: window.kernelWidth, strideHeight: window.strideHeight, strideWidth: window.strideWidth,
                padding: window.padding, weights: w.map { Float($0) })
            return Projection(source: source, target: target, kind: .conv(c), sourceRange: sourceRange)
        case .avgPool(let window, let w):
            let pool = Pool(
                kernelHeight: window.kernelHeight, kernelWidth: window.kernelWidth, strideHeight: window.strideHeight,
                strideWidth: window.strideWidth, padding: window.padding, countIncludePad: false)
            return Projection(
                source: source, target: target, kind: .avgPool(pool), positionWeights: w.map { Float($0) })
        case .identity(let w):
            return Projection(source: source, target: target, kind: .identity, positionWeights: [Float(w)])
        }
    }

    /// The fixed-point form of a float-layout projection whose values are integers (a network
    /// file's): throws naming the projection when a weight is not an integer or does not fit
    /// Int32, or when an average pooling has no explicit weights.
    public init(integers p: Projection, index j: Int) throws {
        func ints(_ values: [Float]) throws -> [Int32] {
            try values.map { v in
                guard v == v.rounded(), abs(v) < 2_147_483_648 else {
                    throw SpikeMeshError(
                        .invalidModel, "projection \(j): weight \(v) of a fixed-point network is not a 32-bit integer")
                }
                return Int32(v)
            }
        }
        source = p.source
        target = p.target
        sourceRange = p.sourceRange
        switch p.kind {
        case .dense(let w): kind = .dense(weights: try ints(w))
        case .conv(let c):
            kind = .conv(
                window: c.window, inChannels: c.inChannels, outChannels: c.outChannels, weights: try ints(c.weights))
        case .avgPool(let pool):
            guard let w = p.positionWeights else {
                throw SpikeMeshError(
                    .invalidModel,
                    "projection \(j): an average pooling of a fixed-point network needs integer positionWeights")
            }
            kind = .avgPool(window: pool.window, weights: try ints(w))
        case .identity: kind = .identity(weight: try ints(p.positionWeights ?? [1])[0])
        }
    }
}
