import Evaluation
import Foundation

/// The promotion gate: a pure function from policy, suite and evidence to a verdict.
/// How each row decides is defined in docs/STATISTICS.md ("Suites and the gate").
public enum Gate {
    /// Judges `evidence` for `suite` under `policy` (both read from the base branch).
    ///
    /// - Dataset: fails when data is unversioned, a contract (or the contract policy) fails,
    ///   leakage was found, or git contradicts the record's lineage.
    /// - Benchmark: with a champion evaluated on the same data (same digest), the one-sided lower
    ///   bound of the improvement must exceed `min_effect` and every guardrail must hold (bounds,
    ///   non-inferiority overall, intersection–union over slices); different digests fail as an
    ///   invalid comparison. Without a champion (the suite's first model) only the guardrails'
    ///   bounds decide and non-inferiority is not applicable. A model whose seeds gave identical
    ///   predictions is compared as one seed, and the row says seed variance was not measured.
    ///   A slice is called worse only when its estimate is past the margin.
    /// - Cost: fails when the cost could not be priced, over budget (naming the limit broken), or when USD per unit of improvement exceeds the limit (defined
    ///   only when the improvement is positive).
    /// - Reproducibility: fails on dirty or stale code, on a forged attestation (another run's,
    ///   other artifacts), on a reproduction that differs (or exceeds the tolerance), and without
    ///   a trusted (signed by an allowed signer) attestation when one is required; unsigned or
    ///   untrusted attestations are listed as self-reported and never counted, and an `exec` run
    ///   without a trusted one is said to be self-reported.
    /// - Deployment: promote when no other row fails; shadow when the policy allows it and only
    ///   the superiority bound failed while the estimated improvement is positive; else reject.
    public static func evaluate(policy: GatePolicy, suite: Suite, evidence: GateEvidence) throws(GateEvaluationError) -> Verdict {
        let candidate = try SeededModel("candidate", suite: suite, evaluation: evidence.candidate.evaluation,
                                        validation: evidence.candidate.validation,
                                        artifact: evidence.candidate.artifact, requiredColumns: suite.requiredColumns)
        let candidateReport = try SuiteEvaluation.report(suite, model: candidate, artifact: evidence.candidate.artifact,
                                                         latencyP99Microseconds: evidence.candidate.latencyP99Microseconds, intervals: false)
        var championReport: SuiteReport?
        var comparison: Comparison?
        let invalidComparison = evidence.champion.map { $0.evaluationDigest != evidence.candidate.evaluationDigest } ?? false
        if let champion = evidence.champion, !invalidComparison {
            let paired = try Comparison(suite: suite, candidate: candidate, champion: champion)
            championReport = try SuiteEvaluation.report(suite, model: paired.champion, artifact: champion.artifact,
                                                         latencyP99Microseconds: champion.latencyP99Microseconds, intervals: false)
            comparison = paired
        }
        let primary = try comparison?.primary(minEffect: policy.benchmark.minEffect, confidence: policy.benchmark.confidence)
        var guardrails = [Verdict.GuardrailCheck]()
        for (index, guardrail) in suite.guardrails.enumerated() {
            guardrails.append(try check(guardrail, index: index, policy: policy, comparison: comparison,
                                        candidate: candidateReport.guardrails[index], champion: championReport?.guardrails[index]))
        }
        let overLimit = policy.benchmark.maxEvaluations.map { evidence.evaluationsSpent > $0 } ?? false
        let costPerUnit = primary.flatMap { $0.improvement > 0 ? evidence.cost.usd / $0.improvement : nil }
        let seedNotes = [candidate.seedVarianceNote, comparison?.champion.seedVarianceNote].compactMap { $0 }

        var rows = [datasetRow(evidence.dataset),
                    benchmarkRow(primary: primary, guardrails: guardrails, invalid: invalidComparison, evidence: evidence,
                                 overLimit: overLimit, seedNotes: seedNotes, suite: suite),
                    costRow(evidence.cost, perUnit: costPerUnit, limit: policy.cost.maxUSDPerUnit, metric: suite.primary.metric),
                    reproducibilityRow(evidence, policy: policy.reproducibility)]
        let decision = decide(rows: rows, primary: primary, guardrails: guardrails, policy: policy)
        rows.append(deploymentRow(decision, primary: primary, failed: rows.filter { $0.outcome == .fail }.map(\.name)))
        return Verdict(suite: suite.name, candidate: evidence.candidate.runID, champion: evidence.champion?.runID,
                       evaluationDigest: evidence.candidate.evaluationDigest, candidateReport: candidateReport,
                       championReport: championReport, primary: primary, guardrails: guardrails,
                       evaluationsSpent: evidence.evaluationsSpent, seedVarianceNotMeasured: seedNotes, adaptiveOverfittingWarning: overLimit,
                       costPerUnitOfImprovement: costPerUnit, rows: rows, decision: decision)
    }

    /// A guardrail's bounds on the candidate and its non-inferiority against the champion. Every
    /// failing part states the observed value against its limit.
    private static func check(_ guardrail: Suite.Guardrail, index: Int, policy: GatePolicy, comparison: Comparison?,
                              candidate: GuardrailReport, champion: GuardrailReport?) throws(GateEvaluationError) -> Verdict.GuardrailCheck {
        var parts = [(Verdict.Outcome, String)]()
        let name = guardrail.metric.description
        let value = candidate.estimate?.value
        let nominal = guardrail.metric.nominalCoverage
        if guardrail.maximum != nil || guardrail.minimum != nil || nominal != nil {
            if let value {
                if guardrail.maximum != nil || guardrail.minimum != nil { parts.append(bounds(guardrail, value: value)) }
                if let coverage = candidate.coverage { parts.append(nominalCoverage(name, coverage)) }
            } else {
                let limits = [guardrail.maximum.map { "max \(number($0))" }, guardrail.minimum.map { "min \(number($0))" },
                              nominal.map { "nominal \(number($0))" }]
                    .compactMap { $0 }.joined(separator: " and ")
                parts.append(policy.guardrails.missingValueFails
                    ? (.fail, "\(name) not measured, limit \(limits) (guardrails.missing_value: fail)")
                    : (.notApplicable, "\(name) not measured, limit \(limits) (guardrails.missing_value: not_applicable)"))
            }
        }
        var slices = [Verdict.SliceCheck]()
        if let margin = guardrail.nonInferiorityMargin {
            if let comparison {
                let alpha = 1 - policy.guardrails.confidence
                let result = try comparison.nonInferiority(guardrail, margin: margin, alpha: alpha, seedOffset: UInt64(index + 1))
                slices = result.slices
                if let overall = result.overall {
                    parts.append(overallNonInferiority(name, overall))
                } else if guardrail.slices.isEmpty {
                    // The parser admits margins only on metrics computed from predictions; fail closed regardless.
                    parts.append((.fail, "\(name) non-inferiority cannot be computed from predictions"))
                } else {
                    parts.append(sliceNonInferiority(guardrail, margin: margin, slices: slices))
                }
            } else {
                parts.append((.notApplicable, "\(name) non-inferiority: no champion on the same data"))
            }
        }
        let outcome: Verdict.Outcome = parts.contains { $0.0 == .fail } ? .fail : parts.contains { $0.0 == .pass } ? .pass : .notApplicable
        return Verdict.GuardrailCheck(guardrail: guardrail, candidate: value, champion: champion?.estimate?.value, outcome: outcome,
                                      evidence: parts.map(\.1).joined(separator: "; "), slices: slices)
    }

    /// `ece 0.041 > max 0.03` (each bound broken), else `ece 0.021 ≤ max 0.03`.
    private static func bounds(_ guardrail: Suite.Guardrail, value: Double) -> (Verdict.Outcome, String) {
        let name = guardrail.metric.description
        var broken = [String](), held = [String]()
        if let maximum = guardrail.maximum {
            value <= maximum ? held.append("≤ max \(number(maximum))") : broken.append("> max \(number(maximum))")
        }
        if let minimum = guardrail.minimum {
            value >= minimum ? held.append("≥ min \(number(minimum))") : broken.append("< min \(number(minimum))")
        }
        return broken.isEmpty ? (.pass, "\(name) \(number(value)) \(held.joined(separator: " and "))")
            : (.fail, "\(name) \(number(value)) \(broken.joined(separator: " and "))")
    }

    /// Prediction-interval coverage against its nominal level: fails when its interval (Wilson,
    /// or cluster-robust over entities) excludes it (`interval_coverage(0.05–0.95) 0.81 [0.77, 0.85] < nominal 0.9: intervals too narrow`).
    private static func nominalCoverage(_ name: String, _ coverage: IntervalCoverage) -> (Verdict.Outcome, String) {
        let entities = coverage.entities.map { ", \($0) entities" } ?? ""
        let observed = "\(name) \(number(coverage.coverage)) \(Review.interval(coverage.interval)) of \(coverage.rows) rows\(entities)"
        let crossed = coverage.crossed > 0 ? " (\(coverage.crossed) rows with crossed quantiles)" : ""
        if coverage.interval.upper < coverage.nominal {
            return (.fail, "\(observed) < nominal \(number(coverage.nominal)): intervals too narrow\(crossed)")
        }
        if coverage.interval.lower > coverage.nominal {
            return (.fail, "\(observed) > nominal \(number(coverage.nominal)): intervals too wide\(crossed)")
        }
        return (.pass, "\(observed) holds nominal \(number(coverage.nominal))\(crossed)")
    }

    /// Overall non-inferiority: "worse" only when the estimate itself is past the margin.
    private static func overallNonInferiority(_ name: String, _ test: MarginTest) -> (Verdict.Outcome, String) {
        let estimate = "improvement \(signed(test.improvement))", bound = signed(-test.margin)
        if test.rejected {
            return (.pass, "\(name) non-inferior: \(estimate) > −margin \(bound), p = \(number(test.pValue)) ≤ α \(number(test.alpha))")
        }
        if test.improvement < -test.margin {
            return (.fail, "\(name) worse: \(estimate) < −margin \(bound) (p = \(number(test.pValue)) > α \(number(test.alpha)))")
        }
        return (.fail, "\(name) not shown non-inferior: \(estimate) ≥ −margin \(bound), but p = \(number(test.pValue)) > α \(number(test.alpha))")
    }

    /// The intersection–union result in words: slices whose estimate is past the margin are
    /// "worse", failing slices within it "not shown non-inferior" (with n, positives and the
    /// interval), and untested slices "not applicable" with their counts.
    private static func sliceNonInferiority(_ guardrail: Suite.Guardrail, margin: Double, slices: [Verdict.SliceCheck]) -> (Verdict.Outcome, String) {
        let name = guardrail.metric.description
        let applicable = slices.filter { $0.finding != .notApplicable }
        let worse = slices.filter { $0.finding == .worse }, unshown = slices.filter { $0.finding == .notShownNonInferior }
        let limit = "\(guardrail.metric.higherIsBetter ? "−" : "+")\(number(margin))"
        func tested(_ slice: Verdict.SliceCheck) -> String {
            let higher = guardrail.metric.higherIsBetter, interval = slice.interval.map(Review.interval) ?? "—"
            let estimate = slice.finding == .worse ? "\(higher ? "<" : ">") \(limit), interval \(interval)"
                : "\(higher ? "≥" : "≤") \(limit) but interval \(interval) reaches past it"
            return "\(slice.column)=\(slice.value): Δ \(signed(slice.difference ?? .nan)) \(estimate), n = \(slice.rows), \(slice.positives) positives"
        }
        var text: String, outcome: Verdict.Outcome
        if applicable.isEmpty {
            (outcome, text) = (.notApplicable, "\(name): no slice of \(guardrail.slices.joined(separator: ", ")) is large enough to test")
        } else if worse.isEmpty && unshown.isEmpty {
            (outcome, text) = (.pass, "\(name) non-inferior on \(applicable.count) of \(applicable.count) applicable slices (margin \(number(margin)))")
        } else {
            var clauses = [String]()
            if !worse.isEmpty { clauses.append("worse on \(worse.count) of \(applicable.count) applicable slices (\(listed(worse, tested)))") }
            if !unshown.isEmpty {
                clauses.append("not shown non-inferior on \(unshown.count) of \(applicable.count) applicable slices (\(listed(unshown, tested)))")
            }
            (outcome, text) = (.fail, "\(name) \(clauses.joined(separator: "; ")) (margin \(number(margin)))")
        }
        let skipped = slices.filter { $0.finding == .notApplicable }
        if !skipped.isEmpty {
            text += "; not applicable (under n ≥ \(guardrail.minimumSliceRows) and ≥ \(guardrail.minimumSlicePositives) positives, or one class): "
                + listed(skipped) { "\($0.column)=\($0.value) (n = \($0.rows), \($0.positives) positives)" }
        }
        return (outcome, text)
    }

    /// The first five slices described, then how many more.
    private static func listed(_ slices: [Verdict.SliceCheck], _ describe: (Verdict.SliceCheck) -> String) -> String {
        slices.prefix(5).map(describe).joined(separator: "; ") + (slices.count > 5 ? "; +\(slices.count - 5) more" : "")
    }

    private static func datasetRow(_ checks: GateEvidence.DatasetChecks) -> Verdict.Row {
        var problems = [String]()
        if !checks.versioned { problems.append("training or evaluation data is not versioned") }
        problems += checks.contractFailures.map { "contract: \($0)" }
        problems += checks.leakageFindings.map { "leakage: \($0)" }
        problems += checks.lineageFailures.map { "lineage: \($0)" }
        guard let first = problems.first else {
            return Verdict.Row(name: .dataset, outcome: .pass, evidence: "data versioned, contracts pass, no leakage found, lineage holds")
        }
        let more = problems.count > 1 ? " (+\(problems.count - 1) more)" : ""
        return Verdict.Row(name: .dataset, outcome: .fail, evidence: first + more)
    }

    private static func benchmarkRow(primary: Verdict.PrimaryComparison?, guardrails: [Verdict.GuardrailCheck], invalid: Bool,
                                     evidence: GateEvidence, overLimit: Bool, seedNotes: [String], suite: Suite) -> Verdict.Row {
        let spent = "\(evidence.evaluationsSpent) earlier evaluations of \(suite.evaluation)\(overLimit ? " — past the policy limit: risk of adaptive overfitting, refresh the evaluation data" : "")"
            + seedNotes.map { "; \($0) (compared as one seed)" }.joined()
        if invalid, let champion = evidence.champion {
            return Verdict.Row(name: .benchmark, outcome: .fail,
                               evidence: "invalid comparison: candidate evaluated on \(short(evidence.candidate.evaluationDigest)), champion on \(short(champion.evaluationDigest))")
        }
        let failedGuardrails = guardrails.filter { $0.outcome == .fail }
        let guardrailText = guardrails.isEmpty ? "no guardrails"
            : failedGuardrails.isEmpty ? "guardrails hold (\(guardrails.filter { $0.outcome == .pass }.count) of \(guardrails.count) applicable)"
            : "\(failedGuardrails.count == 1 ? "guardrail" : "\(failedGuardrails.count) guardrails") failed: \(failedGuardrails.map(\.evidence).joined(separator: "; "))"
        guard let primary else {
            return Verdict.Row(name: .benchmark, outcome: failedGuardrails.isEmpty ? .pass : .fail,
                               evidence: "no champion: first model of the suite, judged on guardrails only; \(guardrailText); \(spent)")
        }
        let superior = primary.lowerBound > primary.minEffect
        let comparisonText = "\(primary.metric) \(number(primary.candidate)) vs \(number(primary.champion)), improvement \(signed(primary.improvement)), lower bound \(signed(primary.lowerBound)) \(superior ? ">" : "≤") min_effect \(number(primary.minEffect)) (\(primary.method), \(percent(primary.confidence)) one-sided)"
        return Verdict.Row(name: .benchmark, outcome: superior && failedGuardrails.isEmpty ? .pass : .fail,
                           evidence: "\(comparisonText); \(guardrailText); \(spent)")
    }

    private static func costRow(_ cost: GateEvidence.Cost, perUnit: Double?, limit: Double?, metric: SuiteMetric) -> Verdict.Row {
        if let unpriced = cost.unpriced {
            return Verdict.Row(name: .cost, outcome: .fail, evidence: "the run's cost cannot be priced: \(unpriced)")
        }
        if cost.overBudget {
            return Verdict.Row(name: .cost, outcome: .fail,
                               evidence: "the run went over its budget: \(cost.budget ?? "the limit it broke is not recorded") ($\(number(cost.usd)))")
        }
        guard let perUnit else {
            return Verdict.Row(name: .cost, outcome: .pass,
                               evidence: "$\(number(cost.usd)), within budget; cost per unit of improvement not defined (no positive improvement)")
        }
        let within = limit.map { perUnit <= $0 } ?? true
        let limitText = limit.map { " \(within ? "≤" : ">") limit $\(number($0))" } ?? ""
        return Verdict.Row(name: .cost, outcome: within ? .pass : .fail,
                           evidence: "$\(number(cost.usd)), within budget; $\(number(perUnit)) per unit of \(metric)\(limitText)")
    }

    private static func reproducibilityRow(_ evidence: GateEvidence, policy: GatePolicy.Reproducibility) -> Verdict.Row {
        let run = evidence.candidate.runID
        if evidence.code.stale {
            return Verdict.Row(name: .reproducibility, outcome: .fail,
                               evidence: "stale evidence: the code changed after run \(run) was trained (run it again and git mlcommit)")
        }
        if evidence.code.dirty {
            return Verdict.Row(name: .reproducibility, outcome: .fail, evidence: "run \(run) was made from uncommitted code")
        }
        let attestations = evidence.attestations
        var trusted: [(principal: String, attestation: GateEvidence.Attestation)] = [], selfReported: [String] = []
        for attestation in attestations.checked {
            switch attestation.standing {
            case .forged(let reason):
                return Verdict.Row(name: .reproducibility, outcome: .fail, evidence: "forged attestation: \(reason)")
            case .selfReported(let reason):
                if attestation.result == .differs {
                    return Verdict.Row(name: .reproducibility, outcome: .fail, evidence: "a self-reported reproduction differs (\(reason))")
                }
                selfReported.append("\(attestation.result.rawValue.replacingOccurrences(of: "_", with: " ")) — self-reported, not counted: \(reason)")
            case .trusted(let principal):
                trusted.append(("trusted signer " + principal, attestation))
            case .reproducedByGate:
                trusted.append(("this gate (re-trained from the record)", attestation))
            }
        }
        if let bad = trusted.first(where: { $0.attestation.result == .differs || ($0.attestation.result == .withinTolerance && ($0.attestation.largestDelta ?? .infinity) > policy.tolerance) }) {
            let delta = bad.attestation.largestDelta.map { " (largest difference \(number($0)), tolerance \(number(policy.tolerance)))" } ?? ""
            return Verdict.Row(name: .reproducibility, outcome: .fail, evidence: "the reproduction by \(bad.principal) differs\(delta)")
        }
        let notCounted = selfReported.isEmpty ? "" : "; " + selfReported.joined(separator: "; ")
        if let good = trusted.first(where: { $0.attestation.result == .bitIdentical }) ?? trusted.first {
            return Verdict.Row(name: .reproducibility, outcome: .pass,
                               evidence: "clean code; reproduced by \(good.principal): \(good.attestation.result.rawValue.replacingOccurrences(of: "_", with: " "))")
        }
        if policy.requireAttestation {
            return Verdict.Row(name: .reproducibility, outcome: .fail,
                               evidence: "no trusted attestation\(notCounted): a trusted reproducer (CI, a server) must run git ml reproduce \(run) --sign with a key in the allowed signers")
        }
        if attestations.externalCommand {
            return Verdict.Row(name: .reproducibility, outcome: .pass,
                               evidence: "clean code; self-reported: the external command (git ml exec) ran on its author's machine and no trusted reproducer has re-executed it\(notCounted)")
        }
        return Verdict.Row(name: .reproducibility, outcome: .pass, evidence: "clean code; no attestation required\(notCounted)")
    }

    private static func decide(rows: [Verdict.Row], primary: Verdict.PrimaryComparison?, guardrails: [Verdict.GuardrailCheck],
                               policy: GatePolicy) -> Verdict.Decision {
        let failed = rows.filter { $0.outcome == .fail }.map(\.name)
        if failed.isEmpty { return .promote }
        if policy.deployment.shadow == .betterNotSignificant, failed == [.benchmark], let primary, primary.improvement > 0,
           !guardrails.contains(where: { $0.outcome == .fail }) {
            return .shadow
        }
        return .reject
    }

    private static func deploymentRow(_ decision: Verdict.Decision, primary: Verdict.PrimaryComparison?,
                                      failed: [Verdict.RowName]) -> Verdict.Row {
        switch decision {
        case .promote:
            return Verdict.Row(name: .deployment, outcome: .pass, evidence: "promote: every row passes")
        case .shadow:
            let bound = primary.map { " (improvement \(signed($0.improvement)), lower bound \(signed($0.lowerBound)) ≤ min_effect \(number($0.minEffect)))" } ?? ""
            return Verdict.Row(name: .deployment, outcome: .fail, evidence: "shadow: better but not proven\(bound)")
        case .reject:
            return Verdict.Row(name: .deployment, outcome: .fail,
                               evidence: "reject: \(failed.map(\.rawValue).joined(separator: ", ")) \(failed.count == 1 ? "fails" : "fail")")
        }
    }

    /// Up to 4 significant digits.
    static func number(_ value: Double) -> String { value.isNaN ? "NaN" : String(format: "%.4g", value) }
    static func signed(_ value: Double) -> String { value >= 0 ? "+" + number(value) : number(value) }
    static func percent(_ value: Double) -> String { String(format: "%g%%", value * 100) }
    static func short(_ digest: String) -> String { String(digest.prefix(19)) }
}
