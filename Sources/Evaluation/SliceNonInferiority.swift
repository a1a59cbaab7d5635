/// "Not worse than the baseline by more than δ on any slice": an intersection–union test.
/// Each applicable slice is tested for non-inferiority at α (no multiplicity correction, which
/// the intersection–union principle does not need); the claim holds when every applicable slice
/// rejects. Slices below the minimum size or positive count (binary) are reported as not applicable.
public struct SliceNonInferiority<Metric: ResampledMetric>: Codable, Sendable, Hashable {
    public struct Slice: Codable, Sendable, Hashable {
        public let value: String
        public let rows: Int
        /// Positive rows (0 for regression, which has no classes).
        public let positives: Int
        /// Nil when the slice is not applicable.
        public let test: MarginTest?
        /// Two-sided percentile interval of candidate − baseline on the slice (nil when not applicable).
        public let difference: ConfidenceInterval?
    }
    public let metric: Metric
    public let slices: [Slice]
    /// True when at least one slice is applicable and every applicable slice rejects H₀.
    public let holds: Bool

    /// Paired bootstrap per slice of `metric(candidate) − metric(baseline)` on rows grouped by
    /// `sliceValues`; each slice uses `plan` with its own stream (seed + slice index).
    public init(_ metric: Metric, baseline: Metric.Rows, candidate: Metric.Rows, sliceValues: [String],
                margin: Double, alpha: Double = 0.05, minimumRows: Int, minimumPositives: Int,
                plan: BootstrapPlan = BootstrapPlan(bca: false)) throws(EvaluationError) {
        try baseline.requireSameRows(as: candidate)
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
            let positives = baseline.positives(in: rows)
            var test: MarginTest?
            var interval: ConfidenceInterval?
            let classesApplicable = positives.map { $0 >= minimumPositives && $0 < rows.count } ?? true
            if rows.count >= minimumRows && classesApplicable {
                var slicePlan = plan
                slicePlan.seed = plan.seed &+ UInt64(index)
                let difference = try Bootstrap.difference(metric, baseline: try baseline.subset(rows), candidate: try candidate.subset(rows),
                                                          plan: slicePlan)
                test = MarginTest(hypothesis: .nonInferiority, margin: margin, alpha: alpha, difference: difference,
                                  higherIsBetter: metric.higherIsBetter)
                interval = difference.percentile
            }
            slices.append(Slice(value: value, rows: rows.count, positives: positives ?? 0, test: test, difference: interval))
        }
        self.metric = metric
        self.slices = slices
        let applicable = slices.compactMap(\.test)
        holds = !applicable.isEmpty && applicable.allSatisfy(\.rejected)
    }
}

extension SliceNonInferiority where Metric == BinaryMetric {
    /// The binary test on unranked predictions (ranked here once per slice).
    public init(_ metric: BinaryMetric, baseline: BinaryPredictions, candidate: BinaryPredictions, sliceValues: [String],
                margin: Double, alpha: Double = 0.05, minimumRows: Int, minimumPositives: Int,
                plan: BootstrapPlan = BootstrapPlan(bca: false)) throws(EvaluationError) {
        try self.init(metric, baseline: RankedPredictions(baseline, threads: .one), candidate: RankedPredictions(candidate, threads: .one),
                      sliceValues: sliceValues, margin: margin, alpha: alpha, minimumRows: minimumRows,
                      minimumPositives: minimumPositives, plan: plan)
    }
}
