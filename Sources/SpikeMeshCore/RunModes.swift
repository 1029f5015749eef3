// The run settings every engine shares: how input is encoded, when spikes arrive, how the
// output is read (Docs/Conversion.md, "Ticks").

/// How the input image becomes spikes (Docs/Conversion.md, "Ticks", Encoding).
public enum InputEncoding: String, Sendable, Codable, CaseIterable {
    /// The normalized image is an analog current into the first layer every tick.
    case direct
    /// Per tick and pixel, a spike of sign(x) with probability min(|x|, 1) (RMP-SNN §3.1).
    case poisson
}

/// When a spike reaches its targets (Docs/Conversion.md, "Ticks", Delivery).
public enum DeliveryMode: String, Sendable, Codable, CaseIterable {
    /// Layers run in topological order within a tick; a spike arrives in the same tick.
    case layerSynchronous
    /// A spike emitted in tick t arrives in tick t + 1; shorter paths get axon delays so
    /// every path to a population is as long as its longest one.
    case pipelined
}

public enum ReadoutMode: String, Sendable, Codable, CaseIterable {
    /// Argmax of the output membranes, which integrate their input and never fire.
    case membrane
    /// Argmax of the output spike counts (the output fires like a hidden layer).
    case spikeCount
}
