import XCTest
@testable import Sweeps

final class SweepBudgetTests: XCTestCase {
    /// The first job runs alone to measure; then a job starts only when its expected cost fits.
    func testABudgetSmallerThanTwoTrialsStopsAfterOne() {
        var budget = SweepBudget(envelope: .init(maxUSD: 0.015))
        guard case .start(nil, let limit?, nil) = budget.admit(resource: 100, newTrial: true, elapsed: 0) else {
            return XCTFail("the first job starts")
        }
        XCTAssertEqual(limit, 0.015)
        budget.started(job: 0, expected: nil, newTrial: true)
        XCTAssertEqual(budget.admit(resource: 100, newTrial: true, elapsed: 1), .wait("the first job measures what a job costs"))
        budget.finished(job: 0, spent: .init(usd: 0.01, cpuSeconds: 20, resource: 100))
        guard case .stop(let reason) = budget.admit(resource: 100, newTrial: true, elapsed: 2) else { return XCTFail("must stop") }
        XCTAssertTrue(reason.contains("would cost about $0.0100"), reason)
        XCTAssertTrue(reason.contains("$0.0050 of $0.0150 is left"), reason)
    }

    func testRunningJobsReserveTheirExpectedCostAndGetAShare() {
        var budget = SweepBudget(envelope: .init(maxCPUHours: 0.1))  // 360 CPU seconds
        budget.started(job: 0, expected: nil, newTrial: true)
        budget.finished(job: 0, spent: .init(usd: 0, cpuSeconds: 50, resource: 10))  // 5 s per unit
        guard case .start(let expected?, nil, let share?) = budget.admit(resource: 30, newTrial: false, elapsed: 3) else {
            return XCTFail("fits: 150 of 310")
        }
        XCTAssertEqual(expected.cpuSeconds, 150)
        XCTAssertEqual(share, 300, "twice the expectation, within what is left")
        budget.started(job: 1, expected: expected, newTrial: false)
        guard case .start(_, nil, let second?) = budget.admit(resource: 30, newTrial: false, elapsed: 3) else {
            return XCTFail("fits: 150 of 160")
        }
        XCTAssertEqual(second, 160, "capped by what is left after the reservation")
        budget.started(job: 2, expected: expected, newTrial: false)
        guard case .stop = budget.admit(resource: 10, newTrial: true, elapsed: 3) else { return XCTFail("50 > 10 left") }
    }

    /// Without a cost limit nothing needs measuring: the first jobs start together, so a sweep
    /// capped by trials or wall time keeps every slot busy from the start.
    func testWithoutACostLimitTheFirstJobsStartTogether() {
        for envelope in [SweepBudget.Envelope(maxTrials: 12), .init(maxWallSeconds: 600)] {
            var budget = SweepBudget(envelope: envelope)
            budget.started(job: 0, expected: nil, newTrial: true)
            XCTAssertEqual(budget.admit(resource: 1, newTrial: true, elapsed: 0), .start(expected: nil, maxUSD: nil, maxCPUSeconds: nil))
        }
    }

    func testTrialAndWallLimits() {
        var budget = SweepBudget(envelope: .init(maxTrials: 1, maxWallSeconds: 60))
        budget.started(job: 0, expected: nil, newTrial: true)
        budget.finished(job: 0, spent: .init(usd: 0, cpuSeconds: 1, resource: 1))
        XCTAssertEqual(budget.admit(resource: 1, newTrial: true, elapsed: 1), .stop("max_trials (1) trials have started"))
        guard case .start = budget.admit(resource: 3, newTrial: false, elapsed: 1) else { return XCTFail("a promotion is no new trial") }
        guard case .stop(let reason) = budget.admit(resource: 3, newTrial: false, elapsed: 60) else { return XCTFail("wall") }
        XCTAssertTrue(reason.contains("wall-clock budget (60 s)"), reason)
    }
}
