import XCTest
import Kernels

final class RadixSortTests: XCTestCase {
    /// A small deterministic generator for test inputs.
    private func values(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53)
            switch i % 7 {
            case 0: return -0.0
            case 1: return 0.0
            case 2: return (u * 10).rounded()          // heavy ties
            case 3: return -u * 1e300
            case 4: return u * 1e-300
            default: return u - 0.5
            }
        }
    }

    func testMatchesStableComparisonSortBothDirections() {
        for count in [0, 1, 2, 17, 1000, 70_000] {
            let input = values(count, seed: UInt64(count) + 1)
            for descending in [false, true] {
                for threads in [ParallelFor.Threads.one, ParallelFor.Threads(2)] {
                    let sorted = RadixSort.sort(input, descending: descending, threads: threads)
                    let expected = input.indices.sorted { a, b in
                        if input[a] == input[b] { return a < b }
                        return descending ? input[a] > input[b] : input[a] < input[b]
                    }
                    XCTAssertEqual(sorted.order.map(Int.init), expected, "count \(count) descending \(descending)")
                    for p in 0..<count {
                        XCTAssertEqual(sorted.keys[p] == sorted.keys[0], input[expected[p]] == input[expected[0]])
                    }
                }
            }
        }
    }

    func testKeysRoundTripToValues() {
        let input = values(5000, seed: 3).map { $0 == 0 ? 0.0 : $0 }
        for descending in [false, true] {
            let sorted = RadixSort.sort(input, descending: descending)
            XCTAssertEqual(RadixSort.values(of: sorted, descending: descending), sorted.order.map { input[Int($0)] })
        }
    }

    func testMinusZeroAndZeroShareAKey() {
        XCTAssertEqual(RadixSort.ascendingKey(-0.0), RadixSort.ascendingKey(0.0))
        XCTAssertLessThan(RadixSort.ascendingKey(-1e-300), RadixSort.ascendingKey(0))
        XCTAssertLessThan(RadixSort.ascendingKey(-.infinity), RadixSort.ascendingKey(-1e308))
        XCTAssertLessThan(RadixSort.ascendingKey(1e308), RadixSort.ascendingKey(.infinity))
    }

    func testMidranksAverageTies() {
        // scipy.stats.rankdata([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]) (method "average")
        let ranks = Ranks.midranks([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
        XCTAssertEqual(ranks, [4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8])
    }
}
