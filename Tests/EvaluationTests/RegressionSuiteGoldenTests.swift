import XCTest
import Evaluation

/// The regression suites' numbers against numpy, scipy, statsmodels and scikit-learn
/// (scripts/golden/regression_suites.py) at 1e-9: tiered expected cost, prediction-interval
/// coverage with its Wilson interval, and per-group MAE / mean residual with their gaps.
final class RegressionSuiteGoldenTests: XCTestCase {
    struct Tier: Decodable {
        let up_to: Double?
        let per_unit: Double
    }
    struct CostCase: Decodable {
        let name: String
        let targets, predictions, per_row: [Double]
        let weights: [Double]?
        let under, over: [Tier]
        let expected_cost: Double
    }
    struct CoverageCase: Decodable {
        let name: String
        let targets, lower, upper, quantiles, wilson: [Double]
        let confidence, coverage, nominal: Double
        let covered, crossed: Int
    }
    struct ClusteredCoverageCase: Decodable {
        let name: String
        let targets, lower, upper, quantiles, interval: [Double]
        let entities: [String]
        let confidence: Double
        let covered, distinct: Int
    }
    struct GroupCase: Decodable {
        let name: String
        let targets, predictions: [Double]
        let groups, order: [String]
        let minimum_rows: Int
        let mae, mean_residual: [String: Double]
        let mae_gap, mean_residual_gap: Double?
    }
    struct DecileCase: Decodable {
        let name: String
        let targets, predictions: [Double]
        let weights: [Double]?
        let max_decile_residual: Double
    }
    struct Golden: Decodable {
        let costs: [CostCase]
        let coverage: [CoverageCase]
        let clustered_coverage: [ClusteredCoverageCase]
        let groups: [GroupCase]
        let deciles: [DecileCase]
    }

    func testMaxDecileResidualMatchesNumpy() throws {
        for c in try loadGolden("regression_suites.json", as: Golden.self).deciles {
            let data = try RegressionPredictions(targets: c.targets, predictions: c.predictions, weights: c.weights)
            assertClose(try RegressionMetric.maxDecileResidual.evaluate(data).value, c.max_decile_residual, "\(c.name)")
        }
    }

    func testTieredCostMatchesPiecewiseInterpolation() throws {
        for c in try loadGolden("regression_suites.json", as: Golden.self).costs {
            let costs = try RegressionCosts(under: c.under.map { RegressionCosts.Tier(upTo: $0.up_to, perUnit: $0.per_unit) },
                                            over: c.over.map { RegressionCosts.Tier(upTo: $0.up_to, perUnit: $0.per_unit) })
            for (row, expected) in c.per_row.enumerated() {
                assertClose(costs.cost(residual: c.targets[row] - c.predictions[row]), expected, "\(c.name) row \(row)")
            }
            let data = try RegressionPredictions(targets: c.targets, predictions: c.predictions, weights: c.weights)
            assertClose(try RegressionMetric.expectedCost(costs).evaluate(data).value, c.expected_cost, "\(c.name) expected cost")
        }
    }

    /// One tier per side is the per-unit cost, bit for bit.
    func testOneTierIsThePerUnitCost() throws {
        let tiers = try RegressionCosts(under: [.init(upTo: nil, perUnit: 3)], over: [.init(upTo: nil, perUnit: 1)])
        XCTAssertEqual(tiers, RegressionCosts(underPrediction: 3, overPrediction: 1))
        XCTAssertEqual(tiers.cost(residual: 2.5), 7.5)
        XCTAssertEqual(tiers.cost(residual: -2.5), 2.5)
    }

    func testTiersMustBeOrderedAndEndUnbounded() {
        let open = RegressionCosts.Tier(upTo: nil, perUnit: 1)
        for (under, expected) in [([RegressionCosts.Tier(upTo: 5, perUnit: 1)], "last tier"),
                                  ([.init(upTo: 5, perUnit: 1), .init(upTo: 5, perUnit: 2), open], "greater than 5"),
                                  ([.init(upTo: 0, perUnit: 1), open], "greater than 0"),
                                  ([open, open], "only the last tier"),
                                  ([.init(upTo: nil, perUnit: -1)], "≥ 0"),
                                  ([], "tiers")] {
            XCTAssertThrowsError(try RegressionCosts(under: under, over: [open])) {
                XCTAssertTrue("\($0)".contains(expected), "\($0) lacks \(expected)")
            }
        }
    }

    func testIntervalCoverageAndWilsonIntervalMatchStatsmodels() throws {
        for c in try loadGolden("regression_suites.json", as: Golden.self).coverage {
            let coverage = try IntervalCoverage(targets: c.targets, lower: c.lower, upper: c.upper, lowerQuantile: c.quantiles[0],
                                                upperQuantile: c.quantiles[1], confidence: c.confidence)
            XCTAssertEqual(coverage.covered, c.covered, c.name)
            XCTAssertEqual(coverage.crossed, c.crossed, c.name)
            XCTAssertEqual(coverage.rows, c.targets.count, c.name)
            assertClose(coverage.coverage, c.coverage, "\(c.name) coverage")
            assertClose(coverage.nominal, c.nominal, "\(c.name) nominal")
            assertClose(coverage.interval.lower, c.wilson[0], "\(c.name) Wilson lower")
            assertClose(coverage.interval.upper, c.wilson[1], "\(c.name) Wilson upper")
            XCTAssertEqual(coverage.holdsNominal, c.wilson[0] <= c.nominal && c.nominal <= c.wilson[1], c.name)
        }
        XCTAssertThrowsError(try IntervalCoverage(targets: [1], lower: [0], upper: [2], lowerQuantile: 0.9, upperQuantile: 0.1, confidence: 0.95))
        XCTAssertThrowsError(try IntervalCoverage(targets: [1, 2], lower: [0], upper: [2, 3], lowerQuantile: 0.1, upperQuantile: 0.9, confidence: 0.95))
    }

    /// With entities, the coverage interval is cluster-robust (statsmodels OLS, cov_type="cluster"):
    /// whole customers missed widen it well past the Wilson interval of the same rows.
    func testClusteredIntervalCoverageMatchesStatsmodels() throws {
        for c in try loadGolden("regression_suites.json", as: Golden.self).clustered_coverage {
            let coverage = try IntervalCoverage(targets: c.targets, lower: c.lower, upper: c.upper, lowerQuantile: c.quantiles[0],
                                                upperQuantile: c.quantiles[1], confidence: c.confidence, clusters: c.entities)
            XCTAssertEqual(coverage.covered, c.covered, c.name)
            XCTAssertEqual(coverage.entities, c.distinct, c.name)
            assertClose(coverage.interval.lower, c.interval[0], "\(c.name) clustered lower")
            assertClose(coverage.interval.upper, c.interval[1], "\(c.name) clustered upper")
            if c.name == "customers-sticky" {
                let rowsOnly = try IntervalCoverage(targets: c.targets, lower: c.lower, upper: c.upper, lowerQuantile: c.quantiles[0],
                                                    upperQuantile: c.quantiles[1], confidence: c.confidence)
                XCTAssertNil(rowsOnly.entities)
                XCTAssertGreaterThan(coverage.interval.upper - coverage.interval.lower,
                                     1.5 * (rowsOnly.interval.upper - rowsOnly.interval.lower), "clustering widens the interval")
            }
        }
        XCTAssertThrowsError(try IntervalCoverage(targets: [1, 2], lower: [0, 0], upper: [2, 3], lowerQuantile: 0.1, upperQuantile: 0.9,
                                                  confidence: 0.95, clusters: ["a", "a"]), "one entity has no cluster variance")
        XCTAssertThrowsError(try IntervalCoverage(targets: [1, 2], lower: [0, 0], upper: [2, 3], lowerQuantile: 0.1, upperQuantile: 0.9,
                                                  confidence: 0.95, clusters: ["a"]))
    }

    func testGroupMetricsAndGapsMatchScikitLearn() throws {
        for c in try loadGolden("regression_suites.json", as: Golden.self).groups {
            let data = try RegressionPredictions(targets: c.targets, predictions: c.predictions)
            for (metric, expected, gap) in [(RegressionMetric.meanAbsoluteError, c.mae, c.mae_gap),
                                            (.meanResidual, c.mean_residual, c.mean_residual_gap)] {
                let result = try GroupGap(metric, data, groups: c.groups, minimumRows: c.minimum_rows,
                                          plan: BootstrapPlan(resamples: 200, seed: 4, bca: false))
                XCTAssertEqual(result.groups.map(\.value), c.order, c.name)
                for group in result.groups {
                    assertClose(group.metric?.value ?? -1, expected[group.value] ?? -1, "\(c.name) \(metric) \(group.value)")
                    XCTAssertEqual(group.interval != nil, expected[group.value] != nil, "\(c.name) \(group.value) interval")
                    if let interval = group.interval, let value = group.metric?.value {
                        XCTAssertTrue(interval.lower <= value && value <= interval.upper, "\(c.name) \(group.value) \(interval)")
                    }
                }
                if let gap {
                    assertClose(try XCTUnwrap(result.gap), gap, "\(c.name) \(metric) gap")
                    // Replicate gaps are max − min of resampled group values: ≥ 0, and not centred on the
                    // point gap (the max of noisy values is biased up), so only their order is checked.
                    let interval = try XCTUnwrap(result.interval, c.name)
                    XCTAssertTrue(0 <= interval.lower && interval.lower < interval.upper, "\(c.name) gap interval \(interval)")
                } else {
                    XCTAssertNil(result.gap, c.name)
                    XCTAssertNil(result.interval, c.name)
                }
            }
        }
    }
}
