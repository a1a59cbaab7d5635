import Evaluation

/// Two runs of a suite compared on the same evaluation rows, without a policy: what
/// `git ml diff` shows. Runs evaluated on different data are an invalid comparison (no numbers).
public struct SuiteDiff: Codable, Sendable, Equatable {
    /// A guardrail metric of both runs and the paired bootstrap of their difference.
    public struct MetricDifference: Codable, Sendable, Equatable {
        public let metric: SuiteMetric
        public let baseline: Double
        public let candidate: Double
        /// candidate − baseline.
        public let difference: Double
        /// Two-sided percentile interval of the difference at the suite's confidence.
        public let interval: ConfidenceInterval
        /// Whether the interval excludes 0.
        public let significant: Bool
    }

    public let suite: String
    public let baseline: String
    public let candidate: String
    /// Why the runs cannot be compared (different evaluation digests); nil when they can.
    public let invalidComparison: String?
    /// The primary metric; its lower bound is one-sided at the suite's confidence, min_effect 0.
    public let primary: Verdict.PrimaryComparison?
    /// Each guardrail metric computed from predictions (latency is measured, not compared).
    public let guardrails: [MetricDifference]
    /// The declared classes of a multiclass suite (nil for other tasks).
    public var classes: [String]? = nil
    /// Multiclass suites: the recall of each declared class, then the precision of each, with
    /// the paired bootstrap of candidate − baseline (empty for other tasks).
    public var perClass: [MetricDifference] = []

    /// Compares `candidate` with `baseline` by the suite's definitions (rows matched by id,
    /// bootstrap clustered on the entity, two-level with several seeds, DeLong for roc_auc).
    public static func compare(suite: Suite, baseline: GateEvidence.Model, candidate: GateEvidence.Model)
        throws(GateEvaluationError) -> SuiteDiff {
        guard baseline.evaluationDigest == candidate.evaluationDigest else {
            return SuiteDiff(suite: suite.name, baseline: baseline.runID, candidate: candidate.runID,
                             invalidComparison: "evaluated on different data: \(Gate.short(baseline.evaluationDigest)) vs \(Gate.short(candidate.evaluationDigest))",
                             primary: nil, guardrails: [])
        }
        let candidateModel = try SeededModel("candidate", suite: suite, evaluation: candidate.evaluation, validation: candidate.validation,
                                             artifact: candidate.artifact,
                                             requiredColumns: suite.entity.map { [$0] } ?? [])
        let comparison = try Comparison(suite: suite, candidate: candidateModel, champion: baseline)
        let primary = try comparison.primary(minEffect: 0, confidence: suite.significance.confidence)
        var guardrails = [MetricDifference]()
        for (index, guardrail) in suite.guardrails.enumerated() {
            if let difference = try MetricDifference(guardrail.metric, comparison: comparison, seedOffset: UInt64(index + 1)) {
                guardrails.append(difference)
            }
        }
        var diff = SuiteDiff(suite: suite.name, baseline: baseline.runID, candidate: candidate.runID, invalidComparison: nil,
                             primary: primary, guardrails: guardrails)
        diff.classes = suite.label.classes
        let classes = suite.label.classes ?? []
        // Seeds after the guardrails' (each metric resamples with its own seed).
        var offset = UInt64(suite.guardrails.count + 1)
        for name in [SuiteMetricName.recall, .precision] {
            for (index, className) in classes.enumerated() {
                let metric = SuiteMetric(name: name, className: className, classIndex: index)
                if let difference = try MetricDifference(metric, comparison: comparison, seedOffset: offset) { diff.perClass.append(difference) }
                offset += 1
            }
        }
        return diff
    }
}

extension SuiteDiff.MetricDifference {
    /// The paired bootstrap of `metric` in `comparison` (resampled with the suite's seed plus
    /// `seedOffset`); nil for latency.
    init?(_ metric: SuiteMetric, comparison: Comparison, seedOffset: UInt64) throws(GateEvaluationError) {
        guard let result = try comparison.difference(metric, seedOffset: seedOffset) else { return nil }
        let interval = result.bootstrap.percentile
        self.init(metric: metric, baseline: result.champion, candidate: result.candidate, difference: result.bootstrap.estimate,
                  interval: interval, significant: !interval.contains(0))
    }
}
