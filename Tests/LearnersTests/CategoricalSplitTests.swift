import Kernels
import XCTest
@testable import Learners

/// The categorical split rules taken from LightGBM (docs/STATISTICS.md, "Categorical splits"),
/// on hand-built leaf histograms and on a fitted model.
final class CategoricalSplitTests: XCTestCase {
    private func rules(_ categorical: CategoricalSplitting = CategoricalSplitting()) -> SplitRules {
        SplitRules(minDataInLeaf: 20, minSumHessianInLeaf: 1e-3, lambdaL2: 0, minGain: 0, categorical: categorical)
    }

    /// The best split of one categorical feature whose bin k + 1 holds (G, H, rows) = `bins[k]`;
    /// bin 0 (missing) is empty.
    private func split(_ bins: [(Double, Double, Double)], _ rules: SplitRules) -> SplitCandidate? {
        var histogram = [Histogram.Bin](repeating: Histogram.Bin(), count: Histogram.binsPerFeature)
        var total = Histogram.Bin()
        for (index, bin) in bins.enumerated() {
            histogram[index + 1] = Histogram.Bin(bin.0, bin.1, bin.2, 0)
            total += histogram[index + 1]
        }
        let binner = FeatureBinner(mapping: .categorical(codes: bins.indices.map { Float($0) }))
        return histogram.withUnsafeBufferPointer { leaf in
            [Int32(0)].withUnsafeBufferPointer {
                SplitFinder.best(histogram: leaf.baseAddress!, total: total, features: $0, binners: [binner], rules: rules)
            }
        }
    }

    private func leftBins(_ candidate: SplitCandidate?) -> [Int] {
        (0..<Histogram.binsPerFeature).filter { candidate?.leftBins?.contains($0) == true }
    }

    func testAFeatureOfFourCategoriesOrFewerSplitsOneAgainstTheRest() {
        // Ordered by G/(H + smoothing), bins {1, 2} against {3, 4} is the best partition.
        let bins = [(-100.0, 100.0, 400.0), (-90, 100, 400), (90, 100, 400), (100, 100, 400)]
        XCTAssertEqual(leftBins(split(bins, rules())).count, 1)
        let sorted = split(bins, rules(CategoricalSplitting(oneHotMaxCategories: 0)))
        XCTAssertTrue([[1, 2], [3, 4]].contains(leftBins(sorted)), "\(leftBins(sorted))")
    }

    func testACategoryWithFewerRowsThanTheSmoothingIsNotOrderedAndGoesRight() {
        // Bin 6 holds 5 rows with a strongly negative gradient: ordered, it would join the left side.
        let bins = [(-100.0, 100.0, 400.0), (-60, 100, 400), (60, 100, 400), (100, 100, 400), (0, 100, 400), (-8, 1.25, 5)]
        let candidate = split(bins, rules())
        XCTAssertNotNil(candidate)
        XCTAssertFalse(leftBins(candidate).contains(6), "\(leftBins(candidate))")
        XCTAssertTrue(leftBins(split(bins, rules(CategoricalSplitting(smoothing: 0)))).contains(6))
    }

    func testASortedSplitIsScoredAndItsChildrenValuedWithTheCategoricalL2() throws {
        let bins = [(-100.0, 100.0, 400.0), (-60, 100, 400), (60, 100, 400), (100, 100, 400), (0, 100, 400)]
        let candidate = try XCTUnwrap(split(bins, rules()))
        XCTAssertEqual(candidate.childL2, 10)
        let (left, right) = (candidate.leftStats, candidate.rightStats)
        let total = left + right
        let gain = left[0] * left[0] / (left[1] + 10) + right[0] * right[0] / (right[1] + 10) - total[0] * total[0] / total[1]
        XCTAssertEqual(candidate.gain, gain, accuracy: 1e-9)
        // A one-against-the-rest split keeps lambda_l2 alone.
        XCTAssertEqual(split(Array(bins.prefix(3)), rules())?.childL2, 0)
    }

    func testAtMostHalfTheOrderedCategoriesAndAtMostMaxThresholdGoLeft() {
        // 30 categories pull one way and 10 the other: the partition is found from the short end.
        let bins = (0..<40).map { $0 < 30 ? (-10.0, 10.0, 100.0) : (30.0, 10.0, 100.0) }
        let candidate = split(bins, rules())
        XCTAssertEqual(leftBins(candidate), Array(31...40))
        XCTAssertLessThanOrEqual(leftBins(split(bins, rules(CategoricalSplitting(maxThreshold: 5)))).count, 5)
    }

    func testEachScoredStepOfTheScanAddsMinDataPerGroupRows() {
        // Bin 1 alone is the best partition, but holds 30 rows: the scan scores its first prefix
        // at 120 rows (four bins), and half the eight ordered bins is as far as it goes.
        let bins = [(-300.0, 30.0, 30.0)] + (0..<7).map { (Double($0), 30.0, 30.0) }
        XCTAssertEqual(leftBins(split(bins, rules())).count, 4)
        XCTAssertEqual(leftBins(split(bins, rules(CategoricalSplitting(minDataPerGroup: 1)))), [1])
    }

    func testALeafOfASortedCategoricalSplitIsShrunkByTheCategoricalL2() throws {
        // Six categories of 200 rows; y is 0 for codes 0–2 and 10 for codes 3–5. One round of
        // squared error from the mean 5, learning rate 1, two leaves: each leaf's value is
        // −G/(H + categorical_l2) = n(ȳ_leaf − 5)/(n + 10) with n = 600.
        let codes = (0..<1200).map { Float($0 % 6) }
        let labels = codes.map { $0 < 3 ? 0.0 : 10.0 }
        let features = try FeatureMatrix(schema: FeatureSchema([FeatureColumn(name: "code", kind: .categorical)]), columns: [codes])
        let model = try GradientBoostedTrees(objective: .squaredError, rounds: 1, learningRate: 1, numLeaves: 2)
            .fit(features, labels: labels, seed: 0, threads: .one)
        let scores = try model.predict(try FeatureMatrix(schema: features.schema, columns: [[0, 5]]), threads: .one)
        XCTAssertEqual(scores[0], 5 - 600 * 5 / 610.0, accuracy: 1e-9)
        XCTAssertEqual(scores[1], 5 + 600 * 5 / 610.0, accuracy: 1e-9)
    }
}
