/// CRC-32 as used by gzip (RFC 1952 §8), zip and PNG: the IEEE 802.3 polynomial
/// 0x04C11DB7 in reflected form, initial value and final XOR 0xFFFFFFFF.
///
/// ```
/// crc = 0xFFFFFFFF
/// for byte in bytes { crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8) }
/// value = crc ^ 0xFFFFFFFF
/// ```
///
/// The update runs "slicing-by-8": eight 256-entry tables let it fold eight bytes per
/// step, a few times faster than the one-table loop above, which it still uses for the
/// tail. Check value: `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`.
struct CRC32 {
    /// The running register, pre-inverted (0xFFFFFFFF for no bytes yet).
    private var state: UInt32 = 0xFFFF_FFFF

    init() {}

    /// The CRC-32 of all bytes given to `update` so far.
    var value: UInt32 { ~state }

    /// Folds `bytes` into the checksum.
    mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        CRC32.tables.withUnsafeBufferPointer { t in
            var crc = state
            var i = 0
            let n = bytes.count
            while i + 8 <= n {
                let low =
                    crc
                    ^ (UInt32(base[i]) | UInt32(base[i + 1]) << 8
                        | UInt32(base[i + 2]) << 16 | UInt32(base[i + 3]) << 24)
                let high =
                    UInt32(base[i + 4]) | UInt32(base[i + 5]) << 8
                    | UInt32(base[i + 6]) << 16 | UInt32(base[i + 7]) << 24
                crc =
                    t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(base[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
            state = crc
        }
    }

    /// Folds `bytes` into the checksum.
    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// Eight tables of 256 entries, back to back. Table 0 is the classic byte table
    /// (the CRC of each byte value alone, without the pre/post inversion); table k maps
    /// a byte to its contribution when it is followed by k more bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var c = UInt32(byte)
            for _ in 0..<8 {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
            }
            t[byte] = c
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = t[(k - 1) * 256 + byte]
                t[k * 256 + byte] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}

extension BinaryInteger {
    /// `0x` and the value in lower-case hexadecimal, zero-padded to `digits`
    /// (e.g. `0x00000803`), for error messages that quote magic numbers and checksums.
    func zeroPaddedHex(digits: Int) -> String {
        let hex = String(self, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - hex.count)) + hex
    }
}
