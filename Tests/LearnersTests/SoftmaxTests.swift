import Kernels
import XCTest
@testable import Learners

/// The eight-rows-per-call softmax (GBDT gradients and predictions) against the per-row one:
/// every probability must be the same bits, or models trained before and after would differ.
final class SoftmaxTests: XCTestCase {
    func testEightRowsAtOnceGiveTheBitsOfOneRowAtATime() {
        var random = SplitMix64(seed: 5)
        for classes in [2, 3, 5, 8, 9, 17] {
            // Rows of ordinary scores, huge and tiny ones, ties, and a row whose classes are equal.
            var rows: [[Double]] = (0..<64).map { _ in (0..<classes).map { _ in (random.unit() - 0.5) * 20 } }
            rows[3] = (0..<classes).map { _ in 700 + random.unit() }
            rows[4] = (0..<classes).map { _ in -800 - random.unit() * 100 }
            rows[5] = [Double](repeating: 1.25, count: classes)
            rows[6] = (0..<classes).map { $0 % 2 == 0 ? 3 : -3 }
            for first in stride(from: 0, to: rows.count, by: 8) {
                var lanes = [Transcendentals.Lanes](repeating: .init(), count: classes)
                Softmax.normalizeRows(classes: classes, { k in
                    var column = Transcendentals.Lanes()
                    for lane in 0..<8 { column[lane] = rows[first + lane][k] }
                    return column
                }, into: &lanes)
                for lane in 0..<8 {
                    var expected = rows[first + lane]
                    Softmax.normalize(&expected, count: classes)
                    for k in 0..<classes {
                        XCTAssertEqual(lanes[k][lane].bitPattern, expected[k].bitPattern,
                                       "\(classes) classes, row \(first + lane), class \(k)")
                    }
                }
            }
        }
    }
}
