import Evaluation
import Records

/// The gate's judgement of one suite's candidate: five rows, each pass / fail / not applicable
/// with one line of evidence, and the decision. `json` is the canonical record; `digest` its id.
public struct Verdict: Codable, Sendable, Equatable {
    public static let formatVersion = 1

    public enum Outcome: String, Codable, Sendable, CaseIterable {
        case pass, fail
        case notApplicable = "not_applicable"
    }

    public enum Decision: String, Codable, Sendable, CaseIterable {
        case promote, shadow, reject
    }

    public enum RowName: String, Codable, Sendable, CaseIterable {
        case dataset, benchmark, cost, reproducibility, deployment
    }

    public struct Row: Codable, Sendable, Equatable {
        public let name: RowName
        public let outcome: Outcome
        /// One line that says why.
        public let evidence: String
    }

    /// The primary metric, candidate against champion on the same rows.
    public struct PrimaryComparison: Codable, Sendable, Equatable {
        public let metric: SuiteMetric
        public let direction: Suite.Direction
        /// The artifacts' values (ensemble or chosen seed) at their own operating points.
        public let candidate: Double
        public let champion: Double
        /// Estimate of candidate − champion (for several seeds: difference of the seed means).
        public let difference: Double
        /// Two-sided percentile interval of candidate − champion at the policy's confidence.
        public let interval: ConfidenceInterval
        /// One-sided lower confidence bound of the improvement (difference oriented so that
        /// positive is better), in metric units; compared with `minEffect`.
        public let lowerBound: Double
        public let minEffect: Double
        public let confidence: Double
        /// How the bound was computed: "paired bootstrap", "two-level bootstrap", "DeLong".
        public let method: String
        /// The bootstrap design (nil for DeLong).
        public let design: ResamplingDesign?
        /// DeLong's two-sided p-value for the AUCs (roc_auc, one seed each).
        public let delongPValue: Double?
        /// McNemar's exact two-sided p-value of the decisions (binary threshold metrics: at each
        /// model's threshold; multiclass: right or wrong under the suite's decision rule).
        public let mcnemarPValue: Double?
        /// The paired t-test's two-sided p-value on per-row squared errors (regression, one
        /// seed each): a parametric cross-check of the bootstrap, which decides.
        public var tTestPValue: Double? = nil
        /// The same on per-row absolute errors (regression).
        public var tTestAbsolutePValue: Double? = nil
        /// The Stuart–Maxwell test's p-value of marginal homogeneity of the two models' decided
        /// classes (multiclass; nil where undefined, e.g. identical decisions).
        public var stuartMaxwellPValue: Double? = nil
        /// DeLong's two-sided p-value of each declared class's one-vs-rest AUC, in class order
        /// (multiclass; nil for a class with no rows or all rows, or identical scores).
        public var oneVsRestDeLongPValues: [Double?]? = nil

        /// The improvement estimate, positive when the candidate is better.
        public var improvement: Double { direction == .maximize ? difference : -difference }

        /// The cross-checks reported beside the deciding method, in words (`McNemar p = 0.012`);
        /// `classes` names the one-vs-rest DeLong tests.
        public func crossChecks(classes: [String]?) -> [String] {
            var checks = [delongPValue.map { "DeLong p = \(Gate.number($0))" }, mcnemarPValue.map { "McNemar p = \(Gate.number($0))" },
                          stuartMaxwellPValue.map { "Stuart–Maxwell p = \(Gate.number($0))" },
                          tTestPValue.map { "paired t-test on squared errors p = \(Gate.number($0))" },
                          tTestAbsolutePValue.map { "paired t-test on absolute errors p = \(Gate.number($0))" }].compactMap { $0 }
            if let values = oneVsRestDeLongPValues {
                let named = zip(classes ?? values.indices.map(String.init), values).compactMap { name, p in p.map { "\(name) \(Gate.number($0))" } }
                if !named.isEmpty { checks.append("one-vs-rest DeLong p: " + named.joined(separator: ", ")) }
            }
            return checks
        }
    }

    /// What one slice's non-inferiority test found, in the words the gate uses.
    public enum SliceFinding: String, Codable, Sendable, CaseIterable {
        /// The test rejected "worse by more than the margin": the slice passes.
        case nonInferior = "non_inferior"
        /// The estimate is within the margin but its interval is too wide to prove it: the slice
        /// fails, and the gate never calls it worse.
        case notShownNonInferior = "not_shown_non_inferior"
        /// The estimate itself is past the margin: the slice fails and is called worse.
        case worse
        /// Under the guardrail's minimum rows or positives, or with one class only: not tested.
        case notApplicable = "not_applicable"
    }

    /// One slice of a slice guardrail's intersection–union test.
    public struct SliceCheck: Codable, Sendable, Equatable {
        public let column: String
        /// The slice's value in `column` (a plain value, never `column=value`).
        public let value: String
        public let rows: Int
        public let positives: Int
        /// candidate − champion on the slice, with its two-sided interval (nil: not applicable).
        public let difference: Double?
        public let interval: ConfidenceInterval?
        /// One-sided p-value of "worse by more than the margin".
        public let pValue: Double?
        public let outcome: Outcome
        /// Why the outcome: `worse` only when the estimate is past the margin.
        public let finding: SliceFinding
    }

    /// One guardrail's checks.
    public struct GuardrailCheck: Codable, Sendable, Equatable {
        public let guardrail: Suite.Guardrail
        public let candidate: Double?
        public let champion: Double?
        public let outcome: Outcome
        public let evidence: String
        public let slices: [SliceCheck]
    }

    public let suite: String
    public let candidate: String
    public let champion: String?
    public let evaluationDigest: String
    public let candidateReport: SuiteReport
    public let championReport: SuiteReport?
    /// Nil without a champion or when the comparison is invalid (different evaluation data).
    public let primary: PrimaryComparison?
    public let guardrails: [GuardrailCheck]
    public let evaluationsSpent: Int
    /// One line per model (candidate, champion) whose several seeds gave identical predictions:
    /// its seed variance was not measured, and the comparison treats it as one seed.
    public let seedVarianceNotMeasured: [String]
    /// More evaluations than the policy allows were spent on the evaluation version.
    public let adaptiveOverfittingWarning: Bool
    /// USD per unit of primary-metric improvement; nil unless the improvement is positive.
    public let costPerUnitOfImprovement: Double?
    public let rows: [Row]
    public let decision: Decision

    /// The row named `name`.
    public func row(_ name: RowName) -> Row? { rows.first { $0.name == name } }

    /// The canonical record: the verdict's fields in snake_case and `format_version`.
    public var json: JSONValue {
        // Every member is a plain Codable value, so encoding cannot fail.
        guard case .object(var members) = try! JSONValueEncoder().encode(self) else { return .null }
        members["format_version"] = .number(Double(Self.formatVersion))
        return .object(members)
    }

    /// `sha256:<hex>` of the canonical JSON: the verdict's id.
    public var digest: String { CanonicalJSON.digest(json) }
}
