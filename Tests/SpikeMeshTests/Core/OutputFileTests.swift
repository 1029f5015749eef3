import Foundation
import Testing

@testable import SpikeMeshCore

/// The one output writer (Docs/CLI.md, "Files the tool writes"): inputs never replaced,
/// regular files replaced atomically, devices and FIFOs written through, symlinks followed.
/// Devices are private ones made in a temporary folder, never the system's.
@Suite struct OutputFileTests {
    /// A new temporary folder, removed by the caller.
    static func folder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func mode(_ path: String) -> mode_t {
        var s = stat()
        return lstat(path, &s) == 0 ? s.st_mode : 0
    }

    @Test func aNewFileIsWrittenAndAnOldOneReplacedKeepingItsPermissions() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.csv"
        try OutputFile.write("one\n", to: path, option: "--csv")
        #expect(try Self.text(path) == "one\n")
        chmod(path, 0o640)
        try OutputFile.write("two\n", to: path, option: "--csv")
        #expect(try Self.text(path) == "two\n")
        #expect(Self.mode(path) & 0o7777 == 0o640)
        // The temporary file was renamed, not left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.csv"])
    }

    @Test func aSymlinkKeepsItsLinkAndItsTargetChanges() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "old\n".write(toFile: dir + "/target.svg", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.svg", withDestinationPath: "target.svg")
        try OutputFile.write("new\n", to: dir + "/link.svg", option: "--svg")
        #expect(Self.mode(dir + "/link.svg") & S_IFMT == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.svg") == "target.svg")
        #expect(try Self.text(dir + "/target.svg") == "new\n")
        // A dangling link: the file it points to is created, and the link stays.
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/dangling.svg", withDestinationPath: dir + "/made.svg")
        try OutputFile.write("made\n", to: dir + "/dangling.svg", option: "--svg")
        #expect(Self.mode(dir + "/dangling.svg") & S_IFMT == S_IFLNK)
        #expect(try Self.text(dir + "/made.svg") == "made\n")
    }

    /// `map --svg /dev/null`, run as root, turned the machine's /dev/null into a regular file.
    /// Here a private null device (same major and minor numbers) in a temporary folder.
    @Test func mapSvgReplacedTheNullDevice() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let device = dir + "/null"
        guard mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else {
            // Without the right to make a device (not root), a FIFO stands in below.
            return
        }
        try OutputFile.check(device, option: "--svg", inputs: [])
        try OutputFile.write("<svg/>\n", to: device, option: "--svg")
        #expect(Self.mode(device) & S_IFMT == S_IFCHR)
    }

    @Test func aFIFOIsWrittenThroughNotReplaced() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader on another thread, as a shell's `cat pipe` would be.
        let reader = Task.detached { () -> String in
            let handle = try #require(FileHandle(forReadingAtPath: fifo))
            defer { try? handle.close() }
            return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        }
        try OutputFile.write("through\n", to: fifo, option: "--csv")
        #expect(try await reader.value == "through\n")
        #expect(Self.mode(fifo) & S_IFMT == S_IFIFO)
    }

    @Test func anInputIsRefusedThroughAnyOfItsNames() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/m.onnx"
        try "model".write(toFile: model, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/alias.onnx", withDestinationPath: model)
        try FileManager.default.linkItem(atPath: model, toPath: dir + "/hard.onnx")
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        let inputs = [OutputFile.Input("MODEL", model)]
        for name in [model, dir + "/alias.onnx", dir + "/hard.onnx", dir + "/sub/../m.onnx"] {
            #expect {
                try OutputFile.check(name, option: "-o", inputs: inputs)
            } throws: { e in
                (e as? SpikeMeshError)?.message
                    == "-o \(name) is the same file as MODEL \(model); an output never replaces an input"
            }
        }
        #expect(try Self.text(model) == "model")
        try OutputFile.check(dir + "/other.onnx", option: "-o", inputs: inputs)
    }

    /// Inputs known only once read (ONNX external data): `write` refuses any file this process read.
    @Test func aFileThisProcessReadIsNeverWritten() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let weights = dir + "/weights.bin"
        try "weights".write(toFile: weights, atomically: false, encoding: .utf8)
        try OutputFile.guardingInputs {
            _ = try InputFile.read(weights)
            #expect {
                try OutputFile.write("x", to: weights, option: "--csv")
            } throws: { e in
                (e as? SpikeMeshError)?.message
                    == "--csv \(weights) is the same file as the input \(weights), which this command read; an output never replaces an input"
            }
        }
        #expect(try Self.text(weights) == "weights")
        // Outside a command, a library caller may load a file and save over it.
        try OutputFile.write("saved", to: weights, option: "--csv")
        #expect(try Self.text(weights) == "saved")
    }

    @Test func badOutputPathsAreOneLineErrorsBeforeTheWork() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func message(_ path: String) -> String? {
            do {
                try OutputFile.check(path, option: "--csv", inputs: [])
                return nil
            } catch { return (error as? SpikeMeshError)?.message }
        }
        #expect(message("") == "--csv needs a file name (an empty path was given)")
        #expect(message(dir) == "--csv \(dir) is a folder; give a file name")
        #expect(
            message(dir + "/missing/x.csv") == "--csv \(dir)/missing/x.csv: the folder \(dir)/missing does not exist")
        try "f".write(toFile: dir + "/file", atomically: false, encoding: .utf8)
        #expect(message(dir + "/file/x.csv") == "--csv \(dir)/file/x.csv: \(dir)/file is not a folder")
        #expect(message("-") == nil)
        #expect {
            try OutputFile.check(
                [(option: "--csv", path: dir + "/a"), (option: "--html", path: dir + "/./a")], inputs: [])
        } throws: { e in
            (e as? SpikeMeshError)?.message
                == "--csv and --html name the same file \(dir)/./a; give each output its own"
        }
    }

    /// /dev/zero as an input was "permission denied?"; a device or FIFO is refused by what it is.
    @Test func aDeviceAsAnInputSaysWhatItIs() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect {
            try InputFile.read(dir + "/fifo")
        } throws: { e in
            (e as? SpikeMeshError)?.message == "\(dir)/fifo: is a device or FIFO, not a regular file; give a file"
        }
    }
}
