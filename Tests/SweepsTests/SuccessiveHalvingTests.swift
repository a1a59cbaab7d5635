import XCTest
@testable import Sweeps

final class SuccessiveHalvingTests: XCTestCase {
    func testRungsGrowByEtaAndEndAtTheMaximum() {
        XCTAssertEqual(SuccessiveHalving(minResource: 25, maxResource: 300, eta: 3, higherIsBetter: true).rungResources, [25, 75, 225, 300])
        XCTAssertEqual(SuccessiveHalving(minResource: 10, maxResource: 90, eta: 3, higherIsBetter: true).rungResources, [10, 30, 90])
    }

    /// ASHA's rule: a trial moves up once it is in the top 1/η of its rung's results; until
    /// then new trials start. Promotions come from the highest rung that has one.
    func testPromotesTheTopThirdAsResultsArrive() {
        var halving = SuccessiveHalving(minResource: 10, maxResource: 90, eta: 3, higherIsBetter: true)
        XCTAssertEqual(halving.nextJob(), .newTrial)
        halving.report(trial: 0, rung: 0, metric: 0.70)
        halving.report(trial: 1, rung: 0, metric: 0.60)
        XCTAssertEqual(halving.nextJob(), .newTrial, "2 results: top 1/3 is empty")
        halving.report(trial: 2, rung: 0, metric: 0.80)
        XCTAssertEqual(halving.nextJob(), .promote(trial: 2, rung: 1))
        XCTAssertEqual(halving.nextJob(), .newTrial, "trial 2 is promoted only once")
        for (trial, metric) in [(3, 0.75), (4, 0.5), (5, 0.72)] { halving.report(trial: trial, rung: 0, metric: metric) }
        XCTAssertEqual(halving.nextJob(), .promote(trial: 3, rung: 1), "6 results: top 2 are trials 2 and 3")
        halving.report(trial: 2, rung: 1, metric: 0.81)
        halving.report(trial: 3, rung: 1, metric: 0.83)
        halving.report(trial: 0, rung: 1, metric: 0.79)
        XCTAssertEqual(halving.nextJob(), .promote(trial: 3, rung: 2), "the highest rung's promotion comes first")
        halving.report(trial: 3, rung: 2, metric: 0.84)
        XCTAssertEqual(halving.best?.trial, 3)
        XCTAssertEqual(halving.best?.rung, 2)
    }

    func testLowerIsBetterAndFailedTrialsRankLast() {
        var halving = SuccessiveHalving(minResource: 1, maxResource: 4, eta: 2, higherIsBetter: false)
        halving.report(trial: 0, rung: 0, metric: .nan)
        halving.report(trial: 1, rung: 0, metric: 0.3)
        XCTAssertEqual(halving.ranking(at: 0), [1, 0])
        XCTAssertEqual(halving.nextJob(), .promote(trial: 1, rung: 1))
        XCTAssertEqual(halving.best?.trial, 1)
    }

    /// Without halving: one rung, never a promotion, the best trial chosen.
    func testOneRungNeverPromotes() {
        var halving = SuccessiveHalving(higherIsBetter: true)
        for (trial, metric) in [(0, 0.7), (1, 0.9), (2, .nan), (3, 0.8)] {
            XCTAssertEqual(halving.nextJob(), .newTrial)
            halving.report(trial: trial, rung: 0, metric: metric)
        }
        XCTAssertEqual(halving.nextJob(), .newTrial)
        XCTAssertEqual(halving.best?.trial, 1)
        XCTAssertEqual(halving.best?.rung, 0)
    }
}
