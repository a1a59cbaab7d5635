import Evaluation
import Gate
import Records
import XCTest

final class GateTests: XCTestCase {
    private let digest = "sha256:" + String(repeating: "ab", count: 32)

    private func suite(_ primary: String = "{ metric: roc_auc }", extra: String = "") throws -> Suite {
        try Suite.parse(yaml: """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary: \(primary)
            \(extra)
            significance: { resamples: 300, seed: 5 }
            """, file: "s.yaml", name: "s")
    }

    private func policy(minEffect: Double = 0.01, shadow: String = "never", extra: String = "") throws -> GatePolicy {
        try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: \(minEffect), max_evaluations: 3 }\ndeployment: { shadow: \(shadow) }\n\(extra)",
                             file: "g.yaml")
    }

    private func model(_ id: String, signal: Double, seed: UInt64, digest: String? = nil, rows: Int = 600) -> GateEvidence.Model {
        let evaluation = Fixtures.rows(count: rows, signal: signal, seed: seed)
        let validation = Fixtures.rows(count: 300, signal: signal, seed: seed + 100, prefix: "v")
        return GateEvidence.Model(runID: id, evaluation: [evaluation], validation: [validation],
                                  evaluationDigest: digest ?? self.digest)
    }

    private func evidence(candidate: GateEvidence.Model, champion: GateEvidence.Model?, usd: Double = 0.5,
                          code: GateEvidence.Code = GateEvidence.Code(dirty: false, stale: false),
                          attestations: GateEvidence.Attestations = [], spent: Int = 1) -> GateEvidence {
        GateEvidence(candidate: candidate, champion: champion, dataset: GateEvidence.DatasetChecks(versioned: true),
                     cost: GateEvidence.Cost(usd: usd, overBudget: false), code: code, attestations: attestations,
                     evaluationsSpent: spent)
    }

    func testClearlyBetterCandidateIsPromotedWithDeLong() throws {
        let verdict = try Gate.evaluate(policy: try policy(), suite: try suite(),
                                        evidence: evidence(candidate: model("cand", signal: 0.5, seed: 1),
                                                           champion: model("champ", signal: 0.1, seed: 2)))
        XCTAssertEqual(verdict.decision, .promote, "\(verdict.rows)")
        let primary = try XCTUnwrap(verdict.primary)
        XCTAssertEqual(primary.method, "DeLong")
        XCTAssertGreaterThan(primary.lowerBound, 0.01)
        XCTAssertEqual(primary.difference, primary.candidate - primary.champion, accuracy: 1e-12)
        XCTAssertEqual(verdict.row(.benchmark)?.outcome, .pass)
        XCTAssertEqual(verdict.rows.map(\.name), Verdict.RowName.allCases)
        // Cost per unit of improvement: USD / improvement.
        XCTAssertEqual(try XCTUnwrap(verdict.costPerUnitOfImprovement), 0.5 / primary.improvement, accuracy: 1e-12)
    }

    func testVerdictIsCanonicalAndDeterministic() throws {
        let make = { () throws -> Verdict in
            try Gate.evaluate(policy: try self.policy(), suite: try self.suite(extra: "entity: customer_id"),
                              evidence: self.evidence(candidate: self.model("cand", signal: 0.5, seed: 1),
                                                      champion: self.model("champ", signal: 0.1, seed: 2)))
        }
        let first = try make(), second = try make()
        XCTAssertEqual(first.digest, second.digest)
        XCTAssertEqual(first.primary?.method, "paired bootstrap")
        XCTAssertEqual(first.primary?.design, .clusters(count: 300))
        XCTAssertEqual(first.json["format_version"], 1)
        XCTAssertEqual(first.json["decision"], "promote")
        XCTAssertEqual(first.json["candidate_report"]?["evaluation"], "e@v1")
        XCTAssertEqual(first.json["rows"]?.arrayValue?.first?["name"], "dataset")
        XCTAssertEqual(try CanonicalJSON.parse(CanonicalJSON.encode(first.json)), first.json)
        XCTAssertTrue(first.digest.hasPrefix("sha256:"))
    }

    func testChampionRowsAreMatchedByID() throws {
        let champion = model("champ", signal: 0.1, seed: 2)
        let rows = champion.evaluation[0]
        let reversed = ScoredRows(ids: rows.ids.reversed(), labels: rows.labels.reversed(), scores: rows.scores.reversed())
        let shuffled = GateEvidence.Model(runID: "champ", evaluation: [reversed], validation: champion.validation,
                                          evaluationDigest: digest)
        let s = try suite(), p = try policy()
        let inOrder = try Gate.evaluate(policy: p, suite: s, evidence: evidence(candidate: model("cand", signal: 0.5, seed: 1), champion: champion))
        let matched = try Gate.evaluate(policy: p, suite: s, evidence: evidence(candidate: model("cand", signal: 0.5, seed: 1), champion: shuffled))
        XCTAssertEqual(inOrder.primary, matched.primary)
    }

    func testThresholdMetricComparesEachModelAtItsOwnOperatingPoint() throws {
        let s = try suite("{ metric: expected_cost, cost: { fp: 1, fn: 4 }, operating_point: cost_optimal }")
        let candidate = model("cand", signal: 0.5, seed: 1), champion = model("champ", signal: 0.2, seed: 2)
        let verdict = try Gate.evaluate(policy: try policy(minEffect: 0), suite: s, evidence: evidence(candidate: candidate, champion: champion))
        let primary = try XCTUnwrap(verdict.primary)
        let direct = { (m: GateEvidence.Model) throws -> Double in
            let report = try SuiteEvaluation.evaluate(s, evaluation: m.evaluation, validation: m.validation)
            return report.primary.value
        }
        XCTAssertEqual(primary.candidate, try direct(candidate), accuracy: 1e-12)
        XCTAssertEqual(primary.champion, try direct(champion), accuracy: 1e-12)
        XCTAssertEqual(primary.difference, primary.candidate - primary.champion, accuracy: 1e-12)
        XCTAssertEqual(primary.improvement, -primary.difference)
        XCTAssertEqual(primary.method, "paired bootstrap")
        XCTAssertNotNil(primary.mcnemarPValue)
        XCTAssertEqual(verdict.decision, .promote, "\(verdict.rows)")
    }

    func testBetterButNotProvenIsShadowedOnlyWhenThePolicySaysSo() throws {
        let e = evidence(candidate: model("cand", signal: 0.32, seed: 1), champion: model("champ", signal: 0.3, seed: 2))
        let shadow = try Gate.evaluate(policy: try policy(minEffect: 0.05, shadow: "better_not_significant"), suite: try suite(), evidence: e)
        XCTAssertGreaterThan(try XCTUnwrap(shadow.primary).improvement, 0)
        XCTAssertEqual(shadow.decision, .shadow, "\(shadow.rows)")
        XCTAssertTrue(shadow.row(.deployment)!.evidence.hasPrefix("shadow: better but not proven"))
        let reject = try Gate.evaluate(policy: try policy(minEffect: 0.05, shadow: "never"), suite: try suite(), evidence: e)
        XCTAssertEqual(reject.decision, .reject)
        XCTAssertEqual(reject.row(.benchmark)?.outcome, .fail)
    }

    func testDifferentEvaluationDataIsAnInvalidComparison() throws {
        let other = "sha256:" + String(repeating: "cd", count: 32)
        let verdict = try Gate.evaluate(policy: try policy(), suite: try suite(),
                                        evidence: evidence(candidate: model("cand", signal: 0.5, seed: 1),
                                                           champion: model("champ", signal: 0.1, seed: 2, digest: other)))
        XCTAssertEqual(verdict.decision, .reject)
        XCTAssertNil(verdict.primary)
        XCTAssertTrue(verdict.row(.benchmark)!.evidence.hasPrefix("invalid comparison"), verdict.row(.benchmark)!.evidence)
        XCTAssertEqual(verdict.row(.deployment)?.evidence, "reject: benchmark fails")
    }

    func testFirstModelIsJudgedOnGuardrailsOnly() throws {
        let s = try suite(extra: "guardrails:\n  - { metric: brier, max: 0.5 }\n  - { metric: roc_auc, non_inferiority_margin: 0.01 }")
        let verdict = try Gate.evaluate(policy: try policy(), suite: s, evidence: evidence(candidate: model("cand", signal: 0.5, seed: 1),
                                                                                           champion: nil, spent: 5))
        XCTAssertEqual(verdict.decision, .promote, "\(verdict.rows)")
        XCTAssertEqual(verdict.guardrails.map(\.outcome), [.pass, .notApplicable])
        XCTAssertNil(verdict.costPerUnitOfImprovement)
        XCTAssertTrue(verdict.adaptiveOverfittingWarning)
        XCTAssertTrue(verdict.row(.benchmark)!.evidence.contains("no champion"))
        XCTAssertTrue(verdict.row(.benchmark)!.evidence.contains("adaptive overfitting"))
    }

    func testSliceRegressionFailsTheIntersectionUnionTest() throws {
        let s = try suite(extra: "guardrails:\n  - { metric: roc_auc, slices: [region], non_inferiority_margin: 0.02, min_slice_rows: 50, min_slice_positives: 5 }")
        let champion = model("champ", signal: 0.4, seed: 2)
        let base = champion.evaluation[0]
        // Better everywhere except in the north, where the candidate's scores are noise.
        let region = base.columns["region"]!
        let scores = base.scores.indices.map { row in
            region[row] == "north" ? Double((row * 37) % 101) / 100 : max(0, min(1, base.scores[row] + 0.2 * (base.labels[row] - 0.5)))
        }
        let candidate = GateEvidence.Model(runID: "cand", evaluation: [ScoredRows(ids: base.ids, labels: base.labels, scores: scores,
                                                                                 columns: base.columns)],
                                           validation: champion.validation, evaluationDigest: digest)
        let verdict = try Gate.evaluate(policy: try policy(minEffect: 0), suite: s, evidence: evidence(candidate: candidate, champion: champion))
        XCTAssertEqual(verdict.decision, .reject)
        let slices = verdict.guardrails[0].slices
        XCTAssertEqual(slices.map(\.value), ["north", "south", "east"])
        XCTAssertEqual(slices.map(\.outcome), [.fail, .pass, .pass])
        XCTAssertTrue(verdict.guardrails[0].evidence.contains("region=north"), verdict.guardrails[0].evidence)
        XCTAssertNotNil(slices[0].interval)
    }

    func testReproducibilityRow() throws {
        let c = model("cand", signal: 0.5, seed: 1), b = model("champ", signal: 0.1, seed: 2)
        let strict = try policy(extra: "reproducibility: { require_attestation: true, ci_only: true, tolerance: 1.0e-6 }")
        let s = try suite()
        let stale = try Gate.evaluate(policy: strict, suite: s, evidence: evidence(candidate: c, champion: b, code: .init(dirty: false, stale: true)))
        XCTAssertTrue(stale.row(.reproducibility)!.evidence.hasPrefix("stale evidence"))
        XCTAssertEqual(stale.decision, .reject)
        func judged(_ attestations: GateEvidence.Attestations) throws -> Verdict {
            try Gate.evaluate(policy: strict, suite: s, evidence: evidence(candidate: c, champion: b, attestations: attestations))
        }
        // Unsigned or untrusted: listed, never counted — require_attestation still fails.
        let unsigned = try judged([.init(result: .bitIdentical, standing: .selfReported(reason: "unsigned attestation"))])
        XCTAssertEqual(unsigned.row(.reproducibility)?.outcome, .fail)
        XCTAssertTrue(unsigned.row(.reproducibility)!.evidence.contains("self-reported, not counted: unsigned attestation"),
                      unsigned.row(.reproducibility)!.evidence)
        let forged = try judged([.init(result: .bitIdentical, standing: .forged(reason: "attests run 1234, not the candidate"))])
        XCTAssertEqual(forged.row(.reproducibility)?.evidence, "forged attestation: attests run 1234, not the candidate")
        let tooFar = try judged([.init(result: .withinTolerance, standing: .trusted(principal: "ci"), largestDelta: 1e-3)])
        XCTAssertEqual(tooFar.row(.reproducibility)?.outcome, .fail)
        let ci = try judged([.init(result: .bitIdentical, standing: .trusted(principal: "ci@example.com"))])
        XCTAssertEqual(ci.row(.reproducibility)?.outcome, .pass)
        XCTAssertTrue(ci.row(.reproducibility)!.evidence.contains("trusted signer ci@example.com"))
        XCTAssertEqual(ci.decision, .promote)
        // An exec run without a trusted reproduction says so when no attestation is required.
        let lenient = try policy(extra: "reproducibility: { require_attestation: false }")
        let exec = try Gate.evaluate(policy: lenient, suite: s, evidence: evidence(
            candidate: c, champion: b, attestations: GateEvidence.Attestations(checked: [], externalCommand: true)))
        XCTAssertEqual(exec.row(.reproducibility)?.outcome, .pass)
        XCTAssertTrue(exec.row(.reproducibility)!.evidence.contains("self-reported"), exec.row(.reproducibility)!.evidence)
    }

    func testCostPerUnitOverTheLimitFails() throws {
        let verdict = try Gate.evaluate(policy: try policy(extra: "cost: { max_usd_per_unit: 1.0 }"), suite: try suite(),
                                        evidence: evidence(candidate: model("cand", signal: 0.5, seed: 1),
                                                           champion: model("champ", signal: 0.1, seed: 2), usd: 100))
        XCTAssertEqual(verdict.row(.cost)?.outcome, .fail)
        XCTAssertEqual(verdict.decision, .reject)
    }

    func testSeveralSeedsUseTheTwoLevelBootstrap() throws {
        let seeds = { (signal: Double, base: UInt64) in (0..<3).map { Fixtures.rows(count: 400, signal: signal, seed: base + $0) } }
        let candidate = GateEvidence.Model(runID: "cand", evaluation: seeds(0.5, 10), validation: seeds(0.5, 20), evaluationDigest: digest)
        let champion = GateEvidence.Model(runID: "champ", evaluation: seeds(0.1, 30), validation: seeds(0.1, 40), evaluationDigest: digest)
        let verdict = try Gate.evaluate(policy: try policy(), suite: try suite(), evidence: evidence(candidate: candidate, champion: champion))
        XCTAssertEqual(verdict.primary?.method, "two-level bootstrap")
        XCTAssertEqual(verdict.decision, .promote, "\(verdict.rows)")
    }
}

final class SuiteDiffTests: XCTestCase {
    func testDiffPairsRowsAndRefusesDifferentData() throws {
        let suite = try Suite.parse(yaml: """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary: { metric: recall, operating_point: { threshold: 0.5 } }
            guardrails:
              - { metric: brier, max: 0.3 }
              - { metric: latency_p99_us, max: 50 }
            significance: { resamples: 200, seed: 1 }
            """, file: "s.yaml", name: "s")
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let a = Fixtures.rows(count: 400, signal: 0.2, seed: 1), b = Fixtures.rows(count: 400, signal: 0.4, seed: 2)
        let baseline = GateEvidence.Model(runID: "a", evaluation: [a], validation: [a], evaluationDigest: digest)
        let candidate = GateEvidence.Model(runID: "b", evaluation: [b], validation: [b], evaluationDigest: digest)
        let diff = try SuiteDiff.compare(suite: suite, baseline: baseline, candidate: candidate)
        XCTAssertNil(diff.invalidComparison)
        let primary = try XCTUnwrap(diff.primary)
        XCTAssertEqual(primary.difference, primary.candidate - primary.champion, accuracy: 1e-12)
        XCTAssertEqual(diff.guardrails.map(\.metric.name), [.brier])
        let brier = diff.guardrails[0]
        XCTAssertEqual(brier.difference, brier.candidate - brier.baseline, accuracy: 1e-12)
        XCTAssertTrue(brier.interval.contains(brier.difference))
        let elsewhere = GateEvidence.Model(runID: "b", evaluation: [b], validation: [b], evaluationDigest: "sha256:" + String(repeating: "cd", count: 32))
        let invalid = try SuiteDiff.compare(suite: suite, baseline: baseline, candidate: elsewhere)
        XCTAssertNotNil(invalid.invalidComparison)
        XCTAssertNil(invalid.primary)
    }
}
