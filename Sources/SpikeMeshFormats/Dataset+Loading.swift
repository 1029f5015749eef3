import Foundation
import SpikeMeshCore
import SpikeMeshModel

extension Dataset {
    /// Loads the `split` of the dataset at `path`, which is either
    ///
    /// - a folder of IDX files as MNIST and Fashion-MNIST ship them:
    ///   `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` for `.test`,
    ///   `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` for `.train`, each
    ///   plain or gzip-compressed with a `.gz` suffix (plain is preferred when both
    ///   exist); the images must be unsigned bytes of shape N × rows × columns and the
    ///   labels unsigned bytes of shape N; or
    /// - an SMDS file, plain or gzip-compressed (see `init(smds:name:)`); `split` is
    ///   ignored; or
    /// - a NumPy `.npz` archive with arrays `x` (images: N×H×W, N×C×H×W or N×H×W×C, uint8
    ///   0…255 or float 0…1) and `y` (labels), see `NumPyFile`; `split` is ignored.
    ///
    /// Errors: `.io` for a path that does not exist, cannot be read, or a folder without
    /// the split's files (the message lists the names looked for and what the folder
    /// holds); `.malformed` / `.unsupported` for file contents, naming file and offset.
    public static func load(path: String, split: DatasetSplit = .test) throws -> Dataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpikeMeshError(.io, "\(path): no such file or directory")
        }
        if isDirectory.boolValue {
            return try loadIDXFolder(path, split: split)
        }
        return try decode(fileBytes: try InputFile.read(path), name: path)
    }

    /// The files `load(path:)` may read for `path`: the file itself, or, for an IDX folder, the
    /// split files of both splits that are there (plain or `.gz`). Outputs are checked against
    /// them (`OutputFile`).
    public static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        let names = ["t10k", "train"].flatMap { ["\($0)-images-idx3-ubyte", "\($0)-labels-idx1-ubyte"] }
        return names.flatMap { [$0, $0 + ".gz"] }.map { Self.path(path, $0) }.filter {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    /// The dataset in the contents of a single file: SMDS, plain or gzip-compressed.
    /// `name` starts error messages (with " (decompressed)" after it for errors in the
    /// decompressed bytes) and becomes `source`.
    package static func decode(fileBytes: [UInt8], name: String) throws -> Dataset {
        if NumPyFile.isZip(fileBytes) { return try NumPyFile.dataset(npz: fileBytes, name: name) }
        if NumPyFile.isNPY(fileBytes) {
            throw SpikeMeshError(
                .usage,
                "\(name): this is a single NumPy array (.npy); a dataset needs images and labels in one .npz: numpy.savez(\"data.npz\", x=images, y=labels)"
            )
        }
        let isCompressed = Gzip.isGzip(fileBytes)
        let bytes = isCompressed ? try Gzip.decompress(fileBytes, name: name) : fileBytes
        let contentName = isCompressed ? "\(name) (decompressed)" : name
        if IDXFile.looksLikeIDX(bytes) {
            let magic = bytes.prefix(4).map { $0.zeroPaddedHex(digits: 2) }
            throw SpikeMeshError(
                .usage,
                "\(contentName): this is an IDX file (magic \(magic.joined(separator: " "))), "
                    + "one half of an image/label pair; pass the folder that holds the "
                    + "images and labels files instead")
        }
        let dataset = try Dataset(smds: bytes, name: contentName)
        return Dataset(
            uncheckedCount: dataset.count, channels: dataset.channels, height: dataset.height,
            width: dataset.width, pixels: dataset.pixels, labels: dataset.labels, source: name)
    }

    // MARK: IDX folders

    private static func loadIDXFolder(_ folder: String, split: DatasetSplit) throws -> Dataset {
        let prefix = split == .test ? "t10k" : "train"
        let imagesFile = try findFile("\(prefix)-images-idx3-ubyte", in: folder, split: split)
        let labelsFile = try findFile("\(prefix)-labels-idx1-ubyte", in: folder, split: split)
        let images = try readIDX(folder, imagesFile)
        let labels = try readIDX(folder, labelsFile)
        guard images.dimensions.count == 3 else {
            throw SpikeMeshError(
                .malformed,
                "\(path(folder, imagesFile)): IDX: images have \(images.dimensions.count) "
                    + "dimensions \(images.dimensions) (expected 3: count × rows × columns)")
        }
        guard images.dimensions[1] > 0 && images.dimensions[2] > 0 else {
            throw SpikeMeshError(
                .malformed,
                "\(path(folder, imagesFile)): IDX: image size \(images.dimensions[1]) × "
                    + "\(images.dimensions[2]) (rows and columns must be at least 1)")
        }
        guard labels.dimensions.count == 1 else {
            throw SpikeMeshError(
                .malformed,
                "\(path(folder, labelsFile)): IDX: labels have \(labels.dimensions.count) "
                    + "dimensions \(labels.dimensions) (expected 1: count)")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw SpikeMeshError(
                .malformed,
                "\(folder): \(imagesFile) has \(images.dimensions[0]) images but "
                    + "\(labelsFile) has \(labels.dimensions[0]) labels (counts must agree)")
        }
        return Dataset(
            uncheckedCount: labels.dimensions[0], channels: 1,
            height: images.dimensions[1], width: images.dimensions[2],
            pixels: images.values, labels: labels.values,
            source: "\(folder) (\(imagesFile), \(labelsFile))")
    }

    /// `base` or `base.gz` in `folder`, whichever exists (plain first).
    private static func findFile(
        _ base: String, in folder: String, split: DatasetSplit
    ) throws -> String {
        for candidate in [base, base + ".gz"]
        where FileManager.default.fileExists(atPath: path(folder, candidate)) {
            return candidate
        }
        let contents = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { !$0.hasPrefix(".") }
            .sorted()
        let shown = contents.prefix(20).joined(separator: ", ")
        let listing =
            contents.isEmpty
            ? "it holds no (visible) files"
            : "it contains: \(shown)"
                + (contents.count > 20 ? " and \(contents.count - 20) more" : "")
        throw SpikeMeshError(
            .io,
            "\(folder): no \(base) or \(base).gz for the \(split.rawValue) split in this "
                + "folder; \(listing)")
    }

    private static func readIDX(_ folder: String, _ file: String) throws -> IDXFile {
        let filePath = path(folder, file)
        let fileBytes = try InputFile.read(filePath)
        if Gzip.isGzip(fileBytes) {
            let bytes = try Gzip.decompress(fileBytes, name: filePath)
            return try IDXFile(bytes: bytes, name: "\(filePath) (decompressed)")
        }
        return try IDXFile(bytes: fileBytes, name: filePath)
    }

    private static func path(_ folder: String, _ file: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent(file).path
    }

    // MARK: SMDS

    /// Magic number of SMDS files: the ASCII bytes "SMDS".
    static let smdsMagic: [UInt8] = Array("SMDS".utf8)
    /// Size of the SMDS header in bytes.
    static let smdsHeaderSize = 24

    /// Reads an SMDS file ("SpikeMesh dataset"), SpikeMesh's compact format for
    /// labelled 8-bit images. All integers are little-endian UInt32:
    ///
    /// ```
    /// offset    size      field
    /// 0         4         magic "SMDS" (53 4d 44 53)
    /// 4         4         version = 1
    /// 8         4         N, the number of images
    /// 12        4         C, channels per image (≥ 1)
    /// 16        4         H, height (≥ 1)
    /// 20        4         W, width (≥ 1)
    /// 24        N         labels, one UInt8 per image
    /// 24 + N    N·C·H·W   pixels, UInt8 0...255, image-major; each image C × H × W,
    ///                     channel-major then row-major (NCHW)
    /// ```
    ///
    /// The file is exactly `24 + N + N·C·H·W` bytes; N may be 0. The whole file may be
    /// gzip-compressed (recognized by its first bytes 1f 8b, see `Dataset.load`).
    /// `smdsBytes()` writes this format.
    ///
    /// `bytes` is the uncompressed file; `name` starts error messages
    /// (`name: SMDS: ...`, with offset and field) and becomes `source`.
    init(smds bytes: [UInt8], name: String) throws {
        func fail(_ code: SpikeMeshError.Code, _ problem: String) -> SpikeMeshError {
            SpikeMeshError(code, "\(name): SMDS: \(problem)")
        }
        let headerSize = Dataset.smdsHeaderSize
        guard bytes.count >= headerSize else {
            throw fail(
                .malformed,
                "file is \(bytes.count) bytes, shorter than the \(headerSize)-byte header")
        }
        guard Array(bytes[0..<4]) == Dataset.smdsMagic else {
            let found = bytes[0..<4].map { $0.zeroPaddedHex(digits: 2) }.joined(separator: " ")
            throw fail(
                .malformed,
                "bad magic \(found) at offset 0 (expected \"SMDS\" = 0x53 0x4d 0x44 0x53)")
        }
        func field(_ offset: Int) -> Int {
            Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
                | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
        }
        let version = field(4)
        guard version == 1 else {
            throw fail(.unsupported, "version \(version) at offset 4 is not supported (only 1)")
        }
        let count = field(8)
        for (offset, fieldName) in [(12, "channels"), (16, "height"), (20, "width")]
        where field(offset) == 0 {
            throw fail(.malformed, "\(fieldName) at offset \(offset) is 0 (must be at least 1)")
        }
        let channels = field(12)
        let height = field(16)
        let width = field(20)
        // Each field is below 2^32, so only absurd headers overflow Int; check anyway.
        let (plane, overflow1) = height.multipliedReportingOverflow(by: width)
        let (image, overflow2) = plane.multipliedReportingOverflow(by: channels)
        let (allPixels, overflow3) = image.multipliedReportingOverflow(by: count)
        let (expected, overflow4) = (headerSize + count).addingReportingOverflow(allPixels)
        let overflow = overflow1 || overflow2 || overflow3 || overflow4
        guard !overflow && expected == bytes.count else {
            throw fail(
                .malformed,
                "header (N = \(count), C × H × W = \(channels) × \(height) × \(width)) "
                    + "needs a file of "
                    + (overflow ? "more than \(Int.max)" : "\(expected)")
                    + " bytes (24 + N + N·C·H·W), found \(bytes.count)")
        }
        self.init(
            uncheckedCount: count, channels: channels, height: height, width: width,
            pixels: Array(bytes[(headerSize + count)...]),
            labels: Array(bytes[headerSize..<(headerSize + count)]), source: name)
    }

    /// This dataset as an uncompressed SMDS file (format: see `init(smds:name:)`).
    ///
    /// Traps if a size does not fit in a UInt32 (more than 4 294 967 295 images).
    public func smdsBytes() -> [UInt8] {
        var bytes = Dataset.smdsMagic
        bytes.reserveCapacity(Dataset.smdsHeaderSize + labels.count + pixels.count)
        for value in [1, count, channels, height, width] {
            precondition(
                value >= 0 && value <= Int(UInt32.max),
                "smdsBytes: size \(value) does not fit the UInt32 SMDS header field")
            let field = UInt32(value)
            bytes += [
                UInt8(truncatingIfNeeded: field), UInt8(truncatingIfNeeded: field >> 8),
                UInt8(truncatingIfNeeded: field >> 16), UInt8(truncatingIfNeeded: field >> 24),
            ]
        }
        bytes += labels
        bytes += pixels
        return bytes
    }
}
