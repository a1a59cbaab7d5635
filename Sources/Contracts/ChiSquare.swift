import Foundation

/// Pearson's chi-square test of homogeneity for category counts of two samples (a 2 × K
/// contingency table, no continuity correction), as `scipy.stats.chi2_contingency(…,
/// correction=False)` for K > 2 and K = 2 alike.
public struct ChiSquare: Sendable, Equatable, Codable {
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double

    /// Tests `reference` against `current` counts over the same categories; categories with
    /// zero count in both must be left out by the caller.
    public static func test(reference: [Double], current: [Double]) -> ChiSquare {
        precondition(reference.count == current.count)
        let k = reference.count
        guard k > 1 else { return ChiSquare(statistic: 0, degreesOfFreedom: 0, pValue: 1) }
        let rowTotals = [reference.reduce(0, +), current.reduce(0, +)]
        let total = rowTotals[0] + rowTotals[1]
        var statistic = 0.0
        for (r, row) in [reference, current].enumerated() {
            for c in 0..<k {
                let expected = rowTotals[r] * (reference[c] + current[c]) / total
                let difference = row[c] - expected
                statistic += difference * difference / expected
            }
        }
        let dof = k - 1
        return ChiSquare(statistic: statistic, degreesOfFreedom: dof,
                         pValue: RegularizedGamma.upper(a: Double(dof) / 2, x: statistic / 2))
    }
}

/// The regularized incomplete gamma functions.
enum RegularizedGamma {
    /// Q(a, x) = Γ(a, x)/Γ(a): series for x < a + 1, else Lentz's continued fraction.
    static func upper(a: Double, x: Double) -> Double {
        if x <= 0 { return 1 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1.0 / a, sum = term, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-17 { break }
        }
        return exp(logPrefix) * h
    }
}
