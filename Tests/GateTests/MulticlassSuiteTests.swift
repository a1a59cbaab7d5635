import Evaluation
import Gate
import XCTest

/// `task: multiclass` suites: parsing (declared classes, cost matrix, decision, per-class
/// metrics, range checks) and the suite report on probability rows.
final class MulticlassSuiteTests: XCTestCase {
    private func suite(_ primary: String, extra: String = "") throws -> Suite {
        try Suite.parse(yaml: """
            task: multiclass
            label: { column: team, classes: [billing, network, other] }
            eval: tickets@v1
            primary: \(primary)
            \(extra)
            significance: { resamples: 200, seed: 3 }
            """, file: "s.yaml", name: "s")
    }

    func testParsesClassesCostMatrixBayesDecisionAndClassRecall() throws {
        let parsed = try suite("{ metric: expected_cost, cost: [[0, 5, 1], [2, 0, 1], [4, 4, 0]], decision: bayes }",
                               extra: "guardrails:\n  - { metric: recall, class: network, min: 0.5 }")
        XCTAssertEqual(parsed.label.classes, ["billing", "network", "other"])
        XCTAssertEqual(parsed.primary.decision, .bayes(try MulticlassCosts([[0, 5, 1], [2, 0, 1], [4, 4, 0]])))
        XCTAssertEqual(parsed.guardrails[0].metric.classIndex, 1)
        XCTAssertEqual(parsed.primary.direction, .minimize)
    }

    func testErrorsNameTheLineAndKey() {
        func message(_ primary: String, extra: String = "") -> String {
            do { _ = try suite(primary, extra: extra); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("{ metric: roc_auc }").contains("s.yaml:4"), message("{ metric: roc_auc }"))
        XCTAssertTrue(message("{ metric: expected_cost, cost: [[0, 1], [1, 0]] }").contains("3 × 3"))
        XCTAssertTrue(message("{ metric: accuracy, decision: bayes }").contains("needs cost"))
        XCTAssertTrue(message("{ metric: recall, class: sales }").contains("not a declared class"))
        XCTAssertTrue(message("{ metric: top_k_accuracy, k: 3 }").contains("k must be 1 to 2"))
        XCTAssertTrue(message("{ metric: accuracy }", extra: "guardrails:\n  - { metric: recall, class: other, min: 1.5 }").contains("[0, 1]"))
        // A parameter of another metric is an error on per-class and top-k metrics too (it was ignored).
        XCTAssertTrue(message("{ metric: recall, class: network, power: 2 }").contains("power applies only to tweedie_deviance"))
        XCTAssertTrue(message("{ metric: top_k_accuracy, k: 2, max_fpr: 0.1 }").contains("max_fpr applies only to partial_auc"))
    }

    func testReportOnProbabilityRows() throws {
        let parsed = try suite("{ metric: accuracy }", extra: "guardrails:\n  - { metric: recall, class: network, min: 0.9 }")
        var labels = [Double](), scores = [Double]()
        for row in 0..<300 {
            let truth = row % 3
            labels.append(Double(truth))
            let right = row % 5 == 0 ? 0.2 : 0.8
            scores += (0..<3).map { $0 == truth ? right : (1 - right) / 2 }
        }
        let rows = ScoredRows(ids: (0..<300).map(String.init), labels: labels, scores: scores, scoresPerRow: 3)
        let report = try SuiteEvaluation.evaluate(parsed, evaluation: [rows], validation: [])
        XCTAssertEqual(report.primary.value, 0.8, accuracy: 1e-12)
        XCTAssertNotNil(report.primary.interval)
        XCTAssertEqual(report.guardrails[0].estimate?.value ?? .nan, 0.8, accuracy: 1e-12)
        XCTAssertEqual(report.guardrails[0].withinBounds, false)
    }
}
