import Foundation
import XCTest

/// The server hooks of a self-hosted bare repository, with client hooks out of the picture.
final class ServerHookTests: CLITestCase {
    func testServerGatesProtectedBranchProtectsRefsAndRecordsPromotions() throws {
        try setUpChurnProject()
        let (bare, _, other) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy and blob remote")
        XCTAssertTrue(try run("git", "ml", "hooks", "install", "--server", in: bare).stdout.contains("installed"))
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for hook in ["pre-receive", "post-receive"] {
            XCTAssertEqual(try String(contentsOfFile: bare + "/hooks/" + hook, encoding: .utf8),
                           try String(contentsOf: source.appendingPathComponent("hooks/" + hook), encoding: .utf8), "the repository's hooks/\(hook) is the one installed")
        }
        try run("git", "ml", "push")   // creates main: nothing to gate

        // The first candidate: no champion, the guardrails hold → accepted and recorded.
        try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "push")
        XCTAssertEqual(try run("git", "rev-list", "--count", "refs/ml/promotions/churn", in: bare).stdout, "1\n", "post-receive recorded the decision")
        let good = try run("git", "rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // A worse candidate is refused, through git ml push and through a plain push without hooks.
        try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        let refused = try run("git", "ml", "push", expect: 3)
        XCTAssertTrue(refused.stderr.contains("the gate rejects"), refused.stderr)
        let plain = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(plain.stderr.contains("push refused"), plain.stderr)
        XCTAssertEqual(try run("git", "rev-parse", "main", in: bare).stdout.trimmingCharacters(in: .whitespacesAndNewlines), good)

        // refs/ml/* are never deleted or rewritten on the server.
        let deletion = try run("git", "push", "--no-verify", "origin", ":refs/ml/datasets/churn-train/v1", expect: 1)
        XCTAssertTrue(deletion.stderr.contains("never deleted"), deletion.stderr)

        // A better candidate is accepted and becomes the champion.
        try run("git", "reset", "-q", "--hard", good)
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "push")
        try run("git", "clone", "-q", bare, other)
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "fetch", in: other)
        let chain = try json(try run("git", "ml", "promotions", "churn", "--json", in: other).stdout) as! [[String: Any]]
        XCTAssertEqual(chain.map { $0["decision"] as? String }, ["promote", "promote"])
        XCTAssertEqual(chain.first?["actor"] as? String, "git server (post-receive)")

        // A push that changes no candidate costs no gate time (and is accepted).
        try "notes\n".write(toFile: repo + "/NOTES.md", atomically: true, encoding: .utf8)
        try run("git", "add", "NOTES.md")
        try run("git", "commit", "-qm", "notes")
        let quiet = try run("git", "push", "--no-verify", "origin", "main")
        XCTAssertFalse(quiet.stderr.contains("Benchmark"), quiet.stderr)
    }
}
