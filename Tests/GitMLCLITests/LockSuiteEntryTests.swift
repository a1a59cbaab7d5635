import Foundation
import XCTest

/// A suite entry of `ml/lock.json` (run, experiment, metric, value) repeats the run record it
/// names; fsck names every entry that does not, in the working tree and in commits, and the
/// gate refuses a lock whose entry lies (docs/RELIABILITY.md, "A damaged record or lock is
/// refused"). Before the fix fsck passed all five edits below and the gate judged the run.
final class LockSuiteEntryTests: CLITestCase {
    func testEachDisagreementOfASuiteEntryIsNamedByFsckAndTheGate() throws {
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/gate.yaml")
        try run("git", "commit", "-qm", "gate policy")
        try run("git", "ml", "run", "churn-gbdt")
        try run("git", "mlcommit", "-m", "candidate")
        try run("git", "ml", "fsck")
        let lockPath = repo + "/ml/lock.json"
        let text = try String(contentsOfFile: lockPath, encoding: .utf8)
        let entry = try XCTUnwrap(((try json(text) as? [String: Any])?["suites"] as? [String: Any])?["churn"] as? [String: Any])
        let runID = try XCTUnwrap(entry["run"] as? String), metric = try XCTUnwrap(entry["metric"] as? String)
        let short = String(runID.dropFirst(7).prefix(12))
        let valueText = try XCTUnwrap(text.range(of: #""value": [^,\n}]+"#, options: .regularExpression).map { String(text[$0].dropFirst(9)) })
        let lie = text.replacingOccurrences(of: "\"value\": \(valueText)", with: "\"value\": 0.999")
        let cases: [(String, String, String)] = [
            ("value", lie, "entry suite churn: run \(short) records metric \(metric) = \(valueText), lock says 0.999"),
            ("metric", text.replacingOccurrences(of: "\"metric\": \"\(metric)\"", with: "\"metric\": \"pr_auc\""),
             "entry suite churn: run \(short) records metric \(metric) = \(valueText), lock says pr_auc"),
            ("experiment", text.replacingOccurrences(of: "\"experiment\": \"churn-gbdt\"", with: "\"experiment\": \"churn-lr\""),
             "entry suite churn: run \(short) records experiment churn-gbdt, lock says churn-lr"),
            ("run", text.replacingOccurrences(of: runID, with: "sha256:" + String(repeating: "0", count: 64)),
             "entry suite churn: names run 000000000000, which no record here describes"),
            ("suite", text.replacingOccurrences(of: "\"churn\": {", with: "\"fraud\": {"), "entry suite fraud: run \(short) is a run of suite churn, not fraud"),
        ]
        for (what, changed, message) in cases {
            XCTAssertNotEqual(changed, text, what)
            try changed.write(toFile: lockPath, atomically: true, encoding: .utf8)
            let fsck = try run("git", "ml", "fsck", expect: 1)
            XCTAssertTrue(fsck.stdout.contains("working tree ml/lock.json " + message), "\(what): \(fsck.stdout)")
        }
        try text.write(toFile: lockPath, atomically: true, encoding: .utf8)
        try run("git", "ml", "fsck")

        // The lie committed: fsck names the commit's lock, the gate refuses to judge by it.
        try lie.write(toFile: lockPath, atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "a better number")
        let commit = String(try run("git", "rev-parse", "HEAD").stdout.prefix(12))
        let fsck = try run("git", "ml", "fsck", expect: 1)
        XCTAssertTrue(fsck.stdout.contains("ml/lock.json in commit \(commit) " + cases[0].2), fsck.stdout)
        let gate = try run("git", "ml", "gate", "--base", "HEAD~1", expect: nil)
        XCTAssertNotEqual(gate.status, 0, gate.stdout)
        XCTAssertTrue(gate.stderr.contains("lock entry suite churn: run \(short) records metric \(metric) = \(valueText), lock says 0.999"), gate.stderr)
    }
}
