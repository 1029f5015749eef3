/// The one window type: a convolution's or a pooling's kernel, stride and padding over a
/// C × H × W grid (channels-last in the engines). Target position (oy, ox) sees source rows
/// `oy · strideHeight − padding.top + u` for u < kernelHeight, columns alike; rows and columns
/// outside the source are padding (no synapse). Which channels a target sees — every source
/// channel (a convolution) or its own (pooling, identity) — is the user's to say.
///
/// `Conv2d` and `Pool` keep their own fields (they are the ANN's layers and the network
/// file's format); conversion, the reference, quantization, mapping and emulation reach
/// their geometry through `window`.
public struct Window: Sendable, Equatable {
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padding: Padding

    public init(kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, padding: Padding) {
        (self.kernelHeight, self.kernelWidth, self.strideHeight, self.strideWidth) = (
            kernelHeight, kernelWidth, strideHeight, strideWidth
        )
        self.padding = padding
    }

    /// A 1 × 1 window with stride 1: each target sees the source at its own position.
    public static let identity = Window(
        kernelHeight: 1, kernelWidth: 1, strideHeight: 1, strideWidth: 1, padding: .zero)

    /// Kernel taps per channel (kh · kw).
    public var taps: Int { kernelHeight * kernelWidth }
}

extension Conv2d {
    public var window: Window {
        Window(
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
            padding: padding)
    }
}

extension Pool {
    public var window: Window {
        Window(
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
            padding: padding)
    }
}
