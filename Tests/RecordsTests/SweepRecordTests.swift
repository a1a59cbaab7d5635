import XCTest
@testable import Records

final class SweepRecordTests: XCTestCase {
    private func record() -> SweepRecord {
        let run = "sha256:" + String(repeating: "a", count: 64)
        let job = SweepRecord.Job(trial: 0, rung: 1, resource: 25, values: ["model.learning_rate": 0.1, "model.rounds": 25],
                                  key: "sha256:" + String(repeating: "b", count: 64), run: run, status: "ok", metric: 0.83,
                                  usd: 0.01, cpuSeconds: 2.5, wallSeconds: 1.5, reused: false)
        var failed = job
        failed.trial = 1
        failed.rung = 0
        failed.run = nil
        failed.status = "failed"
        failed.metric = nil
        return SweepRecord(name: "search", experiment: "churn-gbdt", suite: "churn", plan: ["search": "random", "trials": 2],
                           commit: String(repeating: "1", count: 40), jobs: [job, failed], status: .finished, stopReason: nil,
                           wallSeconds: 12, chosenJob: 0, rule: "highest validation roc_auc", evaluatedRun: run,
                           createdBy: "Ann <ann@example.com>", createdAt: "2026-12-05T07:00:00Z", updatedAt: "2026-12-05T07:01:00Z")
    }

    func testRoundTripsWithItsSpendAndChoice() throws {
        let r = record()
        let parsed = try SweepRecord(text: CanonicalJSON.pretty(r.json))
        XCTAssertEqual(parsed, r)
        XCTAssertEqual(parsed.id, r.id)
        XCTAssertEqual(r.json["spent"]?["cpu_seconds"]?.doubleValue, 5)
        XCTAssertEqual(r.json["spent"]?["trials"]?.intValue, 2)
        XCTAssertEqual(r.runIDs.count, 2, "the trial run and the evaluated run")
    }

    func testAnEditedOrInconsistentRecordIsRefused() {
        let edited = CanonicalJSON.encode(record().json).replacingOccurrences(of: "\"metric\":0.83", with: "\"metric\":0.93")
        XCTAssertThrowsError(try SweepRecord(text: edited)) { XCTAssertTrue("\($0)".contains("not the digest of its content"), "\($0)") }
        var badChoice = record()
        badChoice.chosenJob = 5
        XCTAssertThrowsError(try SweepRecord(json: badChoice.json)) { XCTAssertTrue("\($0)".contains("one of the record's jobs"), "\($0)") }
        var badRun = record()
        badRun.jobs[0].run = "sha256:../../etc"
        XCTAssertThrowsError(try SweepRecord(json: badRun.json)) { XCTAssertTrue("\($0)".contains("is not a run id"), "\($0)") }
    }

    /// A cross-validated job's standard error is kept (and part of the id); a job without one
    /// has no such key, so records of sweeps that do not cross-validate keep their bytes.
    func testACrossValidatedJobKeepsItsStandardError() throws {
        let plain = record()
        XCTAssertFalse(CanonicalJSON.encode(plain.json).contains("metric_standard_error"))
        var validated = plain
        validated.jobs[0].metricStandardError = 0.0125
        let parsed = try SweepRecord(text: CanonicalJSON.pretty(validated.json))
        XCTAssertEqual(parsed.jobs[0].metricStandardError, 0.0125)
        XCTAssertNil(parsed.jobs[1].metricStandardError)
        XCTAssertNotEqual(parsed.id, plain.id)
    }
}
