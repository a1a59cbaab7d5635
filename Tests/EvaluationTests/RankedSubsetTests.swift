import Kernels
import XCTest
@testable import Evaluation

/// A slice's ranked rows come from the whole set's order (one pass, no sort): they must equal
/// what sorting the slice on its own gives, ties, zeros of either sign and weights included.
final class RankedSubsetTests: XCTestCase {
    func testAscendingRowsRankAsASortOfTheSubsetWould() throws {
        var rng = SplitMix64(seed: 17)
        let count = 5_000
        // Scores rounded to 0.05 (long runs of ties), with -0.0 and +0.0 both present.
        let scores = (0..<count).map { i -> Double in
            i % 97 == 0 ? (i % 2 == 0 ? -0.0 : 0.0) : (rng.unit() * 20).rounded() / 20 - 0.5
        }
        let labels = (0..<count).map { _ in rng.index(below: 3) == 0 }
        let weights = (0..<count).map { _ in Double(rng.index(below: 4)) / 2 }
        for predictions in [try BinaryPredictions(scores: scores, labels: labels),
                            try BinaryPredictions(scores: scores, labels: labels, weights: weights)] {
            let whole = RankedPredictions(predictions)
            let everyThird = stride(from: 1, to: count, by: 3).map { $0 }
            let sparse = (0..<count).filter { _ in rng.index(below: 10) == 0 }
            let single = [weights.indices.first { weights[$0] > 0 && $0 > 40 }!]
            for rows in [everyThird, sparse, Array(0..<count), single] {
                let filtered = try whole.subset(rows)
                let sorted = RankedPredictions(try predictions.subset(rows), threads: .one)
                XCTAssertEqual(filtered.order, sorted.order, "\(rows.count) rows")
                XCTAssertEqual(filtered.sortedScores.map(\.bitPattern), sorted.sortedScores.map(\.bitPattern))
                XCTAssertEqual(filtered.sortedLabels, sorted.sortedLabels)
                XCTAssertEqual(filtered.sortedLabelValues, sorted.sortedLabelValues)
                XCTAssertEqual(filtered.sortedWeights, sorted.sortedWeights)
                XCTAssertEqual(filtered.tieGroups, sorted.tieGroups)
                XCTAssertEqual(filtered.predictions.scores.map(\.bitPattern), sorted.predictions.scores.map(\.bitPattern))
            }
            // Rows in another order are sorted anew: the same as ranking that subset directly.
            let shuffled = [9, 3, 4_000, 3_999, 0]
            XCTAssertEqual(try whole.subset(shuffled).order, RankedPredictions(try predictions.subset(shuffled)).order)
        }
    }
}
