import Evaluation
@testable import Gate
import XCTest

/// `task: regression` suites: parsing, the suite report and the gate's paired comparison.
final class RegressionSuiteTests: XCTestCase {
    private let digest = String(repeating: "ab", count: 32)

    private func suite(_ primary: String = "{ metric: rmse }", extra: String = "") throws -> Suite {
        try Suite.parse(yaml: """
            task: regression
            label: { column: price }
            eval: prices@v1
            primary: \(primary)
            \(extra)
            significance: { resamples: 300, seed: 5 }
            """, file: "s.yaml", name: "s")
    }

    /// Targets around 100 with a region column; predictions off by Gaussian-like noise of `noise`
    /// (a fixed LCG), plus `bias`.
    private func rows(noise: Double, bias: Double = 0, seed: UInt64, count: Int = 600) -> ScoredRows {
        var state = seed &* 6364136223846793005 &+ 1
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var ids = [String](), labels = [Double](), scores = [Double](), region = [String]()
        for row in 0..<count {
            let target = 50 + Double((row * 7919) % 100)
            let error = (uniform() + uniform() + uniform() - 1.5) * 2 * noise
            ids.append("r\(row)")
            labels.append(target)
            scores.append(target + error + bias)
            region.append(["north", "south", "east"][row % 3])
        }
        return ScoredRows(ids: ids, labels: labels, scores: scores, columns: ["region": region])
    }

    func testParsesRegressionSuitesAndRefusesBinaryKeys() throws {
        let s = try suite("{ metric: expected_cost, cost: { under: 3, over: 1 } }",
                          extra: "guardrails:\n  - { metric: mean_residual, max_abs: 2 }\n  - { metric: pinball_loss, quantile: 0.9, max: 10 }\n  - { metric: mae, slices: [region], non_inferiority_margin: 0.5 }")
        XCTAssertEqual(s.task, .regression)
        XCTAssertNil(s.label.positive)
        XCTAssertEqual(s.primary.direction, .minimize)
        XCTAssertEqual(s.primary.regressionCosts, RegressionCosts(underPrediction: 3, overPrediction: 1))
        XCTAssertEqual(s.guardrails[0].maximum, 2)
        XCTAssertEqual(s.guardrails[0].minimum, -2)
        XCTAssertEqual(s.guardrails[1].metric.quantile, 0.9)
        XCTAssertEqual(try suite("{ metric: r2 }").primary.direction, .maximize)
        func fails(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try Suite.parse(yaml: text, file: "s.yaml", name: "s"), file: file, line: line) {
                XCTAssertTrue("\($0)".contains(expected), "\($0)", file: file, line: line)
            }
        }
        let head = "task: regression\nlabel: { column: price }\neval: prices@v1\n"
        fails("task: regression\nlabel: { column: price, positive: \"1\" }\neval: prices@v1\nprimary: { metric: rmse }\n", "remove positive")
        fails(head + "primary: { metric: roc_auc }\n", "not a regression metric")
        fails(head + "primary: { metric: tweedie_deviance }\n", "needs power")
        fails(head + "primary: { metric: mean_residual }\n", "max_abs")
        fails(head + "primary: { metric: expected_cost }\n", "under")
        fails(head + "primary: { metric: rmse, operating_point: { threshold: 1 } }\n", "no operating point")
        fails("task: binary\nlabel: { column: y, positive: \"1\" }\neval: e@v1\nprimary: { metric: rmse }\n", "not a binary metric")
    }

    func testReportMatchesTheMetricsDirectly() throws {
        let s = try suite(extra: "guardrails:\n  - { metric: mean_residual, max_abs: 1 }\n  - { metric: r2, min: 0.5 }\nslices: [region]")
        let rows = rows(noise: 5, bias: 3, seed: 1)
        let report = try SuiteEvaluation.evaluate(s, evaluation: [rows], validation: [])
        let data = try RegressionPredictions(targets: rows.labels, predictions: rows.scores)
        XCTAssertEqual(report.primary.value, RegressionMetrics.rootMeanSquaredError(data).value)
        XCTAssertTrue(try XCTUnwrap(report.primary.interval).contains(report.primary.value))
        XCTAssertEqual(report.guardrails[0].estimate?.value ?? 0, -3, accuracy: 0.5)
        XCTAssertEqual(report.guardrails[0].withinBounds, false)
        XCTAssertEqual(report.guardrails[1].withinBounds, true)
        XCTAssertEqual(report.slices[0].slices.map(\.rows), [200, 200, 200])
        XCTAssertNil(report.curves)
        let diagnostics = try XCTUnwrap(report.regression)
        XCTAssertEqual(diagnostics.counts.joined().reduce(0, +), 600)
        XCTAssertEqual(diagnostics.deciles.count, 10)
        XCTAssertEqual(diagnostics.deciles.map(\.rows).reduce(0, +), 600)
    }

    func testGatePromotesTheMoreAccurateModelAndRejectsTheWorse() throws {
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0.1 }\n", file: "g.yaml")
        let s = try suite(extra: "guardrails:\n  - { metric: mae, slices: [region], non_inferiority_margin: 0.5, min_slice_rows: 50 }\nslices: [region]")
        func model(_ id: String, noise: Double, seed: UInt64) -> GateEvidence.Model {
            GateEvidence.Model(runID: id, evaluation: [rows(noise: noise, seed: seed)], validation: [], evaluationDigest: digest)
        }
        func judge(_ candidate: GateEvidence.Model, _ champion: GateEvidence.Model) throws -> Verdict {
            try Gate.evaluate(policy: policy, suite: s, evidence: GateEvidence(
                candidate: candidate, champion: champion, dataset: GateEvidence.DatasetChecks(versioned: true),
                cost: GateEvidence.Cost(usd: 0, overBudget: false), code: GateEvidence.Code(dirty: false, stale: false),
                attestations: [], evaluationsSpent: 0))
        }
        let good = model("good", noise: 4, seed: 1), bad = model("bad", noise: 8, seed: 2)
        let promoted = try judge(good, bad)
        XCTAssertEqual(promoted.decision, .promote, "\(promoted.rows)")
        let primary = try XCTUnwrap(promoted.primary)
        XCTAssertEqual(primary.method, "paired bootstrap")
        XCTAssertEqual(primary.design, .rows(count: 600))
        XCTAssertLessThan(primary.difference, 0)
        XCTAssertLessThan(try XCTUnwrap(primary.tTestPValue), 0.001)  // the parametric cross-checks agree
        XCTAssertLessThan(try XCTUnwrap(primary.tTestAbsolutePValue), 0.001)
        // Each reported slice's error gets an interval over its own rows, even in the gate.
        let regions = try XCTUnwrap(promoted.candidateReport.slices.first).slices
        XCTAssertEqual(regions.count, 3)
        for region in regions {
            let interval = try XCTUnwrap(region.interval, "\(region.key)"), value = try XCTUnwrap(region.value).value
            XCTAssertTrue(interval.lower < value && value < interval.upper, "\(region.key): \(value) in \(interval)")
        }
        XCTAssertEqual(promoted.guardrails[0].slices.map(\.outcome), [.pass, .pass, .pass])
        let rejected = try judge(bad, good)
        XCTAssertEqual(rejected.decision, .reject)
        XCTAssertEqual(rejected.guardrails[0].slices.map(\.outcome), [.fail, .fail, .fail])

        // The HTML review shows the regression plots, laid out by a real browser, and no ROC curve.
        let dom = try HeadlessChromium.dom(of: Review.html(promoted))
        for id in ["predicted-vs-actual", "residual-deciles", "slice-metric-0", "slice-deltas"] {
            XCTAssertGreaterThan(try XCTUnwrap(HeadlessChromium.renderedWidth(of: id, in: dom), "plot \(id) missing"), 100, id)
        }
        XCTAssertNil(HeadlessChromium.renderedWidth(of: "roc-curve", in: dom))
        XCTAssertEqual(dom.components(separatedBy: "<polyline class=\"champion\"").count - 1, 1)  // its deciles
        XCTAssertTrue(dom.contains("600 rows."), "no positives for regression")
    }

    /// Reviews show what stands behind a gap guardrail (each group's value with its interval,
    /// then the gap) and interval coverage (covered of total rows with the Wilson interval): in
    /// the Markdown review and in the HTML one, laid out by a real browser.
    func testReviewsShowEachGroupOfAGapAndTheCoverageCounts() throws {
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0.0 }\n", file: "g.yaml")
        let s = try suite(extra: """
            guardrails:
              - { metric: mae, groups: region, max_gap: 2, min_slice_rows: 50 }
              - { metric: interval_coverage, interval: [0.1, 0.9] }
            """)
        let plain = rows(noise: 4, seed: 1)
        // Intervals of ± 3 around each prediction: some targets fall outside.
        let scored = ScoredRows(ids: plain.ids, labels: plain.labels, scores: plain.scores, columns: plain.columns,
                                quantiles: [0.1: plain.scores.map { $0 - 3 }, 0.9: plain.scores.map { $0 + 3 }])
        let verdict = try Gate.evaluate(policy: policy, suite: s, evidence: GateEvidence(
            candidate: GateEvidence.Model(runID: "c", evaluation: [scored], validation: [], evaluationDigest: digest), champion: nil,
            dataset: GateEvidence.DatasetChecks(versioned: true), cost: GateEvidence.Cost(usd: 0, overBudget: false),
            code: GateEvidence.Code(dirty: false, stale: false), attestations: [], evaluationsSpent: 0))
        let gap = try XCTUnwrap(verdict.candidateReport.guardrails[0].groups)
        let coverage = try XCTUnwrap(verdict.candidateReport.guardrails[1].coverage)
        XCTAssertTrue(coverage.covered > 0 && coverage.covered < 600, "\(coverage)")
        var expected = try gap.groups.map { group in
            let value = try XCTUnwrap(group.metric, "\(group)").value, interval = try XCTUnwrap(group.interval, "\(group)")
            return "| mae gap over region | \(group.value) | 200 | \(Gate.number(value)) | \(Review.interval(interval)) |"
        }
        let gapInterval = try XCTUnwrap(gap.interval, "\(gap)")
        expected.append("| mae gap over region | gap (max − min) |  | \(Gate.number(try XCTUnwrap(gap.gap))) | \(Review.interval(gapInterval)) |")
        let covered = "\(coverage.covered) of 600 covered (\(Gate.number(coverage.coverage))), nominal 0.8"
        expected.append("| interval_coverage(0.1–0.9) | all rows | 600 | \(covered) | \(Review.interval(coverage.interval)) |")
        let markdown = Review.markdown(verdict)
        XCTAssertTrue(markdown.contains("### Group gaps and interval coverage"), markdown)
        for line in expected { XCTAssertTrue(markdown.contains(line + "\n"), "\(line) in:\n\(markdown)") }

        let dom = try HeadlessChromium.dom(of: Review.html(verdict))
        XCTAssertTrue(dom.contains("<table id=\"guardrail-details\">"), dom)
        for group in ["north", "south", "east"] { XCTAssertTrue(dom.contains("<td>\(group)</td><td>200</td>"), group) }
        XCTAssertTrue(dom.contains("<td>\(covered)</td>"), dom)
    }

    /// The gate's parametric cross-checks equal scipy's `ttest_rel` on squared and absolute
    /// errors (the golden pairs of scripts/golden/regression.py).
    func testGateTTestsEqualScipy() throws {
        struct TTest: Decodable { let p_value: Double }
        struct Pair: Decodable { let targets, baseline, candidate: [Double]; let squared, absolute: TTest }
        struct Golden: Decodable { let paired_t: [Pair] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EvaluationTests/Golden/regression.json")
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0 }\n", file: "g.yaml")
        for pair in try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url)).paired_t {
            func model(_ id: String, _ predictions: [Double]) -> GateEvidence.Model {
                GateEvidence.Model(runID: id, evaluation: [ScoredRows(ids: pair.targets.indices.map(String.init), labels: pair.targets,
                                                                      scores: predictions)], validation: [], evaluationDigest: digest)
            }
            let verdict = try Gate.evaluate(policy: policy, suite: try suite(), evidence: GateEvidence(
                candidate: model("candidate", pair.candidate), champion: model("champion", pair.baseline),
                dataset: GateEvidence.DatasetChecks(versioned: true), cost: GateEvidence.Cost(usd: 0, overBudget: false),
                code: GateEvidence.Code(dirty: false, stale: false), attestations: [], evaluationsSpent: 0))
            let primary = try XCTUnwrap(verdict.primary)
            XCTAssertEqual(try XCTUnwrap(primary.tTestPValue), pair.squared.p_value, accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(primary.tTestAbsolutePValue), pair.absolute.p_value, accuracy: 1e-12)
        }
    }
}
