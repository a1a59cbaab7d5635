import Foundation
import XCTest
import Evaluation

final class ReportTests: XCTestCase {
    func testRowAlignmentRefusesToDropRows() throws {
        XCTAssertEqual(try RowAlignment.match(baselineIDs: ["a", "b", "c"], candidateIDs: ["c", "a", "b"]), [1, 2, 0])
        XCTAssertThrowsError(try RowAlignment.match(baselineIDs: ["a", "b"], candidateIDs: ["a", "b", "c"])) {
            XCTAssertEqual($0 as? EvaluationError, .unmatchedID(id: "c", side: "baseline"))
        }
        XCTAssertThrowsError(try RowAlignment.match(baselineIDs: ["a", "x"], candidateIDs: ["a", "b"])) {
            XCTAssertEqual($0 as? EvaluationError, .unmatchedID(id: "x", side: "candidate"))
        }
        XCTAssertThrowsError(try RowAlignment.match(baselineIDs: ["a", "a"], candidateIDs: ["a", "b"])) {
            XCTAssertEqual($0 as? EvaluationError, .unmatchedID(id: "a", side: "baseline"))
        }
    }

    func testBinaryEvaluationCollectsEveryMetric() throws {
        let data = try BinaryPredictions(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])
        let point = try OperatingPoint.choose(.fixed(threshold: 0.5), validation: RankedPredictions(data))
        let report = try BinaryEvaluation(data, operatingPoint: point)
        XCTAssertEqual(report.rocAUC.value, 0.75)
        XCTAssertEqual(report.averagePrecision.value, 0.8333333333333333, accuracy: 1e-15)
        XCTAssertNotNil(report.logLoss)
        XCTAssertEqual(report.atThreshold?.recall.value, 0.5)
        let unbounded = try BinaryEvaluation(try BinaryPredictions(scores: [-1, 2, 3], labels: [0, 1, 0]))
        XCTAssertNil(unbounded.logLoss)
        XCTAssertNil(unbounded.atThreshold)
    }

    func testSingleClassGivesNaNWithWarning() throws {
        let report = try BinaryEvaluation(try BinaryPredictions(scores: [0.2, 0.7], labels: [1, 1]))
        XCTAssertTrue(report.rocAUC.value.isNaN)
        XCTAssertEqual(report.rocAUC.warnings, [.singleClass])
        XCTAssertEqual(report.averagePrecision.value, 1)
        XCTAssertEqual(report.averagePrecision.warnings, [.singleClass])
    }

    func testModelComparison() throws {
        let labels: [Double] = [1, 0, 1, 0, 1, 0, 0, 1, 0, 0]
        let baseline = try BinaryPredictions(scores: [0.9, 0.6, 0.4, 0.3, 0.7, 0.5, 0.2, 0.35, 0.1, 0.45], labels: labels)
        let candidate = try BinaryPredictions(scores: [0.95, 0.3, 0.8, 0.2, 0.75, 0.4, 0.1, 0.6, 0.15, 0.5], labels: labels)
        let comparison = try ModelComparison(baseline: baseline, candidate: candidate, metrics: [.rocAUC, .brierScore],
                                             threshold: 0.5, plan: BootstrapPlan(resamples: 200, seed: 1))
        XCTAssertEqual(comparison.differences.count, 2)
        let delong = try XCTUnwrap(comparison.delong)
        XCTAssertEqual(comparison.differences[0].bootstrap.estimate, delong.difference, accuracy: 1e-12)
        // At 0.5 (score ≥ 0.5 positive): baseline decisions 1,1,0,0,1,1,0,0,0,0 are wrong on rows
        // 1, 2, 5, 7; candidate decisions 1,0,1,0,1,0,0,1,0,1 are wrong on row 9 only.
        XCTAssertEqual(comparison.mcnemar?.candidateOnlyCorrect, 4)
        XCTAssertEqual(comparison.mcnemar?.baselineOnlyCorrect, 1)
    }
}
