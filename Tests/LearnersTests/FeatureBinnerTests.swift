import XCTest
@testable import Learners

final class FeatureBinnerTests: XCTestCase {
    /// Bounds lie between the sample's distinct values in ascending order (NaN left out); −0
    /// and +0 are one value, whichever comes first, and the bound above them is the same bits
    /// either way (the midpoint with the least subnormal rounds to +0).
    func testBoundsLieBetweenDistinctValuesWhateverTheOrderOfTheZeros() {
        let tiny = Float.leastNonzeroMagnitude
        func bounds(_ sample: [Float]) -> [Float] {
            guard case .numeric(let upper) = FeatureBinner.fit(sample: sample, kind: .numeric, maxBins: 255).mapping else {
                XCTFail("a numeric feature gets numeric bounds")
                return []
            }
            return upper
        }
        let negativeFirst = bounds([tiny, -0.0, .nan, 0.0, tiny, 3, -2])
        let positiveFirst = bounds([tiny, 0.0, .nan, -0.0, tiny, 3, -2])
        XCTAssertEqual(negativeFirst, [-1, 0, 1.5, .infinity])
        XCTAssertEqual(negativeFirst.map(\.bitPattern), positiveFirst.map(\.bitPattern))
        XCTAssertEqual(negativeFirst[1].sign, .plus)
        let many = (0..<10_000).map { Float(($0 * 7919) % 1000) / 8 }
        let spread = bounds(many)
        XCTAssertEqual(spread.count, 254, "1,000 distinct values share 254 value bins and +∞")
        XCTAssertEqual(spread, spread.sorted(), "bounds ascend")
    }
}
