import SpikeMeshCore

/// Which half of a dataset with a train/test split to load.
public enum DatasetSplit: String, CaseIterable, Sendable {
    /// The held-out images (`t10k-*` for MNIST and Fashion-MNIST).
    case test
    /// The training images (`train-*`).
    case train
}

/// Labelled 8-bit images, all of one shape, kept as loaded (no normalization).
///
/// Loading is in `Dataset+Loading.swift`: IDX folders (MNIST, Fashion-MNIST) and
/// SMDS files.
public struct Dataset: Sendable {
    /// Number of images (= `labels.count`).
    public let count: Int
    /// Channels per image (1 for MNIST, 3 for RGB).
    public let channels: Int
    /// Rows per image.
    public let height: Int
    /// Columns per image.
    public let width: Int
    /// All pixels, 0...255: `count × channels × height × width`, image-major, each image
    /// channel-major then row-major (NCHW).
    public let pixels: [UInt8]
    /// One class label per image.
    public let labels: [UInt8]
    /// What was loaded (path and files), for reports.
    public let source: String

    /// A dataset of `labels.count` images of `channels × height × width` pixels each.
    ///
    /// Throws `.invalidArgument` if a size is not positive or `pixels.count` is not
    /// `labels.count × channels × height × width`.
    public init(
        channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [UInt8],
        source: String
    ) throws {
        guard channels > 0 && height > 0 && width > 0 else {
            throw SpikeMeshError(
                .invalidArgument,
                "\(source): dataset: image shape \(channels) × \(height) × \(width) "
                    + "(channels × height × width must all be at least 1)")
        }
        let (planeSize, overflow1) = height.multipliedReportingOverflow(by: width)
        let (imageSize, overflow2) = planeSize.multipliedReportingOverflow(by: channels)
        let (total, overflow3) = imageSize.multipliedReportingOverflow(by: labels.count)
        let overflow = overflow1 || overflow2 || overflow3
        guard !overflow && total == pixels.count else {
            throw SpikeMeshError(
                .invalidArgument,
                "\(source): dataset: \(labels.count) labels of \(channels) × \(height) × "
                    + "\(width) images need \(overflow ? "more than \(Int.max)" : "\(total)") "
                    + "pixels, got \(pixels.count)")
        }
        self.count = labels.count
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.source = source
    }

    /// Pixels per image: `channels × height × width`.
    public var imageSize: Int { channels * height * width }

    /// Throws unless the images fit a network input of `shape` (`[C, H, W]`, or `[F]` with
    /// F = C·H·W) and `normalization` has one value or one per channel. Every command checks
    /// its images this way before it normalizes or runs them.
    public func check(fits shape: [Int], of model: String, normalization: Normalization? = nil) throws {
        let have = [channels, height, width]
        guard shape == have || (shape.count == 1 && shape[0] == imageSize) else {
            throw SpikeMeshError(.usage, "\(source) has images of shape \(have); the model \(model) expects \(shape)")
        }
        try normalization?.check(channels: channels)
    }

    /// Images `[start, start + n)` as NCHW floats, normalized per channel:
    ///
    /// ```
    /// x = (pixel / 255 − mean[c]) / std[c]
    /// ```
    ///
    /// computed in `Float` exactly in that order (through a 256-entry table per channel),
    /// so the same pixel always gives the same bits. `mean` and `std` hold one entry
    /// for all channels or one per channel; anything else is a programming error and
    /// traps (a zero `std` gives ±infinity or NaN, as the formula says). `range` is
    /// clamped to `0..<count`; the result has `clampedRange.count × imageSize` entries.
    public func normalizedBatch(_ range: Range<Int>, mean: [Float], std: [Float]) -> [Float] {
        precondition(
            mean.count == 1 || mean.count == channels,
            "normalizedBatch: mean has \(mean.count) entries (expected 1 or \(channels))")
        precondition(
            std.count == 1 || std.count == channels,
            "normalizedBatch: std has \(std.count) entries (expected 1 or \(channels))")
        let images = range.clamped(to: 0..<count)
        let plane = height * width
        var table = [Float](repeating: 0, count: 256 * channels)
        for c in 0..<channels {
            let m = mean.count == 1 ? mean[0] : mean[c]
            let s = std.count == 1 ? std[0] : std[c]
            for p in 0..<256 { table[c * 256 + p] = (Float(p) / 255 - m) / s }
        }
        let start = images.lowerBound * imageSize
        var result = [Float](repeating: 0, count: images.count * imageSize)
        result.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { pixels in
                table.withUnsafeBufferPointer { table in
                    var i = 0
                    for _ in images {
                        for c in 0..<channels {
                            let channelTable = c * 256
                            for _ in 0..<plane {
                                out[i] = table[channelTable + Int(pixels[start + i])]
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The first `n` images (all of them if `n ≥ count`, none if `n ≤ 0`).
    public func limited(to n: Int) -> Dataset {
        let kept = min(max(0, n), count)
        if kept == count { return self }
        return Dataset(
            uncheckedCount: kept, channels: channels, height: height, width: width,
            pixels: Array(pixels[0..<(kept * imageSize)]), labels: Array(labels[0..<kept]),
            source: "\(source), first \(kept) of \(count)")
    }

    /// For sizes that were already checked.
    package init(
        uncheckedCount count: Int, channels: Int, height: Int, width: Int, pixels: [UInt8],
        labels: [UInt8], source: String
    ) {
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.source = source
    }
}

extension Dataset {
    /// How many of `predictions` (for images start, start + 1, …) match the labels.
    public func correct(_ predictions: [Int], from start: Int) -> Int {
        predictions.indices.reduce(0) { $0 + (predictions[$1] == Int(labels[start + $1]) ? 1 : 0) }
    }
}
