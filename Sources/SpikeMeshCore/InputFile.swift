import Foundation

/// Reads the files a user names (models, network files, hardware models, datasets) with
/// one set of checks, so that a folder, a missing file, an unreadable one or one too large
/// is an error naming the path, never a trap inside Foundation.
public enum InputFile {
    /// The largest input file read into memory: 4 GiB. An ONNX model of VGG-16 is about
    /// 0.5 GB; Fashion-MNIST's training images are 47 MB.
    public static let maximumBytes = 1 << 32

    /// The bytes of the file at `path`.
    ///
    /// Throws `.io` when the path does not exist, is a folder, cannot be read or is larger
    /// than `limit` bytes; the message starts with the path.
    public static func read(_ path: String, limit: Int = maximumBytes) throws -> [UInt8] {
        try check(path)
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limit else {
            throw SpikeMeshError(.io, "\(Text.escaped(path)): the file has \(size) bytes, above the limit \(limit)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpikeMeshError(.io, "\(Text.escaped(path)): cannot be read")
        }
        OutputFile.noteRead(path)
        return [UInt8](data)
    }

    /// `path` with every symlink along it followed (`..` and `.` removed too), as far as it
    /// exists: where the bytes really are, for checks that a file stays inside a folder.
    public static func realPath(_ path: String) -> String { OutputFile.resolved(path) }

    /// Throws unless `path` names an existing regular file that can be read.
    public static func check(_ path: String) throws {
        var isDirectory: ObjCBool = false
        let shown = Text.escaped(path)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpikeMeshError(.io, "\(shown): no such file")
        }
        guard !isDirectory.boolValue else { throw SpikeMeshError(.io, "\(shown): is a folder, expected a file") }
        if OutputFile.kind(path) == .other {
            // A device or FIFO has no size to check, and /dev/zero never ends.
            throw SpikeMeshError(.io, "\(shown): is a device or FIFO, not a regular file; give a file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SpikeMeshError(.io, "\(shown): cannot be read (permission denied)")
        }
    }
}
