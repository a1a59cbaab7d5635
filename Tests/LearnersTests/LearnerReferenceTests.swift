import Foundation
import Kernels
import XCTest
@testable import Learners

/// Multinomial logistic regression against scikit-learn 1.9.1 and the softmax / L1 / Huber /
/// quantile GBDT against LightGBM, on data from scripts/golden/learners_multiclass.py (features
/// regenerated here from the same SplitMix64 seeds; labels and reference values from the file).
final class LearnerReferenceTests: XCTestCase {
    struct Golden: Decodable {
        struct Multinomial: Decodable { let seed: UInt64, rows: Int, columns: Int, l2: Double, labels: [Int], log_loss: Double }
        struct Softmax: Decodable {
            let train_seed: UInt64, test_seed: UInt64, train_rows: Int, test_rows: Int, columns: Int, classes: Int, rounds: Int
            let labels: [Int], test_labels: [Int], lightgbm_test_log_loss: Double
        }
        struct Regression: Decodable {
            let train_seed: UInt64, test_seed: UInt64, train_rows: Int, test_rows: Int, columns: Int, rounds: Int
            let labels: [Double], test_labels: [Double], huber_delta: Double, quantile_alpha: Double
            let lightgbm_test_l1: Double, lightgbm_test_huber: Double, lightgbm_test_quantile: Double, lightgbm_test_l2: Double
        }
        let multinomial: Multinomial, softmax: Softmax, regression: Regression
    }

    let golden: Golden = try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Golden/multiclass_learners.json")))
    let two = ParallelFor.Threads(2)

    /// Float(unit()·2 - 1) drawn row by row, as the script's `splitmix_features`.
    func features(seed: UInt64, rows: Int, columns: Int) throws -> FeatureMatrix {
        var random = SplitMix64(seed: seed)
        var out = [[Float]](repeating: [], count: columns)
        for _ in 0..<rows { for j in 0..<columns { out[j].append(Float(random.unit() * 2 - 1)) } }
        return try FeatureMatrix(numericColumns: out)
    }

    func testMultinomialLogisticRegressionLogLossEqualsScikitLearnWithin1e4() throws {
        let g = golden.multinomial
        var x = try features(seed: g.seed, rows: g.rows, columns: g.columns).columns
        x[0] = x[0].map { $0 * 3 + 1 }
        let model = try MultinomialLogisticRegression(classCount: 3, l2: g.l2, tolerance: 1e-10)
            .fit(try FeatureMatrix(numericColumns: x), labels: g.labels.map(Double.init), seed: 0, threads: two)
        let p = try model.predict(try FeatureMatrix(numericColumns: x), threads: two)
        let loss = g.labels.enumerated().map { -log(p[$0.offset * 3 + $0.element]) }.reduce(0, +) / Double(g.rows)
        XCTAssertEqual(loss, g.log_loss, accuracy: 1e-4)
    }

    func testSoftmaxBoostingLogLossIsWithinOnePercentOfLightGBM() throws {
        let g = golden.softmax
        let model = try GradientBoostedTrees(objective: .multiclassSoftmax, rounds: g.rounds, numLeaves: 15, classCount: g.classes)
            .fit(try features(seed: g.train_seed, rows: g.train_rows, columns: g.columns), labels: g.labels.map(Double.init),
                 seed: 0, threads: two)
        let p = try model.predict(try features(seed: g.test_seed, rows: g.test_rows, columns: g.columns), threads: two)
        let loss = g.test_labels.enumerated().map { -log(p[$0.offset * g.classes + $0.element]) }.reduce(0, +) / Double(g.test_rows)
        print("softmax test log loss \(loss), LightGBM \(g.lightgbm_test_log_loss)")
        XCTAssertLessThanOrEqual(loss, 1.01 * g.lightgbm_test_log_loss)
    }

    func testRegressionLossesAreCloseToLightGBMs() throws {
        let g = golden.regression
        let train = try features(seed: g.train_seed, rows: g.train_rows, columns: g.columns)
        let test = try features(seed: g.test_seed, rows: g.test_rows, columns: g.columns)
        let cases: [(GradientBoostedTrees.Objective, Double, (Double) -> Double)] = [
            (.absoluteError, g.lightgbm_test_l1, { abs($0) }),
            (.huber, g.lightgbm_test_huber, { abs($0) <= 1 ? 0.5 * $0 * $0 : abs($0) - 0.5 }),
            (.quantile, g.lightgbm_test_quantile, { max(0.9 * $0, -0.1 * $0) }),
            (.squaredError, g.lightgbm_test_l2, { $0 * $0 }),
        ]
        for (objective, reference, loss) in cases {
            let model = try GradientBoostedTrees(objective: objective, rounds: g.rounds, numLeaves: 15, huberDelta: g.huber_delta,
                                                 quantileAlpha: g.quantile_alpha).fit(train, labels: g.labels, seed: 0, threads: two)
            let predictions = try model.predict(test, threads: two)
            let value = zip(g.test_labels, predictions).map { loss($0 - $1) }.reduce(0, +) / Double(g.test_rows)
            print("\(objective) test loss \(value), LightGBM \(reference)")
            XCTAssertLessThanOrEqual(value, 1.02 * reference, "\(objective)")
        }
    }
}
