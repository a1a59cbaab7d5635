import XCTest
import Records

/// A lock's suite entry is compared with the run record it names (`Lock.SuiteCandidate.disagreement`).
final class SuiteCandidateCheckTests: XCTestCase {
    private func runRecord(status: RunRecord.Status = .ok, kind: String = "builtin", headline: JSONValue = ["metric": "roc_auc", "value": 0.845, "direction": "maximize"]) -> RunRecord {
        RunRecord(kind: kind, experiment: "churn-gbdt", suite: "churn",
                  code: .init(commit: String(repeating: "1", count: 40), tree: String(repeating: "2", count: 40), dirty: false, diffDigest: nil),
                  config: [:], datasets: [:], seeds: [1], candidate: "ensemble", environment: [:], artifacts: [:],
                  metrics: ["headline": headline], cost: [:], timings: [:], status: status, statusDetail: nil,
                  createdBy: "Ann <ann@example.com>", createdAt: "2026-11-30T12:00:00Z")
    }

    private func entry(_ record: RunRecord, experiment: String = "churn-gbdt", metric: String = "roc_auc", value: Double = 0.845) -> Lock.SuiteCandidate {
        Lock.SuiteCandidate(run: record.id, experiment: experiment, metric: metric, value: value, allowedDirty: false)
    }

    func testAnEntryRepeatingItsRecordAgrees() throws {
        let r = runRecord()
        XCTAssertNil(entry(r).disagreement(with: r, suite: "churn"))
        // Canonical numbers round-trip: the lock's text reads back the record's exact value.
        let sum = runRecord(headline: ["metric": "roc_auc", "value": .number(0.1 + 0.2)])
        let reread = try Lock(text: Lock(suites: ["churn": entry(sum, value: 0.1 + 0.2)]).text).suites["churn"]
        XCTAssertNil(try XCTUnwrap(reread).disagreement(with: sum, suite: "churn"))
    }

    func testEachDisagreementIsNamed() {
        let r = runRecord()
        let short = shortID(r.id)
        let cases: [(String, String?)] = [
            ("value", entry(r, value: 0.99).disagreement(with: r, suite: "churn")),
            ("metric", entry(r, metric: "pr_auc").disagreement(with: r, suite: "churn")),
            ("experiment", entry(r, experiment: "churn-lr").disagreement(with: r, suite: "churn")),
            ("suite", entry(r).disagreement(with: r, suite: "fraud")),
            ("status", entry(runRecord(status: .failed)).disagreement(with: runRecord(status: .failed), suite: "churn")),
            ("trial", entry(runRecord(kind: "trial")).disagreement(with: runRecord(kind: "trial"), suite: "churn")),
            ("no metric", entry(runRecord(headline: .null)).disagreement(with: runRecord(headline: .null), suite: "churn")),
        ]
        let expected = [
            "run \(short) records metric roc_auc = 0.845, lock says 0.99",
            "run \(short) records metric roc_auc = 0.845, lock says pr_auc",
            "run \(short) records experiment churn-gbdt, lock says churn-lr",
            "run \(short) is a run of suite churn, not fraud",
            "ended failed", "is a sweep trial", "records no primary metric, lock says roc_auc = 0.845",
        ]
        for ((what, message), text) in zip(cases, expected) {
            XCTAssertTrue(message?.contains(text) == true, "\(what): \(message ?? "nil")")
        }
    }

    /// A suite entry's run names `ml/runs/<hex>.json` and `refs/ml/runs/<hex>`: a lock whose run
    /// is not a run id (a path that climbs out of `ml/runs`, say) is refused when read.
    func testALockWhoseRunIsNotARunIDIsRefused() throws {
        let r = runRecord()
        let text = Lock(suites: ["churn": entry(r)]).text
        XCTAssertNoThrow(try Lock(text: text))
        for bad in ["sha256:../../../../etc/passwd", String(r.id.dropFirst(7)), r.id.uppercased()] {
            XCTAssertThrowsError(try Lock(text: text.replacingOccurrences(of: r.id, with: bad)), bad) { error in
                XCTAssertTrue("\(error)".contains("suite churn") && "\(error)".contains("not a run id"), "\(error)")
            }
        }
    }
}
