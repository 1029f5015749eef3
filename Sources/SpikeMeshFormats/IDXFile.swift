import SpikeMeshCore

/// One IDX file, the container of MNIST and Fashion-MNIST
/// (`train-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, ...).
///
/// ```
/// offset 0   00 00        magic: two zero bytes,
///        2   type         data type: 08 unsigned byte, 09 signed byte, 0b int16,
///                         0c int32, 0d float32, 0e float64
///        3   ndim         number of dimensions
///        4   ndim × UInt32, big-endian: the size of each dimension
///    4+4·ndim            the values, big-endian, last dimension fastest
/// ```
///
/// Only type 08 (unsigned byte) is read; other known types are `.unsupported`. The
/// data must be exactly as long as the dimensions say.
package struct IDXFile {
    /// The type byte of unsigned-byte data, the only type read.
    static let unsignedByte: UInt8 = 0x08

    /// Size of each dimension, outermost first (e.g. `[10000, 28, 28]`).
    let dimensions: [Int]
    /// The values, last dimension fastest; `values.count` is the product of `dimensions`.
    let values: [UInt8]

    /// Whether `bytes` starts like an IDX file of unsigned bytes (`00 00 08 nn`).
    static func looksLikeIDX(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == unsignedByte
    }

    /// Parses `bytes`; `name` (usually the file name) starts every error message.
    package init(bytes: [UInt8], name: String) throws {
        func fail(_ code: SpikeMeshError.Code, _ problem: String) -> SpikeMeshError {
            SpikeMeshError(code, "\(name): IDX: \(problem)")
        }
        guard bytes.count >= 4 else {
            throw fail(
                .malformed,
                "file is \(bytes.count) bytes, too short for the 4-byte magic number at offset 0")
        }
        let magic =
            UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16
            | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        let type = bytes[2]
        let knownTypes: [UInt8: String] = [
            0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "16-bit integer",
            0x0C: "32-bit integer", 0x0D: "32-bit float", 0x0E: "64-bit float",
        ]
        guard bytes[0] == 0 && bytes[1] == 0, let typeName = knownTypes[type] else {
            throw fail(
                .malformed,
                "bad magic \(magic.zeroPaddedHex(digits: 8)) at offset 0 (expected "
                    + "0x000008nn: two zero bytes, type byte 0x08 = unsigned byte, nn = "
                    + "number of dimensions)")
        }
        guard type == IDXFile.unsignedByte else {
            throw fail(
                .unsupported,
                "data type \(type.zeroPaddedHex(digits: 2)) (\(typeName)) at offset 2 is not "
                    + "supported (only 0x08 = unsigned byte)")
        }
        let rank = Int(bytes[3])
        guard rank > 0 else {
            throw fail(.malformed, "number of dimensions at offset 3 is 0 (expected at least 1)")
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw fail(
                .malformed,
                "header of \(rank) dimensions needs \(headerSize) bytes, file has only "
                    + "\(bytes.count)")
        }
        var dimensions: [Int] = []
        var product = 1
        var overflow = false
        for d in 0..<rank {
            let at = 4 + 4 * d
            let size =
                Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16
                | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            dimensions.append(size)
            if !overflow {
                let (next, didOverflow) = product.multipliedReportingOverflow(by: size)
                product = next
                overflow = didOverflow
            }
        }
        let shape = dimensions.map(String.init).joined(separator: " × ")
        let found = bytes.count - headerSize
        guard !overflow && product == found else {
            throw fail(
                .malformed,
                "dimensions \(shape) need "
                    + (overflow ? "more than \(Int.max)" : "\(product)")
                    + " bytes of data after the \(headerSize)-byte header, found \(found) "
                    + "(file size \(bytes.count))")
        }
        self.dimensions = dimensions
        self.values = Array(bytes[headerSize...])
    }
}
