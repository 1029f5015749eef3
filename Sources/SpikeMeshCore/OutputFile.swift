import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one writer of every file the tool writes (`-o`, `--svg`, `--html`, `--csv`, and
/// anything added later), with the rules of Docs/CLI.md, "Files the tool writes":
///
/// - `-` is standard output;
/// - a path that is one of the command's inputs (the same file by device and inode, so links,
///   `..` and hard links are seen through) is refused, naming both;
/// - a symlink is followed: its target is written and the link stays;
/// - a regular file (or a new one) is replaced atomically: a temporary file in the same
///   folder, then a rename, so a reader never sees half a file and a failed write leaves the
///   old file whole;
/// - anything else that exists (a character device such as `/dev/null`, a FIFO) is written
///   through, never replaced;
/// - a folder is refused.
///
/// `check` applies every rule that does not need the bytes, so a command checks its outputs
/// before its work; `write` checks again (the file system may have changed) and also refuses
/// any file this process has read (`InputFile.read` notes them), which covers inputs that are
/// only known once a model is read, such as ONNX external data.
public enum OutputFile {
    /// The name that means standard output.
    public static let standardOutput = "-"

    /// One input a command reads, for the "is an input" rule: how the user named it (`--data`,
    /// `MODEL`) and its path.
    public struct Input: Sendable {
        public var option: String
        public var path: String
        public init(_ option: String, _ path: String) { (self.option, self.path) = (option, path) }
    }

    /// A file's identity: every path to one file (symlinks, `..`, hard links) has the same.
    struct Identity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// While a command runs (`guardingInputs`): the identities of the files it has read, with
    /// the path each was read by; nil outside a command, so a library caller may load a file
    /// and save over it.
    private static let filesRead = Mutex<(depth: Int, files: [Identity: String])>((0, [:]))

    /// Runs `body` (one command) with every file it reads (`InputFile.read`) noted, so that
    /// `write` refuses to replace any of them.
    public static func guardingInputs<R>(_ body: () throws -> R) rethrows -> R {
        filesRead.withLock { $0.depth += 1 }
        defer {
            filesRead.withLock { state in
                state.depth -= 1
                if state.depth == 0 { state.files = [:] }
            }
        }
        return try body()
    }

    /// Notes that `path` was read, so that no output of the running command replaces it.
    static func noteRead(_ path: String) {
        guard let id = identity(path) else { return }
        filesRead.withLock { state in
            if state.depth > 0, state.files[id] == nil { state.files[id] = path }
        }
    }

    /// The input `path` is, if the running command read it: the path it was read by, which
    /// must still name the same file (an inode of a deleted file may be reused).
    static func readInput(_ path: String) -> String? {
        guard let id = identity(path), let input = filesRead.withLock({ $0.files[id] }), identity(input) == id else {
            return nil
        }
        return input
    }

    /// The identity of the file `path` names, following symlinks; nil when nothing is there.
    static func identity(_ path: String) -> Identity? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        return Identity(device: UInt64(s.st_dev), inode: UInt64(s.st_ino))
    }

    /// What is at a path once symlinks are followed.
    enum Kind { case missing, regular, folder, other }

    static func kind(_ path: String) -> Kind {
        var s = stat()
        guard stat(path, &s) == 0 else { return .missing }
        switch s.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    /// `path` with every symlink along it followed, as far as the path exists: an existing
    /// file's real path, or a new file's name in its folder's real path (a dangling symlink
    /// resolves to the file it points to). At most 40 links, as the kernel allows.
    static func resolved(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            if let real = realpath(current, nil) {
                defer { free(real) }
                return String(cString: real)
            }
            // Not there (yet): a dangling link is followed by hand; a new name keeps its own
            // name in its folder's real path.
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else {
                let url = URL(fileURLWithPath: current)
                let folder = url.deletingLastPathComponent().path
                guard let real = realpath(folder, nil) else { return current }
                defer { free(real) }
                return URL(fileURLWithPath: String(cString: real)).appendingPathComponent(url.lastPathComponent).path
            }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current =
                target.hasPrefix("/")
                ? target : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).path
        }
        return current
    }

    /// Checks, before any work, that `path` (given as `option`) can be written: a non-empty
    /// name, not a folder, in an existing folder that can be written, and none of `inputs`.
    /// Throws `.usage` for an input or a folder named as an output, `.io` otherwise; the
    /// message names the option and the path as the user typed them.
    public static func check(_ path: String, option: String, inputs: [Input]) throws {
        let shown = "\(option) \(Text.escaped(path))"
        guard !path.isEmpty else {
            throw SpikeMeshError(.usage, "\(option) needs a file name (an empty path was given)")
        }
        guard path != standardOutput else { return }
        if let id = identity(path) {
            for input in inputs where identity(input.path) == id {
                throw SpikeMeshError(
                    .usage,
                    "\(shown) is the same file as \(input.option) \(Text.escaped(input.path)); an output never replaces an input"
                )
            }
        }
        let target = resolved(path)
        switch kind(target) {
        case .folder: throw SpikeMeshError(.usage, "\(shown) is a folder; give a file name")
        case .regular:
            guard access(target, W_OK) == 0 else {
                throw SpikeMeshError(.io, "\(shown): the file cannot be written (permission denied)")
            }
        case .other:
            guard access(target, W_OK) == 0 else {
                throw SpikeMeshError(.io, "\(shown): cannot be written (permission denied)")
            }
            return
        case .missing: break
        }
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
        switch kind(folder) {
        case .folder:
            guard access(folder, W_OK | X_OK) == 0 else {
                throw SpikeMeshError(
                    .io, "\(shown): the folder \(Text.escaped(folder)) cannot be written (permission denied)")
            }
        case .missing: throw SpikeMeshError(.io, "\(shown): the folder \(Text.escaped(folder)) does not exist")
        case .regular, .other: throw SpikeMeshError(.io, "\(shown): \(Text.escaped(folder)) is not a folder")
        }
    }

    /// Checks several outputs (`check`), and that no two of them name the same file.
    public static func check(_ outputs: [(option: String, path: String)], inputs: [Input]) throws {
        for (i, o) in outputs.enumerated() {
            try check(o.path, option: o.option, inputs: inputs)
            guard o.path != standardOutput else { continue }
            for earlier in outputs[..<i]
            where earlier.path != standardOutput && resolved(earlier.path) == resolved(o.path) {
                throw SpikeMeshError(
                    .usage,
                    "\(earlier.option) and \(o.option) name the same file \(Text.escaped(o.path)); give each output its own"
                )
            }
        }
    }

    /// Writes `bytes` to `path` by the rules above (`option` names it in messages, e.g.
    /// `--csv`). Throws `.usage` when `path` is a file this process read, `.io` when the write
    /// fails; a failed write leaves a regular file as it was.
    public static func write(_ bytes: [UInt8], to path: String, option: String) throws {
        let shown = "\(option) \(Text.escaped(path))"
        guard path != standardOutput else {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        try check(path, option: option, inputs: [])
        if let input = readInput(path) {
            throw SpikeMeshError(
                .usage,
                "\(shown) is the same file as the input \(Text.escaped(input)), which this command read; an output never replaces an input"
            )
        }
        let target = resolved(path)
        if kind(target) == .other {
            try writeThrough(bytes, to: target, shown: shown)
        } else {
            try replace(target, with: bytes, shown: shown)
        }
    }

    /// Writes `text` as UTF-8 (`write(_:to:option:)`).
    public static func write(_ text: String, to path: String, option: String) throws {
        try write(Array(text.utf8), to: path, option: option)
    }

    /// A device or FIFO: opened for writing as it is (no create, no rename) and written.
    private static func writeThrough(_ bytes: [UInt8], to target: String, shown: String) throws {
        let fd = open(target, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SpikeMeshError(.io, "\(shown): cannot be opened for writing (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        try writeAll(fd, bytes, shown: shown)
    }

    /// A regular or new file: a temporary file beside it, written, flushed and renamed over it.
    /// A new file gets the permissions the umask allows (as the shell's `>` gives); a replaced
    /// file keeps its own.
    private static func replace(_ target: String, with bytes: [UInt8], shown: String) throws {
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/." + url.lastPathComponent + ".spikemesh-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SpikeMeshError(
                .io,
                "\(shown): cannot create a temporary file in \(Text.escaped(folder)) (\(String(cString: strerror(errno))))"
            )
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(temporary) }
        }
        var s = stat()
        let mode: mode_t
        if stat(target, &s) == 0 {
            mode = s.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        fchmod(fd, mode)
        try writeAll(fd, bytes, shown: shown)
        guard fsync(fd) == 0 else {
            throw SpikeMeshError(.io, "\(shown): cannot be written (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary, target) == 0 else {
            throw SpikeMeshError(.io, "\(shown): cannot be written (\(String(cString: strerror(errno))))")
        }
        renamed = true
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], shown: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = posixWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw SpikeMeshError(.io, "\(shown): cannot be written (\(String(cString: strerror(errno))))")
                }
                offset += n
            }
        }
    }
}

/// `write(2)`, named apart from `OutputFile.write`.
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(fd, bytes, count)
    #elseif canImport(Musl)
        Musl.write(fd, bytes, count)
    #else
        Darwin.write(fd, bytes, count)
    #endif
}
