import Foundation
import XCTest

/// A teammate with push access attacks a self-hosted bare repository with the server hooks:
/// every way around the gate is refused, with a message that names it.
final class AttackServerTests: CLITestCase {
    /// The churn project pushed to a bare repository with server hooks, main holding a first
    /// champion. Returns the bare repository, the champion commit and the signing key.
    private func setUpGatedServer() throws -> (bare: String, champion: String, key: String) {
        try setUpChurnProject()
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy and blob remote")
        let (key, signers) = try makeSigningKey("admin")
        let install = try run("git", "ml", "hooks", "install", "--server", "--protect", "main", "--protect", "release/*",
                              "--allowed-signers", signers, "--signing-key", try makeSSHKey("server"), in: bare)
        XCTAssertTrue(install.stdout.contains("protected: release/*"), install.stdout)
        try run("git", "ml", "push")   // the repository's first push sets its policy
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "push")
        // post-receive signed its entry with the server's key, after the chain's previous tip.
        XCTAssertTrue(try run("git", "show", "refs/ml/promotions/churn:promotion.sig", in: bare).stdout.contains("BEGIN SSH SIGNATURE"))
        return (bare, try head(), key)
    }

    private func head(_ revision: String = "HEAD", in directory: String? = nil) throws -> String {
        try run("git", "rev-parse", revision, in: directory).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A weaker candidate committed on top of the champion; its bytes are on the blob remote
    /// (`git ml push` uploads them, then the server refuses the branch). Returns its run prefix.
    @discardableResult
    private func weakerCandidate() throws -> String {
        let run = try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        XCTAssertTrue(try self.run("git", "ml", "push", expect: 3).stderr.contains("the gate rejects"))
        return run
    }

    func testProtectedBranchesCannotBeCreatedDeletedOrRewrittenAroundTheGate() throws {
        let (bare, champion, _) = try setUpGatedServer()
        try weakerCandidate()

        // Creating a branch that matches a protected glob is gated against the default branch's policy.
        let created = try run("git", "push", "--no-verify", "origin", "HEAD:refs/heads/release/9", expect: 1)
        XCTAssertTrue(created.stderr.contains("the gate rejects"), created.stderr)
        XCTAssertTrue(try run("git", "ls-remote", bare, "refs/heads/release/9").stdout.isEmpty)

        // Every spelling of main is the same protected ref.
        for spec in ["HEAD:main", "HEAD:refs/heads/main", "+HEAD:main", "main"] {
            let pushed = try run("git", "push", "--no-verify", "--force", "origin", spec, expect: 1)
            XCTAssertTrue(pushed.stderr.contains("push refused"), "\(spec): \(pushed.stderr)")
        }
        XCTAssertEqual(try head("main", in: bare), champion)

        // Deleting a protected branch is refused, even where git itself would allow it.
        try run("git", "config", "receive.denyDeleteCurrent", "warn", in: bare)
        let deleted = try run("git", "push", "--no-verify", "origin", ":main", expect: 1)
        XCTAssertTrue(deleted.stderr.contains("never deleted"), deleted.stderr)

        // A force push that rewinds main past the champion (no candidate change needed) is refused.
        try run("git", "reset", "-q", "--hard", "HEAD~3")
        let rewound = try run("git", "push", "--no-verify", "--force", "origin", "HEAD:main", expect: 1)
        XCTAssertTrue(rewound.stderr.contains("never rewritten"), rewound.stderr)
        XCTAssertEqual(try head("main", in: bare), champion)
    }

    func testThePolicyCannotBeLoosenedByAnUnsignedPush() throws {
        let (bare, champion, key) = try setUpGatedServer()

        // First push: loosen or delete the policy (no candidate changes). Refused: unsigned policy change.
        let loosened = ChurnProject.policy.replacingOccurrences(of: "protected: [main]", with: "protected: []")
        XCTAssertNotEqual(loosened, ChurnProject.policy)
        for change in [{ try loosened.write(toFile: self.repo + "/ml/gate.yaml", atomically: true, encoding: .utf8) },
                       { try FileManager.default.removeItem(atPath: self.repo + "/ml/gate.yaml") }] {
            try change()
            try run("git", "commit", "-qam", "policy")
            let refused = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
            XCTAssertTrue(refused.stderr.contains("changes the gate's policy on protected main (ml/gate.yaml)"), refused.stderr)
            XCTAssertTrue(refused.stderr.contains("carries no SSH signature"), refused.stderr)
            try run("git", "reset", "-q", "--hard", champion)
        }
        // A suite or the blob remote's config is policy too.
        try "cost: { cpu_hour_usd: 0, gb_month_usd: 0, gpu_hour_usd: 0 }\n".write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "free compute")
        let rates = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(rates.stderr.contains("(ml/config.yaml)"), rates.stderr)
        try run("git", "reset", "-q", "--hard", champion)

        // A commit signed by a key the server does not list is refused too.
        let stranger = try makeSigningKey("stranger").key
        try loosened.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try signedCommit(key: stranger, "-qam", "policy, signed by a stranger")
        XCTAssertTrue(try run("git", "push", "--no-verify", "origin", "main", expect: 1).stderr.contains("not signed by a key in"))

        // Signed by an allowed signer, the change lands; with the server's own protected list,
        // main stays protected and the next worse candidate is still gated.
        try signedCommit(key: key, "--amend", "-qm", "policy, signed by the admin")
        try run("git", "push", "--no-verify", "origin", "main")
        try weakerCandidate()
        let gated = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(gated.stderr.contains("the gate rejects"), gated.stderr)
        XCTAssertNotEqual(try head("main", in: bare), try head())
    }

    func testPromotionChainsAndRecordsCannotBePushed() throws {
        let (bare, _, _) = try setUpGatedServer()
        let worse = try weakerCandidate()

        // A client-side promotion (git ml promote), pushed by hand, fast-forward or not.
        try run("git", "ml", "fetch")
        try run("git", "ml", "promote", "churn", worse, "--reason", "trust me", "--key", try makeSigningKey("mallory").key)
        let promoted = try run("git", "push", "--no-verify", "origin", "refs/ml/promotions/churn:refs/ml/promotions/churn", expect: 1)
        XCTAssertTrue(promoted.stderr.contains("only this server appends to promotion chains"), promoted.stderr)
        // A forged chain whose first parent is a fake root and whose second parent is the real tip.
        let real = try head("refs/ml/promotions/churn", in: bare)
        let tree = try run("git", "rev-parse", "refs/ml/promotions/churn^{tree}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let fake = try run("git", "commit-tree", tree, "-m", "forged root").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let merged = try run("git", "commit-tree", tree, "-p", fake, "-p", real, "-m", "forged").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let forged = try run("git", "push", "--no-verify", "origin", "\(merged):refs/ml/promotions/churn", expect: 1)
        XCTAssertTrue(forged.stderr.contains("only this server appends"), forged.stderr)
        let newChain = try run("git", "push", "--no-verify", "origin", "\(merged):refs/ml/promotions/other", expect: 1)
        XCTAssertTrue(newChain.stderr.contains("only this server appends"), newChain.stderr)
        XCTAssertEqual(try head("refs/ml/promotions/churn", in: bare), real)

        // A run ref must hold a valid record named by its id.
        let runCommit = try head("refs/ml/runs/" + (try run("git", "for-each-ref", "--format=%(refname:lstrip=3)", "refs/ml/runs/").stdout
            .split(separator: "\n").first.map(String.init) ?? ""))
        let misnamed = try run("git", "push", "--no-verify", "origin", "\(runCommit):refs/ml/runs/\(String(repeating: "0", count: 64))", expect: 1)
        XCTAssertTrue(misnamed.stderr.contains("must be named by its id"), misnamed.stderr)
        let notARecord = try run("git", "push", "--no-verify", "origin", "HEAD:refs/ml/runs/\(String(repeating: "1", count: 64))", expect: 1)
        XCTAssertTrue(notARecord.stderr.contains("not a valid run record"), notARecord.stderr)
        let elsewhere = try run("git", "push", "--no-verify", "origin", "HEAD:refs/ml/anything", expect: 1)
        XCTAssertTrue(elsewhere.stderr.contains("GitML keeps no refs here"), elsewhere.stderr)
        // Remote-tracking refs would be read as records and chains: a server keeps none.
        let tracking = try run("git", "push", "--no-verify", "origin", "\(merged):refs/remotes/x/ml/promotions/churn", expect: 1)
        XCTAssertTrue(tracking.stderr.contains("a server keeps no remote-tracking refs"), tracking.stderr)
        let fetched = try run("git", "push", "--no-verify", "origin", "\(merged):refs/ml/remotes/x/promotions/churn", expect: 1)
        XCTAssertTrue(fetched.stderr.contains("GitML keeps no refs here"), fetched.stderr)

        // Dropping a suite's candidate from the lock takes it out of the gate: a policy change.
        try run("git", "reset", "-q", "--hard", "origin/main")
        let lockPath = repo + "/ml/lock.json"
        var lock = try json(try String(contentsOfFile: lockPath, encoding: .utf8)) as! [String: Any]
        lock["suites"] = [String: Any]()
        try JSONSerialization.data(withJSONObject: lock, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: lockPath))
        try run("git", "commit", "-qam", "no more suites")
        let dropped = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(dropped.stderr.contains("ml/lock.json: suite churn dropped"), dropped.stderr)
    }

    /// New protected branches are judged by the default branch's policy, so a default branch
    /// that does not exist (or is not protected) cannot stand in: such creations are refused.
    func testProtectedCreationsNeedAProtectedDefaultBranch() throws {
        let (bare, _, _) = try setUpGatedServer()
        try weakerCandidate()
        try run("git", "symbolic-ref", "HEAD", "refs/heads/master", in: bare)
        let missing = try run("git", "push", "--no-verify", "origin", "HEAD:refs/heads/release/9", expect: 1)
        XCTAssertTrue(missing.stderr.contains("the default branch (HEAD: master) has no commit"), missing.stderr)
        try run("git", "push", "--no-verify", "origin", "origin/main:refs/heads/master")   // unprotected: anyone may push it
        let unprotected = try run("git", "push", "--no-verify", "origin", "HEAD:refs/heads/release/9", expect: 1)
        XCTAssertTrue(unprotected.stderr.contains("the default branch master is not protected"), unprotected.stderr)
    }

    /// A manual decision (a rollback) reaches the chain only as a request signed by an allowed
    /// signer, which the server checks and appends; the clones' gates then trust it by its signature.
    func testManualDecisionsAreSignedRequestsTheServerChecks() throws {
        let (bare, _, key) = try setUpGatedServer()
        let earlier = try weakerCandidate()
        try run("git", "reset", "-q", "--hard", "origin/main")
        try run("git", "ml", "fetch")
        let champion = (try json(try run("git", "ml", "promotions", "churn", "--json").stdout) as! [[String: Any]])[0]["candidate"] as! String

        // Signed by a key the server does not list: the push is refused, nothing is appended.
        try run("git", "ml", "promote", "churn", earlier, "--reason", "roll back", "--key", try makeSigningKey("mallory").key)
        let refused = try run("git", "ml", "push", expect: 3)
        XCTAssertTrue(refused.stderr.contains("the manual decision's signature does not count"), refused.stderr)
        XCTAssertEqual(try run("git", "rev-list", "--count", "refs/ml/promotions/churn", in: bare).stdout, "1\n")
        try run("git", "update-ref", "-d", "refs/ml/promotions/churn")

        // A request that is not a manual decision, or sits under another suite's name, is refused.
        let tip = try head("refs/ml/remotes/origin/promotions/churn")
        let gateEntry = try run("git", "push", "--no-verify", "origin", "\(tip):refs/ml/requests/churn/\(tip)", expect: 1)
        XCTAssertTrue(gateEntry.stderr.contains("only a signed manual decision"), gateEntry.stderr)

        // Signed by the admin: the server appends it, the clone follows the server's chain again.
        try run("git", "ml", "promote", "churn", earlier, "--reason", "roll back", "--key", key)
        let pushed = try run("git", "ml", "push")
        XCTAssertTrue(pushed.stderr.contains("recorded the signed manual promote"), pushed.stderr)
        XCTAssertTrue(try run("git", "for-each-ref", "refs/ml/promotions/", "refs/ml/requests/", in: bare).stdout
            .split(separator: "\n").allSatisfy { $0.contains("refs/ml/promotions/") })
        try run("git", "rev-parse", "--verify", "-q", "refs/ml/promotions/churn", expect: 1)   // the local chain that diverged is dropped
        let chain = try json(try run("git", "ml", "promotions", "churn", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(chain.map { ($0["candidate"] as? String)?.dropFirst(7).prefix(12) }, [earlier[...], champion.dropFirst(7).prefix(12)])

        // A gate trusts the rollback only where the admin's key is an allowed signer.
        try run("git", "config", "gitml.allowedSignersFile", key + ".signers")
        let gate = try run("git", "ml", "gate", "--base", "origin/main", "--head", "origin/main", "--json", expect: nil)
        XCTAssertEqual(((try json(gate.stdout) as! [[String: Any]])[0]["champion"] as? String)?.dropFirst(7).prefix(12), earlier[...], gate.stdout)
    }
}
