import Evaluation
import XCTest

/// Stuart–Maxwell and the multiclass paired tests against statsmodels (values printed by
/// scripts/golden/multiclass_stats.py).
final class MulticlassStatisticsTests: XCTestCase {
    private let baseline = Array([0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 2].repeated(3))
    private let candidate = Array([0, 1, 1, 2, 2, 0, 0, 1, 1, 0, 2, 2, 1, 0, 1, 2, 0, 1, 0, 2].repeated(3))

    func testStuartMaxwellEqualsStatsmodels() throws {
        let test = try StuartMaxwellTest(baseline: baseline, candidate: candidate, classCount: 3)
        XCTAssertEqual(test.statistic, 0.7499999999999993, accuracy: 1e-9)
        XCTAssertEqual(test.degreesOfFreedom, 2)
        XCTAssertEqual(test.pValue, 0.6872892787909723, accuracy: 1e-9)
        // A class neither model decides is left out rather than making the covariance singular.
        let padded = try StuartMaxwellTest(baseline: baseline, candidate: candidate, classCount: 4)
        XCTAssertEqual(padded.statistic, test.statistic, accuracy: 1e-12)
        XCTAssertTrue(try StuartMaxwellTest(baseline: baseline, candidate: baseline, classCount: 3).statistic.isNaN)
    }

    func testPairedTestsCountDecisionsAgainstTheTruth() throws {
        let labels = baseline.indices.map { $0 % 3 }
        func rows(_ decided: [Int]) throws -> MulticlassPredictions {
            try MulticlassPredictions(classCount: 3, labels: labels,
                                      probabilities: decided.flatMap { d in (0..<3).map { $0 == d ? 0.6 : 0.2 } })
        }
        let tests = try MulticlassPairedTests(baseline: try rows(baseline), candidate: try rows(candidate))
        var b = 0, c = 0
        for row in labels.indices {
            if baseline[row] == labels[row] && candidate[row] != labels[row] { b += 1 }
            if candidate[row] == labels[row] && baseline[row] != labels[row] { c += 1 }
        }
        XCTAssertEqual(tests.mcnemar, McNemarTest(baselineOnlyCorrect: b, candidateOnlyCorrect: c))
        XCTAssertEqual(tests.stuartMaxwell.statistic, 0.7499999999999993, accuracy: 1e-9)
        XCTAssertEqual(tests.deLongOneVsRest.count, 3)
        XCTAssertEqual(McNemarTest(baselineOnlyCorrect: 3, candidateOnlyCorrect: 9).pValue, 0.14599609375, accuracy: 1e-12)
    }

    /// The Wilson score interval (a class's recall in reviews) equals statsmodels'
    /// `proportion_confint(method="wilson")`.
    func testWilsonIntervalEqualsStatsmodels() throws {
        let cases: [(Int, Int, Double, Double, Double)] = [
            (0, 7, 0.05, 2.7755575615628914e-17, 0.3543304350666875), (7, 7, 0.05, 0.6456695649333125, 0.9999999999999999),
            (33, 41, 0.05, 0.6598641481293658, 0.8976556261484198), (281, 320, 0.1, 0.8448332101890583, 0.9050764362636816),
        ]
        for (successes, trials, alpha, lower, upper) in cases {
            let interval = try ProportionInterval.wilson(successes: successes, trials: trials, confidence: 1 - alpha)
            XCTAssertEqual(interval.lower, lower, accuracy: 1e-9, "\(successes)/\(trials)")
            XCTAssertEqual(interval.upper, upper, accuracy: 1e-9, "\(successes)/\(trials)")
        }
        XCTAssertThrowsError(try ProportionInterval.wilson(successes: 0, trials: 0, confidence: 0.95), "no rows, no interval")
    }
}

private extension Array {
    func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}
