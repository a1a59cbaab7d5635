/// UTF-8 validation of byte ranges (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
enum UTF8Validation {
    /// The offset of the first byte of the first invalid sequence in `start..<end`, or `nil`.
    static func firstInvalid(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i < end {
            // Skip ASCII eight bytes at a time.
            if i + 8 <= end, bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= end else { return i }
            let b1 = bytes[i + 1]
            guard b1 >= low && b1 <= high else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
