import Foundation
import XCTest

/// Promotion chains read by a client or a CI gate (a hosted platform cannot protect
/// refs/ml/promotions/*): a forged entry never chooses the champion a candidate is judged against.
final class AttackChainTests: CLITestCase {
    func testForgedPromotionsDoNotChooseTheChampion() throws {
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/gate.yaml")
        try run("git", "commit", "-qm", "gate policy")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "gate", "--base", "main", "--head", "main", "--record")   // as CI records after a merge

        try run("git", "checkout", "-qb", "worse")
        let weak = try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        XCTAssertTrue(try run("git", "ml", "gate", "--base", "main", expect: 1).stdout.contains("reject"))

        // A client-side "promotion" of the candidate itself, signed by a key no trust root lists:
        // the entry is not bound to main's history (main's lock never named the run) and its
        // signature does not count, so the champion stays the merged model.
        try run("git", "ml", "promote", "churn", weak, "--reason", "trust me", "--key", try makeSigningKey("mallory").key)
        let chain = try json(try run("git", "ml", "promotions", "churn", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(chain.map { ($0["candidate"] as? String)?.dropFirst(7).prefix(12) }, [weak[...], strong[...]])
        let judged = try run("git", "ml", "gate", "--base", "main", "--json", expect: 1)
        let verdict = (try json(judged.stdout) as! [[String: Any]])[0]
        XCTAssertEqual((verdict["champion"] as? String)?.dropFirst(7).prefix(12), strong[...], judged.stdout)
        XCTAssertEqual(verdict["decision"] as? String, "reject")

        // A chain with a merge (a forged first parent hiding the real chain behind a second one) is refused.
        let tip = try run("git", "rev-parse", "refs/ml/promotions/churn").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try run("git", "rev-parse", "\(tip)^{tree}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let root = try run("git", "commit-tree", tree, "-m", "forged root").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let merged = try run("git", "commit-tree", tree, "-p", root, "-p", tip, "-m", "forged").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try run("git", "update-ref", "refs/ml/promotions/churn", merged)
        let refused = try run("git", "ml", "gate", "--base", "main", expect: 2)
        XCTAssertTrue(refused.stderr.contains("has 2 parents"), refused.stderr)
    }

    /// A signed manual decision counts where it was signed; copied onto a later tip (a replay
    /// of an old rollback) its signature still verifies, but it no longer follows the entry it names.
    func testAReplayedSignedDecisionDoesNotCount() throws {
        try setUpChurnProject()   // commits ml/allowed_signers and sets user.signingkey: the trusted key
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/gate.yaml")
        try run("git", "commit", "-qm", "gate policy")
        let tenure = try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "gate", "--base", "main", "--head", "main", "--record")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "gate", "--base", "main~2", "--head", "main", "--record")
        try run("git", "ml", "promote", "churn", tenure, "--reason", "roll back")
        let rollback = try run("git", "rev-parse", "refs/ml/promotions/churn").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try run("git", "ml", "promote", "churn", strong, "--reason", "roll forward")

        try run("git", "checkout", "-qb", "worse")
        try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        func champion() throws -> Substring? {
            let gate = try run("git", "ml", "gate", "--base", "main", "--json", expect: nil)
            return ((try json(gate.stdout) as! [[String: Any]])[0]["champion"] as? String)?.dropFirst(7).prefix(12)
        }
        XCTAssertEqual(try champion(), strong[...], "the signed roll-forward counts")
        let tip = try run("git", "rev-parse", "refs/ml/promotions/churn").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let replay = try run("git", "commit-tree", "\(rollback)^{tree}", "-p", tip, "-m", "replayed rollback").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try run("git", "update-ref", "refs/ml/promotions/churn", replay)
        XCTAssertEqual(try champion(), strong[...], "the replayed rollback does not count")
    }

    /// On a hosted platform anyone can append an unsigned entry bound to the branch's history (an
    /// older model that was once merged). It chooses the champion unless the base's policy says
    /// `promotions.signed_only` and CI signs its own entries (`git ml gate --record --sign`).
    func testSignedOnlyChainsIgnoreUnsignedEntries() throws {
        try setUpChurnProject()   // commits ml/allowed_signers and sets user.signingkey: CI's key
        try (ChurnProject.policy + "promotions: { signed_only: true }\n").write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/gate.yaml")
        try run("git", "commit", "-qm", "gate policy: signed promotions only")
        let tenure = try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "gate", "--base", "main", "--head", "main", "--record", "--sign")
        let weakEntry = try run("git", "rev-parse", "refs/ml/promotions/churn").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try run("git", "rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "gate", "--base", before, "--head", "main", "--record", "--sign")

        // The forgery: the older, merged model's entry again, unsigned, on top of the chain.
        let tip = try run("git", "rev-parse", "refs/ml/promotions/churn").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let file = repo + "/.git/forged-promotion.json"
        try run("git", "show", "\(weakEntry):promotion.json").stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let blob = try run("git", "hash-object", "-w", file).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try run("sh", "-c", "printf '100644 blob %s\\tpromotion.json\\n' \"$0\" | git mktree", blob).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let forged = try run("git", "commit-tree", tree, "-p", tip, "-m", "promote churn").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try run("git", "update-ref", "refs/ml/promotions/churn", forged)

        try run("git", "checkout", "-qb", "worse")
        try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        func champion() throws -> Substring? {
            let gate = try run("git", "ml", "gate", "--base", "main", "--json", expect: nil)
            return ((try json(gate.stdout) as! [[String: Any]])[0]["champion"] as? String)?.dropFirst(7).prefix(12)
        }
        XCTAssertEqual(try champion(), strong[...], "signed_only: the unsigned entry does not count")
        try run("git", "checkout", "-q", "main")
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "gate policy: any history-bound entry")
        try run("git", "checkout", "-q", "worse")
        XCTAssertEqual(try champion(), tenure[...], "without signed_only the forged history-bound entry wins: the residual it closes")
    }
}
