import Evaluation
import Gate
import XCTest

final class SuiteEvaluationTests: XCTestCase {
    private func suite(_ primary: String, extra: String = "", resamples: Int = 200) throws -> Suite {
        try Suite.parse(yaml: """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary: \(primary)
            \(extra)
            significance: { resamples: \(resamples), seed: 3 }
            """, file: "s.yaml", name: "s")
    }

    func testFixedThresholdMatchesEvaluationDirectly() throws {
        let rows = Fixtures.rows(count: 400, signal: 0.3, seed: 1)
        let suite = try self.suite("{ metric: recall, operating_point: { threshold: 0.5 } }",
                                   extra: "guardrails:\n  - { metric: roc_auc, min: 0.5 }\n  - { metric: brier, max: 0.01 }")
        let report = try SuiteEvaluation.evaluate(suite, evaluation: [rows], validation: [Fixtures.rows(count: 100, signal: 0.3, seed: 9)])
        let predictions = try BinaryPredictions(scores: rows.scores, labels: rows.labels)
        let direct = try BinaryEvaluation(predictions)
        XCTAssertEqual(report.operatingPoint?.threshold, 0.5)
        XCTAssertEqual(report.primary.value, ConfusionMatrix(predictions, threshold: 0.5).recall().value)
        XCTAssertEqual(try XCTUnwrap(report.guardrails[0].estimate?.value), direct.rocAUC.value, accuracy: 1e-12)
        XCTAssertEqual(report.guardrails[0].withinBounds, true)
        XCTAssertEqual(report.guardrails[1].estimate?.value, direct.brierScore?.value)
        XCTAssertEqual(report.guardrails[1].withinBounds, false)
        XCTAssertEqual(report.rows, 400)
        XCTAssertEqual(report.positives, rows.labels.filter { $0 == 1 }.count)
        let interval = try XCTUnwrap(report.primary.interval)
        XCTAssertTrue(interval.lower <= report.primary.value && report.primary.value <= interval.upper)
        XCTAssertNil(report.primary.seeds)
    }

    /// A binary gap guardrail: recall per region at the suite's threshold (equal opportunity),
    /// each region's value the slice's recall, the gap the largest minus the smallest.
    func testRecallGapOverGroupsAtTheOperatingPoint() throws {
        let rows = Fixtures.rows(count: 600, signal: 0.3, seed: 4)
        let suite = try self.suite("{ metric: roc_auc, operating_point: { threshold: 0.45 } }",
                                   extra: "guardrails:\n  - { metric: recall, groups: region, max_gap: 0.05, min_slice_rows: 10 }")
        let report = try SuiteEvaluation.evaluate(suite, evaluation: [rows], validation: [Fixtures.rows(count: 100, signal: 0.3, seed: 9)])
        let gap = try XCTUnwrap(report.guardrails[0].groups)
        let predictions = try BinaryPredictions(scores: rows.scores, labels: rows.labels)
        let slices = try Slices.byCategory(predictions, categories: rows.columns["region"]!, metric: .recall(threshold: 0.45))
        XCTAssertEqual(gap.groups.map(\.value), ["north", "south", "east"])
        XCTAssertEqual(gap.groups.map { $0.metric?.value }, slices.map { $0.value?.value })
        let recalls = slices.compactMap { $0.value?.value }
        XCTAssertEqual(report.guardrails[0].estimate?.value, recalls.max()! - recalls.min()!)
        XCTAssertEqual(report.guardrails[0].withinBounds, recalls.max()! - recalls.min()! <= 0.05)
        XCTAssertEqual(report.guardrails[0].estimate?.metric.description, "recall gap over region")
    }

    func testCostOptimalThresholdIsChosenOnValidationRows() throws {
        let evaluation = Fixtures.rows(count: 300, signal: 0.3, seed: 1)
        let validation = Fixtures.rows(count: 300, signal: 0.2, seed: 2)
        let suite = try self.suite("{ metric: expected_cost, cost: { fp: 1, fn: 5 }, operating_point: cost_optimal }")
        let report = try SuiteEvaluation.evaluate(suite, evaluation: [evaluation], validation: [validation])
        let costs = CostMatrix(falsePositive: 1, falseNegative: 5)
        let chosen = try OperatingPoint.choose(.minimumCost(costs), validation: RankedPredictions(
            try BinaryPredictions(scores: validation.scores, labels: validation.labels)))
        XCTAssertEqual(report.operatingPoint, chosen)
        let direct = try BinaryMetric.expectedCost(threshold: chosen.threshold, costs: costs).evaluate(RankedPredictions(
            try BinaryPredictions(scores: evaluation.scores, labels: evaluation.labels)))
        XCTAssertEqual(report.primary.value, direct.value, accuracy: 1e-15)
    }

    func testDeterministicAndSeedSensitive() throws {
        let rows = Fixtures.rows(count: 300, signal: 0.3, seed: 1)
        let suite = try self.suite("{ metric: roc_auc }", extra: "entity: customer_id\nslices: [region]")
        let first = try SuiteEvaluation.evaluate(suite, evaluation: [rows], validation: [rows])
        let second = try SuiteEvaluation.evaluate(suite, evaluation: [rows], validation: [rows])
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.slices.map(\.column), ["region"])
        XCTAssertEqual(first.slices[0].slices.map(\.rows), [100, 100, 100])
        let unclustered = try SuiteEvaluation.evaluate(try self.suite("{ metric: roc_auc }"), evaluation: [rows], validation: [rows])
        XCTAssertEqual(first.primary.value, unclustered.primary.value)
        XCTAssertNotEqual(first.primary.interval, unclustered.primary.interval)
    }

    func testSeveralSeedsGiveEnsembleValueAndTwoLevelInterval() throws {
        let seeds = (1...3).map { Fixtures.rows(count: 200, signal: 0.3, seed: UInt64($0)) }
        let suite = try self.suite("{ metric: roc_auc }")
        let report = try SuiteEvaluation.evaluate(suite, evaluation: seeds, validation: seeds)
        let mean = (0..<200).map { row in seeds.reduce(0) { $0 + $1.scores[row] } / 3 }
        let ensemble = try BinaryMetric.rocAUC.evaluate(RankedPredictions(try BinaryPredictions(scores: mean, labels: seeds[0].labels)))
        XCTAssertEqual(report.primary.value, ensemble.value, accuracy: 1e-15)
        let spread = try XCTUnwrap(report.primary.seeds)
        XCTAssertEqual(spread.values.count, 3)
        for (seed, value) in zip(seeds, spread.values) {
            XCTAssertEqual(value, try BinaryEvaluation(try BinaryPredictions(scores: seed.scores, labels: seed.labels)).rocAUC.value,
                           accuracy: 1e-12)
        }
        XCTAssertEqual(report.seeds, 3)
        let single = try SuiteEvaluation.evaluate(suite, evaluation: seeds, validation: seeds, artifact: .seed(1))
        XCTAssertEqual(single.primary.value, spread.values[1], accuracy: 1e-12)
    }

    func testLatencyIsSuppliedByTheCaller() throws {
        let rows = Fixtures.rows(count: 100, signal: 0.3, seed: 1)
        let suite = try self.suite("{ metric: roc_auc }", extra: "guardrails:\n  - { metric: latency_p99_us, max: 50 }")
        let measured = try SuiteEvaluation.evaluate(suite, evaluation: [rows], validation: [rows], latencyP99Microseconds: 61)
        XCTAssertEqual(measured.guardrails[0].estimate?.value, 61)
        XCTAssertEqual(measured.guardrails[0].withinBounds, false)
        let unmeasured = try SuiteEvaluation.evaluate(suite, evaluation: [rows], validation: [rows])
        XCTAssertNil(unmeasured.guardrails[0].estimate)
        XCTAssertNil(unmeasured.guardrails[0].withinBounds)
    }

    func testInputErrorsAreTyped() throws {
        let rows = Fixtures.rows(count: 50, signal: 0.3, seed: 1)
        let suite = try self.suite("{ metric: roc_auc }", extra: "slices: [country]")
        XCTAssertThrowsError(try SuiteEvaluation.evaluate(suite, evaluation: [rows], validation: [rows])) {
            XCTAssertEqual($0 as? GateEvaluationError, .missingColumn(what: "model evaluation", column: "country"))
        }
        let plain = try self.suite("{ metric: roc_auc }")
        let other = Fixtures.rows(count: 50, signal: 0.3, seed: 2, prefix: "x")
        XCTAssertThrowsError(try SuiteEvaluation.evaluate(plain, evaluation: [rows, other], validation: [rows, rows])) {
            XCTAssertEqual($0 as? GateEvaluationError, .seedRowsDiffer(what: "model evaluation", seed: 1, row: 0))
        }
        XCTAssertThrowsError(try SuiteEvaluation.evaluate(plain, evaluation: [rows], validation: [rows, rows])) {
            XCTAssertEqual($0 as? GateEvaluationError, .seedCountMismatch(what: "model validation", expected: 1, count: 2))
        }
        // Without an operating point validation rows are optional; with one they are required.
        XCTAssertEqual(try SuiteEvaluation.evaluate(plain, evaluation: [rows], validation: []).primary.value,
                       try SuiteEvaluation.evaluate(plain, evaluation: [rows], validation: [rows]).primary.value)
        let thresholded = try self.suite("{ metric: recall, operating_point: { threshold: 0.5 } }")
        XCTAssertThrowsError(try SuiteEvaluation.evaluate(thresholded, evaluation: [rows], validation: [])) {
            XCTAssertEqual($0 as? GateEvaluationError, .seedCountMismatch(what: "model validation", expected: 1, count: 0))
        }
    }
}
