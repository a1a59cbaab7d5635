import XCTest
import Evaluation

/// Every metric against scikit-learn 1.9.1 (scripts/golden/metrics.py) at 1e-9.
final class MetricsGoldenTests: XCTestCase {
    struct Reliability: Decodable {
        let edges: [Double]
        let weight: [Double]
        let prob_true: [Double]
        let prob_pred: [Double]
        let ece: Double
    }
    struct AtThreshold: Decodable {
        let tn, fp, fn, tp: Double
        let accuracy, precision, recall, f1, specificity, fpr, mcc, expected_cost: Double
    }
    struct BinaryCase: Decodable {
        let name: String
        let labels: [Double]
        let scores: [Double]
        let weights: [Double]?
        let roc_auc: Double?
        let partial_auc: [String: Double?]?
        let average_precision: Double
        let log_loss: Double?
        let brier: Double?
        let reliability: [String: Reliability]?
        let at_threshold: [String: AtThreshold]
    }
    struct RegressionCase: Decodable {
        let name: String
        let targets, predictions: [Double]
        let weights: [Double]?
        let mae, rmse, mape: Double
        let r2: Double?
    }
    struct Costs: Decodable { let tp, fp, tn, fn: Double }
    struct Golden: Decodable {
        let binary: [BinaryCase]
        let regression: [RegressionCase]
        let costs: Costs
    }

    func testBinaryMetricsMatchScikitLearn() throws {
        let golden = try loadGolden("metrics.json", as: Golden.self)
        let costs = CostMatrix(truePositive: golden.costs.tp, falsePositive: golden.costs.fp,
                               trueNegative: golden.costs.tn, falseNegative: golden.costs.fn)
        for c in golden.binary {
            let data = try BinaryPredictions(scores: c.scores, labels: c.labels, weights: c.weights)
            let ranked = RankedPredictions(data)
            let curve = ranked.curve()
            assertClose(try curve.rocAUC().value, c.roc_auc, "\(c.name) roc_auc")
            for (maxFPR, expected) in c.partial_auc ?? [:] {
                assertClose(try curve.rocAUC(maxFPR: Double(maxFPR)!).value, expected, "\(c.name) pAUC \(maxFPR)")
            }
            assertClose(curve.averagePrecision().value, c.average_precision, "\(c.name) AP")
            assertClose(try BinaryMetric.rocAUC.evaluate(ranked).value, c.roc_auc, "\(c.name) one-pass roc_auc")
            assertClose(try BinaryMetric.averagePrecision.evaluate(ranked).value, c.average_precision, "\(c.name) enum AP")
            if let logLoss = c.log_loss {
                assertClose(try ProbabilityMetrics.logLoss(data).value, logLoss, "\(c.name) log loss")
                assertClose(try ProbabilityMetrics.brierScore(data).value, c.brier, "\(c.name) brier")
            } else {
                XCTAssertThrowsError(try ProbabilityMetrics.logLoss(data))
            }
            for (key, expected) in c.reliability ?? [:] {
                let parts = key.split(separator: "-")
                let bins = Int(parts[1])!
                let binning: CalibrationBinning = parts[0] == "uniform" ? .uniform(bins: bins) : .quantile(bins: bins)
                let curve = try Calibration.reliabilityCurve(data, binning: binning)
                XCTAssertEqual(curve.edges.count, expected.edges.count)
                for (a, e) in zip(curve.edges, expected.edges) { assertClose(a, e, "\(c.name) \(key) edge") }
                XCTAssertEqual(curve.bins.count, expected.prob_true.count, "\(c.name) \(key) bins")
                for (bin, i) in zip(curve.bins, curve.bins.indices) {
                    assertClose(bin.weight, expected.weight[i], "\(c.name) \(key) weight")
                    assertClose(bin.fractionPositive, expected.prob_true[i], "\(c.name) \(key) prob_true")
                    assertClose(bin.meanPredicted, expected.prob_pred[i], "\(c.name) \(key) prob_pred")
                }
                assertClose(curve.expectedCalibrationError, expected.ece, "\(c.name) \(key) ECE")
                if key == "uniform-15" {
                    assertClose(try Calibration.expectedCalibrationError(data).value, expected.ece, "\(c.name) ECE")
                }
            }
            for (key, e) in c.at_threshold {
                let t = Double(key)!
                let m = ConfusionMatrix(data, threshold: t)
                let label = "\(c.name) @\(key)"
                assertClose(m.truePositives, e.tp, "\(label) tp")
                assertClose(m.falsePositives, e.fp, "\(label) fp")
                assertClose(m.trueNegatives, e.tn, "\(label) tn")
                assertClose(m.falseNegatives, e.fn, "\(label) fn")
                assertClose(m.accuracy.value, e.accuracy, "\(label) accuracy")
                assertClose(m.precision().value, e.precision, "\(label) precision")
                assertClose(m.recall().value, e.recall, "\(label) recall")
                assertClose(m.f1().value, e.f1, "\(label) f1")
                assertClose(m.specificity().value, e.specificity, "\(label) specificity")
                assertClose(m.falsePositiveRate().value, e.fpr, "\(label) fpr")
                assertClose(m.matthewsCorrelation.value, e.mcc, "\(label) mcc")
                assertClose(costs.expectedCost(m).value, e.expected_cost, "\(label) cost")
                // The generic metric enum agrees with the direct calls.
                assertClose(try BinaryMetric.f1(threshold: t).evaluate(ranked).value, e.f1, "\(label) enum f1")
            }
        }
    }

    func testRegressionMetricsMatchScikitLearn() throws {
        let golden = try loadGolden("metrics.json", as: Golden.self)
        for c in golden.regression {
            let data = try RegressionPredictions(targets: c.targets, predictions: c.predictions, weights: c.weights)
            assertClose(RegressionMetrics.meanAbsoluteError(data).value, c.mae, "\(c.name) MAE")
            assertClose(RegressionMetrics.rootMeanSquaredError(data).value, c.rmse, "\(c.name) RMSE")
            assertClose(RegressionMetrics.r2(data).value, c.r2, "\(c.name) R2")
            // MAPE divides by max(|y|, eps): compare relative to its magnitude.
            assertClose(RegressionMetrics.meanAbsolutePercentageError(data).value, c.mape,
                        tolerance: 1e-9 * max(1, abs(c.mape)), "\(c.name) MAPE")
        }
    }
}
