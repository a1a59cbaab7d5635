import XCTest
@testable import Kernels

final class HistogramTests: XCTestCase {
    private let featureCount = 3, rowCount = 10_000

    private func binMatrix() -> [UInt8] {
        (0..<(rowCount * featureCount)).map { UInt8(($0 * 2_654_435_761 >> 7) % 200) }
    }

    func testAccumulateMatchesNaiveCountsAndSums() {
        let bins = binMatrix()
        let gradients = (0..<rowCount).map { Double($0 % 5) - 2 }, hessians = [Double](repeating: 1, count: rowCount)
        let rows = (0..<UInt32(rowCount)).filter { $0 % 3 != 0 }
        let features: [Int32] = [0, 2]
        var histogram = [Histogram.Bin](repeating: .zero, count: featureCount * Histogram.binsPerFeature)
        rows.withUnsafeBufferPointer { r in
            features.withUnsafeBufferPointer { f in
                Histogram.accumulate(rows: r, bins: bins, rowStride: featureCount, features: f,
                                     gradients: gradients, hessians: hessians, into: &histogram)
            }
        }
        var expected = [Histogram.Bin](repeating: .zero, count: histogram.count)
        for row in rows.map(Int.init) {
            for f in features.map(Int.init) {
                expected[f * 256 + Int(bins[row * featureCount + f])] += Histogram.Bin(gradients[row], hessians[row], 1, 0)
            }
        }
        XCTAssertEqual(histogram, expected)
        XCTAssertEqual(histogram[256..<512].reduce(0) { $0 + $1[2] }, 0, "feature 1 was not requested")
        XCTAssertEqual(histogram[0..<256].reduce(0) { $0 + $1[2] }, Double(rows.count))
    }

    func testSubtractionGivesSiblingAndAddFoldsPartials() {
        let bins = binMatrix()
        let gradients = (0..<rowCount).map { Double($0 % 7) }, hessians = [Double](repeating: 2, count: rowCount)
        let all = Array(0..<UInt32(rowCount)), left = all.filter { $0 % 2 == 0 }, right = all.filter { $0 % 2 == 1 }
        let features: [Int32] = [0, 1, 2]
        func histogram(_ rows: [UInt32]) -> [Histogram.Bin] {
            var h = [Histogram.Bin](repeating: .zero, count: featureCount * 256)
            rows.withUnsafeBufferPointer { r in
                features.withUnsafeBufferPointer { f in
                    Histogram.accumulate(rows: r, bins: bins, rowStride: featureCount, features: f,
                                         gradients: gradients, hessians: hessians, into: &h)
                }
            }
            return h
        }
        let parent = histogram(all), leftHistogram = histogram(left)
        var sibling = [Histogram.Bin](repeating: .zero, count: parent.count)
        features.withUnsafeBufferPointer { Histogram.subtract(parent: parent, child: leftHistogram, into: &sibling, features: $0) }
        XCTAssertEqual(sibling, histogram(right), "integer-valued sums subtract exactly")
        var folded = leftHistogram
        features.withUnsafeBufferPointer { Histogram.add(histogram(right), into: &folded, features: $0) }
        XCTAssertEqual(folded, parent)
    }
}
