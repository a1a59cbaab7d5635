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

    /// Losses whose hessians are all 1 sum (gradient, count) pairs: expanded, and folded across
    /// blocks, they must give the very bits of the full bins (fractional gradients, so the sums
    /// depend on their order).
    func testUnitHessianBinsExpandToTheFullBinsBitForBit() {
        let bins = binMatrix()
        let gradients = (0..<rowCount).map { Double(($0 * 7_919) % 1_000) / 997 - 0.5 }
        let ones = [Double](repeating: 1, count: rowCount)
        let blocks = [Array((0..<UInt32(rowCount)).filter { $0 % 3 != 0 }.prefix(4_001)), (0..<UInt32(rowCount)).filter { $0 % 5 == 1 }]
        let features: [Int32] = [0, 2], size = featureCount * Histogram.binsPerFeature
        var full = [Histogram.Bin](repeating: .zero, count: size)
        var unit = [[Histogram.UnitHessianBin]](repeating: [Histogram.UnitHessianBin](repeating: .zero, count: size), count: 2)
        features.withUnsafeBufferPointer { f in
            for (index, rows) in blocks.enumerated() {
                var partial = [Histogram.Bin](repeating: .zero, count: size)
                rows.withUnsafeBufferPointer { r in
                    Histogram.accumulate(rows: r, bins: bins, rowStride: featureCount, features: f,
                                         gradients: gradients, hessians: ones, into: &partial)
                    Histogram.accumulate(rows: r, bins: bins, rowStride: featureCount, features: f,
                                         gradients: gradients, into: &unit[index])
                }
                if index == 0 { full = partial } else { Histogram.add(partial, into: &full, features: f) }
            }
        }
        var folded = unit[0].map(Histogram.expand)
        features.withUnsafeBufferPointer { Histogram.add(unit[1], into: &folded, features: $0) }
        let bits = { (h: [Histogram.Bin]) in h.flatMap { [$0[0].bitPattern, $0[1].bitPattern, $0[2].bitPattern, $0[3].bitPattern] } }
        XCTAssertEqual(bits(folded), bits(full))
        XCTAssertEqual(folded[0..<256].reduce(0) { $0 + $1[1] }, Double(blocks[0].count + blocks[1].count))
    }
}
