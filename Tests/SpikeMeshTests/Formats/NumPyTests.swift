import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshFormats
@testable import SpikeMeshModel

/// NumPy datasets (`.npz` with `x` and `y`): the fixtures of Tools/make_numpy_fixtures.py in
/// every layout and dtype give the same images, and truncated or mis-shaped files are
/// one-line errors naming the file.
@Suite struct NumPyTests {
    static func path(_ name: String) -> String {
        Fixtures.packageRoot.path + "/Tests/SpikeMeshTests/Fixtures/numpy/" + name
    }

    /// Pixel (n, c, y, x) of the fixtures, as the script computes it.
    static func pixel(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> UInt8 {
        UInt8((n * 97 + c * 31 + y * 7 + x * 3) % 256)
    }

    @Test(arguments: ["rgb-nchw-uint8.npz", "rgb-nhwc-float32.npz"])
    func everyLayoutGivesTheSameImages(_ file: String) throws {
        let d = try Dataset.load(path: Self.path(file))
        #expect(d.count == 3 && d.channels == 3 && d.height == 5 && d.width == 6)
        #expect(d.labels == [7, 0, 255])
        var expected: [UInt8] = []
        for n in 0..<3 {
            for c in 0..<3 { for y in 0..<5 { for x in 0..<6 { expected.append(Self.pixel(n, c, y, x)) } } }
        }
        #expect(d.pixels == expected)
    }

    @Test func oneChannelImagesAndInt64Labels() throws {
        let d = try Dataset.load(path: Self.path("gray-nhw-uint8.npz"))
        #expect(d.count == 3 && d.channels == 1 && d.height == 5 && d.width == 6 && d.labels == [7, 0, 255])
        #expect(d.pixels[0..<6] == [0, 3, 6, 9, 12, 15] && d.pixels[30] == Self.pixel(1, 0, 0, 0))
    }

    /// The deflated archive's member really is deflated (method 8), so both zip paths run.
    @Test func theCompressedFixtureIsDeflated() throws {
        let bytes = try Fixtures.bytes(Self.path("rgb-nhwc-float32.npz"))
        #expect(bytes[8] == 8 && bytes[9] == 0, "the first local header's method")
        let members = try NumPyFile.unzip(bytes, name: "f")
        #expect(members.map(\.name) == ["x.npy", "y.npy"])
        #expect(try NumPyFile.parse(members[0].bytes, name: "x").shape == [3, 5, 6, 3])
    }

    /// The Fashion-MNIST fixture holds the bundled test sample's first 20 images and labels.
    @Test func fashionMNISTAsNPZIsTheBundledSample() throws {
        let npz = try Dataset.load(path: Self.path("fashion-mnist-test-20.npz"))
        let smds = try Dataset.load(path: Fixtures.example("fashion-mnist-test-1000.smds.gz")).limited(to: 20)
        #expect(npz.count == 20 && npz.channels == 1 && npz.height == 28 && npz.width == 28)
        #expect(npz.pixels == smds.pixels && npz.labels == smds.labels)
    }

    @Test func aLoneNPYSaysToUseAnNPZ() throws {
        let error = try #require(throws: SpikeMeshError.self) { try Dataset.load(path: Self.path("images-only.npy")) }
        #expect(
            error.message.contains("images-only.npy: this is a single NumPy array (.npy)")
                && error.message.contains("numpy.savez"))
    }

    /// Every truncation of every fixture is an error, never a crash or a wrong dataset.
    @Test(arguments: ["rgb-nchw-uint8.npz", "rgb-nhwc-float32.npz", "gray-nhw-uint8.npz"])
    func everyTruncationIsAnError(_ file: String) throws {
        let bytes = try Fixtures.bytes(Self.path(file))
        for length in 0..<bytes.count {
            do {
                _ = try Dataset.decode(fileBytes: Array(bytes[0..<length]), name: "cut.npz")
                Issue.record("\(file) cut to \(length) bytes was accepted")
            } catch let error as SpikeMeshError {
                #expect(
                    error.message.hasPrefix("cut.npz") && !error.message.contains("\n"), "\(length): \(error.message)")
            }
        }
    }

    /// A flipped byte anywhere is caught (CRC, header or structure) or, inside a value the
    /// format cannot check, still gives a dataset of the same shape.
    @Test func corruptBytesAreCaught() throws {
        let bytes = try Fixtures.bytes(Self.path("rgb-nchw-uint8.npz"))
        for k in bytes.indices {
            var b = bytes
            b[k] ^= 0x5A
            do {
                let d = try Dataset.decode(fileBytes: b, name: "bad.npz")
                #expect(d.count == 3 && d.pixels.count == 270, "byte \(k)")
            } catch let error as SpikeMeshError {
                #expect(error.message.hasPrefix("bad.npz") && !error.message.contains("\n"), "\(k): \(error.message)")
            }
        }
    }

    /// An `.npy` written here, header and all, to reach each shape and value check.
    static func npy(_ descr: String, _ shape: [Int], _ data: [UInt8]) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let n = header.utf8.count
        return NumPyFile.magic + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + data
    }

    @Test func misShapedArraysAreRefused() throws {
        func failure(_ x: [UInt8], _ y: [UInt8]) -> String {
            do {
                _ = try NumPyFile.dataset(
                    images: try NumPyFile.parse(x, name: "x"), labels: try NumPyFile.parse(y, name: "y"), name: "d.npz")
                return "accepted"
            } catch { return "\(error)" }
        }
        let labels2 = Self.npy("|u1", [2], [1, 2])
        #expect(
            failure(Self.npy("|u1", [2, 5, 5, 5], [UInt8](repeating: 0, count: 250)), labels2).contains(
                "neither N×C×H×W nor N×H×W×C"))
        #expect(
            failure(Self.npy("|u1", [2, 1, 5, 6], [UInt8](repeating: 0, count: 60)), Self.npy("|u1", [3], [1, 2, 3]))
                .contains("y has shape [3], expected [2]"))
        #expect(failure(Self.npy("|u1", [60], [UInt8](repeating: 0, count: 60)), labels2).contains("x has shape [60]"))
        let big = Float(1.5).bitPattern
        let floats = (0..<60).flatMap { i -> [UInt8] in
            let v = i == 7 ? big : 0
            return [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        }
        #expect(
            failure(Self.npy("<f4", [2, 1, 5, 6], floats), labels2).contains("x[7] = 1.5: float images must lie in 0…1")
        )
        #expect(
            failure(
                Self.npy("|u1", [2, 1, 5, 6], [UInt8](repeating: 0, count: 60)), Self.npy("<i2", [2], [1, 0, 0, 1])
            ).contains("y[1] = 256.0"))
        #expect(
            failure(Self.npy("|u1", [2, 1, 5, 6], [UInt8](repeating: 0, count: 59)), labels2).contains(
                "shape [2, 1, 5, 6] of |u1 has more values than the 59 bytes after the header"))
        #expect(
            failure(Self.npy("|u1", [1 << 40, 1 << 40, 5, 6], []), labels2).contains("has more values than the 0 bytes")
        )
        #expect(
            failure(Self.npy("<f4", [2, 1, 5, 6], [UInt8](repeating: 0, count: 239)), labels2).contains(
                "shape [2, 1, 5, 6] of <f4 needs 240 bytes after the header"))
        #expect(failure(Self.npy(">f4", [2, 1, 5, 6], floats), labels2).contains("dtype \">f4\""))
        #expect(failure(Self.npy("|u1", [2, 1, 5, 6], [UInt8](repeating: 0, count: 60)), labels2) == "accepted")
    }

    /// A zip archive written here: stored members, each with its local header and directory
    /// entry; `declare` replaces a member's (method, size) in both, with a zip64 extra field.
    static func zip(_ members: [(name: String, bytes: [UInt8])], declare: [String: (method: Int, size: Int)] = [:])
        -> [UInt8]
    {
        func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for m in members {
            let name = Array(m.name.utf8)
            let crc = Int(CRC32.checksum(m.bytes))
            let (method, size) = declare[m.name] ?? (0, m.bytes.count)
            let zip64 = size > 0xFFFF_FFFE
            let extra = zip64 ? le(1, 2) + le(8, 2) + le(size, 8) : []
            let sizeField = zip64 ? 0xFFFF_FFFF : size
            let offset = out.count
            out +=
                le(0x0403_4B50, 4) + le(20, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(crc, 4) + le(m.bytes.count, 4)
                + le(sizeField, 4)
                + le(name.count, 2) + le(0, 2) + name + m.bytes
            directory +=
                le(0x0201_4B50, 4) + le(45, 2) + le(20, 2) + le(0, 2) + le(method, 2) + le(0, 4) + le(crc, 4)
                + le(m.bytes.count, 4)
                + le(sizeField, 4) + le(name.count, 2) + le(extra.count, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
                + le(offset, 4) + name + extra
        }
        let start = out.count
        out += directory
        out +=
            le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(members.count, 2) + le(members.count, 2)
            + le(directory.count, 4) + le(start, 4) + le(0, 2)
        return out
    }

    static let labels2 = npy("|u1", [2], [3, 4])

    /// A 4 MB .npz whose zip64 member declared 4 GiB aborted the process: the declared size
    /// sized the inflate buffer before the 1 GiB cap applied.
    @Test func aZip64BombAbortedInTheAllocator() throws {
        let bomb = Self.zip(
            [("x.npy", [UInt8](repeating: 0, count: 4_200_000)), ("y.npy", Self.labels2)],
            declare: ["x.npy": (method: 8, size: 1 << 32)])
        let error = try #require(throws: SpikeMeshError.self) { try Dataset.decode(fileBytes: bomb, name: "bomb.npz") }
        #expect(
            error.message
                == "bomb.npz: zip: member \"x.npy\" declares 4294967296 bytes; the members read may hold at most 1073741824 bytes in all (the cap on decompressed data, Docs/Data.md)"
        )
        // Members the dataset does not read are never inflated, whatever they declare.
        let images = Self.npy("|u1", [2, 1, 1], [9, 8])
        let aside = Self.zip(
            [("x.npy", images), ("y.npy", Self.labels2), ("big.npy", [UInt8](repeating: 0, count: 4_200_000))],
            declare: ["big.npy": (method: 8, size: 1 << 32)])
        #expect(try Dataset.decode(fileBytes: aside, name: "aside.npz").labels == [3, 4])
        // A hint above the first-buffer cap no longer sizes the buffer: a real stream inflates.
        let deflated: [UInt8] = [0x4B, 0x4C, 0x4A, 0x06, 0x00]  // "abc", one fixed-Huffman block
        #expect(try Inflate.decompress(deflated, sizeHint: 1 << 40, outputLimit: 1 << 30) == Array("abc".utf8))
    }

    /// A member name or a header key given twice was read first-wins, where NumPy reads the
    /// last: the same file meant two datasets.
    @Test func duplicateMembersAndHeaderKeysMeantTwoDatasets() throws {
        let x = Self.npy("|u1", [2, 1, 1], [9, 8])
        let twice = Self.zip([("x.npy", x), ("y.npy", Self.labels2), ("x.npy", Self.npy("|u1", [2, 1, 1], [1, 2]))])
        let error = try #require(throws: SpikeMeshError.self) {
            try Dataset.decode(fileBytes: twice, name: "twice.npz")
        }
        #expect(
            error.message == "twice.npz: zip: member \"x.npy\" is in the archive twice (entry 3); one name, one member")
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 1), 'shape': (1, 2, 1), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let n = header.utf8.count
        let keys = NumPyFile.magic + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + [9, 8]
        let keyError = try #require(throws: SpikeMeshError.self) { try NumPyFile.parse(keys, name: "k.npy") }
        #expect(keyError.message == "k.npy: npy: the header gives \"shape\" 2 times; give each key once")
    }
}
