import Evaluation
import Gate
import Records
import XCTest

/// Every row outcome of the gate on constructed evidence, the merge-blocking rule, the words a
/// slice verdict uses, failure lines that show the observed value against the limit, and seeds
/// that changed nothing.
final class GateRowOutcomeTests: XCTestCase {
    private let digest = "sha256:" + String(repeating: "ab", count: 32)

    private func suite(guardrails: String = "", primary: String = "{ metric: roc_auc }") throws -> Suite {
        try Suite.parse(yaml: """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary: \(primary)
            \(guardrails.isEmpty ? "" : "guardrails:\n" + guardrails)
            significance: { resamples: 400, seed: 3 }
            """, file: "s.yaml", name: "s")
    }

    private func policy(_ extra: String = "") throws -> GatePolicy {
        try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0.01 }\n\(extra)", file: "g.yaml")
    }

    private func model(_ id: String, signal: Double, seed: UInt64, seeds: Int = 1) -> GateEvidence.Model {
        GateEvidence.Model(runID: id, evaluation: Array(repeating: Fixtures.rows(count: 600, signal: signal, seed: seed), count: seeds),
                           validation: Array(repeating: Fixtures.rows(count: 300, signal: signal, seed: seed + 100, prefix: "v"), count: seeds),
                           evaluationDigest: digest)
    }

    private func verdict(suite: Suite? = nil, policy: GatePolicy? = nil, candidate: GateEvidence.Model? = nil,
                         champion: GateEvidence.Model?? = nil,
                         dataset: GateEvidence.DatasetChecks = GateEvidence.DatasetChecks(versioned: true),
                         cost: GateEvidence.Cost = GateEvidence.Cost(usd: 0.2, overBudget: false),
                         code: GateEvidence.Code = GateEvidence.Code(dirty: false, stale: false)) throws -> Verdict {
        let evidence = GateEvidence(candidate: candidate ?? model("cand", signal: 0.5, seed: 1),
                                    champion: champion ?? model("champ", signal: 0.1, seed: 2),
                                    dataset: dataset, cost: cost, code: code, attestations: [], evaluationsSpent: 0)
        return try Gate.evaluate(policy: try policy ?? self.policy(), suite: try suite ?? self.suite(), evidence: evidence)
    }

    // MARK: - Rows

    func testTheBaselineEvidencePromotes() throws {
        let judged = try verdict()
        XCTAssertEqual(judged.rows.map(\.outcome), [.pass, .pass, .pass, .pass, .pass], "\(judged.rows)")
        XCTAssertEqual(judged.decision, .promote)
    }

    func testUnversionedDataFailsTheDatasetRow() throws {
        let judged = try verdict(dataset: GateEvidence.DatasetChecks(versioned: false))
        XCTAssertEqual(judged.row(.dataset)?.outcome, .fail)
        XCTAssertEqual(judged.row(.dataset)?.evidence, "training or evaluation data is not versioned")
        XCTAssertEqual(judged.decision, .reject)
        XCTAssertEqual(judged.row(.deployment)?.evidence, "reject: dataset fails")
    }

    func testAContractFailureFailsTheDatasetRowWithItsObservedValue() throws {
        let line = "churn-train@v2: null_share tenure: observed 0.4, limit 0.05 — 40% nulls"
        let judged = try verdict(dataset: GateEvidence.DatasetChecks(versioned: true, contractFailures: [line, "another"]))
        XCTAssertEqual(judged.row(.dataset)?.outcome, .fail)
        XCTAssertEqual(judged.row(.dataset)?.evidence, "contract: \(line) (+1 more)")
        XCTAssertEqual(judged.decision, .reject)
    }

    func testLeakageFailsTheDatasetRow() throws {
        let judged = try verdict(dataset: GateEvidence.DatasetChecks(versioned: true, leakageFindings: ["key overlap customer_id: observed 12, limit 0"]))
        XCTAssertEqual(judged.row(.dataset)?.outcome, .fail)
        XCTAssertEqual(judged.row(.dataset)?.evidence, "leakage: key overlap customer_id: observed 12, limit 0")
        XCTAssertEqual(judged.decision, .reject)
    }

    func testDirtyCodeFailsTheReproducibilityRow() throws {
        let judged = try verdict(code: GateEvidence.Code(dirty: true, stale: false))
        XCTAssertEqual(judged.row(.reproducibility)?.outcome, .fail)
        XCTAssertEqual(judged.row(.reproducibility)?.evidence, "run cand was made from uncommitted code")
        XCTAssertEqual(judged.decision, .reject)
    }

    func testOverBudgetFailsTheCostRowNamingTheLimit() throws {
        let judged = try verdict(cost: GateEvidence.Cost(usd: 1.2, overBudget: true, budget: "cpu_seconds 12.5 > max_cpu_seconds 10"))
        XCTAssertEqual(judged.row(.cost)?.outcome, .fail)
        XCTAssertEqual(judged.row(.cost)?.evidence, "the run went over its budget: cpu_seconds 12.5 > max_cpu_seconds 10 ($1.2)")
        XCTAssertEqual(judged.decision, .reject)
    }

    func testAMissingMetricValueFailsUnlessThePolicySaysNotApplicable() throws {
        let latency = try suite(guardrails: "  - { metric: latency_p99_us, max: 50 }")
        let failing = try verdict(suite: latency)  // no latency measured
        XCTAssertEqual(failing.guardrails[0].outcome, .fail)
        XCTAssertEqual(failing.guardrails[0].evidence, "latency_p99_us not measured, limit max 50 (guardrails.missing_value: fail)")
        XCTAssertEqual(failing.row(.benchmark)?.outcome, .fail)
        XCTAssertEqual(failing.decision, .reject)
        let lenient = try verdict(suite: latency, policy: try policy("guardrails: { missing_value: not_applicable }"))
        XCTAssertEqual(lenient.guardrails[0].outcome, .notApplicable)
        XCTAssertEqual(lenient.decision, .promote, "\(lenient.rows)")
    }

    func testTheMergeBlockingRule() throws {
        let accept = try policy("deployment: { shadow: better_not_significant }")
        let reject = try policy("deployment: { shadow: better_not_significant, on_shadow: reject }")
        for p in [accept, reject] {
            XCTAssertFalse(p.blocksMerge(.promote))
            XCTAssertTrue(p.blocksMerge(.reject))
        }
        XCTAssertFalse(accept.blocksMerge(.shadow))
        XCTAssertTrue(reject.blocksMerge(.shadow))
    }

    // MARK: - Failure lines: observed against limit

    func testFailureLinesShowTheObservedValueAgainstTheLimit() throws {
        let bounded = try suite(guardrails: "  - { metric: brier, max: 0.01 }\n  - { metric: roc_auc, min: 0.99 }")
        let judged = try verdict(suite: bounded, policy: try policy("cost: { max_usd_per_unit: 0.5 }"),
                                 candidate: model("cand", signal: 0.3, seed: 1), cost: GateEvidence.Cost(usd: 100, overBudget: false))
        let brier = try XCTUnwrap(judged.candidateReport.guardrails[0].estimate?.value)
        let auc = try XCTUnwrap(judged.candidateReport.guardrails[1].estimate?.value)
        XCTAssertEqual(judged.guardrails[0].evidence, "brier \(String(format: "%.4g", brier)) > max 0.01")
        XCTAssertEqual(judged.guardrails[1].evidence, "roc_auc \(String(format: "%.4g", auc)) < min 0.99")
        XCTAssertTrue(judged.row(.cost)!.evidence.hasSuffix("per unit of roc_auc > limit $0.5"), judged.row(.cost)!.evidence)
        for row in judged.rows where row.outcome == .fail {
            XCTAssertFalse(row.evidence.contains("not gated"), row.evidence)
        }
        let text = Review.text(judged)
        XCTAssertTrue(text.contains("2 guardrails failed: brier \(String(format: "%.4g", brier)) > max 0.01; roc_auc \(String(format: "%.4g", auc)) < min 0.99"), text)
        XCTAssertTrue(text.contains("cost             FAIL    $100, within budget; $"), text)
    }

    // MARK: - Slice wording

    /// 2,000 rows where both models agree, 600 where the candidate is noise, 150 where it is
    /// different but as good, and 40 too few to test; labels 30% positive.
    private func segmented() -> (candidate: GateEvidence.Model, champion: GateEvidence.Model) {
        var state: UInt64 = 99
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let sizes = [("same", 2000), ("noise", 600), ("reshuffled", 150), ("tiny", 40)]
        var ids = [String](), labels = [Double](), champion = [Double](), candidate = [Double](), segment = [String]()
        for (name, size) in sizes {
            for row in 0..<size {
                let label = (row * 7919 % 10) < 3 ? 1.0 : 0.0
                let base = min(1, max(0, 0.5 * uniform() + 0.3 * (label - 0.5) + 0.25))
                ids.append("\(name)\(row)")
                labels.append(label)
                champion.append(base)
                segment.append(name)
                switch name {
                case "noise": candidate.append(uniform())
                case "reshuffled": candidate.append(min(1, max(0, 0.5 * uniform() + 0.3 * (label - 0.5) + 0.25)))
                default: candidate.append(base)
                }
            }
        }
        let columns = ["segment": segment]
        return (GateEvidence.Model(runID: "cand", evaluation: [ScoredRows(ids: ids, labels: labels, scores: candidate, columns: columns)],
                                   validation: [], evaluationDigest: digest),
                GateEvidence.Model(runID: "champ", evaluation: [ScoredRows(ids: ids, labels: labels, scores: champion, columns: columns)],
                                   validation: [], evaluationDigest: digest))
    }

    func testASliceIsCalledWorseOnlyWhenItsEstimateIsPastTheMargin() throws {
        let (candidate, champion) = segmented()
        let s = try suite(guardrails: "  - { metric: roc_auc, slices: [segment], non_inferiority_margin: 0.03 }")
        let judged = try verdict(suite: s, candidate: candidate, champion: champion)
        let slices = judged.guardrails[0].slices
        XCTAssertEqual(slices.map(\.value), ["same", "noise", "reshuffled", "tiny"])
        XCTAssertEqual(slices.map(\.finding), [.nonInferior, .worse, .notShownNonInferior, .notApplicable], "\(slices)")
        XCTAssertEqual(slices.map(\.outcome), [.pass, .fail, .fail, .notApplicable])
        let reshuffled = slices[2]
        XCTAssertGreaterThan(try XCTUnwrap(reshuffled.difference), -0.03)
        XCTAssertLessThan(try XCTUnwrap(reshuffled.interval).lower, -0.03)
        let evidence = judged.guardrails[0].evidence
        XCTAssertTrue(evidence.hasPrefix("roc_auc worse on 1 of 3 applicable slices (segment=noise: Δ "), evidence)
        XCTAssertTrue(evidence.contains("; not shown non-inferior on 1 of 3 applicable slices (segment=reshuffled: Δ "), evidence)
        XCTAssertTrue(evidence.contains("(segment=noise: Δ -0.4583 < −0.03, interval [-0.5099, -0.403], n = 600, 180 positives)"), evidence)
        XCTAssertTrue(evidence.contains("≥ −0.03 but interval [-0.05456, 0.08023] reaches past it, n = 150, 45 positives)"), evidence)
        XCTAssertTrue(evidence.contains("n = 150, 45 positives)"), evidence)
        XCTAssertTrue(evidence.hasSuffix("; not applicable (under n ≥ 100 and ≥ 10 positives, or one class): segment=tiny (n = 40, 12 positives)"), evidence)
        XCTAssertFalse(evidence.contains("worse on 2"), evidence)

        let markdown = Review.markdown(judged)
        XCTAssertTrue(markdown.contains("| segment=reshuffled | 150 | 45 |"), markdown)
        XCTAssertTrue(markdown.contains("❌ fail: not shown non-inferior (estimate within the margin, interval too wide) |"), markdown)
        XCTAssertTrue(markdown.contains("❌ fail: worse (estimate past the margin) |"), markdown)
        XCTAssertTrue(markdown.contains("roc_auc segment=tiny (n = 40, 12 positives, minimum 100 rows and 10 positives)"), markdown)
        let html = Review.html(judged)
        XCTAssertTrue(html.contains("<table id=\"slices\">"), html)
        XCTAssertTrue(html.contains("<td>segment=tiny</td><td>40</td><td>12</td>"), html)
        XCTAssertTrue(html.contains("FAIL: not shown non-inferior"), html)

        // JSON: the slice value is plain and the finding is a snake_case word.
        let first = judged.json["guardrails"]?.arrayValue?.first?["slices"]?.arrayValue?[2]
        XCTAssertEqual(first?["value"]?.stringValue, "reshuffled")
        XCTAssertEqual(first?["finding"]?.stringValue, "not_shown_non_inferior")
    }

    func testOverallNonInferiorityUsesTheSameWords() throws {
        let s = try suite(guardrails: "  - { metric: roc_auc, non_inferiority_margin: 0.02 }")
        let worse = try verdict(suite: s, candidate: model("cand", signal: 0.05, seed: 1), champion: model("champ", signal: 0.3, seed: 2))
        XCTAssertTrue(worse.guardrails[0].evidence.hasPrefix("roc_auc worse: improvement -"), worse.guardrails[0].evidence)
        XCTAssertTrue(worse.guardrails[0].evidence.contains(" < −margin -0.02 (p = "), worse.guardrails[0].evidence)
        func small(_ id: String, seed: UInt64) -> GateEvidence.Model {
            GateEvidence.Model(runID: id, evaluation: [Fixtures.rows(count: 80, signal: 0.1, seed: seed)],
                               validation: [Fixtures.rows(count: 40, signal: 0.1, seed: seed + 100, prefix: "v")], evaluationDigest: digest)
        }
        let unshown = try verdict(suite: s, candidate: small("cand", seed: 3), champion: small("champ", seed: 4))
        let evidence = unshown.guardrails[0].evidence
        XCTAssertEqual(unshown.guardrails[0].outcome, .fail, evidence)
        XCTAssertTrue(evidence.hasPrefix("roc_auc not shown non-inferior: improvement "), evidence)
        XCTAssertTrue(evidence.contains(" ≥ −margin -0.02, but p = "), evidence)
    }

    // MARK: - Seeds that change nothing

    func testSeedsWithIdenticalPredictionsAreComparedAsOneSeed() throws {
        let threeSame = model("cand", signal: 0.5, seed: 1, seeds: 3)
        let judged = try verdict(candidate: threeSame)
        let single = try verdict(candidate: model("cand", signal: 0.5, seed: 1))
        XCTAssertEqual(judged.primary?.method, single.primary?.method)
        XCTAssertNotEqual(judged.primary?.method, "two-level bootstrap")
        XCTAssertEqual(judged.primary?.lowerBound, single.primary?.lowerBound)
        XCTAssertEqual(judged.seedVarianceNotMeasured, ["seed variance not measured: the 3 seeds of the candidate gave identical predictions"])
        XCTAssertTrue(judged.row(.benchmark)!.evidence.contains("seed variance not measured: the 3 seeds of the candidate gave identical predictions (compared as one seed)"),
                      judged.row(.benchmark)!.evidence)
        XCTAssertEqual(judged.json["seed_variance_not_measured"]?.arrayValue?.count, 1)
        XCTAssertEqual(single.seedVarianceNotMeasured, [])

        // The run's own report gives no seed spread for seeds that changed nothing.
        let s = try suite()
        let report = try SuiteEvaluation.evaluate(s, evaluation: threeSame.evaluation, validation: threeSame.validation)
        XCTAssertNil(report.primary.seeds)
    }
    // MARK: - JSON

    func testVerdictJSONHasSnakeCaseKeysAndPlainValues() throws {
        let s = try suite(guardrails: "  - { metric: recall, slices: [region], non_inferiority_margin: 0.05, min_slice_rows: 50 }\nslices: [plan]",
                          primary: "{ metric: expected_cost, cost: { fp: 1.0, fn: 5.0 }, direction: minimize }")
        var candidate = model("cand", signal: 0.5, seed: 1, seeds: 2)
        candidate = GateEvidence.Model(runID: "cand", evaluation: [candidate.evaluation[0], Fixtures.rows(count: 600, signal: 0.45, seed: 8)],
                                       validation: candidate.validation, artifact: .seed(1), evaluationDigest: digest)
        let judged = try verdict(suite: s, candidate: candidate)
        var keys = Set<String>()
        func walk(_ value: JSONValue) {
            if case .object(let members) = value { for (key, member) in members { keys.insert(key); walk(member) } }
            if case .array(let items) = value { items.forEach(walk) }
        }
        walk(judged.json)
        XCTAssertEqual(keys.filter { $0.range(of: "^[a-z0-9]+(_[a-z0-9]+)*$", options: .regularExpression) == nil }, [])
        let report = try XCTUnwrap(judged.json["candidate_report"])
        XCTAssertEqual(report["artifact"]?["seed_index"]?.doubleValue, 1)
        XCTAssertEqual(judged.json["champion_report"]?["artifact"]?.stringValue, "ensemble")
        XCTAssertEqual(report["operating_point"]?["rule"]?["rule"]?.stringValue, "minimum_cost")
        XCTAssertEqual(report["operating_point"]?["rule"]?["costs"]?["false_negative"]?.doubleValue, 5)
        XCTAssertEqual(report["slices"]?.arrayValue?.first?["slices"]?.arrayValue?.first?["key"]?.stringValue, "pro")
        // The server keeps verdicts between its hooks with Foundation's coders: they round-trip.
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        XCTAssertEqual(try decoder.decode(Verdict.self, from: try encoder.encode(judged)), judged)
        // Bins are {lower, upper}; the earlier tagged forms still decode.
        XCTAssertEqual(try JSONValueEncoder().encode(SliceKey.bin(lower: 0, upper: 1.5)), ["lower": 0, "upper": 1.5])
        let legacy = #"[{"category": {"_0": "north"}}, {"bin": {"lower": 0, "upper": 2}}, "south"]"#
        XCTAssertEqual(try decoder.decode([SliceKey].self, from: Data(legacy.utf8)), [.category("north"), .bin(lower: 0, upper: 2), .category("south")])
        XCTAssertEqual(try decoder.decode([CandidateArtifact].self, from: Data(#"[{"ensemble": {}}, {"seed": {"_0": 2}}]"#.utf8)), [.ensemble, .seed(2)])
    }
}
