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

    /// With an `entity`, each class's recall interval in the report is cluster-robust over the
    /// entities of that class's rows (equal to `ProportionInterval.clustered`), and wider than
    /// Wilson's when whole entities are misclassified.
    func testClassRecallIntervalsAreClusteredOverTheSuitesEntities() throws {
        var labels = [Double](), scores = [Double](), customers = [String]()
        for row in 0..<600 {
            let truth = row % 3, customer = row / 20  // 30 customers of 20 rows
            let right = customer % 5 != 0  // every fifth customer is always misclassified
            labels.append(Double(truth))
            customers.append("c\(customer)")
            scores += (0..<3).map { $0 == (right ? truth : (truth + 1) % 3) ? 0.8 : 0.1 }
        }
        let rows = ScoredRows(ids: (0..<600).map(String.init), labels: labels, scores: scores, scoresPerRow: 3,
                              columns: ["customer": customers])
        let plain = try XCTUnwrap(SuiteEvaluation.evaluate(try suite("{ metric: accuracy }"), evaluation: [rows], validation: []).multiclass)
        let clustered = try XCTUnwrap(SuiteEvaluation.evaluate(try suite("{ metric: accuracy }", extra: "entity: customer"),
                                                               evaluation: [rows], validation: []).multiclass)
        XCTAssertNil(plain.entities)
        XCTAssertEqual(clustered.entities, 30)
        for k in 0..<3 {
            let mine = labels.indices.filter { Int(labels[$0]) == k }
            let expected = try ProportionInterval.clustered(outcomes: mine.map { ($0 / 20) % 5 != 0 }, clusters: mine.map { customers[$0] },
                                                            confidence: 0.95)
            XCTAssertEqual(clustered.recall[k].interval, expected)
            XCTAssertEqual(clustered.recall[k].recall, plain.recall[k].recall)
            let wilson = try XCTUnwrap(plain.recall[k].interval)
            XCTAssertGreaterThan(expected.upper - expected.lower, wilson.upper - wilson.lower)
        }
    }

    /// 600 rows of three classes; a model is right on the rows where `right(row)` holds (the
    /// true class at 0.7, else the next class at 0.7), with slightly varying probabilities.
    private func rows(_ right: (Int) -> Bool) -> ScoredRows {
        var labels = [Double](), scores = [Double]()
        for row in 0..<600 {
            let truth = row % 3, decided = right(row) ? truth : (truth + 1) % 3
            let top = 0.6 + Double(row % 7) / 40
            labels.append(Double(truth))
            scores += (0..<3).map { $0 == decided ? top : (1 - top) / 2 }
        }
        return ScoredRows(ids: (0..<600).map { "t\($0)" }, labels: labels, scores: scores, scoresPerRow: 3,
                          columns: ["channel": (0..<600).map { ["mail", "chat"][$0 % 2] }])
    }

    func testGateComparesMulticlassModelsWithPairedTestsAndRendersTheReview() throws {
        let parsed = try suite("{ metric: accuracy, cost: [[0, 1, 1], [4, 0, 1], [1, 1, 0]] }", extra: """
            guardrails:
              - { metric: recall, class: network, min: 0.5 }
              - { metric: expected_cost, max: 1 }
            """)
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0 }\n", file: "g.yaml")
        let digest = "sha256:" + String(repeating: "cd", count: 32)
        func judge(_ candidate: ScoredRows, _ champion: ScoredRows) throws -> Verdict {
            try Gate.evaluate(policy: policy, suite: parsed, evidence: GateEvidence(
                candidate: .init(runID: "cand", evaluation: [candidate], validation: [], evaluationDigest: digest),
                champion: .init(runID: "champ", evaluation: [champion], validation: [], evaluationDigest: digest),
                dataset: .init(versioned: true), cost: .init(usd: 0, overBudget: false), code: .init(dirty: false, stale: false),
                attestations: [], evaluationsSpent: 0))
        }
        let good = rows { $0 % 10 != 0 }, fair = rows { $0 % 4 != 0 }
        let promoted = try judge(good, fair)
        XCTAssertEqual(promoted.decision, .promote, "\(promoted.rows)")
        let primary = try XCTUnwrap(promoted.primary)
        XCTAssertEqual(primary.method, "paired bootstrap")
        XCTAssertEqual(primary.difference, 0.9 - 0.75, accuracy: 0.01)
        XCTAssertLessThan(try XCTUnwrap(primary.mcnemarPValue), 1e-6, "the candidate is right on every row the champion is, and more")
        XCTAssertNotNil(primary.stuartMaxwellPValue)
        XCTAssertEqual(primary.oneVsRestDeLongPValues?.count, 3)
        let diagnostics = try XCTUnwrap(promoted.candidateReport.multiclass)
        XCTAssertEqual(diagnostics.confusion.map { $0.reduce(0, +) }, [200, 200, 200])
        XCTAssertEqual(diagnostics.confusion.enumerated().map { $0.element[$0.offset] }.reduce(0, +), 540)
        let network = diagnostics.recall[1]
        XCTAssertEqual(try XCTUnwrap(network.recall), Double(diagnostics.confusion[1][1]) / 200, accuracy: 1e-12)
        XCTAssertEqual(network.interval, try ProportionInterval.wilson(successes: diagnostics.confusion[1][1], trials: 200, confidence: 0.95))
        XCTAssertEqual(try XCTUnwrap(diagnostics.topLabelReliability).expectedCalibrationError,
                       try MulticlassMetric.topLabelCalibrationError.evaluate(
                           try MulticlassPredictions(classCount: 3, labels: good.labels.map { Int($0) }, probabilities: good.scores)).value,
                       accuracy: 1e-12, "the plotted bins are the top-label ECE's")
        XCTAssertTrue(Review.markdown(promoted).contains("### Recall per class"))

        // A model that never decides network breaks the recall floor: rejected.
        let blind = rows { $0 % 3 != 1 }
        let rejected = try judge(blind, fair)
        XCTAssertEqual(rejected.decision, .reject)
        XCTAssertEqual(rejected.guardrails[0].outcome, .fail)
        XCTAssertTrue(rejected.guardrails[0].evidence.contains("< min 0.5"), rejected.guardrails[0].evidence)

        // The HTML review's multiclass plots, laid out by a real browser, and no ROC curve.
        let dom = try HeadlessChromium.dom(of: Review.html(promoted))
        for id in ["confusion-matrix", "class-recall", "top-label-reliability"] {
            XCTAssertGreaterThan(try XCTUnwrap(HeadlessChromium.renderedWidth(of: id, in: dom), "plot \(id) missing"), 100, id)
        }
        XCTAssertNil(HeadlessChromium.renderedWidth(of: "roc-curve", in: dom))
        XCTAssertTrue(dom.contains("600 rows, 3 classes"))
        XCTAssertTrue(dom.contains("true network, decided network"), "the heat map's cells are labelled")
        XCTAssertEqual(dom.components(separatedBy: "<g class=\"candidate\"").count - 1, 3, "a recall interval per class")
    }
}
