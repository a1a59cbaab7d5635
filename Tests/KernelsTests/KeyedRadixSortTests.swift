import Foundation
import XCTest
@testable import Kernels

final class KeyedRadixSortTests: XCTestCase {
    func testSortedValuesMatchComparisonSort() {
        var state: UInt64 = 21
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        var values = (0..<5000).map { _ in (Double(next()) / 9.007_199_254_740_992e15 - 0.5) * pow(10, Double(Int(next() % 40) - 20)) }
        values += [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, 1, 1, 1]
        XCTAssertEqual(RadixSort.sortedValues(values), values.sorted())
        let integers = (0..<1000).map { Double($0 % 7) }
        XCTAssertEqual(RadixSort.sortedValues(integers), integers.sorted())
    }

    func testKeyedSortIsStable() {
        let items = (0..<3000).map { (key: UInt64(($0 * 7919) % 13) << 40, index: $0) }
        let sorted = RadixSort.sorted(items) { $0.key }
        XCTAssertEqual(sorted.map(\.key), items.map(\.key).sorted())
        for i in sorted.indices.dropFirst() where sorted[i].key == sorted[i - 1].key {
            XCTAssertLessThan(sorted[i - 1].index, sorted[i].index)
        }
    }
}
