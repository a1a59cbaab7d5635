import Evaluation
import Gate
import XCTest

/// The regression suite's guardrails beyond bounds: prediction-interval coverage against its
/// nominal level, per-group residual fairness (gap between groups), and tiered costs.
final class RegressionGuardrailTests: XCTestCase {
    private let digest = String(repeating: "cd", count: 32)

    private func suite(_ guardrails: String, primary: String = "{ metric: mae }") throws -> Suite {
        try Suite.parse(yaml: """
            task: regression
            label: { column: demand }
            eval: demand@v1
            primary: \(primary)
            guardrails:
            \(guardrails)
            significance: { resamples: 300, seed: 9 }
            """, file: "ml/suites/demand.yaml", name: "demand")
    }

    private func message(_ guardrails: String, primary: String = "{ metric: mae }") -> String {
        do { _ = try suite(guardrails, primary: primary); return "" } catch { return "\(error)" }
    }

    /// 900 rows: targets around 100, predictions with uniform noise of ±`noise`, `bias` added on
    /// the "south" rows, and a symmetric interval of half-width `halfWidth` (quantiles 0.05, 0.95).
    private func rows(noise: Double, halfWidth: Double, bias: Double = 0, seed: UInt64 = 1) -> ScoredRows {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var labels = [Double](), scores = [Double](), region = [String]()
        for row in 0..<900 {
            let target = 60 + Double((row * 7919) % 80)
            let place = ["north", "south", "east"][row % 3]
            labels.append(target)
            scores.append(target + (2 * uniform() - 1) * noise + (place == "south" ? bias : 0))
            region.append(place)
        }
        return ScoredRows(ids: (0..<900).map { "r\($0)" }, labels: labels, scores: scores, columns: ["region": region],
                          quantiles: [0.05: scores.map { $0 - halfWidth }, 0.95: scores.map { $0 + halfWidth }])
    }

    func testParsesCoverageGapsAndTieredCosts() throws {
        let parsed = try suite("""
              - { metric: interval_coverage, interval: [0.05, 0.95] }
              - { metric: mae, groups: region, max_gap: 3, min_slice_rows: 50 }
              - { metric: mean_residual, groups: region, max_gap: 2 }
            """, primary: "{ metric: expected_cost, cost: { under: [{ up_to: 10, per_unit: 2 }, { per_unit: 5 }], over: 1 } }")
        XCTAssertEqual(parsed.guardrails[0].metric.interval, [0.05, 0.95])
        XCTAssertEqual(try XCTUnwrap(parsed.guardrails[0].metric.nominalCoverage), 0.9, accuracy: 1e-15)
        XCTAssertEqual(parsed.guardrails[0].metric.description, "interval_coverage(0.05–0.95)")
        XCTAssertEqual(parsed.guardrails[1].metric.groups, "region")
        XCTAssertEqual(parsed.guardrails[1].maximum, 3)
        XCTAssertEqual(parsed.guardrails[1].minimumSliceRows, 50)
        XCTAssertEqual(parsed.guardrails[2].metric.description, "mean_residual gap over region")
        XCTAssertEqual(parsed.requiredColumns, ["region"])
        XCTAssertEqual(parsed.primary.regressionCosts,
                       try RegressionCosts(under: [.init(upTo: 10, perUnit: 2), .init(upTo: nil, perUnit: 5)], over: [.init(upTo: nil, perUnit: 1)]))
    }

    func testErrorsNameFileLineAndKey() {
        let cases: [(String, String, String)] = [
            ("  - { metric: interval_coverage }", "needs interval", ":6"),
            ("  - { metric: interval_coverage, interval: [0.95, 0.05] }", "0 < lower < upper < 1", ":6"),
            ("  - { metric: interval_coverage, interval: [0.05, 0.95], non_inferiority_margin: 0.01 }", "nominal level", ":6"),
            ("  - { metric: mae, interval: [0.05, 0.95], max: 3 }", "interval applies only to interval_coverage", ":6"),
            ("  - { metric: mae, groups: region }", "needs max_gap", ":6"),
            ("  - { metric: mae, max_gap: 3 }", "max_gap needs groups", ":6"),
            ("  - { metric: mae, groups: region, max_gap: 3, max: 4 }", "not max", ":6"),
            ("  - { metric: mae, groups: region, max_gap: -1 }", "≥ 0", ":6"),
            ("  - { metric: mae, groups: region, max_gap: 1, grups: x }", "did you mean 'groups'", ":6"),
        ]
        for (guardrail, expected, line) in cases {
            let text = message(guardrail)
            XCTAssertTrue(text.contains(expected) && text.contains("ml/suites/demand.yaml\(line)"), "\(guardrail): \(text)")
        }
        XCTAssertTrue(message("  - { metric: mae, max: 9 }", primary: "{ metric: interval_coverage, interval: [0.1, 0.9] }")
            .contains("use it as a guardrail"))
        for (cost, expected) in [("{ under: [{ per_unit: 2 }, { per_unit: 5 }], over: 1 }", "needs up_to"),
                                 ("{ under: [{ up_to: 10, per_unit: 2 }, { up_to: 20, per_unit: 5 }], over: 1 }", "last tier has no up_to"),
                                 ("{ under: [{ up_to: 10, per_unit: 2 }, { up_to: 5, per_unit: 1 }, { per_unit: 5 }], over: 1 }", "greater than 10"),
                                 ("{ under: [{ up_to: 10, per_unit: -2 }, { per_unit: 5 }], over: 1 }", "≥ 0"),
                                 ("{ under: [], over: 1 }", "tiers"),
                                 ("{ under: 0, over: [{ up_to: 1, per_unit: 0 }, { per_unit: 0 }] }", "both be 0")] {
            let text = message("  - { metric: mae, max: 9 }", primary: "{ metric: expected_cost, cost: \(cost) }")
            XCTAssertTrue(text.contains(expected) && text.contains("ml/suites/demand.yaml:"), "\(cost): \(text)")
        }
    }

    func testReportCarriesCoverageAndGroupGaps() throws {
        let s = try suite("""
              - { metric: interval_coverage, interval: [0.05, 0.95] }
              - { metric: mean_residual, groups: region, max_gap: 2 }
              - { metric: mae, groups: region, max_gap: 5 }
              - { metric: max_decile_residual, max: 3 }
            """)
        // The south rows' predictions (and intervals) are 4 too low: they are covered less often.
        let biased = rows(noise: 10, halfWidth: 9, bias: -4)
        let report = try SuiteEvaluation.evaluate(s, evaluation: [biased], validation: [])
        let coverage = try XCTUnwrap(report.guardrails[0].coverage)
        let lower = try XCTUnwrap(biased.quantiles[0.05]), upper = try XCTUnwrap(biased.quantiles[0.95])
        XCTAssertEqual(coverage.covered, biased.labels.indices.filter { lower[$0] <= biased.labels[$0] && biased.labels[$0] <= upper[$0] }.count)
        XCTAssertEqual(coverage.rows, 900)
        XCTAssertEqual(report.guardrails[0].estimate?.value, coverage.coverage)
        XCTAssertEqual(report.guardrails[0].estimate?.interval, coverage.interval)
        XCTAssertLessThan(coverage.interval.upper, 0.9)
        XCTAssertEqual(report.guardrails[0].withinBounds, false)

        let residual = try XCTUnwrap(report.guardrails[1].groups)
        XCTAssertEqual(residual.groups.map(\.value), ["north", "south", "east"])
        XCTAssertEqual(residual.groups.map(\.rows), [300, 300, 300])
        let south = try XCTUnwrap(residual.groups[1].metric?.value)
        XCTAssertEqual(south, 4, accuracy: 1)  // the south rows are under-predicted by 4
        XCTAssertTrue(try XCTUnwrap(residual.groups[1].interval).contains(south))
        XCTAssertEqual(report.guardrails[1].estimate?.value, residual.gap)
        XCTAssertEqual(try XCTUnwrap(residual.gap), 4, accuracy: 1)
        XCTAssertEqual(report.guardrails[1].withinBounds, false)
        XCTAssertNotNil(report.guardrails[1].estimate?.interval)
        XCTAssertEqual(report.guardrails[2].withinBounds, true)
        // Calibration by decile: the largest |mean residual| of the review's prediction deciles.
        let deciles = try XCTUnwrap(report.regression).deciles
        XCTAssertEqual(report.guardrails[3].estimate?.value ?? .nan, deciles.map { abs($0.meanResidual) }.max()!, accuracy: 1e-9)
        XCTAssertNotNil(report.guardrails[3].estimate?.interval)

        // A run without the interval's quantiles has no coverage to report.
        let plain = rows(noise: 10, halfWidth: 9)
        let bare = ScoredRows(ids: plain.ids, labels: plain.labels, scores: plain.scores, columns: plain.columns)
        let unmeasured = try SuiteEvaluation.evaluate(s, evaluation: [bare], validation: [])
        XCTAssertNil(unmeasured.guardrails[0].estimate)
        XCTAssertNil(unmeasured.guardrails[0].coverage)
    }

    func testGateJudgesCoverageAgainstItsNominalLevelAndTheGroupGap() throws {
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0 }\n", file: "g.yaml")
        let s = try suite("""
              - { metric: interval_coverage, interval: [0.05, 0.95] }
              - { metric: mean_residual, groups: region, max_gap: 2 }
            """)
        func judge(_ rows: ScoredRows) throws -> Verdict {
            try Gate.evaluate(policy: policy, suite: s, evidence: GateEvidence(
                candidate: GateEvidence.Model(runID: "cand", evaluation: [rows], validation: [], evaluationDigest: digest), champion: nil,
                dataset: GateEvidence.DatasetChecks(versioned: true), cost: GateEvidence.Cost(usd: 0, overBudget: false),
                code: GateEvidence.Code(dirty: false, stale: false), attestations: [], evaluationsSpent: 0))
        }
        let good = try judge(rows(noise: 10, halfWidth: 9))
        XCTAssertEqual(good.guardrails.map(\.outcome), [.pass, .pass], good.guardrails.map(\.evidence).joined(separator: " | "))
        XCTAssertTrue(good.guardrails[0].evidence.contains("holds nominal 0.9"), good.guardrails[0].evidence)
        XCTAssertEqual(good.decision, .promote)

        let narrow = try judge(rows(noise: 10, halfWidth: 6, bias: 5))
        XCTAssertEqual(narrow.guardrails.map(\.outcome), [.fail, .fail])
        XCTAssertTrue(narrow.guardrails[0].evidence.contains("< nominal 0.9: intervals too narrow"), narrow.guardrails[0].evidence)
        XCTAssertTrue(narrow.guardrails[1].evidence.contains("mean_residual gap over region"), narrow.guardrails[1].evidence)
        XCTAssertTrue(narrow.guardrails[1].evidence.contains("> max 2"), narrow.guardrails[1].evidence)
        XCTAssertEqual(narrow.decision, .reject)

        let wide = try judge(rows(noise: 10, halfWidth: 9.9))
        XCTAssertTrue(wide.guardrails[0].evidence.contains("intervals too wide"), wide.guardrails[0].evidence)

        // Without the quantile columns the coverage is not measured: the policy's missing_value decides.
        let plain = rows(noise: 10, halfWidth: 9)
        let unmeasured = try judge(ScoredRows(ids: plain.ids, labels: plain.labels, scores: plain.scores, columns: plain.columns))
        XCTAssertTrue(unmeasured.guardrails[0].evidence.contains("not measured, limit nominal 0.9"), unmeasured.guardrails[0].evidence)
    }

    /// With an `entity`, coverage is judged with the cluster-robust interval: 900 rows from 30
    /// customers whose 3 wholly missed customers make the coverage 0.86. Taken as independent
    /// rows the Wilson interval excludes the nominal 0.9 ("too narrow"); as 30 customers the
    /// evidence is too thin to say so, and the report names the entity count.
    func testCoverageIsJudgedOverEntitiesWhenTheSuiteHasOne() throws {
        let guardrail = "  - { metric: interval_coverage, interval: [0.05, 0.95] }"
        let customers = (0..<900).map { "c\($0 / 30)" }
        let missed = Set(["c3", "c11", "c20"])
        let lower = (0..<900).map { missed.contains(customers[$0]) || $0 % 20 == 0 ? 101.0 : 99.0 }
        let rows = ScoredRows(ids: (0..<900).map { "r\($0)" }, labels: Array(repeating: 100, count: 900),
                              scores: Array(repeating: 100, count: 900), columns: ["customer": customers],
                              quantiles: [0.05: lower, 0.95: lower.map { $0 + 2 }])
        let independent = try SuiteEvaluation.evaluate(try suite(guardrail), evaluation: [rows], validation: [])
        let byRows = try XCTUnwrap(independent.guardrails[0].coverage)
        XCTAssertNil(byRows.entities)
        XCTAssertLessThan(byRows.interval.upper, 0.9, "Wilson on 900 independent rows: too narrow")
        XCTAssertEqual(independent.guardrails[0].withinBounds, false)

        let clustered = try Suite.parse(yaml: """
            task: regression
            label: { column: demand }
            eval: demand@v1
            entity: customer
            primary: { metric: mae }
            guardrails:
            \(guardrail)
            significance: { resamples: 300, seed: 9 }
            """, file: "ml/suites/demand.yaml", name: "demand")
        let report = try SuiteEvaluation.evaluate(clustered, evaluation: [rows], validation: [])
        let byEntities = try XCTUnwrap(report.guardrails[0].coverage)
        XCTAssertEqual(byEntities.coverage, byRows.coverage)
        XCTAssertEqual(byEntities.entities, 30)
        XCTAssertEqual(byEntities.interval, try ProportionInterval.clustered(
            outcomes: lower.map { $0 == 99 }, clusters: customers, confidence: 0.95))
        XCTAssertTrue(byEntities.interval.contains(0.9), "\(byEntities.interval)")
        XCTAssertEqual(report.guardrails[0].withinBounds, true)
    }
}
