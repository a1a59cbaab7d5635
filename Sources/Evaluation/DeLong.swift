import Kernels

/// DeLong, DeLong & Clarke-Pearson (1988) comparison of two correlated ROC AUCs on the same
/// rows, with the O(N log N) midrank algorithm of Sun & Xu (2014). Unweighted.
public struct DeLongTest: Codable, Sendable, Hashable {
    public let baselineAUC: Double
    public let candidateAUC: Double
    /// Variances of the two AUCs and their covariance.
    public let baselineVariance: Double
    public let candidateVariance: Double
    public let covariance: Double
    /// candidateAUC − baselineAUC.
    public let difference: Double
    /// √(var_A + var_B − 2 cov).
    public let standardError: Double
    /// difference / standardError.
    public let z: Double
    /// Two-sided p-value 2·Φ(−|z|) (1 when the difference and its standard error are both 0).
    public let pValue: Double

    /// Compares `candidate` with `baseline` scores on the same rows and `labels`.
    public init(labels: [Bool], baseline: [Double], candidate: [Double]) throws(EvaluationError) {
        let a = try BinaryPredictions(scores: baseline, labels: labels)
        let b = try BinaryPredictions(scores: candidate, labels: labels)
        let positives = labels.indices.filter { labels[$0] }
        let negatives = labels.indices.filter { !labels[$0] }
        guard !positives.isEmpty && !negatives.isEmpty else { throw .empty(what: "rows of both classes for DeLong") }
        let first = Self.components(a.scores, positives, negatives)
        let second = Self.components(b.scores, positives, negatives)
        let m = Double(positives.count), n = Double(negatives.count)
        func sampleCovariance(_ x: [Double], _ y: [Double]) -> Double {
            guard x.count > 1 else { return 0 }
            let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
            var sum = 0.0
            for i in x.indices { sum += (x[i] - mx) * (y[i] - my) }
            return sum / Double(x.count - 1)
        }
        baselineAUC = first.auc
        candidateAUC = second.auc
        baselineVariance = sampleCovariance(first.positive, first.positive) / m + sampleCovariance(first.negative, first.negative) / n
        candidateVariance = sampleCovariance(second.positive, second.positive) / m + sampleCovariance(second.negative, second.negative) / n
        covariance = sampleCovariance(first.positive, second.positive) / m + sampleCovariance(first.negative, second.negative) / n
        difference = candidateAUC - baselineAUC
        standardError = max(0, baselineVariance + candidateVariance - 2 * covariance).squareRoot()
        z = difference / standardError
        pValue = z.isNaN ? 1 : 2 * Normal.cdf(-abs(z))
    }

    /// The AUC and its structural components: V10 per positive (fraction of negatives it
    /// outranks, ties ½) and V01 per negative (fraction of positives that outrank it).
    static func components(_ scores: [Double], _ positives: [Int], _ negatives: [Int])
        -> (auc: Double, positive: [Double], negative: [Double]) {
        let m = positives.count, n = negatives.count
        let combined = Ranks.midranks(positives.map { scores[$0] } + negatives.map { scores[$0] }, threads: .one)
        let withinPositives = Ranks.midranks(positives.map { scores[$0] }, threads: .one)
        let withinNegatives = Ranks.midranks(negatives.map { scores[$0] }, threads: .one)
        let positive = (0..<m).map { (combined[$0] - withinPositives[$0]) / Double(n) }
        let negative = (0..<n).map { 1 - (combined[m + $0] - withinNegatives[$0]) / Double(m) }
        let rankSum = combined[0..<m].reduce(0, +)
        let auc = rankSum / Double(m) / Double(n) - (Double(m) + 1) / (2 * Double(n))
        return (auc, positive, negative)
    }
}
