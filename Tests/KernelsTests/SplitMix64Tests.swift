import Kernels
import XCTest

final class SplitMix64Tests: XCTestCase {
    /// Reference outputs of Vigna's splitmix64.c for seed 0.
    func testMatchesReferenceSequence() {
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(generator.next(), 0x06C4_5D18_8009_454F)
    }

    func testPermutationIsAPermutationAndSeedDependent() {
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 2)
        let first = a.permutation(100), second = b.permutation(100)
        XCTAssertEqual(first.sorted(), Array(0..<100))
        XCTAssertNotEqual(first, second)
        var unit = SplitMix64(seed: 3)
        XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<1).contains(unit.unit()) })
    }

    /// `draws` hands out, in order, what as many calls of `index(below:)` give, across whole and
    /// partial blocks (a block is 256 draws), and leaves the generator where those calls would.
    func testDrawsAreTheDrawsOfIndexBelowInOrder() {
        for (count, bound) in [(0, 5), (1, 1), (255, 7), (256, 1_000), (1_000, 3), (5_000, 123_457)] {
            var one = SplitMix64(seed: 42, stream: UInt64(count))
            var blocked = one
            let expected = (0..<count).map { _ in one.index(below: bound) }
            var prefetched: [Int] = [], drawn: [Int] = []
            blocked.draws(count, below: bound, prefetch: { prefetched.append($0) }) { drawn.append($0) }
            XCTAssertEqual(drawn, expected, "\(count) draws below \(bound)")
            XCTAssertEqual(prefetched, expected)
            XCTAssertEqual(blocked.next(), one.next())
        }
    }
}
