import Evaluation

/// A metric's value on the candidate artifact with its bootstrap interval.
public struct MetricEstimate: Codable, Sendable, Equatable {
    /// Per-seed values and the two-level bootstrap over seeds and rows (several seeds only).
    public struct SeedSpread: Codable, Sendable, Equatable {
        /// The metric of each seed's model at its own operating point, in seed order.
        public let values: [Double]
        /// The mean of `values`.
        public let mean: Double
        /// Percentile interval of the mean from the two-level bootstrap.
        public let interval: ConfidenceInterval
    }
    public let metric: SuiteMetric
    public let value: Double
    public let warnings: [MetricWarning]
    /// Percentile interval from the (clustered) bootstrap of the artifact's rows; nil for a
    /// measured value (latency) or when too few resamples were defined.
    public let interval: ConfidenceInterval?
    public let standardError: Double?
    public let seeds: SeedSpread?
}

/// A guardrail's absolute bounds on the candidate and its per-slice values (with the groups
/// behind a gap guardrail and the counts behind an interval coverage).
public struct GuardrailReport: Codable, Sendable, Equatable {
    /// The metric per value of one slice column (slices under the guardrail's minimum size get no value).
    public struct SliceColumn: Codable, Sendable, Equatable {
        public let column: String
        public let slices: [SliceResult]
    }
    public let guardrail: Suite.Guardrail
    /// Nil for latency when the caller measured none.
    public let estimate: MetricEstimate?
    /// Whether the value respects `max`/`min` — and for `interval_coverage` whether its interval
    /// (Wilson, or cluster-robust over entities) holds the nominal level (nil when the guardrail
    /// has no bound or no value).
    public let withinBounds: Bool?
    public let slices: [SliceColumn]
    /// The metric per group and the gap with its interval (a `groups` guardrail), else nil.
    public var groups: GroupGap? = nil
    /// Covered rows, crossed quantiles and the coverage interval (`interval_coverage`), else nil.
    public var coverage: IntervalCoverage? = nil
}

/// A point of a plotted curve.
public struct CurvePoint: Codable, Sendable, Equatable {
    public let x: Double
    public let y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// The artifact's ROC curve (false positive rate, true positive rate) and precision–recall
/// curve (recall, precision), each thinned to at most `SuiteReport.curvePoints` points evenly
/// spaced over the distinct thresholds (ends kept), for plots in reviews.
public struct ModelCurves: Codable, Sendable, Equatable {
    public let roc: [CurvePoint]
    public let precisionRecall: [CurvePoint]
}

/// Everything the suite says about one model on its pinned evaluation rows: what `git ml run`
/// stores in the run record and prints as headline metrics.
public struct SuiteReport: Codable, Sendable, Equatable {
    public let suite: String
    /// The evaluation dataset as the suite pins it (`name@vN`).
    public let evaluation: DatasetReference
    public let rows: Int
    public let positives: Int
    public let seeds: Int
    public let artifact: CandidateArtifact
    /// The artifact's operating point, chosen on its validation rows (nil when no metric needs one).
    public let operatingPoint: OperatingPoint?
    public let primary: MetricEstimate
    public let guardrails: [GuardrailReport]
    /// The primary metric per value of each reported slice column.
    public let slices: [GuardrailReport.SliceColumn]
    /// ROC and precision–recall curves of the artifact's scores (nil with a single class).
    public let curves: ModelCurves?
    /// Reliability curve (15 uniform bins, the ECE binning) when every score is a probability.
    public let reliability: ReliabilityCurve?
    /// Predicted-vs-actual density and residuals by prediction decile (regression suites only).
    public let regression: RegressionDiagnostics?
    /// Confusion matrix, per-class recall and top-label reliability (multiclass suites only).
    public let multiclass: MulticlassDiagnostics?
    public let plan: BootstrapPlan

    /// "800 rows, 240 positives" (binary), "800 rows" (regression) or "800 rows, 3 classes"
    /// (multiclass), for reviews.
    public var rowCounts: String {
        if let multiclass { return "\(rows) rows, \(multiclass.classes.count) classes" }
        return regression == nil ? "\(rows) rows, \(positives) positives" : "\(rows) rows"
    }

    /// The most points kept per plotted curve.
    public static let curvePoints = 200
}
