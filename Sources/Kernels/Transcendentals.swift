/// GitML's own exp, log1p, sigmoid and log(1+exp), evaluated eight lanes at a time with plain
/// IEEE-754 additions and multiplications only (no libm, no fused multiply-add), so results are
/// the same on every machine that rounds to nearest. The scalar entry points run the same
/// vector code on one lane and so return bit-identical values.
///
/// Accuracy, measured against Foundation (glibc) by `TranscendentalsTests`: exp 1 ulp, log1p
/// 2 ulp, sigmoid 4 ulp, log1pexp 3 ulp at most over their normal range.
public enum Transcendentals {
    public typealias Lanes = SIMD8<Double>

    // Cody–Waite split of ln 2: ln2High has 32 trailing zero bits, so n·ln2High is exact.
    @usableFromInline static let ln2High = 6.93147180369123816490e-01
    @usableFromInline static let ln2Low = 1.90821492927058770002e-10
    @usableFromInline static let log2e = 1.44269504088896338700e+00
    /// 1.5·2^52: adding it rounds to an integer and leaves that integer in the low mantissa bits.
    @usableFromInline static let roundingShift = 6755399441055744.0
    @usableFromInline static let roundingShiftBits: Int64 = 0x4338_0000_0000_0000

    /// e^x per lane. Returns +inf above ~709.78, 0 below ~-745.1 (with subnormals in between),
    /// and NaN for NaN. Always inlined: a call passes the eight lanes as four 128-bit halves,
    /// and the caller's loop loses its 256-bit registers (measured: half the multinomial fit).
    @inlinable @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        // Masked selects, not `clamped(lowerBound:upperBound:)`: the standard library's generic
        // pointwiseMin/Max are not specialized and cost a call each. NaN lanes stay NaN here
        // and are restored from `x` at the end either way.
        var clamped = x.replacing(with: Lanes(repeating: -746), where: x .< Lanes(repeating: -746))
        clamped.replace(with: Lanes(repeating: 710), where: clamped .> Lanes(repeating: 710))
        let shifted = clamped * Lanes(repeating: log2e) + Lanes(repeating: roundingShift)
        let n = shifted - Lanes(repeating: roundingShift)
        let r = (clamped - n * Lanes(repeating: ln2High)) - n * Lanes(repeating: ln2Low)
        // Taylor series of e^r to degree 13 on |r| ≤ ln2/2: truncation error < 5e-18.
        var p = Lanes(repeating: 1.0 / 6227020800.0)
        p = p * r + Lanes(repeating: 1.0 / 479001600.0)
        p = p * r + Lanes(repeating: 1.0 / 39916800.0)
        p = p * r + Lanes(repeating: 1.0 / 3628800.0)
        p = p * r + Lanes(repeating: 1.0 / 362880.0)
        p = p * r + Lanes(repeating: 1.0 / 40320.0)
        p = p * r + Lanes(repeating: 1.0 / 5040.0)
        p = p * r + Lanes(repeating: 1.0 / 720.0)
        p = p * r + Lanes(repeating: 1.0 / 120.0)
        p = p * r + Lanes(repeating: 1.0 / 24.0)
        p = p * r + Lanes(repeating: 1.0 / 6.0)
        p = p * r + Lanes(repeating: 0.5)
        p = p * r + Lanes(repeating: 1.0)
        p = p * r + Lanes(repeating: 1.0)
        // 2^n as two factors so that n in [-1077, 1025] never leaves the exponent range.
        let nInt = unsafeBitCast(shifted, to: SIMD8<Int64>.self) &- SIMD8(repeating: roundingShiftBits)
        let half = nInt &>> 1
        let scale1 = unsafeBitCast((half &+ 1023) &<< 52, to: Lanes.self)
        let scale2 = unsafeBitCast((nInt &- half &+ 1023) &<< 52, to: Lanes.self)
        var result = p * scale1 * scale2
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// ln(1 + y) per lane, accurate for tiny y. NaN below -1 and for NaN, -inf at -1, +inf at +inf.
    /// Always inlined, as `exp`.
    @inlinable @inline(__always)
    public static func log1p(_ y: Lanes) -> Lanes {
        let u = Lanes(repeating: 1) + y
        // (y - (u - 1)) / u recovers the rounding error of 1 + y to first order.
        let correction = (y - (u - Lanes(repeating: 1))) / u
        // Split u = m·2^k with m in [√2/2, √2) (the usual bias trick on the high word).
        let bits = unsafeBitCast(u, to: SIMD8<UInt64>.self)
        let high = (bits &>> 32) &+ SIMD8(repeating: 0x3ff0_0000 - 0x3fe6_a09e)
        let k = unsafeBitCast(high &>> 20, to: SIMD8<Int64>.self) &- 0x3ff
        let mantissaHigh = (high & 0x000f_ffff) &+ 0x3fe6_a09e
        let m = unsafeBitCast((mantissaHigh &<< 32) | (bits & 0xffff_ffff), to: Lanes.self)
        // ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …), s = (m-1)/(m+1), |s| ≤ 0.1716.
        let s = (m - Lanes(repeating: 1)) / (m + Lanes(repeating: 1))
        let s2 = s * s
        var series = Lanes(repeating: 2.0 / 23.0)
        for odd in stride(from: 21.0, through: 3.0, by: -2.0) {
            series = series * s2 + Lanes(repeating: 2.0 / odd)
        }
        let logM = s * s2 * series + (s + s)
        let kDouble = Lanes(k)
        var result = kDouble * Lanes(repeating: ln2High) + (logM + (kDouble * Lanes(repeating: ln2Low) + correction))
        result.replace(with: Lanes(repeating: .infinity), where: y .== Lanes(repeating: .infinity))
        result.replace(with: Lanes(repeating: -.infinity), where: y .== Lanes(repeating: -1))
        result.replace(with: Lanes(repeating: .nan), where: (y .< Lanes(repeating: -1)) .| (y .!= y))
        return result
    }

    /// 1 / (1 + e^-x) per lane.
    @inlinable
    public static func sigmoid(_ x: Lanes) -> Lanes {
        Lanes(repeating: 1) / (Lanes(repeating: 1) + exp(-x))
    }

    /// ln(1 + e^x) per lane, computed as max(x, 0) + log1p(e^-|x|) so it never overflows.
    @inlinable
    public static func log1pexp(_ x: Lanes) -> Lanes {
        let magnitude = x.replacing(with: -x, where: x .< Lanes(repeating: 0))
        let positivePart = x.replacing(with: Lanes(repeating: 0), where: x .< Lanes(repeating: 0))
        return positivePart + log1p(exp(-magnitude))
    }

    /// e^x for one value (same code as the eight-lane version).
    @inlinable public static func exp(_ x: Double) -> Double { exp(Lanes(repeating: x))[0] }
    /// ln(1 + y) for one value (same code as the eight-lane version).
    @inlinable public static func log1p(_ y: Double) -> Double { log1p(Lanes(repeating: y))[0] }
    /// 1 / (1 + e^-x) for one value (same code as the eight-lane version).
    @inlinable public static func sigmoid(_ x: Double) -> Double { sigmoid(Lanes(repeating: x))[0] }
    /// ln(1 + e^x) for one value (same code as the eight-lane version).
    @inlinable public static func log1pexp(_ x: Double) -> Double { log1pexp(Lanes(repeating: x))[0] }

    /// Applies a lane function to `count` values from `input`, writing `output` (which may
    /// alias `input`). The tail is padded with zeros and evaluated with the same lane code.
    @inlinable
    public static func apply(_ function: (Lanes) -> Lanes, _ input: UnsafePointer<Double>,
                             _ output: UnsafeMutablePointer<Double>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let value = function(UnsafeRawPointer(input + i).loadUnaligned(as: Lanes.self))
            UnsafeMutableRawPointer(output + i).storeBytes(of: value, as: Lanes.self)
            i += 8
        }
        if i < count {
            var tail = Lanes()
            for lane in 0..<(count - i) { tail[lane] = input[i + lane] }
            let value = function(tail)
            for lane in 0..<(count - i) { output[i + lane] = value[lane] }
        }
    }
}
