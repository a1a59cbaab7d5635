/// How often a model's prediction intervals hold the truth: rows whose target lies within the
/// predicted lower and upper quantiles, with a confidence interval of that share (Wilson score
/// for independent rows, cluster-robust when rows come in entities), checked against the
/// interval's nominal level (upper − lower quantile).
public struct IntervalCoverage: Codable, Sendable, Hashable {
    /// Rows evaluated.
    public let rows: Int
    /// Rows with lower ≤ target ≤ upper.
    public let covered: Int
    /// Rows whose predicted lower quantile exceeds the upper one (crossed quantiles; never covered).
    public let crossed: Int
    /// covered / rows.
    public let coverage: Double
    /// The level the intervals claim: upper quantile − lower quantile (0.9 for [0.05, 0.95]).
    public let nominal: Double
    /// The coverage's interval at the requested confidence: Wilson score, or the cluster-robust
    /// interval of `ProportionInterval.clustered` when `entities` is set.
    public let interval: ConfidenceInterval
    /// Distinct entities the rows were clustered by; nil when rows were taken as independent.
    public let entities: Int?

    /// Coverage of `targets` by [`lower`, `upper`] row by row (equal lengths, finite values),
    /// for intervals between the quantiles `lowerQuantile` < `upperQuantile`. Rows are
    /// counted, not weighted. Without `clusters` the binomial (Wilson) interval assumes
    /// independent rows; with them (one entity per row, at least two distinct) the interval is
    /// cluster-robust, so many rows of one entity do not narrow it as if they were independent.
    public init(targets: [Double], lower: [Double], upper: [Double], lowerQuantile: Double, upperQuantile: Double,
                confidence: Double, clusters: [String]? = nil) throws(EvaluationError) {
        guard !targets.isEmpty else { throw .empty(what: "targets") }
        for (what, values) in [("lower quantile", lower), ("upper quantile", upper)] {
            guard values.count == targets.count else { throw .lengthMismatch(what: what, expected: targets.count, actual: values.count) }
            for (row, value) in values.enumerated() where !value.isFinite { throw .nonFinite(what: what, row: row, value: value) }
        }
        for (row, value) in targets.enumerated() where !value.isFinite { throw .nonFinite(what: "target", row: row, value: value) }
        guard lowerQuantile > 0, lowerQuantile < upperQuantile, upperQuantile < 1 else {
            throw .invalidParameter(name: "interval quantiles", value: lowerQuantile, expected: "0 < lower < upper < 1")
        }
        var covered = 0, crossed = 0
        var outcomes = [Bool](repeating: false, count: targets.count)
        for row in targets.indices {
            if lower[row] > upper[row] {
                crossed += 1
            } else if lower[row] <= targets[row] && targets[row] <= upper[row] {
                covered += 1
                outcomes[row] = true
            }
        }
        rows = targets.count
        self.covered = covered
        self.crossed = crossed
        coverage = Double(covered) / Double(targets.count)
        nominal = upperQuantile - lowerQuantile
        if let clusters {
            interval = try ProportionInterval.clustered(outcomes: outcomes, clusters: clusters, confidence: confidence)
            entities = Set(clusters).count
        } else {
            interval = try ProportionInterval.wilson(successes: covered, trials: targets.count, confidence: confidence)
            entities = nil
        }
    }

    /// Whether the coverage is consistent with the nominal level: the interval holds it. False
    /// means the intervals cover significantly less (too narrow) or more (too wide) than they claim.
    public var holdsNominal: Bool { interval.contains(nominal) }
}
