import Kernels
import XCTest
@testable import Learners

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
}
