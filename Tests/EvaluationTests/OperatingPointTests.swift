import XCTest
import Evaluation

final class OperatingPointTests: XCTestCase {
    // Curve: t=0.9 (tp 1, fp 0), 0.8 (2, 0), 0.7 (2, 1), 0.6 (3, 1), 0.5 (3, 2), 0.4 (3, 3).
    let validation = try! RankedPredictions(BinaryPredictions(scores: [0.5, 0.9, 0.7, 0.8, 0.6, 0.4],
                                                              labels: [false, true, false, true, true, false]))

    func testMaximumRecallSubjectToPrecision() throws {
        XCTAssertEqual(try OperatingPoint.choose(.maximumRecall(minimumPrecision: 0.75), validation: validation).threshold, 0.6)
        XCTAssertEqual(try OperatingPoint.choose(.maximumRecall(minimumPrecision: 0.8), validation: validation).threshold, 0.8)
        let impossible = try RankedPredictions(BinaryPredictions(scores: [0.9, 0.1], labels: [false, true]))
        XCTAssertThrowsError(try OperatingPoint.choose(.maximumRecall(minimumPrecision: 0.9), validation: impossible))
    }

    func testMinimumCost() throws {
        // FN costs 5, FP 1: costs per threshold 15,10,5,6,1,2,3 (÷6) → 0.6.
        let point = try OperatingPoint.choose(.minimumCost(CostMatrix(falsePositive: 1, falseNegative: 5)), validation: validation)
        XCTAssertEqual(point.threshold, 0.6)
        XCTAssertEqual(point.validation, ConfusionMatrix(truePositives: 3, falsePositives: 1, trueNegatives: 2, falseNegatives: 0))
        // When every positive call costs more than it saves, nothing is flagged.
        let never = try OperatingPoint.choose(.minimumCost(CostMatrix(truePositive: 10, falsePositive: 100, falseNegative: 1)), validation: validation)
        XCTAssertEqual(never.threshold, .infinity)
    }

    func testCapacityNeverSplitsTies() throws {
        XCTAssertEqual(try OperatingPoint.choose(.capacity(rows: 3), validation: validation).threshold, 0.7)
        XCTAssertEqual(try OperatingPoint.choose(.topFraction(0.5), validation: validation).threshold, 0.7)
        let tied = try RankedPredictions(BinaryPredictions(scores: [0.9, 0.8, 0.8, 0.7], labels: [true, false, true, false]))
        XCTAssertEqual(try OperatingPoint.choose(.capacity(rows: 2), validation: tied).threshold, 0.9)
        XCTAssertEqual(try OperatingPoint.choose(.capacity(rows: 0), validation: tied).threshold, .infinity)
    }

    func testThresholdChosenOnValidationIsAppliedToEvaluationRows() throws {
        let point = try OperatingPoint.choose(.maximumRecall(minimumPrecision: 0.75), validation: validation)
        let evaluation = try BinaryPredictions(scores: [0.65, 0.55, 0.95, 0.2], labels: [true, true, false, false])
        let metrics = point.evaluate(on: evaluation, costs: CostMatrix(falsePositive: 1, falseNegative: 5))
        XCTAssertEqual(metrics.confusion, ConfusionMatrix(truePositives: 1, falsePositives: 1, trueNegatives: 1, falseNegatives: 1))
        XCTAssertEqual(metrics.precision.value, 0.5)
        XCTAssertEqual(metrics.expectedCost?.value, 1.5)
        // The rule and threshold round-trip through JSON.
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        XCTAssertEqual(try decoder.decode(OperatingPoint.self, from: encoder.encode(point)), point)
    }
}

final class SliceAndFairnessTests: XCTestCase {
    let data = try! BinaryPredictions(scores: [0.9, 0.2, 0.7, 0.4, 0.8, 0.3, 0.6, 0.1],
                                      labels: [true, false, true, true, false, false, true, false])
    let group = ["a", "a", "b", "b", "a", "b", "a", "b"]

    func testCategorySlicesMatchSubsets() throws {
        let slices = try Slices.byCategory(data, categories: group, metric: .rocAUC, minimumRows: 2)
        XCTAssertEqual(slices.map(\.key), [.category("a"), .category("b")])
        XCTAssertEqual(slices.map(\.rows), [4, 4])
        XCTAssertEqual(slices.map(\.positives), [2, 2])
        // a: positives 0.9, 0.6; negatives 0.2, 0.8 → 3 of 4 pairs ordered.
        XCTAssertEqual(slices[0].value?.value, 0.75)
        // b: positives 0.7, 0.4; negatives 0.3, 0.1 → all ordered.
        XCTAssertEqual(slices[1].value?.value, 1.0)
        let strict = try Slices.byCategory(data, categories: group, metric: .rocAUC, minimumRows: 5)
        XCTAssertNil(strict[0].value)
    }

    func testNumericBinsIncludeUpperEdge() throws {
        let age = [10.0, 20, 30, 40, 50, 60, 70, 80]
        let slices = try Slices.byNumericBins(data, values: age, edges: [10, 40, 80], metric: .accuracy(threshold: 0.5))
        XCTAssertEqual(slices.map(\.rows), [4, 4])
        // Bin [10, 40]: rows 0..3 decisions 1,0,1,0 vs labels 1,0,1,1 → 3/4.
        XCTAssertEqual(slices[0].value?.value, 0.75)
    }

    func testQuantileEdgesMergeTies() throws {
        XCTAssertEqual(try Slices.quantileEdges([1, 2, 3, 4, 5], bins: 4), [1, 2, 3, 4, 5])
        XCTAssertEqual(try Slices.quantileEdges([1, 1, 1, 1, 5], bins: 4), [1, 5])
        let constant = try Slices.quantileEdges([7, 7, 7, 7, 7, 7, 7, 7], bins: 3)
        XCTAssertEqual(constant, [7, 7])
        let slices = try Slices.byNumericBins(data, values: Array(repeating: 7, count: 8), edges: constant, metric: .rocAUC)
        XCTAssertEqual(slices.map(\.rows), [8])
        XCTAssertThrowsError(try Slices.quantileEdges([1, .nan], bins: 2))
    }

    func testFairnessDifferences() throws {
        let report = try FairnessReport(data, groups: group, threshold: 0.5)
        // a: flagged 0.9, 0.8, 0.6 → selection 3/4, TPR 2/2, FPR 1/2.
        // b: flagged 0.7 → selection 1/4, TPR 1/2, FPR 0/2.
        XCTAssertEqual(report.demographicParityDifference, 0.5)
        XCTAssertEqual(report.equalOpportunityDifference, 0.5)
        XCTAssertEqual(report.equalizedOddsDifference, 0.5)
        XCTAssertEqual(report.groups.map(\.falsePositiveRate), [0.5, 0])
    }
}
