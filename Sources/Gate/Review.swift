import Evaluation
import Foundation

/// One point of the primary metric over a branch's history, for the HTML report.
public struct HistoryPoint: Codable, Sendable, Equatable {
    /// What the point is (a commit, run id or date).
    public let label: String
    public let value: Double

    public init(label: String, value: Double) {
        self.label = label
        self.value = value
    }
}

/// Renders a verdict for people: a terminal table, a pull-request comment in Markdown, and a
/// self-contained HTML report with inline SVG plots. Pure functions of their inputs.
public enum Review {
    /// A plain-text table: the decision, then one line per row (outcome and evidence).
    public static func text(_ verdict: Verdict) -> String {
        var lines = ["suite \(verdict.suite): candidate \(verdict.candidate) vs \(verdict.champion.map { "champion \($0)" } ?? "no champion") → \(verdict.decision.rawValue.uppercased())"]
        let width = Verdict.RowName.allCases.map(\.rawValue.count).max()! + 2
        lines.append(pad("ROW", width) + pad("RESULT", 8) + "EVIDENCE")
        for row in verdict.rows {
            lines.append(pad(row.name.rawValue, width) + pad(outcomeWord(row.outcome), 8) + row.evidence)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The pull-request comment: decision, a policy-change warning when `policyChanges` (paths of
    /// gate, suite or contract files the pull request changes) is not empty, the gate table,
    /// metric deltas with intervals (multiclass: and recall per class), slice regressions, calibration, data changes (one line each,
    /// e.g. from the dataset diff; the section is left out when empty), the sweep the candidate came from (when `sweep` is
    /// given: its jobs, best so far and cost per improvement over the champion), cost and reproduction.
    public static func markdown(_ verdict: Verdict, policyChanges: [String] = [], dataChanges: [String] = [],
                                sweep: SweepSection? = nil) -> String {
        var out = "## GitML gate — `\(verdict.suite)`: **\(verdict.decision.rawValue)**\n\n"
        if !policyChanges.isEmpty {
            out += "> **Policy change:** this pull request changes \(policyChanges.map { "`\($0)`" }.joined(separator: ", ")). "
            out += "It was judged by the base branch's policy; the change needs its own review.\n\n"
        }
        out += "Candidate `\(verdict.candidate)` vs \(verdict.champion.map { "champion `\($0)`" } ?? "no champion (first model)") "
        out += "on `\(verdict.candidateReport.evaluation)` (`\(Gate.short(verdict.evaluationDigest))…`), "
        out += "\(verdict.candidateReport.rowCounts).\n\n"
        out += "| Row | Result | Evidence |\n|---|---|---|\n"
        for row in verdict.rows {
            out += "| \(row.name.rawValue.capitalized) | \(outcomeMark(row.outcome)) | \(cell(row.evidence)) |\n"
        }
        out += "\n### Metrics\n\n" + metricTable(verdict) + classRecall(verdict)
        let details = guardrailDetails(verdict)
        if !details.isEmpty {
            out += "\n### Group gaps and interval coverage\n\n| " + guardrailDetailHeader.joined(separator: " | ") + " |\n|"
                + String(repeating: "---|", count: guardrailDetailHeader.count) + "\n"
                + details.map { "| " + $0.map(cell).joined(separator: " | ") + " |\n" }.joined()
        }
        out += "\n### Slice regressions\n\n" + sliceRegressions(verdict)
        out += "\n### Calibration\n\n" + calibration(verdict)
        if !dataChanges.isEmpty {
            out += "\n### Data changes\n\n" + dataChanges.map { "- \($0)\n" }.joined()
        }
        if let sweep { out += sweepMarkdown(sweep, champion: verdict.championReport?.primary.value) }
        out += "\n### Cost\n\n" + (verdict.row(.cost)?.evidence ?? "") + "\n"
        out += "\n### Reproduction\n\n" + (verdict.row(.reproducibility)?.evidence ?? "") + "\n"
        out += "\n<sub>Verdict `\(verdict.digest)`</sub>\n"
        return out
    }

    private static func metricTable(_ verdict: Verdict) -> String {
        let confidence = percent(verdict.candidateReport.plan.confidence)
        var out = "| Metric | Candidate | Champion | Δ (candidate − champion) | \(confidence) interval of Δ | Test |\n|---|---|---|---|---|---|\n"
        let primary = verdict.candidateReport.primary
        let championPrimary = verdict.championReport?.primary
        if let comparison = verdict.primary {
            let test = (["\(comparison.method); lower bound of improvement \(Gate.signed(comparison.lowerBound)) vs min_effect \(Gate.number(comparison.minEffect))"]
                + comparison.crossChecks(classes: verdict.candidateReport.multiclass?.classes)).joined(separator: "; ")
            out += "| **\(comparison.metric)** (primary) | \(estimate(primary)) | \(championPrimary.map(estimate) ?? "—") | \(Gate.signed(comparison.difference)) | \(interval(comparison.interval)) | \(cell(test)) |\n"
        } else {
            out += "| **\(primary.metric)** (primary) | \(estimate(primary)) | \(championPrimary.map(estimate) ?? "—") | — | — | — |\n"
        }
        for (index, check) in verdict.guardrails.enumerated() {
            let candidate = verdict.candidateReport.guardrails[index].estimate
            let champion = verdict.championReport?.guardrails[index].estimate
            let delta = zip2(check.candidate, check.champion).map { Gate.signed($0 - $1) } ?? "—"
            out += "| \(check.guardrail.metric) (guardrail) | \(candidate.map(estimate) ?? "not measured") | \(champion.map(estimate) ?? "—") | \(delta) | — | \(outcomeMark(check.outcome)) \(cell(check.evidence)) |\n"
        }
        return out
    }

    /// Slices that fail or are estimated worse than the champion, each with its finding ("worse"
    /// only past the margin, else "not shown non-inferior"), then the untested slices with counts.
    private static func sliceRegressions(_ verdict: Verdict) -> String {
        let regressions = verdict.guardrails.flatMap { check in
            check.slices.filter { $0.outcome == .fail || ($0.difference ?? 0) * (check.guardrail.metric.higherIsBetter ? 1 : -1) < 0 }
                .map { (check.guardrail, $0) }
        }
        let skipped = verdict.guardrails.flatMap { check in check.slices.filter { $0.finding == .notApplicable }.map { (check.guardrail, $0) } }
        var out: String
        if regressions.isEmpty {
            let tested = verdict.guardrails.contains { !$0.slices.isEmpty }
            out = tested ? "No slice is worse than the champion.\n" : "No slice guardrails were tested.\n"
        } else {
            out = "| Guardrail | Slice | Rows | Positives | Δ | Interval of Δ | p (non-inferiority) | Finding |\n|---|---|---|---|---|---|---|---|\n"
            for (guardrail, slice) in regressions {
                out += "| \(guardrail.metric) (margin \(Gate.number(guardrail.nonInferiorityMargin ?? 0))) | \(cell(slice.column))=\(cell(slice.value)) | \(slice.rows) | \(slice.positives) | \(slice.difference.map(Gate.signed) ?? "—") | \(slice.interval.map(interval) ?? "—") | \(slice.pValue.map(Gate.number) ?? "—") | \(outcomeMark(slice.outcome)): \(findingWords(slice.finding)) |\n"
            }
        }
        if !skipped.isEmpty {
            out += "\nNot applicable (under the guardrail's minimum rows or positives, or one class): "
                + skipped.map { "\($0.0.metric) \(cell($0.1.column))=\(cell($0.1.value)) (n = \($0.1.rows), \($0.1.positives) positives, minimum \($0.0.minimumSliceRows) rows and \($0.0.minimumSlicePositives) positives)" }
                    .joined(separator: "; ") + ".\n"
        }
        return out
    }

    /// A slice finding in words: "worse" only when the estimate is past the margin.
    /// The columns of `guardrailDetails`.
    static let guardrailDetailHeader = ["Guardrail", "Group", "Rows", "Value", "Interval"]

    /// What stands behind the candidate's gap and coverage guardrails, one table row each: every
    /// group of a gap guardrail with its value and interval (then the gap), and the covered and
    /// total rows of interval coverage with its Wilson interval. Empty when the suite has neither.
    static func guardrailDetails(_ verdict: Verdict) -> [[String]] {
        verdict.candidateReport.guardrails.flatMap { report -> [[String]] in
            let name = report.guardrail.metric.description
            if let gap = report.groups {
                return gap.groups.map { [name, $0.value, "\($0.rows)", $0.metric.map { Gate.number($0.value) } ?? "too few rows", $0.interval.map(interval) ?? "—"] }
                    + [[name, "gap (max − min)", "", gap.gap.map(Gate.number) ?? "—", gap.interval.map(interval) ?? "—"]]
            }
            if let coverage = report.coverage {
                let crossed = coverage.crossed > 0 ? "; \(coverage.crossed) crossed" : ""
                return [[name, "all rows", "\(coverage.rows)",
                         "\(coverage.covered) of \(coverage.rows) covered (\(Gate.number(coverage.coverage))), nominal \(Gate.number(coverage.nominal))\(crossed)",
                         interval(coverage.interval)]]
            }
            return []
        }
    }

    static func findingWords(_ finding: Verdict.SliceFinding) -> String {
        switch finding {
        case .nonInferior: return "non-inferior"
        case .notShownNonInferior: return "not shown non-inferior (estimate within the margin, interval too wide)"
        case .worse: return "worse (estimate past the margin)"
        case .notApplicable: return "not applicable"
        }
    }

    /// The expected calibration error of both models: of the positive class's probability
    /// (binary), or of the top label (multiclass).
    private static func calibration(_ verdict: Verdict) -> String {
        let multiclass = verdict.candidateReport.multiclass != nil
        func curve(_ report: SuiteReport?) -> ReliabilityCurve? { multiclass ? report?.multiclass?.topLabelReliability : report?.reliability }
        guard let candidate = curve(verdict.candidateReport) else { return "Scores are not probabilities: no calibration.\n" }
        var out = "\(multiclass ? "Top-label expected" : "Expected") calibration error (15 uniform bins): candidate \(Gate.number(candidate.expectedCalibrationError))"
        if let champion = curve(verdict.championReport) {
            out += ", champion \(Gate.number(champion.expectedCalibrationError))"
        }
        return out + ".\n"
    }

    /// Multiclass: each declared class's rows and both models' recall with its interval.
    private static func classRecall(_ verdict: Verdict) -> String {
        guard let candidate = verdict.candidateReport.multiclass else { return "" }
        let champion = verdict.championReport?.multiclass
        var out = "\n### Recall per class\n\n| Class | Rows | Candidate | Champion |\n|---|---|---|---|\n"
        func recall(_ value: MulticlassDiagnostics.ClassRecall?) -> String {
            guard let value, let recall = value.recall else { return "—" }
            return Gate.number(recall) + (value.interval.map { " " + interval($0) } ?? "")
        }
        for (index, name) in candidate.classes.enumerated() {
            out += "| \(cell(name)) | \(candidate.recall[index].support) | \(recall(candidate.recall[index])) | \(recall(champion?.recall[index])) |\n"
        }
        let method = candidate.entities.map { "cluster-robust over \($0) entities" } ?? "Wilson score, rows counted"
        return out + "\nIntervals: \(percent(verdict.candidateReport.plan.confidence)), \(method).\n"
    }

    static func estimate(_ value: MetricEstimate) -> String {
        Gate.number(value.value) + (value.interval.map { " " + interval($0) } ?? "")
    }

    static func interval(_ value: ConfidenceInterval) -> String { "[\(Gate.number(value.lower)), \(Gate.number(value.upper))]" }

    static func outcomeWord(_ outcome: Verdict.Outcome) -> String {
        switch outcome {
        case .pass: return "pass"
        case .fail: return "FAIL"
        case .notApplicable: return "n/a"
        }
    }

    static func outcomeMark(_ outcome: Verdict.Outcome) -> String {
        switch outcome {
        case .pass: return "✅ pass"
        case .fail: return "❌ fail"
        case .notApplicable: return "➖ n/a"
        }
    }

    static func percent(_ value: Double) -> String { Gate.percent(value) }

    private static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private static func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
        guard let a, let b else { return nil }
        return (a, b)
    }
}
