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
}
