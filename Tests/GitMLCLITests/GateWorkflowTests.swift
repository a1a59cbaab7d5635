import Foundation
import XCTest

/// `git ml gate`, `review`, `diff`, `promote` and `promotions` on real branches.
final class GateWorkflowTests: CLITestCase {
    func testGatePromotesBetterRejectsWorseAndStaleAndIgnoresALoosenedPolicy() throws {
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/gate.yaml")
        try run("git", "commit", "-qm", "gate policy")

        // The first model on main: no champion, so guardrails decide; recorded as champion.
        let weak = try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        let first = try run("git", "ml", "gate", "--base", "main", "--head", "HEAD", "--record")
        XCTAssertTrue(first.stdout.contains("promote"), first.stdout)
        XCTAssertTrue(try run("git", "ml", "promotions", "churn").stdout.contains("promote run \(weak)"))

        // A better model on a branch: promoted over the champion.
        try run("git", "checkout", "-qb", "better")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let better = try run("git", "ml", "gate", "--base", "main", "--json")
        let verdict = (try json(better.stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["decision"] as? String, "promote", better.stdout)
        XCTAssertEqual(verdict["champion"] as? String, (try json(try run("git", "ml", "promotions", "churn", "--json").stdout) as! [[String: Any]])[0]["candidate"] as? String)
        let diff = try run("git", "ml", "diff")
        XCTAssertTrue(diff.stdout.contains("roc_auc: A "), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("config features.include"), diff.stdout)

        // The review renders both models; the HTML holds the plots.
        XCTAssertTrue(try run("git", "ml", "review", "--base", "main").stdout.contains("promote"))
        let html = repo + "-review.html"  // outside the working tree: an untracked file makes later runs dirty
        addTeardownBlock { try? FileManager.default.removeItem(atPath: html) }
        try run("git", "ml", "review", "--base", "main", "--format", "html", "-o", html)
        XCTAssertTrue(try String(contentsOfFile: html, encoding: .utf8).contains("<svg"))

        // A squash merge keeps the evidence valid: the code outside ml/ is the code it trained on.
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--squash", "better")
        try run("git", "commit", "-qm", "squash-merge better")
        let squashed = try run("git", "ml", "gate", "--base", "main~1", "--head", "main")
        XCTAssertTrue(squashed.stdout.contains("promote"), squashed.stdout)
        try run("git", "reset", "-q", "--hard", "main~1")
        try run("git", "checkout", "-q", "better")

        // Stale evidence: the code changed after the candidate was committed.
        try "print('changed')\n".write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "train.py")
        try run("git", "commit", "-qm", "change the code")
        let stale = try run("git", "ml", "gate", "--base", "main", expect: 1)
        XCTAssertTrue(stale.stdout.lowercased().contains("stale"), stale.stdout)
        try run("git", "reset", "-q", "--hard", "HEAD~1")

        // A worse model, with a policy loosened on the branch: judged by main's policy.
        try run("git", "checkout", "-q", "main")
        try run("git", "checkout", "-qb", "worse")
        try ChurnProject.policy.replacingOccurrences(of: "min_effect: 0.0", with: "min_effect: 0.0\n  # loosened")
            .replacingOccurrences(of: "require_attestation: true", with: "require_attestation: false")
            .write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        let worse = try run("git", "ml", "gate", "--base", "main", expect: 1)
        XCTAssertTrue(worse.stdout.contains("reject"), worse.stdout)
        let review = try run("git", "ml", "review", "--base", "main").stdout
        XCTAssertTrue(review.contains("ml/gate.yaml"), "the review flags the policy change: \(review)")

        // A manual rollback is recorded like a decision.
        try run("git", "ml", "promote", "churn", strong, "--reason", "canary looked good", "--key", try makeSigningKey("admin").key)
        let chain = try json(try run("git", "ml", "promotions", "churn", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(chain.count, 2)
        XCTAssertEqual(chain[0]["reason"] as? String, "canary looked good")
    }

    /// The CI template's gate step, as CI runs it: a fresh clone fetches the evidence with
    /// `git ml pull --runs` and gates the pull request's head against origin/main.
    func testCIStepGatesAPullRequestInAFreshClone() throws {
        let ci = try setUpPullRequest(branch: "better")

        try run("git", "clone", "-q", "-b", "better", repo + "-bare.git", ci)
        try run("git", "ml", "init", in: ci)
        let pulled = try run("git", "ml", "pull", "--runs", in: ci)
        XCTAssertTrue(pulled.stdout.contains("every digest verified"), pulled.stdout)
        let gate = try run("git", "ml", "gate", "--base", "origin/main", "--head", "HEAD", in: ci)
        XCTAssertTrue(gate.stdout.contains("promote"), gate.stdout)
        XCTAssertTrue(try run("git", "ml", "review", "--base", "origin/main", "--format", "md", in: ci).stdout.contains("|"))
    }

    /// A candidate better overall but not on one slice is rejected, and the verdict says where:
    /// by `git ml gate`, by the CI step in a fresh clone, and by the server with client hooks skipped.
    func testSliceRegressionIsRejectedWithItsSlice() throws {
        try setUpChurnProject()
        let (bare, _, ci) = try setUpSharing(defaultRemote: true)
        let suite = ChurnProject.suite.replacingOccurrences(of: "  - { metric: ece, max: 0.5 }",
            with: "  - { metric: ece, max: 0.5 }\n  - { metric: roc_auc, slices: [region], non_inferiority_margin: 0.02, min_slice_rows: 50, min_slice_positives: 10 }")
        try suite.write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try ChurnProject.script.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "suite with a slice guardrail, policy, script, blob remote")
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        try run("git", "ml", "push")
        try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "push")   // the server gates and records the first champion

        try run("git", "checkout", "-qb", "west-broken")
        try run("git", "ml", "exec", "--input", "churn-train@v1", "--", "env", "CORRUPT_REGION=west", "python3", "train.py")
        let id = String(((try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]])[0]["id"] as! String).dropFirst(7).prefix(12))
        try run("git", "ml", "reproduce", id)
        try run("git", "mlcommit", "-m", "script, west broken", id)
        try run("git", "mlcommit", "-m", "attest")
        let verdict = (try json(try run("git", "ml", "gate", "--base", "main", "--json", expect: 1).stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["decision"] as? String, "reject")
        let primary = verdict["primary"] as! [String: Any]
        XCTAssertGreaterThan(primary["difference"] as! Double, 0, "better overall")
        let text = try run("git", "ml", "gate", "--base", "main", expect: 1).stdout
        XCTAssertTrue(text.contains("west"), "the verdict names the slice: \(text)")

        // The pull request's branch is not protected: pushed with its evidence, not gated.
        try run("git", "ml", "push")
        // The CI step: a fresh clone gates the branch against origin/main.
        try run("git", "clone", "-q", "-b", "west-broken", bare, ci)
        try run("git", "ml", "init", in: ci)
        try run("git", "ml", "pull", "--runs", in: ci)
        let check = try run("git", "ml", "gate", "--base", "origin/main", "--head", "HEAD", in: ci, expect: 1)
        XCTAssertTrue(check.stdout.contains("REJECT") && check.stdout.contains("west"), check.stdout)
        // The server: a merge into main, pushed past the client hooks, is refused for the same reason.
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--ff-only", "west-broken")
        let refused = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(refused.stderr.contains("push refused") && refused.stderr.contains("west"), refused.stderr)
    }

    /// The client's pre-merge-commit hook stops a merge the gate rejects (advisory feedback).
    func testPreMergeCommitHookStopsARejectedMerge() throws {
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy")
        XCTAssertTrue(try run("git", "ml", "hooks", "install").stdout.contains("pre-merge-commit"))
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        XCTAssertEqual(try String(contentsOfFile: repo + "/.git/hooks/pre-merge-commit", encoding: .utf8),
                       try String(contentsOf: source.appendingPathComponent("hooks/pre-merge-commit"), encoding: .utf8))
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "gate", "--base", "main", "--record")
        try run("git", "checkout", "-qb", "worse")
        try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        try run("git", "checkout", "-q", "main")
        try "notes\n".write(toFile: repo + "/NOTES.md", atomically: true, encoding: .utf8)
        try run("git", "add", "NOTES.md")
        try run("git", "commit", "-qm", "notes on main")   // so that the merge is not a fast-forward
        let merge = try run("git", "merge", "--no-ff", "-m", "merge worse", "worse", expect: 1)
        XCTAssertTrue(merge.stderr.contains("the gate rejects this merge into main"), merge.stderr)
        try run("git", "merge", "--abort")
        XCTAssertEqual(try run("git", "log", "-1", "--format=%s").stdout, "notes on main\n")
    }
}
