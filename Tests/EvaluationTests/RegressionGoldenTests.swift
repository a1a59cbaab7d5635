import XCTest
import Evaluation

/// Every regression metric against scikit-learn 1.9.1 (scripts/golden/regression.py) at 1e-9,
/// directly and through `RegressionMetric` (the path the bootstrap, slices and suites use).
final class RegressionGoldenTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let targets, predictions: [Double]
        let weights: [Double]?
        let mae, rmse, mape, smape, median_ae, mean_residual, expected_cost: Double
        let r2, explained_variance: Double?
        let tweedie: [String: Double]
        let pinball: [String: Double]
    }
    struct Costs: Decodable { let under, over: Double }
    struct Golden: Decodable {
        let tweedie_powers: [Double]
        let costs: Costs
        let cases: [Case]
    }

    func testRegressionMetricsMatchScikitLearn() throws {
        let golden = try loadGolden("regression.json", as: Golden.self)
        let costs = RegressionCosts(underPrediction: golden.costs.under, overPrediction: golden.costs.over)
        for c in golden.cases {
            let data = try RegressionPredictions(targets: c.targets, predictions: c.predictions, weights: c.weights)
            func check(_ metric: RegressionMetric, _ expected: Double?, _ label: String) throws {
                assertClose(try metric.evaluate(data).value, expected, "\(c.name) \(label)")
            }
            try check(.meanAbsoluteError, c.mae, "mae")
            try check(.rootMeanSquaredError, c.rmse, "rmse")
            try check(.meanAbsolutePercentageError, c.mape, "mape")
            try check(.symmetricMeanAbsolutePercentageError, c.smape, "smape")
            try check(.medianAbsoluteError, c.median_ae, "median_ae")
            try check(.r2, c.r2, "r2")
            try check(.explainedVariance, c.explained_variance, "explained_variance")
            try check(.meanResidual, c.mean_residual, "mean_residual")
            try check(.expectedCost(costs), c.expected_cost, "expected_cost")
            for (quantile, expected) in c.pinball {
                try check(.pinballLoss(quantile: Double(quantile)!), expected, "pinball \(quantile)")
            }
            for power in golden.tweedie_powers {
                let metric = RegressionMetric.tweedieDeviance(power: power)
                if let expected = c.tweedie[String(power)] {
                    try check(metric, expected, "tweedie \(power)")
                } else {
                    XCTAssertThrowsError(try metric.evaluate(data), "\(c.name): tweedie \(power) outside its domain must fail")
                }
            }
        }
    }

    /// A bootstrap multiplicity is the same as repeating rows: weights × counts.
    func testMultiplicityEqualsRepeatedRows() throws {
        let golden = try loadGolden("regression.json", as: Golden.self)
        let c = golden.cases.first { $0.name == "ties" }!
        let counts: [Double] = [2, 0, 1, 3, 1, 1]
        let data = try RegressionPredictions(targets: c.targets, predictions: c.predictions)
        let weighted = try RegressionPredictions(targets: c.targets, predictions: c.predictions, weights: counts)
        let tiers = try RegressionCosts(under: [.init(upTo: 1, perUnit: 2), .init(upTo: nil, perUnit: 5)], over: [.init(upTo: nil, perUnit: 1)])
        for metric: RegressionMetric in [.rootMeanSquaredError, .medianAbsoluteError, .r2, .explainedVariance, .pinballLoss(quantile: 0.9),
                                         .expectedCost(tiers), .maxDecileResidual] {
            XCTAssertEqual(try metric.evaluate(data, multiplicity: counts).value, try metric.evaluate(weighted).value, "\(metric)")
        }
    }

    /// Regression rows resample without strata; a paired difference of a model with itself is 0.
    func testBootstrapOfRegressionMetric() throws {
        let golden = try loadGolden("regression.json", as: Golden.self)
        let c = golden.cases.first { $0.name == "random" }!
        let data = try RegressionPredictions(targets: c.targets, predictions: c.predictions)
        let plan = BootstrapPlan(resamples: 200, seed: 3, bca: false)
        let result = try Bootstrap.metric(RegressionMetric.rootMeanSquaredError, data, plan: plan)
        XCTAssertEqual(result.design, .rows(count: c.targets.count))
        XCTAssertEqual(result.estimate, c.rmse, accuracy: 1e-9)
        XCTAssertTrue(result.percentile.contains(c.rmse))
        let same = try Bootstrap.difference(RegressionMetric.meanAbsoluteError, baseline: data, candidate: data, plan: plan)
        XCTAssertEqual(same.replicates, [Double](repeating: 0, count: 200))
    }
}

/// The paired t-test on squared and absolute errors against scipy's `ttest_rel`.
final class PairedTTestGoldenTests: XCTestCase {
    struct Test: Decodable { let statistic, p_value, df: Double }
    struct Case: Decodable {
        let name: String
        let targets, baseline, candidate: [Double]
        let squared, absolute: Test
    }
    struct Golden: Decodable { let paired_t: [Case] }

    func testPairedTTestMatchesScipy() throws {
        for c in try loadGolden("regression.json", as: Golden.self).paired_t {
            for (absolute, expected) in [(false, c.squared), (true, c.absolute)] {
                let test = try PairedTTest(targets: c.targets, baseline: c.baseline, candidate: c.candidate, absolute: absolute)
                assertClose(test.statistic, expected.statistic, "\(c.name) t (absolute: \(absolute))")
                assertClose(test.pValue, expected.p_value, tolerance: 1e-12, "\(c.name) p (absolute: \(absolute))")
                XCTAssertEqual(test.degreesOfFreedom, expected.df)
            }
        }
    }
}
