import Foundation

/// The survival function of the one-sided Kolmogorov–Smirnov statistic Dₙ⁺ (scipy's
/// `scipy.special.smirnov(n, x)`), used by `KolmogorovDistribution` for 2·smirnov(n, x).
///
/// Regions as scipy/xsf `_smirnov`: 1 − x for n = 1; 1 − x(1 + x)ⁿ⁻¹ for n·x ≤ 1; 0 once
/// −2n·x² < log(2⁻¹⁰⁷⁵); (1 − x)ⁿ for ⌊n·x⌋ ≥ n − 1; exp(−(6n·x + 1)²/(18n)) for n > 10⁶;
/// otherwise the exact Smirnov–Birnbaum–Tingey sum
/// P(Dₙ⁺ ≥ x) = x Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v),
/// stopped (as scipy) once the remaining terms cannot move the sum by an ulp. scipy switches
/// to the complementary upper sum for n ≥ 10 with n·x² ≤ ¼ to save precision; GitML only
/// calls this function with x ≥ ½ or n·x² ≥ 2.2, where scipy uses the lower sum too.
enum SmirnovDistribution {
    /// log(2⁻¹⁰⁷⁵) (cephes MINLOG): below it the survival underflows.
    private static let minLog = -7.451332191019412076235e2
    private static let maxExactN = 1_000_000

    /// P(Dₙ⁺ ≥ x) for n ≥ 1 and 0 ≤ x ≤ 1.
    static func survival(n: Int, x: Double) -> Double {
        precondition(n > 0 && x >= 0 && x <= 1, "smirnov needs n > 0 and 0 ≤ x ≤ 1")
        if n == 1 { return 1 - x }
        if x == 0 { return 1 }
        if x == 1 { return 0 }
        let nd = Double(n)
        let (floorNX, fraction) = floorAndFraction(n: nd, x: x)
        if floorNX == 0 || (floorNX == 1 && fraction == 0) {
            return min(max(1 - x * exp(Double(n - 1) * log1p(x)), 0), 1)
        }
        if Double(-2 * n) * x * x < minLog { return 0 }
        if floorNX >= n - 1 { return pow(1 - x, nd) }
        if n > maxExactN {
            let logp = -pow(6 * nd * x + 1, 2) / 18 / nd
            return logp < -log(2.0) ? exp(logp) : 1 + expm1(logp)
        }
        return min(max(x * lowerSum(n: n, x: x, lastV: n - floorNX - 1), 0), 1)
    }

    /// ⌊n·x⌋ and n·x − ⌊n·x⌋ from the exact product n·x (high part plus FMA remainder).
    private static func floorAndFraction(n: Double, x: Double) -> (Int, Double) {
        let high = n * x
        let low = (-high).addingProduct(n, x)
        var whole = high.rounded(.down)
        if whole == high && low < 0 { whole -= 1 }
        var fraction = (high - whole) + low
        if fraction >= 1 {
            whole += 1
            fraction = 0
        }
        return (Int(whole), fraction)
    }

    /// Σ_{v=0}^{lastV} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v), each term as exp of its
    /// logarithm; C(n, v) kept as a mantissa and a binary exponent, updated by (n − v)/(v + 1).
    private static func lowerSum(n: Int, x: Double, lastV: Int) -> Double {
        let nd = Double(n)
        var sum = exp(nd * log1p(-x)) / x
        var binomialMantissa = nd, binomialExponent = 0
        let half = n / 2
        for v in 1...lastV {
            let logPowers = Double(v - 1) * logOfSum(Double(v), over: nd, plus: x)
                + Double(n - v) * logOfSum(Double(n - v), over: nd, plus: -x)
            let exponent = Double(binomialExponent)
            let logTerm = (logPowers + exponent * ln2High) + (exponent * ln2Low + log(binomialMantissa))
            let term = exp(logTerm)
            sum += term
            if term != 0 {
                if 4 * Double(lastV + 1 - v) * term < Double.ulpOfOne * sum && v != lastV { break }
            } else if v > half {
                break
            }
            let ratio = Double(n - v) / Double(v + 1)
            let scaled = binomialMantissa * ratio
            binomialMantissa = scaled.significand
            binomialExponent += Int(scaled.exponent)
        }
        return sum
    }

    /// log(a/n + c) with a/n + c formed to twice double precision before the logarithm.
    private static func logOfSum(_ a: Double, over n: Double, plus c: Double) -> Double {
        let quotient = a / n
        let quotientLow = a.addingProduct(-quotient, n) / n
        let high = quotient + c
        let cPart = high - quotient
        let low = (quotient - (high - cPart)) + (c - cPart) + quotientLow
        let sum = high + low
        return log(sum) + (low - (sum - high)) / sum
    }

    private static let ln2High = 6.93145751953125e-1
    private static let ln2Low = 1.42860682030941723212e-6
}
