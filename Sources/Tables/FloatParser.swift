/// Decimal text to `Double`, correctly rounded (the same result as C `strtod`).
///
/// Accepted grammar: `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, plus
/// `nan`, `inf`, `infinity` in any case with an optional sign. No surrounding whitespace.
///
/// Fast paths, for significands of at most 19 significant digits:
/// 1. Clinger: when the significand fits in 53 bits and the decimal exponent is within ±22
///    (or can be made so by moving factors of ten into an exactly representable significand),
///    the result is one correctly rounded IEEE multiplication or division of exact values.
/// 2. Eisel–Lemire: a 64×128-bit product with a truncated power of five decides the rounding
///    (Lemire 2021; always sufficient for exact 19-digit significands per Mushtak & Lemire
///    2022, with the original conservative ambiguity check kept as a fallback trigger).
/// Every other input (more than 19 significant digits, or the ambiguous products) goes to the
/// standard library's `Double(_:)`, which is correctly rounded.
public enum FloatParser {
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
    private static let maxExactInteger: UInt64 = 1 << 53

    /// Parses `text`; `nil` when it does not match the grammar.
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses the bytes in `bytes`; `nil` when they do not match the grammar.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        switch scan(bytes) {
        case .invalid:
            return nil
        case .special(let value):
            return value
        case .decimal(let negative, let significand, let exponent, let exact):
            if significand == 0 { return negative ? -0.0 : 0.0 }
            if exact, let value = clingerFastPath(significand, exponent) ?? eiselLemire(significand, exponent) {
                return negative ? -value : value
            }
            return Double(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Parses `text` as the nearest `Float`; `nil` when it does not match the grammar.
    public static func parseFloat32(_ text: String) -> Float? {
        var text = text
        return text.withUTF8 { parseFloat32(UnsafeRawBufferPointer($0)) }
    }

    /// Parses the bytes as the nearest `Float` (correctly rounded, as C `strtof`); `nil` when
    /// they do not match the grammar. Rounding the correctly rounded double to float gives the
    /// right float unless the double lies exactly on a midpoint between two floats (double
    /// rounding) or rounds to a float infinity: those inputs go to `Float(_:)` (`strtof`).
    public static func parseFloat32(_ bytes: UnsafeRawBufferPointer) -> Float? {
        guard let wide = parse(bytes) else { return nil }
        let narrow = Float(wide)
        if Double(narrow) == wide || !wide.isFinite { return narrow }
        if narrow.isFinite {
            let neighbour = wide > Double(narrow) ? narrow.nextUp : narrow.nextDown
            // Float midpoints are exact doubles, and so is this mean of two adjacent floats.
            if (Double(narrow) + Double(neighbour)) / 2 != wide { return narrow }
        }
        return Float(String(decoding: bytes, as: UTF8.self))
    }

    /// The text split into sign, first 19 significant digits and decimal exponent.
    private enum Scanned {
        case invalid
        case special(Double)
        /// value = ±significand · 10^exponent, exactly when `exact` (no non-zero digit dropped).
        case decimal(negative: Bool, significand: UInt64, exponent: Int, exact: Bool)
    }

    @inline(__always)
    private static func scan(_ bytes: UnsafeRawBufferPointer) -> Scanned {
        let count = bytes.count
        guard count > 0 else { return .invalid }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < count else { return .invalid }
        if !isDigit(bytes[i]) && bytes[i] != UInt8(ascii: ".") {
            return special(bytes, from: i, negative: negative).map(Scanned.special) ?? .invalid
        }
        var significand: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = false
        var exponent = 0
        var sawDigit = false
        // Integer part.
        while i < count, isDigit(bytes[i]) {
            accumulate(bytes[i], into: &significand, digits: &significantDigits, dropped: &droppedDigits, exponent: &exponent, fractional: false)
            sawDigit = true
            i += 1
        }
        if i < count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < count, isDigit(bytes[i]) {
                // Eight digits at once once a non-zero digit was seen (every digit then counts)
                // and they fit the 19 kept: what `accumulate` does eight times.
                if significand != 0, significantDigits <= 11, i + 8 <= count, let eight = eightDigits(bytes, at: i) {
                    significand = significand &* 100_000_000 &+ eight
                    significantDigits += 8
                    exponent -= 8
                    i += 8
                    continue
                }
                accumulate(bytes[i], into: &significand, digits: &significantDigits, dropped: &droppedDigits, exponent: &exponent, fractional: true)
                sawDigit = true
                i += 1
            }
        }
        guard sawDigit else { return .invalid }
        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, isDigit(bytes[i]) else { return .invalid }
            var explicit = 0
            while i < count, isDigit(bytes[i]) {
                if explicit < 100_000 { explicit = explicit * 10 + Int(bytes[i] &- 48) }
                i += 1
            }
            exponent += exponentNegative ? -explicit : explicit
        }
        guard i == count else { return .invalid }
        return .decimal(negative: negative, significand: significand, exponent: exponent, exact: !droppedDigits)
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    /// The eight bytes at `i` as a number when all are ASCII digits (SWAR: one load, a check of
    /// every byte's nibbles, three multiplications), else nil.
    @inline(__always)
    private static func eightDigits(_ bytes: UnsafeRawBufferPointer, at i: Int) -> UInt64? {
        let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        // A digit is 0x30...0x39: its high nibble is 3, and adding 6 leaves it 3.
        guard (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
                == 0x3333_3333_3333_3333 else { return nil }
        var value = word &- 0x3030_3030_3030_3030
        value = value &* 10 &+ (value >> 8)  // pairs of digits in every other byte
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        value = ((value & mask) &* (100 &+ (1_000_000 << 32)) &+ ((value >> 16) & mask) &* (1 &+ (10_000 << 32))) >> 32
        return value
    }

    /// Adds one digit to the significand, keeping at most 19 significant digits.
    @inline(__always)
    private static func accumulate(_ byte: UInt8, into significand: inout UInt64, digits: inout Int,
                                   dropped: inout Bool, exponent: inout Int, fractional: Bool) {
        let digit = UInt64(byte &- 48)
        if significand == 0 && digit == 0 {
            if fractional { exponent -= 1 }
            return
        }
        if digits < 19 {
            significand = significand &* 10 &+ digit
            digits += 1
            if fractional { exponent -= 1 }
        } else {
            if digit != 0 { dropped = true }
            if !fractional { exponent += 1 }
        }
    }

    private static func clingerFastPath(_ significand: UInt64, _ exponent: Int) -> Double? {
        guard significand <= maxExactInteger else { return nil }
        if exponent >= 0 && exponent <= 22 { return Double(significand) * exactPowersOfTen[exponent] }
        if exponent < 0 && exponent >= -22 { return Double(significand) / exactPowersOfTen[-exponent] }
        if exponent > 22 && exponent <= 22 + 15 {
            // Move the excess into the significand when the product stays exact.
            let (scaled, overflow) = significand.multipliedReportingOverflow(by: UInt64(exactPowersOfTen[exponent - 22]))
            if !overflow && scaled <= maxExactInteger { return Double(scaled) * 1e22 }
        }
        return nil
    }

    /// `nan`, `inf` or `infinity` in any case.
    /// The double nearest to `w · 10^q` (w > 0), or `nil` when the product is ambiguous.
    private static func eiselLemire(_ w: UInt64, _ q: Int) -> Double? {
        if q < PowersOfFive.smallestExponent { return 0 }
        if q > PowersOfFive.largestExponent { return .infinity }
        let leadingZeros = w.leadingZeroBitCount
        let normalized = w << UInt64(leadingZeros)
        let index = q - PowersOfFive.smallestExponent
        let power = PowersOfFive.table[index]
        var (high, low) = normalized.multipliedFullWidth(by: power.high)
        // 55 bits of precision are needed: refine with the low word when they are all ones.
        let precisionMask: UInt64 = 0xFFFF_FFFF_FFFF_FFFF >> 55
        if high & precisionMask == precisionMask {
            let second = normalized.multipliedFullWidth(by: power.low)
            let (sum, carry) = low.addingReportingOverflow(second.high)
            low = sum
            if carry { high &+= 1 }
            if low == 0xFFFF_FFFF_FFFF_FFFF && (q < -27 || q > 55) { return nil }
        }
        let upperBit = Int(high >> 63)
        let shift = UInt64(upperBit + 64 - 52 - 3)
        var mantissa = high >> shift
        // ⌊log2(10^q)⌋ + 63 via ((152170 + 65536)·q) >> 16, then the exponent bias 1023.
        var power2 = (((152_170 + 65_536) * q) >> 16) + 63 + upperBit - leadingZeros + 1023
        if power2 <= 0 {
            // Subnormal (or zero).
            if -power2 + 1 >= 64 { return 0 }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (1 << 52) ? 0 : 1
            return Double(bitPattern: UInt64(power2) << 52 | (mantissa & ~(1 << 52)))
        }
        // Exactly halfway between two doubles: round to even.
        if low <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && (mantissa << shift) == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= (2 << 52) {
            mantissa = 1 << 52
            power2 += 1
        }
        mantissa &= ~(1 << 52)
        if power2 >= 0x7FF { return .infinity }
        return Double(bitPattern: UInt64(power2) << 52 | mantissa)
    }

    private static func special(_ bytes: UnsafeRawBufferPointer, from start: Int, negative: Bool) -> Double? {
        func matches(_ word: StaticString) -> Bool {
            guard bytes.count - start == word.utf8CodeUnitCount else { return false }
            for k in 0..<word.utf8CodeUnitCount where bytes[start + k] | 0x20 != word.utf8Start[k] { return false }
            return true
        }
        if matches("nan") { return .nan }
        if matches("inf") || matches("infinity") { return negative ? -.infinity : .infinity }
        return nil
    }
}
