import XCTest
@testable import Evaluation

/// R² and explained variance of a target whose values are all equal but not exactly
/// representable as their own mean (0.1): the denominator Σw(y − ȳ)² is zero in exact arithmetic,
/// so GitML gives scikit-learn's force_finite values (1 when predicted exactly, else 0).
/// scikit-learn 1.9.1 itself returns −1.73e31 for n = 3 (np.average([0.1]*3) is 0.1 + 1.4e-17,
/// a denominator of 5.8e-34): a rounding artifact GitML deliberately does not reproduce
/// (docs/STATISTICS.md, "Regression metrics").
final class ConstantTargetTests: XCTestCase {
    func testAConstantTargetGivesTheForceFiniteValuesWhateverItsRounding() throws {
        for n in [3, 7, 10, 4097, 10_000] {
            for value in [0.1, 0.3, 1e-300, 123456.789, -2.2] {
                let targets = [Double](repeating: value, count: n)
                var predictions = targets
                predictions[n / 2] = value + 1
                let wrong = try RegressionPredictions(targets: targets, predictions: predictions)
                XCTAssertEqual(RegressionMetrics.r2(wrong).value, 0, "n \(n), y \(value)")
                XCTAssertEqual(RegressionMoments(wrong).explainedVariance.value, 0, "n \(n), y \(value)")
                let exact = try RegressionPredictions(targets: targets, predictions: targets)
                XCTAssertEqual(RegressionMetrics.r2(exact).value, 1, "n \(n), y \(value)")
                XCTAssertEqual(RegressionMoments(exact).explainedVariance.value, 1, "n \(n), y \(value)")
                let weighted = try RegressionPredictions(targets: targets, predictions: predictions,
                                                         weights: (0..<n).map { Double($0 % 3) + 0.5 })
                XCTAssertEqual(RegressionMetrics.r2(weighted).value, 0, "weighted, n \(n), y \(value)")
            }
        }
    }
}
