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

    /// A better candidate whose improvement is not proven (its lower bound misses `min_effect`) is
    /// a shadow: `git ml gate` exits 3; the server refuses its merge while `on_shadow: reject`, and
    /// once the base's policy says `accept` it lets it through, records shadow, and the champion stays.
    func testBetterButNotProvenCandidateIsShadowedAsThePolicySays() throws {
        try setUpChurnProject()
        let (bare, _, other) = try setUpSharing(defaultRemote: true)
        let demanding = ChurnProject.policy.replacingOccurrences(of: "min_effect: 0.0", with: "min_effect: 0.5")
        XCTAssertNotEqual(demanding, ChurnProject.policy)
        let refusing = demanding.replacingOccurrences(of: "reject: otherwise }", with: "reject: otherwise, on_shadow: reject }")
        XCTAssertNotEqual(refusing, demanding)
        try refusing.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy: shadowed merges refused")
        let admin = try makeSigningKey("admin")
        try run("git", "ml", "hooks", "install", "--server", "--allowed-signers", admin.allowedSigners, in: bare)
        try run("git", "ml", "push")
        let weak = try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "push")
        let base = try run("git", "rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let gate = try run("git", "ml", "gate", "--base", "origin/main", "--head", "HEAD", "--json", expect: 3)
        let verdict = (try json(gate.stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["decision"] as? String, "shadow", gate.stdout)
        let primary = verdict["primary"] as! [String: Any]
        XCTAssertGreaterThan(primary["difference"] as! Double, 0, "better")
        XCTAssertLessThan(primary["lower_bound"] as! Double, 0.5, "not proven better by min_effect")
        let refused = try run("git", "ml", "push", expect: 3)
        XCTAssertTrue(refused.stderr.contains("the gate rejects run \(strong) (shadow"), refused.stderr)

        // The base's policy now accepts shadowed merges: the same candidate goes through as a shadow.
        try run("git", "reset", "-q", "--hard", base)
        try demanding.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try signedCommit(key: admin.key, "-qam", "gate policy: shadowed merges accepted (a policy change: signed)")
        try run("git", "push", "--no-verify", "origin", "main")
        let again = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let accepted = try run("git", "ml", "push")
        XCTAssertTrue(accepted.stderr.contains("shadow: accepted; the champion stays"), accepted.stderr)
        try run("git", "clone", "-q", bare, other)
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", "--runs", in: other)
        let chain = try json(try run("git", "ml", "promotions", "churn", "--json", in: other).stdout) as! [[String: Any]]
        XCTAssertEqual(chain.map { $0["decision"] as? String }, ["shadow", "promote"])
        XCTAssertEqual(chain.map { ($0["candidate"] as? String)?.dropFirst(7).prefix(12) }, [again[...], weak[...]])
        let next = try run("git", "ml", "gate", "--base", "main", "--head", "main", "--json", in: other, expect: 3)
        XCTAssertEqual(((try json(next.stdout) as! [[String: Any]])[0]["champion"] as? String)?.dropFirst(7).prefix(12), weak[...],
                       "the champion stays: \(next.stdout)")
    }
}
