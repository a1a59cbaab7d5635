/// Rows a bootstrap resamples. Paired sets (candidate and baseline, or several seeds) describe
/// the same rows with the same targets and weights; only the predictions differ.
public protocol ResampledRows: Sendable {
    /// Number of rows.
    var count: Int { get }
    /// The class of each row when resamples keep the class counts (binary labels); nil when
    /// rows are drawn without strata (regression).
    var strata: [Bool]? { get }
    /// Throws `rowsDiffer` or `lengthMismatch` unless `other` has these rows' targets and weights.
    func requireSameRows(as other: Self) throws(EvaluationError)
    /// The same rows restricted to `rows` (in that order).
    func subset(_ rows: [Int]) throws(EvaluationError) -> Self
    /// Positive rows among `rows`, or nil when the task has no positive class.
    func positives(in rows: [Int]) -> Int?
    /// Total sample weight of `rows`.
    func totalWeight(_ rows: [Int]) -> Double
}

/// A metric the bootstrap, slices and non-inferiority tests evaluate on any resample: each
/// row's weight is scaled by how often the resample drew it (`multiplicity`, indexed by row).
public protocol ResampledMetric: Sendable, Hashable, Codable {
    associatedtype Rows: ResampledRows
    /// Whether larger values are better.
    var higherIsBetter: Bool { get }
    func evaluate(_ rows: Rows, multiplicity: [Double]?) throws(EvaluationError) -> MetricValue
}

extension BinaryMetric: ResampledMetric {}

extension RankedPredictions: ResampledRows {
    public var count: Int { predictions.count }
    public var strata: [Bool]? { predictions.labels }

    public func requireSameRows(as other: RankedPredictions) throws(EvaluationError) {
        try Bootstrap.requireSameRows(predictions, other.predictions)
    }

    /// The rows at `rows`, in that order. Ascending rows (every slice's) are ranked from this
    /// set's order in one pass; any other order is sorted anew.
    public func subset(_ rows: [Int]) throws(EvaluationError) -> RankedPredictions {
        let subset = try predictions.subset(rows)
        guard zip(rows, rows.dropFirst()).allSatisfy({ $0 < $1 }) else { return RankedPredictions(subset, threads: .one) }
        return RankedPredictions(subset, rows: rows, of: self)
    }

    public func positives(in rows: [Int]) -> Int? { rows.reduce(0) { $0 + (predictions.labels[$1] ? 1 : 0) } }

    public func totalWeight(_ rows: [Int]) -> Double { rows.reduce(0.0) { $0 + predictions.weight($1) } }
}
