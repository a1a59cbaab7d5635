/// "Not worse than the baseline by more than δ on any slice": an intersection–union test.
/// Each applicable slice is tested for non-inferiority at α (no multiplicity correction, which
/// the intersection–union principle does not need); the claim holds when every applicable slice
/// rejects. Slices below the minimum size or positive count are reported as not applicable.
public struct SliceNonInferiority: Codable, Sendable, Hashable {
    public struct Slice: Codable, Sendable, Hashable {
        public let value: String
        public let rows: Int
        public let positives: Int
        /// Nil when the slice is not applicable.
        public let test: MarginTest?
        /// Two-sided percentile interval of candidate − baseline on the slice (nil when not applicable).
        public let difference: ConfidenceInterval?
    }
    public let metric: BinaryMetric
    public let slices: [Slice]
    /// True when at least one slice is applicable and every applicable slice rejects H₀.
    public let holds: Bool

    /// Paired bootstrap per slice of `metric(candidate) − metric(baseline)` on rows grouped by
    /// `sliceValues`; each slice uses `plan` with its own stream (seed + slice index).
    public init(_ metric: BinaryMetric, baseline: BinaryPredictions, candidate: BinaryPredictions, sliceValues: [String],
                margin: Double, alpha: Double = 0.05, minimumRows: Int, minimumPositives: Int,
                plan: BootstrapPlan = BootstrapPlan(bca: false)) throws(EvaluationError) {
        try Bootstrap.requireSameRows(baseline, candidate)
        guard sliceValues.count == baseline.count else {
            throw .lengthMismatch(what: "slice column", expected: baseline.count, actual: sliceValues.count)
        }
        var rowsByValue = [String: [Int]]()
        var firstSeen = [String]()
        for (row, value) in sliceValues.enumerated() {
            if rowsByValue[value] == nil { firstSeen.append(value) }
            rowsByValue[value, default: []].append(row)
        }
        var slices = [Slice]()
        for (index, value) in firstSeen.enumerated() {
            let rows = rowsByValue[value]!
            let positives = rows.reduce(0) { $0 + (baseline.labels[$1] ? 1 : 0) }
            var test: MarginTest?
            var interval: ConfidenceInterval?
            if rows.count >= minimumRows && positives >= minimumPositives && positives < rows.count {
                var slicePlan = plan
                slicePlan.seed = plan.seed &+ UInt64(index)
                let difference = try Bootstrap.difference(metric, baseline: RankedPredictions(try baseline.subset(rows), threads: .one),
                                                          candidate: RankedPredictions(try candidate.subset(rows), threads: .one),
                                                          plan: slicePlan)
                test = MarginTest(hypothesis: .nonInferiority, margin: margin, alpha: alpha, difference: difference,
                                  higherIsBetter: metric.higherIsBetter)
                interval = difference.percentile
            }
            slices.append(Slice(value: value, rows: rows.count, positives: positives, test: test, difference: interval))
        }
        self.metric = metric
        self.slices = slices
        let applicable = slices.compactMap(\.test)
        holds = !applicable.isEmpty && applicable.allSatisfy(\.rejected)
    }
}
