import Foundation

/// McNemar's exact test of two models' decisions on the same rows: only rows where exactly one
/// model is right count, and under H₀ each such row favours either model with probability ½.
public struct McNemarTest: Codable, Sendable, Hashable {
    /// Rows the baseline gets right and the candidate wrong.
    public let baselineOnlyCorrect: Int
    /// Rows the candidate gets right and the baseline wrong.
    public let candidateOnlyCorrect: Int
    /// min(b, c), as statsmodels reports it.
    public let statistic: Int
    /// Two-sided exact p-value min(1, 2·P(Binomial(b + c, ½) ≤ min(b, c))).
    public let pValue: Double

    /// Tests decisions (`true` = predicted positive) against `labels`.
    public init(labels: [Bool], baseline: [Bool], candidate: [Bool]) throws(EvaluationError) {
        guard baseline.count == labels.count else {
            throw .lengthMismatch(what: "baseline decisions", expected: labels.count, actual: baseline.count)
        }
        guard candidate.count == labels.count else {
            throw .lengthMismatch(what: "candidate decisions", expected: labels.count, actual: candidate.count)
        }
        var b = 0, c = 0
        for row in labels.indices {
            let baselineRight = baseline[row] == labels[row], candidateRight = candidate[row] == labels[row]
            if baselineRight && !candidateRight { b += 1 }
            if candidateRight && !baselineRight { c += 1 }
        }
        self.init(baselineOnlyCorrect: b, candidateOnlyCorrect: c)
    }

    /// The test from the discordant counts directly.
    public init(baselineOnlyCorrect b: Int, candidateOnlyCorrect c: Int) {
        baselineOnlyCorrect = b
        candidateOnlyCorrect = c
        statistic = min(b, c)
        pValue = min(1, 2 * Self.binomialHalfCDF(statistic, trials: b + c))
    }

    /// P(Binomial(n, ½) ≤ k), summed in log space from log-gamma terms.
    static func binomialHalfCDF(_ k: Int, trials n: Int) -> Double {
        if k >= n { return 1 }
        let logTotal = lgamma(Double(n) + 1) - Double(n) * log(2.0)
        let terms = (0...k).map { i in logTotal - lgamma(Double(i) + 1) - lgamma(Double(n - i) + 1) }
        let largest = terms.max()!
        return exp(largest) * terms.reduce(0) { $0 + exp($1 - largest) }
    }
}
