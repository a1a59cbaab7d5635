import Kernels
import Foundation

/// The two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(method="auto")`.
public struct KolmogorovSmirnov: Sendable, Equatable, Codable {
    /// The statistic D = max |F₁ − F₂| (in exact mode rounded to a multiple of 1/lcm(n₁, n₂),
    /// as scipy does).
    public let statistic: Double
    public let pValue: Double
    /// Whether the p-value is exact (both samples ≤ 10,000) or asymptotic.
    public let exact: Bool

    static let maxExactSampleSize = 10_000

    /// Tests `first` against `second` (neither empty; NaNs must be removed by the caller).
    public static func test(_ first: [Double], _ second: [Double]) -> KolmogorovSmirnov {
        testSorted(RadixSort.sortedValues(first), RadixSort.sortedValues(second))
    }

    /// As `test`, for samples already sorted ascending.
    public static func testSorted(_ a: [Double], _ b: [Double]) -> KolmogorovSmirnov {
        precondition(!a.isEmpty && !b.isEmpty, "samples must not be empty")
        let n1 = a.count, n2 = b.count
        // max and min of F₁ − F₂ over the pooled values (right-continuous ECDFs).
        var i = 0, j = 0
        var maxDifference = -Double.infinity, minDifference = Double.infinity
        while i < n1 || j < n2 {
            let value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j]
            while i < n1 && a[i] <= value { i += 1 }
            while j < n2 && b[j] <= value { j += 1 }
            let difference = Double(i) / Double(n1) - Double(j) / Double(n2)
            maxDifference = max(maxDifference, difference)
            minDifference = min(minDifference, difference)
        }
        let minS = min(max(-minDifference, 0), 1)
        let d = minS > maxDifference ? minS : maxDifference
        if max(n1, n2) <= maxExactSampleSize, let exact = exactTwoSided(n1, n2, d) {
            return KolmogorovSmirnov(statistic: exact.d, pValue: min(max(exact.p, 0), 1), exact: true)
        }
        let m = Double(max(n1, n2)), n = Double(min(n1, n2))
        let effective = (m * n / (m + n)).rounded(.toNearestOrEven)
        let p = KolmogorovDistribution.survival(n: Int(effective), x: d)
        return KolmogorovSmirnov(statistic: d, pValue: min(max(p, 0), 1), exact: false)
    }

    /// scipy's `_attempt_exact_2kssamp` (two-sided); `nil` when it would switch to asymptotic.
    private static func exactTwoSided(_ n1: Int, _ n2: Int, _ d: Double) -> (d: Double, p: Double)? {
        let g = gcd(n1, n2)
        let lcm = (n1 / g) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let roundedD = Double(h) / Double(lcm)
        if h == 0 { return (roundedD, 1.0) }
        let p = n1 == n2 ? probabilityOutsideSquare(n1, h) : outerProbabilityInsideMethod(n1, n2, g, h)
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return (roundedD, p)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// P(D ≥ h/n) for equal sample sizes n (scipy `_compute_prob_outside_square`).
    private static func probabilityOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h { p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1) }
            p = p1 * (1.0 - p)
            k -= 1
        }
        return 2 * p
    }

    /// 1 − (share of lattice paths staying strictly inside the band) for unequal sizes
    /// (scipy `_compute_outer_prob_inside_method`, Viehmann's 1 − p recursion).
    private static func outerProbabilityInsideMethod(_ first: Int, _ second: Int, _ g: Int, _ h: Int) -> Double {
        let m = max(first, second), n = min(first, second)
        let mg = m / g, ng = n / g
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1, count: lenA)
        for k in minj..<maxj { a[k] = 0 }
        for i in 1...m {
            let lastminj = minj, lastlen = curlen
            minj = max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = min(minj, n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1.0 }
            var value = minj == 0 ? 0.0 : 1.0
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                value = (a[jj + minj - lastminj] * Double(i) + value * Double(j)) / Double(i + j)
                a[jj] = value
            }
            curlen = maxj - minj
            if lastlen > curlen {
                for k in (maxj - minj)..<min(maxj - minj + lastlen - curlen, lenA) { a[k] = 1 }
            }
        }
        return a[maxj - minj - 1]
    }
}
