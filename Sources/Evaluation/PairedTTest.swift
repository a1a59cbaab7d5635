import Foundation

/// Student's paired t-test of per-row losses of two models on the same rows (scipy
/// `ttest_rel(candidate, baseline)`): d = candidate − baseline per row,
/// t = mean(d) / (sd(d) / √n) with the sample standard deviation, n − 1 degrees of freedom,
/// two-sided p = I_{ν/(ν+t²)}(ν/2, ½). The gate decides on the paired bootstrap; this is the
/// parametric cross-check reported beside it for regression (squared or absolute errors).
public struct PairedTTest: Codable, Sendable, Hashable {
    public let statistic: Double
    public let degreesOfFreedom: Double
    public let pValue: Double

    /// Tests paired losses; needs at least two rows. Identical losses give t = NaN and p = NaN
    /// (scipy's result).
    public init(baseline: [Double], candidate: [Double]) throws(EvaluationError) {
        guard candidate.count == baseline.count else {
            throw .lengthMismatch(what: "candidate losses", expected: baseline.count, actual: candidate.count)
        }
        guard baseline.count >= 2 else { throw .empty(what: "at least two paired rows for a t-test") }
        let n = Double(baseline.count)
        let differences = zip(candidate, baseline).map { $0 - $1 }
        let mean = differences.reduce(0, +) / n
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        statistic = mean / (variance / n).squareRoot()
        degreesOfFreedom = n - 1
        pValue = statistic.isNaN ? .nan : Self.regularizedBeta(degreesOfFreedom / (degreesOfFreedom + statistic * statistic),
                                                              a: degreesOfFreedom / 2, b: 0.5)
    }

    /// The test on squared (or, with `absolute`, absolute) errors of two models' predictions.
    public init(targets: [Double], baseline: [Double], candidate: [Double], absolute: Bool = false) throws(EvaluationError) {
        guard baseline.count == targets.count, candidate.count == targets.count else {
            throw .lengthMismatch(what: "predictions", expected: targets.count, actual: min(baseline.count, candidate.count))
        }
        let loss: (Double, Double) -> Double = absolute ? { abs($0 - $1) } : { ($0 - $1) * ($0 - $1) }
        try self.init(baseline: zip(targets, baseline).map(loss), candidate: zip(targets, candidate).map(loss))
    }

    /// The regularized incomplete beta function I_x(a, b) by its continued fraction (modified
    /// Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    static func regularizedBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedBeta(1 - x, a: b, b: a) }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var fraction = d
        for m in 1...10_000 {
            let m = Double(m)
            for numerator in [m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                              -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))] {
                d = 1 + numerator * d
                if abs(d) < tiny { d = tiny }
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                d = 1 / d
                fraction *= d * c
            }
            if abs(d * c - 1) < 1e-16 { break }
        }
        return exp(logFront) * fraction / a
    }
}
