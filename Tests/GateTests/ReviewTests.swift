import Foundation
import Gate
import XCTest

final class ReviewTests: XCTestCase {
    /// A verdict with a champion, a slice guardrail that fails in the north, and calibration.
    private func sliceRegressionVerdict() throws -> Verdict {
        let suite = try Suite.parse(yaml: """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary: { metric: roc_auc }
            guardrails:
              - { metric: roc_auc, slices: [region], non_inferiority_margin: 0.02, min_slice_rows: 50, min_slice_positives: 5 }
              - { metric: ece, max: 0.2 }
            significance: { resamples: 200, seed: 5 }
            """, file: "s.yaml", name: "churn")
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0 }\n", file: "g.yaml")
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let base = Fixtures.rows(count: 600, signal: 0.4, seed: 2)
        let validation = [Fixtures.rows(count: 200, signal: 0.4, seed: 3, prefix: "v")]
        let region = base.columns["region"]!
        let scores = base.scores.indices.map { row in
            region[row] == "north" ? Double((row * 37) % 101) / 100 : max(0, min(1, base.scores[row] + 0.2 * (base.labels[row] - 0.5)))
        }
        let candidate = GateEvidence.Model(runID: "run-cand", evaluation: [ScoredRows(ids: base.ids, labels: base.labels, scores: scores,
                                                                                     columns: base.columns)],
                                           validation: validation, evaluationDigest: digest)
        let champion = GateEvidence.Model(runID: "run-champ", evaluation: [base], validation: validation, evaluationDigest: digest)
        return try Gate.evaluate(policy: policy, suite: suite, evidence: GateEvidence(
            candidate: candidate, champion: champion, dataset: .init(versioned: true), cost: .init(usd: 0.25, overBudget: false),
            code: .init(dirty: false, stale: false), attestations: [], evaluationsSpent: 2))
    }

    func testTextTableHasTheDecisionAndEveryRow() throws {
        let verdict = try sliceRegressionVerdict()
        let text = Review.text(verdict)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines[0], "suite churn: candidate run-cand vs champion run-champ → REJECT")
        XCTAssertEqual(lines.count, 2 + Verdict.RowName.allCases.count)
        XCTAssertTrue(lines[3].hasPrefix("benchmark        FAIL    "), String(lines[3]))
    }

    func testMarkdownCommentSections() throws {
        let verdict = try sliceRegressionVerdict()
        let markdown = Review.markdown(verdict, policyChanges: ["ml/gate.yaml"])
        XCTAssertTrue(markdown.hasPrefix("## GitML gate — `churn`: **reject**\n"))
        XCTAssertTrue(markdown.contains("> **Policy change:** this pull request changes `ml/gate.yaml`."))
        XCTAssertTrue(markdown.contains("| Benchmark | ❌ fail |"))
        XCTAssertTrue(markdown.contains("| **roc_auc** (primary) |"))
        XCTAssertTrue(markdown.contains("| region=north | 200 |"), markdown)
        XCTAssertTrue(markdown.contains("Expected calibration error (15 uniform bins): candidate "))
        XCTAssertTrue(markdown.contains(verdict.digest))
        XCTAssertFalse(Review.markdown(verdict).contains("Policy change"))
        XCTAssertFalse(markdown.contains("### Data changes"))
        XCTAssertTrue(Review.markdown(verdict, dataChanges: ["churn-eval v3 → v4: 1,024 rows added"])
            .contains("### Data changes\n\n- churn-eval v3 → v4: 1,024 rows added\n"))
    }

    /// Renders the HTML report in a real headless Chromium and checks that every plot is in the
    /// DOM and was laid out (the report's script records each SVG's rendered width).
    func testHTMLReportRendersInHeadlessChromium() throws {
        let verdict = try sliceRegressionVerdict()
        let html = Review.html(verdict, policyChanges: ["ml/suites/churn.yaml"], dataChanges: ["train v2 → v3 <drift>"],
                               history: [HistoryPoint(label: "a", value: 0.7), HistoryPoint(label: "b", value: 0.74)])
        let dom = try HeadlessChromium.dom(of: html)

        for id in ["roc-curve", "pr-curve", "reliability-diagram", "slice-deltas", "history"] {
            let width = try XCTUnwrap(HeadlessChromium.renderedWidth(of: id, in: dom), "plot \(id) missing or not rendered")
            XCTAssertGreaterThan(width, 100, id)
        }
        XCTAssertEqual(dom.components(separatedBy: "<polyline class=\"candidate\"").count - 1, 4)  // ROC, PR, reliability, history
        XCTAssertEqual(dom.components(separatedBy: "<polyline class=\"champion\"").count - 1, 3)
        XCTAssertEqual(dom.components(separatedBy: "<g class=\"fail\"").count - 1, 1)  // the north slice
        XCTAssertTrue(dom.contains("Policy change:"))
        XCTAssertTrue(dom.contains("<li>train v2 → v3 &lt;drift&gt;</li>"))
    }

    /// A halving sweep of three trials in five jobs (maximize); job 4 is the candidate.
    private func sweepSummary() -> SweepSummary {
        let jobs = [(0, 0, 0.80, 0.01, 1.0), (1, 0, 0.78, 0.02, 2.0), (2, 0, 0.85, 0.01, 1.0), (0, 1, 0.84, 0.03, 3.0), (2, 1, 0.88, 0.03, 3.0)]
            .map { SweepSummary.Job(trial: $0.0, rung: $0.1, status: "ok", metric: $0.2, standardError: nil, usd: $0.3, cpuSeconds: $0.4) }
        return SweepSummary(name: "search", status: "finished", stopReason: nil, metric: "roc_auc", higherIsBetter: true,
                            budget: "max_trials 4", crossValidationFolds: nil, jobs: jobs, chosenJob: 4)
    }

    /// The best-so-far curve and the cost per improvement: spent after the job whose result
    /// first matched the baseline until the job that reached the best, per unit gained.
    func testSweepBestSoFarAndCostPerImprovement() throws {
        let sweep = sweepSummary()
        XCTAssertEqual(sweep.trialCount, 3)
        XCTAssertEqual(sweep.curve.map(\.best), [0.80, 0.80, 0.85, 0.85, 0.88])
        XCTAssertEqual(sweep.curve.last?.usd ?? 0, 0.10, accuracy: 1e-12)
        guard case let .improved(from, to, best, gain, usd, cpu) = sweep.improvement(over: 0.82) else { return XCTFail("improved") }
        XCTAssertEqual([from, to], [2, 4])
        XCTAssertEqual(best, 0.88)
        XCTAssertEqual(gain, 0.06, accuracy: 1e-12)
        XCTAssertEqual(usd, 0.06, accuracy: 1e-12)
        XCTAssertEqual(cpu, 6, accuracy: 1e-12)
        XCTAssertEqual(sweep.improvement(over: 0.82).usdPerUnit ?? 0, 1.0, accuracy: 1e-9)
        XCTAssertEqual(sweep.improvement(over: 0.90), .notImproved(best: 0.88))
        // Without a champion the baseline is the sweep's first result: from job 0.
        let first = try XCTUnwrap(sweep.baseline(champion: nil))
        XCTAssertEqual(first.value, 0.80)
        XCTAssertEqual(sweep.improvement(over: first.value).usdPerUnit ?? 0, 0.09 / 0.08, accuracy: 1e-9)
        var lower = sweep
        lower.higherIsBetter = false
        XCTAssertEqual(lower.curve.map(\.best), [0.80, 0.78, 0.78, 0.78, 0.78])
    }

    /// The Markdown review shows the sweep: what it ran and spent of its budget, each job with
    /// the best so far, the chosen job, and the cost per improvement; or why it cannot.
    func testMarkdownShowsTheSweepOrWhyNot() throws {
        let verdict = try sliceRegressionVerdict()
        let markdown = Review.markdown(verdict, sweep: .shown(sweepSummary()))
        XCTAssertTrue(markdown.contains("### Sweep\n\nThe candidate is the chosen configuration of sweep `search` (job 4, trial 2, rung 1), finished: "
                                        + "3 trials in 5 jobs, spent $0.100000 and 10.00 CPU s of its budget (max_trials 4)."), markdown)
        XCTAssertTrue(markdown.contains("| 4 (chosen) | 2 | 1 | ok | 0.88 | 0.88 | 0.100000 |"), markdown)
        XCTAssertTrue(markdown.contains("Baseline: the champion's roc_auc on the evaluation set"), markdown)
        XCTAssertFalse(Review.markdown(verdict).contains("### Sweep"))
        let refused = Review.markdown(verdict, sweep: .notShown(sweep: "search", reason: "its record's job 0 says other figures than its trial run recorded"))
        XCTAssertTrue(refused.contains("The candidate came from sweep `search`, but its record's job 0 says other figures than its trial run recorded: no sweep figures are shown."), refused)
        XCTAssertFalse(refused.contains("| Job |"))
    }

    /// The HTML review's sweep plots — best so far against job number and against cumulative
    /// cost — render in a real headless Chromium.
    func testHTMLSweepPlotsRenderInHeadlessChromium() throws {
        let html = Review.html(try sliceRegressionVerdict(), sweep: .shown(sweepSummary()))
        let dom = try HeadlessChromium.dom(of: html)
        for id in ["sweep-best-by-job", "sweep-best-by-cost"] {
            let width = try XCTUnwrap(HeadlessChromium.renderedWidth(of: id, in: dom), "plot \(id) missing or not rendered")
            XCTAssertGreaterThan(width, 100, id)
        }
        XCTAssertEqual(dom.components(separatedBy: "<circle class=\"trial\"").count - 1, 10, "five jobs on each plot")
        XCTAssertTrue(dom.contains("<tr class=\"chosen\"><td>4 (chosen)</td>"), dom)
        XCTAssertTrue(dom.contains("id=\"sweep-improvement\""))
        XCTAssertFalse(html.contains("src=") || html.contains("href=") || html.contains("url("), "no external assets")
    }
}
