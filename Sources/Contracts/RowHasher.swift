import Tables

/// A 128-bit digest of a row's values.
public struct RowDigest: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64
}

/// Hashes rows by value: two independent 64-bit hash streams over each value's type tag and
/// bytes (a category is hashed by its string, never its code), so equal rows of different
/// tables get equal digests. Nulls hash as a tag of their own. Accidental collisions have
/// probability about 2⁻¹²⁸ per pair.
enum RowHasher {
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Folds one 64-bit word into both streams.
    @inline(__always)
    private static func absorb(_ state: inout (UInt64, UInt64), _ word: UInt64) {
        state.0 = mix(state.0 ^ word) &* 0x0000_0100_0000_01B3
        state.1 = mix(state.1 &+ (word ^ 0xD6E8_FEB8_6659_FD93)) ^ (state.1 >> 29)
    }

    /// One 64-bit word per distinct category string (FNV-1a over its UTF-8, then mixed).
    private static func stringWord(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in s.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return mix(h ^ UInt64(s.utf8.count))
    }

    static func digests(columns: [Column], rowCount: Int) -> [RowDigest] {
        var states = [(UInt64, UInt64)](repeating: (0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344), count: rowCount)
        for column in columns {
            let nullWord: UInt64 = 0x6E75_6C6C_0000_0000
            switch column.values {
            case .float64(let v):
                for i in 0..<rowCount {
                    let x = v[i] == 0 ? 0 : v[i]  // -0.0 and 0.0 are equal values
                    absorb(&states[i], column.validity.isValid(i) ? x.bitPattern ^ 1 : nullWord)
                }
            case .float32(let v):
                // Hashed as the equal float64 value, so a float32 copy of a column matches it.
                for i in 0..<rowCount {
                    let x = v[i] == 0 ? 0 : Double(v[i])
                    absorb(&states[i], column.validity.isValid(i) ? x.bitPattern ^ 1 : nullWord)
                }
            case .int64(let v), .timestamp(let v):
                for i in 0..<rowCount { absorb(&states[i], column.validity.isValid(i) ? UInt64(bitPattern: v[i]) ^ 2 : nullWord) }
            case .bool(let v):
                for i in 0..<rowCount { absorb(&states[i], column.validity.isValid(i) ? (v[i] ? 5 : 4) : nullWord) }
            case .category, .text:
                // Text kept as bytes is hashed through its dictionary, so that it digests as the
                // same strings read as a category (canonically equivalent spellings are one value).
                let (codes, dictionary) = column.categories!
                let words = dictionary.map(stringWord)
                for i in 0..<rowCount { absorb(&states[i], column.validity.isValid(i) ? words[Int(codes[i])] : nullWord) }
            }
        }
        return states.map { RowDigest(high: mix($0.0), low: mix($0.1)) }
    }
}
