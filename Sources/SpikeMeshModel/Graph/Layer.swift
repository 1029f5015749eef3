import SpikeMeshCore

/// One layer of an ANN graph. Shapes are per sample, batch dimension left out: `[C, H, W]`
/// for images, `[F]` for feature vectors (ONNX's NCHW without the N).
public struct Layer: Sendable {
    /// The ONNX node this layer came from (the first node, for fused chains).
    public var name: String
    public var op: LayerOp
    /// Indices of the layers that feed this one, in the graph's `layers` array.
    public var inputs: [Int]
    /// Output shape per sample.
    public var shape: [Int]

    public var outputCount: Int { shape.reduce(1, *) }
}

public enum LayerOp: Sendable {
    case input
    case conv2d(Conv2d)
    case dense(Dense)
    case batchNorm(BatchNorm)
    case relu
    /// `min(max(x, min), max)`.
    case clip(min: Float, max: Float)
    case avgPool(Pool)
    case maxPool(Pool)
    case globalAvgPool
    case flatten
    /// Element-wise sum of two inputs of the same shape (a residual join).
    case add
    case qcfs(QCFS)

    /// The short type name used in tables and JSON.
    public var typeName: String {
        switch self {
        case .input: "Input"
        case .conv2d: "Conv2d"
        case .dense: "Dense"
        case .batchNorm: "BatchNorm"
        case .relu: "ReLU"
        case .clip: "Clip"
        case .avgPool: "AvgPool"
        case .maxPool: "MaxPool"
        case .globalAvgPool: "GlobalAvgPool"
        case .flatten: "Flatten"
        case .add: "Add"
        case .qcfs: "QCFS"
        }
    }
}

/// Height/width pairs and paddings, ONNX order for padding: top, left, bottom, right.
public struct Padding: Equatable, Sendable, Codable, CustomStringConvertible {
    public var top: Int, left: Int, bottom: Int, right: Int
    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }
    public static let zero = Padding(top: 0, left: 0, bottom: 0, right: 0)
    public var isSymmetric: Bool { top == bottom && left == right }
    public var description: String {
        isSymmetric ? (top == left ? "\(top)" : "\(top),\(left)") : "\(top),\(left),\(bottom),\(right)"
    }
}

/// A 2-D convolution, weights in OIHW order (`[out][in][kh][kw]`), groups = dilation = 1.
///
/// `y[o, i, j] = bias[o] + Σ_c Σ_u Σ_v w[o, c, u, v] · x[c, i·sh + u − top, j·sw + v − left]`,
/// with x = 0 outside the input.
public struct Conv2d: Sendable, Codable {
    public var inChannels: Int
    public var outChannels: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padding: Padding
    public var weights: [Float]
    public var bias: [Float]?

    public var fanIn: Int { inChannels * kernelHeight * kernelWidth }

    public init(
        inChannels: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        strideHeight: Int = 1, strideWidth: Int = 1, padding: Padding = .zero,
        weights: [Float], bias: [Float]? = nil
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padding = padding
        self.weights = weights
        self.bias = bias
    }
}

/// A fully connected layer, `y = W x + b`, weights row-major `[out][in]`.
public struct Dense: Sendable {
    public var inFeatures: Int
    public var outFeatures: Int
    public var weights: [Float]
    public var bias: [Float]?

    public init(inFeatures: Int, outFeatures: Int, weights: [Float], bias: [Float]? = nil) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weights = weights
        self.bias = bias
    }
}

/// Inference-mode batch normalization as a per-channel affine map, `y = x · scale[c] + shift[c]`
/// with `scale = γ / √(σ² + ε)` and `shift = β − μ · scale` (computed in Double at import).
public struct BatchNorm: Sendable {
    public var scale: [Float]
    public var shift: [Float]

    public init(scale: [Float], shift: [Float]) {
        self.scale = scale
        self.shift = shift
    }
}

/// A pooling window. Average pooling divides by the window size, or, when
/// `countIncludePad` is false, by the number of window cells inside the input.
public struct Pool: Sendable, Codable {
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padding: Padding
    public var countIncludePad: Bool

    public init(
        kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, padding: Padding,
        countIncludePad: Bool
    ) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padding = padding
        self.countIncludePad = countIncludePad
    }
}

/// The quantization-clip-floor-shift activation of Bu et al. (ICLR 2022):
///
/// ```
/// h(z) = λ · clip(floor(z · L / λ + ½) / L, 0, 1)
/// ```
///
/// evaluated as `clamp(floor(z / λ · L + 0.5) / L, 0, 1) · λ` in Float, the order PyTorch
/// exports it in.
public struct QCFS: Sendable {
    public var lambda: Float
    public var levels: Int

    public init(lambda: Float, levels: Int) {
        self.lambda = lambda
        self.levels = levels
    }

    @inline(__always) public func callAsFunction(_ z: Float) -> Float {
        min(max((z / lambda * Float(levels) + 0.5).rounded(.down) / Float(levels), 0), 1) * lambda
    }
}
