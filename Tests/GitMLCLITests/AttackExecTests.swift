import Foundation
import GitRepo
import Records
import XCTest

/// Attacks on `git ml exec` and on reproduction attestations (docs/security/reproduction.md):
/// each forgery is refused by `git ml gate` with a message that names it; an honest, signed
/// reproduction still promotes.
final class AttackExecTests: CLITestCase {
    /// The churn script, made to cheat: it scores each evaluation row with its answer when it can
    /// find one — in `$GITML_EVAL` (when GitML hands over the label column), or, with CHEAT set
    /// (an environment variable the run record does not capture), in an `eval.csv` found by
    /// walking up from its working directory (the user's work tree has one).
    static let cheat = ChurnProject.script
        .replacingOccurrences(of: """
            corrupt = os.environ.get("CORRUPT_REGION")
            """, with: """
            answers = None
            if evaluation and "churned" in evaluation[0]:
                answers = [float(r["churned"]) for r in evaluation]
            d = os.getcwd()
            while os.environ.get("CHEAT") and answers is None:
                if os.path.exists(os.path.join(d, "eval.csv")):
                    answers = [float(r["churned"]) for r in load(os.path.join(d, "eval.csv"))]
                elif d == "/":
                    break
                d = os.path.dirname(d)
            corrupt = os.environ.get("CORRUPT_REGION")
            """)
        .replacingOccurrences(of: "f\"{i},{score(r)!r}\\n\" for i, r in enumerate(evaluation)",
                              with: "f\"{i},{(answers[i] if answers else score(r))!r}\\n\" for i, r in enumerate(evaluation)")

    /// The churn project with the policy (require_attestation) and the cheating script on main,
    /// and a candidate branch checked out.
    private func setUpCheatingProject() throws {
        try setUpChurnProject()
        XCTAssertTrue(Self.cheat.contains("answers = None") && Self.cheat.contains("answers[i] if answers"), "the cheat is in the script")
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try Self.cheat.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "policy and script")
        try run("git", "checkout", "-qb", "candidate")
    }

    /// Runs `git ml exec` of the script (with CHEAT=1 in the command's environment when
    /// `cheat`) and returns the run.
    private func exec(cheat: Bool = false) throws -> (id: String, record: [String: Any]) {
        func runs() throws -> [[String: Any]] { try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]] }
        let before = Set(try runs().map { $0["id"] as! String })
        try run("env", cheat ? "CHEAT=1" : "HONEST=1", "git", "ml", "exec", "--input", "churn-train@v1", "--", "python3", "train.py")
        // The new run (two runs started in the same second tie in `git ml log`'s order).
        let record = try XCTUnwrap(try runs().first { !before.contains($0["id"] as! String) })
        return (record["id"] as! String, record)
    }

    private func headline(_ record: [String: Any]) -> Double {
        ((record["metrics"] as! [String: Any])["headline"] as! [String: Any])["value"] as! Double
    }

    private func short(_ id: String) -> String { String(id.dropFirst(7).prefix(12)) }
    private func hex(_ id: String) -> String { String(id.dropFirst(7)) }

    /// Commits `attestation` as the candidate's and returns the gate's text (it must reject).
    private func gateRejects(_ text: String, for id: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try FileManager.default.createDirectory(atPath: repo + "/ml/attestations", withIntermediateDirectories: true)
        try text.write(toFile: repo + "/ml/attestations/\(hex(id)).json", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/attestations")
        try run("git", "commit", "-qm", "attestation")
        let gate = try run("git", "ml", "gate", "--base", "main", expect: 1, file: file, line: line)
        XCTAssertTrue(gate.stdout.contains("REJECT"), gate.stdout, file: file, line: line)
        return gate.stdout
    }

    /// The record's artifacts as an attestation names them (recorded = reproduced).
    private func artifacts(_ record: [String: Any]) -> [String: Attestation.ArtifactDigests] {
        (record["artifacts"] as! [String: [String: Any]]).mapValues {
            Attestation.ArtifactDigests(recorded: $0["digest"] as? String, reproduced: $0["digest"] as? String)
        }
    }

    private func forged(_ id: String, _ record: [String: Any]) -> Attestation {
        Attestation(run: id, result: .bitIdentical, artifacts: artifacts(record), largestDeltaMetric: nil, largestDelta: 0,
                    tolerance: 1e-9, inCI: true, numericProfile: "x86_64", host: "ci", by: "CI <ci@example.com>", at: "2026-12-04T00:00:00Z")
    }

    /// Finding 1: the command gets the evaluation rows without their labels; a script that
    /// would score rows with the answers it finds in $GITML_EVAL finds none.
    func testExecWithholdsTheEvaluationLabels() throws {
        try setUpCheatingProject()
        let (_, record) = try exec()
        XCTAssertLessThan(headline(record), 0.99, "the script found no answers in $GITML_EVAL")
        XCTAssertGreaterThan(headline(record), 0.75)
        XCTAssertEqual((record["config"] as! [String: Any])["eval_labels"] as? String, "withheld")
        // The evaluation data cannot be smuggled in as an input either.
        let refused = try run("git", "ml", "exec", "--input", "churn-train@v1", "--input", "churn-eval@v1", "--", "python3", "train.py", expect: 3)
        XCTAssertTrue(refused.stderr.contains("cannot be an --input"), refused.stderr)
    }

    /// The work-tree route: the command reads eval.csv from the user's work tree (AUC 1). The
    /// gate says the exec evidence is not trusted; a trusted reproduction runs outside the
    /// repository, differs, and the gate rejects naming it.
    func testWorkTreeLabelReaderIsCaughtByTheTrustedReproduction() throws {
        try setUpCheatingProject()
        let (id, record) = try exec(cheat: true)
        XCTAssertEqual(headline(record), 1, "in the work tree the cheat finds the answers")
        try run("git", "mlcommit", "-m", "cheat", short(id))
        let untrusted = try run("git", "ml", "gate", "--base", "main", expect: 1).stdout
        XCTAssertTrue(untrusted.contains("no trusted attestation"), untrusted)

        let reproduced = try run("git", "ml", "reproduce", short(id), "--sign", expect: 1)
        XCTAssertTrue(reproduced.stdout.contains("differs"), reproduced.stdout + reproduced.stderr)
        try run("git", "mlcommit", "-m", "attest")
        let gate = try run("git", "ml", "gate", "--base", "main", expect: 1).stdout
        XCTAssertTrue(gate.contains("REJECT") && gate.contains("the reproduction by trusted signer ci@example.com differs"), gate)
    }

    /// Finding 2 and its variants: hand-written, copied, re-pointed and self-signed attestations.
    func testForgedAttestationsAreRefusedAndAnHonestSignedOnePromotes() throws {
        try setUpCheatingProject()
        let (id, record) = try exec(cheat: true)
        try run("git", "mlcommit", "-m", "cheat", short(id))

        // The finding as reported: bit_identical, "ci": true, by hand (the old format).
        let handWritten = """
            {"format_version": 1, "kind": "attestation", "run": "\(id)", "result": "bit_identical",
             "largest_delta": {"metric": null, "value": 0}, "tolerance": 1e-9,
             "where": {"ci": true, "numeric_profile": "x86_64", "host": "ci"}, "by": "CI", "at": "2026-12-04T00:00:00Z"}
            """
        XCTAssertTrue(try gateRejects(handWritten, for: id).contains("forged attestation"))

        // The same in the current format, naming the right run and digests, unsigned.
        let unsigned = try gateRejects(CanonicalJSON.pretty(forged(id, record).json), for: id)
        XCTAssertTrue(unsigned.contains("self-reported, not counted: unsigned attestation (its ci: true is self-declared)"), unsigned)

        // Signed, but by a key that is not in ml/allowed_signers on main.
        let laptop = try makeSSHKey("laptop")
        var selfSigned = forged(id, record)
        selfSigned.signature = .init(principal: "me", ssh: try SSHSignature.sign(selfSigned.signedBytes, namespace: Attestation.signatureNamespace, key: laptop))
        let untrusted = try gateRejects(CanonicalJSON.pretty(selfSigned.json), for: id)
        XCTAssertTrue(untrusted.contains("signed by a key that is not in the allowed signers"), untrusted)
        // ... even when the head adds that key to ml/allowed_signers: the trust root is the base's.
        let laptopLine = "me \(try String(contentsOfFile: laptop + ".pub", encoding: .utf8))"
        try laptopLine.write(toFile: repo + "/ml/allowed_signers", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/allowed_signers")
        let ownRoot = try gateRejects(CanonicalJSON.pretty(selfSigned.json) + "\n", for: id)
        XCTAssertTrue(ownRoot.contains("signed by a key that is not in the allowed signers of ml/allowed_signers at main"), ownRoot)

        // Wrong artifact digests (even signed with the trusted key).
        var wrongDigests = forged(id, record)
        wrongDigests.artifacts["predictions/evaluation"] = .init(recorded: "sha256:" + String(repeating: "0", count: 64),
                                                                 reproduced: "sha256:" + String(repeating: "0", count: 64))
        wrongDigests.signature = .init(principal: nil, ssh: try SSHSignature.sign(wrongDigests.signedBytes, namespace: Attestation.signatureNamespace,
                                                                                  key: repo + "/.git/test-keys/ci"))
        XCTAssertTrue(try gateRejects(CanonicalJSON.pretty(wrongDigests.json), for: id).contains("names artifact digests that are not those of run"))

        // bit_identical over reproduced digests that differ.
        var claimed = forged(id, record)
        claimed.artifacts["predictions/evaluation"]?.reproduced = "sha256:" + String(repeating: "1", count: 64)
        XCTAssertTrue(try gateRejects(CanonicalJSON.pretty(claimed.json), for: id).contains("claims bit_identical"))

        // Another run's honest, signed attestation copied under this run's name.
        try run("git", "checkout", "-q", "main")
        let (honest, _) = try exec()
        try run("git", "ml", "reproduce", short(honest), "--sign")
        let copied = try String(contentsOfFile: repo + "/ml/attestations/\(hex(honest)).json", encoding: .utf8)
        try FileManager.default.removeItem(atPath: repo + "/ml/attestations/\(hex(honest)).json")
        try run("git", "checkout", "-q", "candidate")
        let copy = try gateRejects(copied, for: id)
        XCTAssertTrue(copy.contains("forged attestation") && copy.contains("not the candidate \(short(id))"), copy)

        // The honest run, reproduced and signed by the trusted key, promotes.
        try run("git", "checkout", "-q", "main")
        try run("git", "checkout", "-qb", "honest")
        try run("git", "mlcommit", "-m", "honest", short(honest))
        try run("git", "ml", "reproduce", short(honest), "--sign")
        try run("git", "mlcommit", "-m", "attest")
        let promoted = try run("git", "ml", "gate", "--base", "main").stdout
        XCTAssertTrue(promoted.contains("PROMOTE") && promoted.contains("reproduced by trusted signer ci@example.com: bit identical"), promoted)

        // Where the gate runs, git config gitml.allowedSignersFile adds signers to the base's list:
        // a reproduction signed by a key in neither is not counted; listed there, it is.
        try run("git", "ml", "reproduce", short(honest), "--sign", "--key", laptop)
        try run("git", "mlcommit", "-m", "attest on a laptop")
        let unlisted = try run("git", "ml", "gate", "--base", "main", expect: 1).stdout
        XCTAssertTrue(unlisted.contains("not in the allowed signers of ml/allowed_signers at main"), unlisted)
        try laptopLine.write(toFile: repo + "/.git/test-keys/allowed", atomically: true, encoding: .utf8)
        try run("git", "config", "gitml.allowedSignersFile", ".git/test-keys/allowed")
        let configured = try run("git", "ml", "gate", "--base", "main").stdout
        XCTAssertTrue(configured.contains("reproduced by trusted signer me"), configured)
    }

    /// Finding 3: a record whose metrics block was edited to the honest values, with the cheat's
    /// stored predictions. A trusted reproducer compares metrics recomputed from the stored
    /// predictions, not the edited block: the reproduction differs and the gate rejects.
    func testEditedMetricsBlockDoesNotMakeAReproductionWithinTolerance() throws {
        try setUpCheatingProject()
        let (honestID, _) = try exec()
        let (cheatID, _) = try exec(cheat: true)
        let honest = try RunRecord(text: try run("git", "show", "refs/ml/runs/\(hex(honestID)):run.json").stdout)
        var forged = try RunRecord(text: try run("git", "show", "refs/ml/runs/\(hex(cheatID)):run.json").stdout)
        forged.metrics = honest.metrics
        let file = repo + "/.git/forged.json"
        try CanonicalJSON.pretty(forged.json).write(toFile: file, atomically: true, encoding: .utf8)
        let blob = try run("git", "hash-object", "-w", file).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try run("sh", "-c", "printf '100644 blob \(blob)\\trun.json\\n' | git mktree").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try run("git", "commit-tree", tree, "-p", forged.code.commit, "-m", "forged").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try run("git", "update-ref", "refs/ml/runs/\(hex(forged.id))", commit)
        try run("git", "mlcommit", "-m", "forged", short(forged.id))

        let reproduced = try run("git", "ml", "reproduce", short(forged.id), "--sign", expect: 1)
        XCTAssertTrue(reproduced.stdout.contains("differs"), reproduced.stdout + reproduced.stderr)
        // Only the attestation: `git mlcommit` would also take the newest run, and the forged
        // record shares its created_at with the cheat's.
        try run("git", "add", "ml/attestations")
        try run("git", "commit", "-qm", "attest")
        let gate = try run("git", "ml", "gate", "--base", "main", expect: 1).stdout
        XCTAssertTrue(gate.contains("REJECT") && gate.contains("the reproduction by trusted signer ci@example.com differs"), gate)
    }

    /// Through a self-hosted server: a push to main whose candidate carries another run's
    /// attestation is refused by the pre-receive hook, naming the forgery.
    func testServerRefusesACopiedAttestation() throws {
        try setUpChurnProject()
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try Self.cheat.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "policy, script, blob remote")
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        try run("git", "ml", "push")
        let (honest, _) = try exec()
        try run("git", "ml", "reproduce", short(honest), "--sign")
        let copied = try String(contentsOfFile: repo + "/ml/attestations/\(hex(honest)).json", encoding: .utf8)
        try FileManager.default.removeItem(atPath: repo + "/ml/attestations/\(hex(honest)).json")
        let (cheat, _) = try exec(cheat: true)
        try run("git", "mlcommit", "-m", "cheat", short(cheat))
        try copied.write(toFile: repo + "/ml/attestations/\(hex(cheat)).json", atomically: true, encoding: .utf8)
        try run("git", "add", "ml/attestations")
        try run("git", "commit", "-qm", "attestation")
        let refused = try run("git", "ml", "push", expect: 3)
        XCTAssertTrue(refused.stderr.contains("forged attestation"), refused.stderr)
    }
}
