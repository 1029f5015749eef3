import SpikeMeshCore
import SpikeMeshModel

/// NumPy arrays (`.npy`, format versions 1–3) and archives of them (`.npz`, a zip file of
/// `.npy` members, stored or deflated, zip64 included), as far as datasets need them
/// (Docs/Data.md, "NumPy"): little-endian or byte-sized `uint8`, `int8`, `int16`, `uint16`,
/// `int32`, `uint32`, `int64`, `uint64`, `float32` and `float64`, C order.
///
/// Every size is checked against the bytes that are there before anything is allocated, and
/// every problem is a one-line `.malformed` or `.unsupported` error naming the file, the
/// member and the place.
package enum NumPyFile {
    package struct Array: Sendable {
        package var dtype: String
        package var shape: [Int]
        package var count: Int
        let type: DType
        /// The array's data bytes (count × the dtype's size), C order.
        let data: [UInt8]

        /// Element i (flat, C order) as a Double (exact for every integer below 2^53).
        package func value(_ i: Int) -> Double {
            data.withUnsafeBufferPointer { type.read($0.baseAddress! + i * type.size) }
        }

        /// Every element, in order, without copying the data.
        package func forEach(_ body: (Int, Double) throws -> Void) rethrows {
            try data.withUnsafeBufferPointer { b in
                for i in 0..<count { try body(i, type.read(b.baseAddress! + i * type.size)) }
            }
        }
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    package static func isNPY(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }
    package static func isZip(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06])
    }

    /// One `.npy` array; `name` starts error messages.
    package static func parse(_ bytes: [UInt8], name: String) throws -> Array {
        func fail(_ message: String) -> SpikeMeshError { SpikeMeshError(.malformed, "\(name): npy: \(message)") }
        guard isNPY(bytes) else { throw fail("no \\x93NUMPY magic at byte 0") }
        guard bytes.count >= 10 else { throw fail("the file ends at byte \(bytes.count), inside the 10-byte preamble") }
        let major = Int(bytes[6])
        guard (1...3).contains(major) else {
            throw SpikeMeshError(
                .unsupported, "\(name): npy: format version \(major).\(bytes[7]) (1, 2 and 3 are supported)")
        }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw fail("the file ends inside the header length") }
        var headerLength = 0
        for k in 0..<lengthBytes { headerLength |= Int(bytes[8 + k]) << (8 * k) }
        let start = 8 + lengthBytes
        guard headerLength <= bytes.count - start else {
            throw fail(
                "the header of \(headerLength) bytes at byte \(start) runs past the end of the file (\(bytes.count) bytes)"
            )
        }
        guard
            let header = String(bytes: bytes[start..<(start + headerLength)], encoding: major == 3 ? .utf8 : .isoLatin1)
        else {
            throw fail("the header at byte \(start) is not text")
        }
        let descr = try value(of: "descr", in: header, name: name)
        let order = try value(of: "fortran_order", in: header, name: name)
        let shapeText = try value(of: "shape", in: header, name: name)
        guard order == "False" else {
            throw SpikeMeshError(
                .unsupported,
                "\(name): npy: fortran_order is \(Text.quoted(order)); save the array in C order (numpy.ascontiguousarray)"
            )
        }
        guard let dtype = DType(descr) else {
            throw SpikeMeshError(
                .unsupported,
                "\(name): npy: dtype \(Text.quoted(descr)) (supported: uint8, int8, (u)int16/32/64, float32, float64, little-endian)"
            )
        }
        guard shapeText.hasPrefix("("), shapeText.hasSuffix(")") else {
            throw fail("shape \(Text.quoted(shapeText)) is not a tuple")
        }
        var shape: [Int] = []
        for part in shapeText.dropFirst().dropLast().split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let n = Int(t), n >= 0 else {
                throw fail("shape \(Text.quoted(shapeText)): \(Text.quoted(t)) is not a size")
            }
            shape.append(n)
        }
        let dataStart = start + headerLength
        let available = bytes.count - dataStart
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= available else {
                throw fail(
                    "shape \(shape) of \(descr) has more values than the \(available) bytes after the header (byte \(dataStart)) can hold"
                )
            }
            count = product
        }
        let needed = count * dtype.size
        guard needed <= available else {
            throw fail(
                "shape \(shape) of \(descr) needs \(needed) bytes after the header (byte \(dataStart)), the file has \(available)"
            )
        }
        return Array(
            dtype: dtype.name, shape: shape, count: count, type: dtype,
            data: Swift.Array(bytes[dataStart..<(dataStart + needed)]))
    }

    /// The value of `key` in the header's Python dict literal, as text (quotes removed).
    /// A key given twice is refused: Python keeps the last, a first-wins reader the first.
    static func value(of key: String, in header: String, name: String) throws -> String {
        guard let range = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else {
            throw SpikeMeshError(.malformed, "\(name): npy: the header has no \(Text.quoted(key)) key")
        }
        let occurrences =
            header.components(separatedBy: "'\(key)'").count + header.components(separatedBy: "\"\(key)\"").count - 2
        guard occurrences == 1 else {
            throw SpikeMeshError(
                .malformed,
                "\(name): npy: the header gives \(Text.quoted(key)) \(occurrences) times; give each key once")
        }
        var rest = header[range.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else {
            throw SpikeMeshError(.malformed, "\(name): npy: no ':' after \(Text.quoted(key)) in the header")
        }
        rest = rest.dropFirst().drop { $0 == " " }
        if let quote = rest.first, quote == "'" || quote == "\"" {
            guard let end = rest.dropFirst().firstIndex(of: quote) else {
                throw SpikeMeshError(.malformed, "\(name): npy: \(Text.quoted(key)) has no closing quote")
            }
            return String(rest[rest.index(after: rest.startIndex)..<end])
        }
        if rest.first == "(" {
            guard let end = rest.firstIndex(of: ")") else {
                throw SpikeMeshError(.malformed, "\(name): npy: \(Text.quoted(key)) has no closing ')'")
            }
            return String(rest[rest.startIndex...end])
        }
        return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
    }

    struct DType: Sendable {
        let name: String
        let size: Int
        let read: @Sendable (UnsafePointer<UInt8>) -> Double

        init?(_ descr: String) {
            func le<T: FixedWidthInteger & Sendable & SendableMetatype>(_: T.Type)
                -> @Sendable (UnsafePointer<UInt8>) -> Double
            {
                { p in
                    var v: T = 0
                    for k in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: p[k]) << (8 * k) }
                    return Double(v)
                }
            }
            switch descr {
            case "|u1", "<u1", "u1": (name, size, read) = ("uint8", 1, { Double($0[0]) })
            case "|i1", "<i1", "i1": (name, size, read) = ("int8", 1, { Double(Int8(bitPattern: $0[0])) })
            case "<u2": (name, size, read) = ("uint16", 2, le(UInt16.self))
            case "<i2": (name, size, read) = ("int16", 2, le(Int16.self))
            case "<u4": (name, size, read) = ("uint32", 4, le(UInt32.self))
            case "<i4": (name, size, read) = ("int32", 4, le(Int32.self))
            case "<u8": (name, size, read) = ("uint64", 8, le(UInt64.self))
            case "<i8": (name, size, read) = ("int64", 8, le(Int64.self))
            case "<f4":
                (name, size, read) = (
                    "float32", 4,
                    { p in
                        var v: UInt32 = 0
                        for k in 0..<4 { v |= UInt32(p[k]) << (8 * k) }
                        return Double(Float(bitPattern: v))
                    }
                )
            case "<f8":
                (name, size, read) = (
                    "float64", 8,
                    { p in
                        var v: UInt64 = 0
                        for k in 0..<8 { v |= UInt64(p[k]) << (8 * k) }
                        return Double(bitPattern: v)
                    }
                )
            default: return nil
            }
        }
    }

    // MARK: npz (zip)

    /// The members of a zip archive, by name (stored or deflated; CRC-checked). Every entry of
    /// the directory is read first: a name given twice is refused (NumPy would read the last,
    /// a first-wins reader the first: one file, two datasets), and the members to inflate must
    /// declare at most `outputLimit` bytes in all (the 1 GiB cap on decompressed data) before
    /// any buffer is sized.
    package static func unzip(_ bytes: [UInt8], name: String, outputLimit: Int = Inflate.defaultOutputLimit) throws
        -> [(name: String, bytes: [UInt8])]
    {
        try readZip(bytes, name: name, wanted: nil, outputLimit: outputLimit).members
    }

    /// `unzip` of the members named in `wanted` (nil: all), with every member's name in
    /// directory order.
    package static func readZip(
        _ bytes: [UInt8], name: String, wanted: Set<String>?, outputLimit: Int = Inflate.defaultOutputLimit
    )
        throws -> (names: [String], members: [(name: String, bytes: [UInt8])])
    {
        func fail(_ message: String) -> SpikeMeshError { SpikeMeshError(.malformed, "\(name): zip: \(message)") }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func u64(_ at: Int) -> Int? {
            let v = UInt64(u32(at)) | UInt64(u32(at + 4)) << 32
            return v <= UInt64(Int.max) ? Int(v) : nil
        }
        // End of central directory: the last "PK\5\6" within the final 65,557 bytes.
        guard bytes.count >= 22 else {
            throw fail("the file has \(bytes.count) bytes, fewer than an end-of-directory record (22)")
        }
        var eocd = -1
        var k = bytes.count - 22
        while k >= max(0, bytes.count - 65_557) {
            if bytes[k] == 0x50, bytes[k + 1] == 0x4B, bytes[k + 2] == 0x05, bytes[k + 3] == 0x06 {
                eocd = k
                break
            }
            k -= 1
        }
        guard eocd >= 0 else {
            throw fail("no end-of-central-directory record (the file is truncated or not a zip archive)")
        }
        var entries = u16(eocd + 10)
        var directorySize = u32(eocd + 12)
        var directoryStart = u32(eocd + 16)
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryStart == 0xFFFF_FFFF {
            // zip64: the locator just before the record points at the zip64 end record.
            let locator = eocd - 20
            guard locator >= 0, u32(locator) == 0x0706_4B50, let end = u64(locator + 8), end <= bytes.count - 56,
                u32(end) == 0x0606_4B50,
                let n = u64(end + 32), let size = u64(end + 40), let startAt = u64(end + 48)
            else {
                throw fail("the zip64 end-of-directory record is missing or damaged (before byte \(eocd))")
            }
            (entries, directorySize, directoryStart) = (n, size, startAt)
        }
        guard directoryStart <= bytes.count, directorySize <= bytes.count - directoryStart else {
            throw fail(
                "the central directory (\(directorySize) bytes at byte \(directoryStart)) runs past the end of the file (\(bytes.count) bytes)"
            )
        }
        guard entries <= directorySize / 46 else {
            throw fail("\(entries) entries cannot fit a central directory of \(directorySize) bytes")
        }
        // First the directory: each member's name, method, sizes and where its data lies.
        var entriesFound:
            [(name: String, flags: Int, method: Int, crc: UInt32, compressed: Int, size: Int, local: Int)] = []
        var seen = Set<String>()
        var at = directoryStart
        let directoryEnd = directoryStart + directorySize
        for entry in 0..<entries {
            guard at <= directoryEnd - 46, u32(at) == 0x0201_4B50 else {
                throw fail("entry \(entry + 1) of the central directory at byte \(at) has no PK\\1\\2 signature")
            }
            let flags = u16(at + 8)
            let method = u16(at + 10)
            let crc = UInt32(u32(at + 16))
            var compressed = u32(at + 20)
            var size = u32(at + 24)
            let nameLength = u16(at + 28)
            let extraLength = u16(at + 30)
            let commentLength = u16(at + 32)
            var local = u32(at + 42)
            guard nameLength + extraLength + commentLength <= directoryEnd - at - 46 else {
                throw fail("entry \(entry + 1) at byte \(at) runs past the central directory")
            }
            let memberName = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            // zip64 extended information (header 0x0001): the 32-bit fields that are 0xFFFFFFFF, in order.
            var e = at + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(e)
                let length = u16(e + 2)
                guard length <= extraEnd - e - 4 else { break }
                if id == 0x0001 {
                    var f = e + 4
                    for field in [0, 1, 2] {
                        let isSet =
                            field == 0
                            ? size == 0xFFFF_FFFF : field == 1 ? compressed == 0xFFFF_FFFF : local == 0xFFFF_FFFF
                        guard isSet else { continue }
                        guard f + 8 <= e + 4 + length, let v = u64(f) else {
                            throw fail("member \(Text.quoted(memberName)): its zip64 field is too short")
                        }
                        if field == 0 { size = v } else if field == 1 { compressed = v } else { local = v }
                        f += 8
                    }
                }
                e += 4 + length
            }
            at = extraEnd + commentLength
            guard seen.insert(memberName).inserted else {
                throw fail(
                    "member \(Text.quoted(memberName)) is in the archive twice (entry \(entry + 1)); one name, one member"
                )
            }
            entriesFound.append((memberName, flags, method, crc, compressed, size, local))
        }
        let chosen = entriesFound.filter { wanted?.contains($0.name) ?? true }
        var declared = 0
        for m in chosen {
            declared = declared > outputLimit - m.size ? outputLimit + 1 : declared + m.size
            guard declared <= outputLimit else {
                throw SpikeMeshError(
                    .unsupported,
                    "\(name): zip: member \(Text.quoted(m.name)) declares \(m.size) bytes; the members read may hold at most \(outputLimit) bytes in all (the cap on decompressed data, Docs/Data.md)"
                )
            }
        }
        var members: [(String, [UInt8])] = []
        for (memberName, flags, method, crc, compressed, size, local) in chosen {
            guard flags & 1 == 0 else {
                throw SpikeMeshError(.unsupported, "\(name): zip: member \(Text.quoted(memberName)) is encrypted")
            }
            guard local <= bytes.count - 30, u32(local) == 0x0403_4B50 else {
                throw fail("member \(Text.quoted(memberName)): no local header (PK\\3\\4) at byte \(local)")
            }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            guard dataStart <= bytes.count, compressed <= bytes.count - dataStart else {
                throw fail(
                    "member \(Text.quoted(memberName)): \(compressed) bytes at byte \(dataStart) run past the end of the file (\(bytes.count) bytes)"
                )
            }
            let raw = Swift.Array(bytes[dataStart..<(dataStart + compressed)])
            let data: [UInt8]
            switch method {
            case 0:
                guard size == compressed else {
                    throw fail(
                        "member \(Text.quoted(memberName)) is stored but its sizes differ (\(compressed) and \(size))")
                }
                data = raw
            case 8:
                // A deflated member expands at most 1032-fold; a larger size is a lie.
                guard size / Inflate.maxExpansion <= compressed else {
                    throw fail(
                        "member \(Text.quoted(memberName)): \(compressed) deflated bytes cannot expand to \(size)")
                }
                do {
                    data = try Inflate.decompress(raw, sizeHint: size, outputLimit: size)
                } catch let error as SpikeMeshError {
                    throw SpikeMeshError(
                        error.code,
                        "\(name): zip: member \(Text.quoted(memberName)) (at byte \(dataStart)): \(error.message)")
                }
                guard data.count == size else {
                    throw fail(
                        "member \(Text.quoted(memberName)) inflates to \(data.count) bytes, the directory says \(size)")
                }
            default:
                throw SpikeMeshError(
                    .unsupported,
                    "\(name): zip: member \(Text.quoted(memberName)) uses compression method \(method) (stored and deflate are supported)"
                )
            }
            let actual = CRC32.checksum(data)
            guard actual == crc else {
                throw fail(
                    "member \(Text.quoted(memberName)): CRC-32 \(actual.zeroPaddedHex(digits: 8)) does not match the directory's \(crc.zeroPaddedHex(digits: 8))"
                )
            }
            members.append((memberName, data))
        }
        return (entriesFound.map(\.name), members)
    }

    // MARK: Datasets

    /// A dataset from arrays `x` (images) and `y` (labels).
    ///
    /// Images: N × H × W (one channel), N × C × H × W (channels first: dimension 1 is at
    /// most 4) or N × H × W × C (channels last: dimension 1 above 4, the last at most 4), `uint8` (0…255) or float (0…1, stored as
    /// round(255 x)). Labels: N integers in 0…255.
    package static func dataset(images x: Array, labels y: Array, name: String) throws -> Dataset {
        func fail(_ message: String) -> SpikeMeshError { SpikeMeshError(.malformed, "\(name): \(message)") }
        let s = x.shape
        let (n, c, h, w, channelsLast): (Int, Int, Int, Int, Bool)
        switch s.count {
        case 3: (n, c, h, w, channelsLast) = (s[0], 1, s[1], s[2], false)
        case 4 where s[1] <= 4: (n, c, h, w, channelsLast) = (s[0], s[1], s[2], s[3], false)
        case 4 where s[3] <= 4: (n, c, h, w, channelsLast) = (s[0], s[3], s[1], s[2], true)
        case 4: throw fail("x has shape \(s): neither N×C×H×W nor N×H×W×C with at most 4 channels")
        default: throw fail("x has shape \(s) (expected N×H×W, N×C×H×W or N×H×W×C)")
        }
        guard n > 0, c > 0, h > 0, w > 0 else { throw fail("x has shape \(s): no images") }
        guard y.shape == [n] || y.shape == [n, 1] else {
            throw fail("y has shape \(y.shape), expected [\(n)] (one label per image of x)")
        }
        let isFloat = x.dtype.hasPrefix("float")
        var pixels = [UInt8](repeating: 0, count: x.count)
        let (hw, chw) = (h * w, c * h * w)
        try x.forEach { i, v in
            let p: Double
            if isFloat {
                guard v.isFinite, v >= 0, v <= 1 else { throw fail("x[\(i)] = \(v): float images must lie in 0…1") }
                p = (v * 255).rounded()
            } else {
                guard v >= 0, v <= 255 else { throw fail("x[\(i)] = \(Int(v)): integer images must lie in 0…255") }
                p = v
            }
            // Channels last: i = ((image·H + row)·W + col)·C + channel → NCHW.
            let target: Int
            if channelsLast {
                let image = i / chw
                let r = i % chw
                let channel = r % c
                let yx = r / c
                target = image * chw + channel * hw + yx
            } else {
                target = i
            }
            pixels[target] = UInt8(p)
        }
        var labels = [UInt8](repeating: 0, count: n)
        try y.forEach { i, v in
            guard v == v.rounded(), v >= 0, v <= 255 else {
                throw fail("y[\(i)] = \(v): labels must be integers in 0…255")
            }
            labels[i] = UInt8(v)
        }
        return try Dataset(channels: c, height: h, width: w, pixels: pixels, labels: labels, source: name)
    }

    /// The dataset in an `.npz` archive: members `x.npy` and `y.npy`.
    package static func dataset(npz bytes: [UInt8], name: String) throws -> Dataset {
        let (all, members) = try readZip(bytes, name: name, wanted: ["x.npy", "y.npy"])
        func member(_ key: String) throws -> Array {
            guard let m = members.first(where: { $0.name == "\(key).npy" }) else {
                let names = all.map { Text.quoted($0) }.joined(separator: ", ")
                throw SpikeMeshError(
                    .malformed,
                    "\(name): npz: no array \(Text.quoted(key)) (members: \(names.isEmpty ? "none" : names)); save with numpy.savez(file, x=images, y=labels)"
                )
            }
            return try parse(m.bytes, name: "\(name) member \(key).npy")
        }
        return try dataset(images: try member("x"), labels: try member("y"), name: name)
    }
}
