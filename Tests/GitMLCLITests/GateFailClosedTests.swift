import Foundation
import XCTest

/// The gate fails closed and says what it found, end to end through the `git-ml` binary.
final class GateFailClosedTests: CLITestCase {
    /// A committed candidate on a project with the churn policy (first model: no champion).
    private func setUpCandidate(experiment: String) throws {
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/gate.yaml")
        try run("git", "commit", "-qm", "gate policy")
        try runAndCommit(experiment, message: "candidate")
    }

    func testAnUnresolvablePinnedEvaluationSetFailsTheDatasetRow() throws {
        try setUpCandidate(experiment: ChurnProject.experiment(features: "usage, tenure, region"))
        // The base's suite now pins an evaluation version this repository does not have.
        let suite = ChurnProject.suite.replacingOccurrences(of: "eval: churn-eval@v1", with: "eval: churn-eval@v7")
        try suite.write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "pin an evaluation version that was never added")

        let gate = try run("git", "ml", "gate", "--base", "HEAD", expect: 1)
        let line = try XCTUnwrap(gate.stdout.split(separator: "\n").first { $0.hasPrefix("dataset") }, gate.stdout)
        XCTAssertTrue(line.contains("FAIL"), gate.stdout)
        XCTAssertTrue(line.contains("the suite's evaluation data churn-eval@v7 cannot be resolved, so the candidate cannot be shown to be evaluated on it"),
                      gate.stdout)
        XCTAssertTrue(gate.stdout.contains("→ REJECT"), gate.stdout)

        let verdict = (try json(try run("git", "ml", "gate", "--base", "HEAD", "--json", expect: 1).stdout) as! [[String: Any]])[0]
        let dataset = (verdict["rows"] as! [[String: Any]]).first { $0["name"] as? String == "dataset" }
        XCTAssertEqual(dataset?["outcome"] as? String, "fail")
    }

    func testSeedsThatTrainIdenticalModelsAreFlaggedByRunAndGate() throws {
        // GBDT without bagging or feature sampling: every seed trains the same trees.
        let experiment = ChurnProject.experiment(seeds: "[1, 2, 3]").replacingOccurrences(of: ", bagging_fraction: 0.8", with: "")
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try experiment.write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "policy, experiment without bagging")
        // With bagging the seeds differ, and nothing is said.
        try ChurnProject.experiment(seeds: "[1, 2, 3]").write(toFile: repo + "/ml/experiments/bagged.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "bagged experiment")
        XCTAssertFalse(try run("git", "ml", "run", "bagged").stderr.contains("identical models"))
        let trained = try run("git", "ml", "run", "churn-gbdt")
        XCTAssertTrue(trained.stderr.contains("warning: the 3 seeds (1, 2, 3) trained identical models (same digest): seed variance is not measured"),
                      trained.stderr)
        let log = try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]]
        let id = String((log[0]["id"] as! String).dropFirst(7).prefix(12))
        try run("git", "ml", "reproduce", id, "--sign")
        try run("git", "mlcommit", "-m", "candidate", id)
        try run("git", "mlcommit", "-m", "attest candidate")

        let gate = try run("git", "ml", "gate", "--base", "HEAD", "--json")
        let verdict = (try json(gate.stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["seed_variance_not_measured"] as? [String],
                       ["seed variance not measured: the 3 seeds of the candidate gave identical predictions"], gate.stdout)
        let benchmark = (verdict["rows"] as! [[String: Any]]).first { $0["name"] as? String == "benchmark" }
        XCTAssertTrue((benchmark?["evidence"] as? String)?.contains("seed variance not measured: the 3 seeds of the candidate gave identical predictions (compared as one seed)") == true,
                      gate.stdout)
    }
    func testTheMergeGateDoesNotTakeAnUnreadablePolicyForNone() throws {
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/gate.yaml")
        try run("git", "commit", "-qm", "gate policy")
        // The policy's blob is lost from the object store: the merge gate cannot read it.
        let blob = try run("git", "rev-parse", "HEAD:ml/gate.yaml").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(atPath: repo + "/.git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        let hook = try run("git", "ml", "hook", "pre-merge-commit", expect: nil)
        XCTAssertNotEqual(hook.status, 0, "an unreadable policy let the merge through: \(hook.stderr)")
        XCTAssertTrue(hook.stderr.contains(String(blob.prefix(7))) || hook.stderr.lowercased().contains("object"), hook.stderr)
    }
}
