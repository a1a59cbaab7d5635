import XCTest
import Evaluation
import Kernels

/// Every multiclass metric against scikit-learn 1.9.1 (scripts/golden/multiclass.py) at 1e-9,
/// including ties, weights with zeros, a class absent from the rows and perfect predictions.
final class MulticlassGoldenTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let classes: Int
        let labels: [Int]
        let probabilities: [Double]
        let weights: [Double]?
        let log_loss, accuracy, brier, top_label_ece: Double
        let balanced_accuracy, f1_macro, f1_micro, f1_weighted: Double?
        let roc_auc_ovr_macro, roc_auc_ovr_weighted, roc_auc_ovo: Double?
        let present: [Int]
        let precision, recall: [Double]
        let top_k: [String: Double]
        let classwise_ece: Double
        let costs: [[Double]]
        let bayes_decisions: [Int]
        let expected_cost_argmax, expected_cost_bayes, accuracy_bayes: Double
        let f1_macro_bayes: Double?
    }
    struct Golden: Decodable { let cases: [Case] }

    func testMulticlassMetricsMatchScikitLearn() throws {
        for c in try loadGolden("multiclass.json", as: Golden.self).cases {
            let data = try MulticlassPredictions(classCount: c.classes, labels: c.labels, probabilities: c.probabilities, weights: c.weights)
            assertClose(MulticlassMetrics.logLoss(data).value, c.log_loss, "\(c.name) log loss")
            assertClose(MulticlassMetrics.accuracy(data).value, c.accuracy, "\(c.name) accuracy")
            assertClose(MulticlassMetrics.balancedAccuracy(data).value, c.balanced_accuracy, "\(c.name) balanced accuracy")
            assertClose(MulticlassMetrics.f1(data, average: .macro).value, c.f1_macro, "\(c.name) macro F1")
            assertClose(MulticlassMetrics.f1(data, average: .micro).value, c.f1_micro, "\(c.name) micro F1")
            assertClose(MulticlassMetrics.f1(data, average: .weighted).value, c.f1_weighted, "\(c.name) weighted F1")
            let scores = MulticlassMetrics.perClass(data)
            XCTAssertEqual(scores.map(\.classIndex), c.present, c.name)
            for (score, (precision, recall)) in zip(scores, zip(c.precision, c.recall)) {
                assertClose(score.precision.value, precision, "\(c.name) precision of \(score.classIndex)")
                assertClose(score.recall.value, recall, "\(c.name) recall of \(score.classIndex)")
            }
            for (k, expected) in c.top_k {
                assertClose(try MulticlassMetrics.topKAccuracy(data, k: Int(k)!).value, expected, "\(c.name) top-\(k)")
            }
            assertClose(try MulticlassMetrics.rocAUCOneVsRest(data, average: .macro).value, c.roc_auc_ovr_macro, "\(c.name) OvR macro")
            assertClose(try MulticlassMetrics.rocAUCOneVsRest(data, average: .weighted).value, c.roc_auc_ovr_weighted, "\(c.name) OvR weighted")
            if c.weights == nil {
                assertClose(try MulticlassMetrics.rocAUCOneVsOne(data).value, c.roc_auc_ovo, "\(c.name) OvO")
            } else {
                XCTAssertThrowsError(try MulticlassMetrics.rocAUCOneVsOne(data), "\(c.name): OvO is unweighted")
            }
            assertClose(MulticlassMetrics.brierScore(data).value, c.brier, "\(c.name) Brier")
            assertClose(MulticlassMetrics.topLabelCalibrationError(data).value, c.top_label_ece, "\(c.name) top-label ECE")
        }
    }

    /// Classwise ECE, the Bayes-optimal decisions under each case's cost matrix (ties to the
    /// first class) and the expected cost of argmax and Bayes decisions, against numpy and
    /// scikit-learn's weighted confusion matrix; decision metrics read the Bayes decisions, the
    /// top-label ECE keeps the argmax.
    func testCalibrationAndCostDecisionsMatchReference() throws {
        for c in try loadGolden("multiclass.json", as: Golden.self).cases {
            let data = try MulticlassPredictions(classCount: c.classes, labels: c.labels, probabilities: c.probabilities, weights: c.weights)
            let costs = try MulticlassCosts(c.costs)
            assertClose(MulticlassMetrics.classwiseCalibrationError(data).value, c.classwise_ece, "\(c.name) classwise ECE")
            assertClose(try MulticlassMetric.expectedCost(costs).evaluate(data).value, c.expected_cost_argmax, "\(c.name) argmax cost")
            let bayes = try data.deciding(.bayes(costs))
            XCTAssertEqual(bayes.decisions, c.bayes_decisions, "\(c.name) Bayes decisions")
            assertClose(try MulticlassMetric.expectedCost(costs).evaluate(bayes).value, c.expected_cost_bayes, "\(c.name) Bayes cost")
            assertClose(MulticlassMetrics.accuracy(bayes).value, c.accuracy_bayes, "\(c.name) Bayes accuracy")
            assertClose(MulticlassMetrics.f1(bayes, average: .macro).value, c.f1_macro_bayes, "\(c.name) Bayes macro F1")
            assertClose(MulticlassMetrics.topLabelCalibrationError(bayes).value, c.top_label_ece, "\(c.name) top-label ECE keeps argmax")
        }
    }

    func testUnknownClassAndNonProbabilitiesAreRefused() {
        XCTAssertThrowsError(try MulticlassPredictions(classCount: 3, labels: [0, 3], probabilities: [Double](repeating: 1.0 / 3, count: 6)))
        XCTAssertThrowsError(try MulticlassPredictions(classCount: 2, labels: [0], probabilities: [1.2, -0.2]))
    }

    /// The one-vs-rest AUC ranks each class's column directly; it must give exactly what the
    /// generic path gives (binary predictions of "class k" against the rest, ranked), on rows
    /// with ties and zero weights, with every class present and with one that never occurs.
    func testOneVsRestAUCEqualsTheBinaryPathExactly() throws {
        var random = SplitMix64(seed: 17)
        let classes = 4, rows = 5_000
        let probabilities = (0..<rows).flatMap { _ -> [Double] in
            let raw = (0..<classes).map { _ in (random.unit() * 20).rounded() + 1 }  // few distinct values: ties
            let total = raw.reduce(0, +)
            return raw.map { $0 / total }
        }
        let everyClass = (0..<rows).map { _ in random.index(below: classes) }
        let lastAbsent = (0..<rows).map { _ in random.index(below: classes - 1) }
        let someZero = (0..<rows).map { _ in random.index(below: 4) == 0 ? 0 : random.unit() * 3 }
        for (labels, weights) in [(everyClass, nil), (everyClass, someZero), (lastAbsent, nil), (lastAbsent, someZero)] {
            let data = try MulticlassPredictions(classCount: classes, labels: labels, probabilities: probabilities, weights: weights)
            var macro = 0.0, weighted = 0.0, total = 0.0
            for k in 0..<classes {
                let binary = try BinaryPredictions(scores: (0..<rows).map { probabilities[$0 * classes + k] },
                                                   labels: labels.map { $0 == k }, weights: weights)
                let auc = RankedPredictions(binary).rocAUC().value
                let weight = (0..<rows).reduce(0.0) { $0 + (labels[$1] == k ? (weights?[$1] ?? 1) : 0) }
                macro += auc
                if weight > 0 { (weighted, total) = (weighted + weight * auc, total + weight) }
            }
            let fast = try MulticlassMetrics.rocAUCOneVsRest(data, average: .macro).value
            XCTAssertTrue(fast == macro / Double(classes) || (fast.isNaN && macro.isNaN), "macro \(fast) vs \(macro / Double(classes))")
            XCTAssertEqual(try MulticlassMetrics.rocAUCOneVsRest(data, average: .weighted).value, weighted / total)
        }
    }
}
