import BlobStore
import Foundation
import Records
import XCTest

/// Forgeries a teammate with push access could try against the gate's evidence, each written
/// with git plumbing and the blob store as an attacker would, and refused by `git ml gate` (and,
/// for some, by a self-hosted server's pre-receive hook with client hooks skipped) with a
/// message that names the forgery. The policy requires no attestation, so that Reproducibility
/// (another safeguard) does not hide what each test is about.
final class AttackEvidenceTests: CLITestCase {
    static let policy = ChurnProject.policy.replacingOccurrences(of: "require_attestation: true", with: "require_attestation: false")

    // MARK: predictions

    func testFabricatedPredictionsAreRefusedByTheGateAndTheServer() throws {
        try setUpServerWithChampion()
        try run("git", "checkout", "-qb", "attack")
        let worse = try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        // Scores equal to the labels: a perfect model on paper.
        try forgePredictions(of: worse) { row, label, scores in [(row, label, scores.map { _ in Double(label) })] }
        try expectRefused("the predictions do not match the recorded model")
        try run("git", "ml", "push")   // the branch is not protected: stored, not gated
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--ff-only", "attack")
        let refused = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(refused.stderr.contains("the predictions do not match the recorded model"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("push refused") || refused.stderr.contains("pre-receive hook declined"), refused.stderr)
    }

    func testRewrittenLabelsAreRefused() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "attack")
        let worse = try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        // The worse model's real scores, with labels rewritten to agree with them.
        try forgePredictions(of: worse) { row, _, scores in [(row, scores.last! > 0.2 ? 1 : 0, scores)] }
        try expectRefused("its label column disagrees with the dataset's labels")
    }

    func testExtraSeedColumnsAreRefused() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "attack")
        let worse = try runAndCommit(ChurnProject.experiment(features: "region"), message: "region only")
        // A one-seed run given a second "seed" whose scores are the labels: the gate would average them in.
        let original = try record(of: worse)
        let lines = try artifactText(original.artifacts["predictions/evaluation"]!).split(separator: "\n")
        var text = "row,label,score,score_seed_1,score_seed_2\n"
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            text += "\(fields[0]),\(fields[1]),\(fields[2]),\(fields[2]),\(fields[1])\n"
        }
        let forged = try storeText(text)
        try forgeRecord(of: worse) { $0.artifacts["predictions/evaluation"] = forged }
        try expectRefused("they hold score columns of seeds [1, 2], the run's are []")
    }

    func testMissingDuplicatedAndExtraRowsAreRefused() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "attack")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let head = try revParse("HEAD")
        // Hard rows left out.
        try forgePredictions(of: strong) { row, label, scores in row % 7 == 0 ? [] : [(row, label, scores)] }
        try expectRefused("115 of the data's 800 rows have no prediction")
        try run("git", "reset", "-q", "--hard", head)
        // Easy rows counted twice (in place of others).
        try forgePredictions(of: strong) { row, label, scores in row % 2 == 0 ? [(row, label, scores), (row, label, scores)] : [] }
        try expectRefused("400 rows appear more than once")
        try run("git", "reset", "-q", "--hard", head)
        // Rows the data does not have.
        try forgePredictions(of: strong) { row, label, scores in row == 0 ? [(row, label, scores), (800, 1, scores), (-1, 0, scores)] : [(row, label, scores)] }
        try expectRefused("2 rows are not rows of the data")
    }

    func testValidationRowsOtherThanTheSplitRulesAreRefused() throws {
        // The operating point is chosen on the validation rows: which rows they are matters.
        let suite = ChurnProject.suite.replacingOccurrences(of: "primary: { metric: roc_auc }",
                                                            with: "primary: { metric: expected_cost, cost: { fp: 1, fn: 4 }, operating_point: cost_optimal }")
        XCTAssertNotEqual(suite, ChurnProject.suite)
        try setUpChampion(suite: suite)
        try run("git", "checkout", "-qb", "attack")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let honest = try verdict(expect: nil)
        XCTAssertEqual(honest["decision"] as? String, "promote", "an honest run's validation rows are the split rule's: \(honest)")
        // The rows where the model happens to do well, and no others.
        try forgePredictions(of: strong, artifact: "predictions/validation") { row, label, scores in
            (label == 1) == (scores[0] > 0.5) ? [(row, label, scores)] : []
        }
        try expectRefused("validation rows the experiment's split rule holds out")
    }

    // MARK: models

    func testSwappedModelIsRefusedByTheGateAndTheServer() throws {
        let champion = try record(of: try setUpServerWithChampion())
        try run("git", "checkout", "-qb", "attack")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        // The better run's predictions, the champion's model: `predict` would serve the champion.
        let head = try revParse("HEAD")
        try forgeRecord(of: strong) { r in
            for seed in r.seeds { r.artifacts["model/seed-\(seed)"] = champion.artifacts["model/seed-1"] }
            r.artifacts["encoder"] = champion.artifacts["encoder"]
        }
        try expectRefused("the predictions do not match the recorded model")
        try run("git", "ml", "push")
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--ff-only", "attack")
        let refused = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(refused.stderr.contains("the predictions do not match the recorded model"), refused.stderr)

        // The model removed: a built-in run without its models is not promotable.
        try run("git", "checkout", "-q", "attack")
        try run("git", "reset", "-q", "--hard", head)
        try forgeRecord(of: strong) { r in r.artifacts = r.artifacts.filter { !$0.key.hasPrefix("model/") } }
        try expectRefused("it is not promotable")
    }

    // MARK: record claims

    func testRecordClaimingTheHeadsCodeIsRefused() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "attack")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try "print('changed')\n".write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "train.py")
        try run("git", "commit", "-qm", "change the code after the run")
        let head = try revParse("HEAD")
        // code.commit and code.tree set to HEAD's to dodge stale evidence; the run commit still
        // names the code it trained on.
        let tree = try codeTree(of: head)
        try forgeRecord(of: strong, runCommitParent: .original) { r in
            r.code.commit = head
            r.code.tree = tree
        }
        try expectRefused("but its run commit's parent is", row: "Dataset")
        try run("git", "reset", "-q", "--hard", head)
        // The same lie without any run commit at all.
        try forgeRecord(of: strong, runCommitParent: .none) { r in
            r.code.commit = head
            r.code.tree = tree
        }
        try expectRefused("has no run commit", row: "Dataset")
    }

    func testRunCommitOutsideTheBranchHistoryIsRefused() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "elsewhere")
        try "print('other code')\n".write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "train.py")
        try run("git", "commit", "-qm", "code that never reaches the branch")
        let elsewhere = try revParse("HEAD")
        try run("git", "checkout", "-q", "main")
        try run("git", "checkout", "-qb", "attack")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let tree = try codeTree(of: elsewhere)
        try forgeRecord(of: strong, runCommitParent: .claimed) { r in
            r.code.commit = elsewhere
            r.code.tree = tree
        }
        try expectRefused("the record's code is not in this branch's history", row: "Dataset")
    }

    func testForgedCostAndTheBranchsOwnRatesArePricedAtTheBasesRates() throws {
        let strict = AttackEvidenceTests.policy.replacingOccurrences(of: "max_usd_per_unit: 1000", with: "max_usd_per_unit: 0.01")
        XCTAssertNotEqual(strict, AttackEvidenceTests.policy)
        try setUpChampion(policy: strict)
        try run("git", "checkout", "-qb", "attack")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let honest = try verdict(expect: 1)
        XCTAssertEqual(try row("Cost", of: honest)["outcome"] as? String, "fail", "the honest run costs more per unit than 0.01: \(honest)")
        // cost.usd rewritten to 0.
        try forgeRecord(of: strong) { r in
            guard case .object(var cost) = r.cost else { return XCTFail("no cost block") }
            cost["usd"] = 0
            r.cost = .object(cost)
        }
        let forged = try verdict(expect: 1)
        let cost = try row("Cost", of: forged)
        XCTAssertEqual(cost["outcome"] as? String, "fail", "\(forged)")
        XCTAssertEqual(cost["evidence"] as? String, try row("Cost", of: honest)["evidence"] as? String, "priced from measurements, not usd")

        // No forgery: the branch's own ml/config.yaml prices CPU and storage at $0.
        try run("git", "checkout", "-q", "main")
        try run("git", "checkout", "-qb", "free")
        try "cost: { cpu_hour_usd: 0, gb_month_usd: 0, gpu_hour_usd: 0 }\n".write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features, free")
        XCTAssertEqual(try row("Cost", of: try verdict(expect: 1))["outcome"] as? String, "fail")
    }

    func testTrainingOnEvaluationRowsUnderANewNameIsRefused() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "attack")
        // train ∪ eval as a dataset with no contract of its own.
        try writeTrainAndEval(to: "all.csv")
        try run("git", "ml", "data", "add", "all.csv", "--name", "churn-all")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "all rows")
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region").replacingOccurrences(of: "churn-train@v1", with: "churn-all@v1"),
                         message: "trained on everything")
        // The evaluation data's contract has a leakage block: it applies.
        let leaked = try row("Dataset", of: try verdict(expect: 1))
        XCTAssertEqual(leaked["outcome"] as? String, "fail")
        XCTAssertTrue((leaked["evidence"] as? String ?? "").hasPrefix("leakage:"), "\(leaked)")

        // With dataset.require_leakage_contract on the base, training data needs its own contract.
        try run("git", "checkout", "-q", "main")
        try (AttackEvidenceTests.policy + "dataset: { require_leakage_contract: true }\n").write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "require leakage contracts")
        try run("git", "checkout", "-q", "attack")
        let required = try run("git", "ml", "gate", "--base", "main", expect: 1).stdout
        XCTAssertTrue(required.contains("has no contract with a leakage block at the base"), required)
    }

    /// A model trained on train ∪ eval whose record claims the clean training data: every artifact
    /// is honest but the claim, so only a reproduction from the record can see it. Without one the
    /// gate promotes; with `reproduce_in_gate` on the base, the gate re-trains from the record and rejects.
    func testARecordLyingAboutItsTrainingDataIsCaughtOnlyByTheGatesOwnReproduction() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "attack")
        try trainOnEverythingAndClaimTrain()
        let fooled = try run("git", "ml", "gate", "--base", "main").stdout
        XCTAssertTrue(fooled.contains("PROMOTE"), "without a reproduction the lie holds: \(fooled)")

        try run("git", "checkout", "-q", "main")
        try AttackEvidenceTests.reproducingPolicy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "the gate reproduces candidates")
        try run("git", "checkout", "-q", "attack")
        let caught = try run("git", "ml", "gate", "--base", "main", expect: 1).stdout
        XCTAssertTrue(caught.contains("the reproduction by this gate (re-trained from the record) differs"), caught)
    }

    /// The same lie pushed to a self-hosted server, client hooks skipped: under
    /// `reproduce_in_gate` the server's pre-receive re-trains the candidate from its record in
    /// the bare repository (datasets by digest from the base's blob remote, no work tree) and
    /// refuses it; an honest run pushed the same way is re-trained there, bit identical, and
    /// accepted (as was the champion's push).
    func testTheServerReproducesTheCandidateAndRefusesARecordLyingAboutItsTrainingData() throws {
        try setUpServerWithChampion(policy: AttackEvidenceTests.reproducingPolicy)
        XCTAssertTrue(try run("git", "ls-remote", "origin", "refs/ml/promotions/*").stdout.contains("refs/ml/promotions/churn"),
                      "the champion's push was gated and recorded by the server")
        try run("git", "checkout", "-qb", "attack")
        let cheat = try trainOnEverythingAndClaimTrain()
        try run("git", "ml", "push")   // the branch is not protected: stored, not gated
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--ff-only", "attack")
        let refused = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(refused.stderr.contains("the reproduction by this gate (re-trained from the record) differs"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("the gate rejects run \(cheat.dropFirst(7).prefix(12))"), refused.stderr)

        try run("git", "reset", "-q", "--hard", "origin/main")
        try run("git", "clean", "-qfd")
        XCTAssertEqual(try run("git", "status", "--porcelain").stdout, "")
        try run("git", "checkout", "-qb", "honest")
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        // Without its signed attestation, so the Reproducibility row can only name the server's own.
        try run("git", "rm", "-rq", "ml/attestations")
        try run("git", "commit", "-qm", "no attestation")
        try run("git", "ml", "push")
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--ff-only", "honest")
        let accepted = try run("git", "push", "--no-verify", "origin", "main")
        XCTAssertTrue(accepted.stderr.contains("remote: ") && accepted.stderr.contains("reproduced by this gate (re-trained from the record): bit identical"),
                      accepted.stderr)
    }

    func testUnresolvablePinnedEvaluationDataFailsTheDatasetRow() throws {
        try setUpChampion()
        // The base's suite pins a version this clone does not have.
        try ChurnProject.suite.replacingOccurrences(of: "churn-eval@v1", with: "churn-eval@v9").write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "suite pins v9")
        try run("git", "checkout", "-qb", "attack")
        try ChurnProject.suite.write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let dataset = try row("Dataset", of: try verdict(expect: 1))
        XCTAssertTrue((dataset["evidence"] as? String ?? "").contains("churn-eval@v9 cannot be resolved"), "\(dataset)")
    }

    func testARecordWhoseIDIsNotItsDigestIsRefused() throws {
        try setUpChampion()
        try run("git", "checkout", "-qb", "attack")
        let strong = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        let id = try fullID(strong)
        let hex = String(id.dropFirst(7))
        // A clone without the run refs reads ml/runs/<hex>.json: edited in place, id kept.
        let path = repo + "/ml/runs/\(hex).json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"ensemble\"", with: "\"seed:1\"").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try String(contentsOfFile: path, encoding: .utf8), text)
        try run("git", "commit", "-qam", "edit the record")
        try run("git", "update-ref", "-d", "refs/ml/runs/\(hex)")
        let refused = try run("git", "ml", "gate", "--base", "main", expect: 2)
        XCTAssertTrue(refused.stderr.contains("is not the digest of its content"), refused.stderr)
    }

    // MARK: helpers

    /// The attack policy with `reproduce_in_gate`: the gate re-trains built-in candidates itself.
    static let reproducingPolicy = policy.replacingOccurrences(of: "tolerance: 1.0e-9 }", with: "tolerance: 1.0e-9, reproduce_in_gate: true }")

    /// Finding 4's lie, committed on the current branch: a model trained on train ∪ eval
    /// (`churn-all`), its record rewritten to claim `churn-train@v1` (every artifact honest).
    /// Returns the forged run's id.
    @discardableResult
    private func trainOnEverythingAndClaimTrain() throws -> String {
        try writeTrainAndEval(to: "all.csv")
        try run("git", "ml", "data", "add", "all.csv", "--name", "churn-all", "--no-checks")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "all rows")
        let cheat = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region").replacingOccurrences(of: "churn-train@v1", with: "churn-all@v1"),
                                     message: "trained on everything")
        let clean = RunRecord.DatasetUse(name: "churn-train", version: 1, digest: "sha256:" + (try sha256("train.csv")))
        return try forgeRecord(of: cheat) { record in
            record.datasets["train"] = clean
            if case .object(var fields) = record.config, let text = fields["experiment_file"]?.stringValue {
                fields["experiment_file"] = .string(text.replacingOccurrences(of: "churn-all@v1", with: "churn-train@v1"))
                record.config = .object(fields)
            }
        }
    }

    /// The training rows followed by the evaluation rows, as one CSV: a model trained on it has seen the answers.
    private func writeTrainAndEval(to name: String) throws {
        let train = try String(contentsOfFile: repo + "/train.csv", encoding: .utf8)
        let eval = try String(contentsOfFile: repo + "/eval.csv", encoding: .utf8)
        try (train + eval.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n").write(toFile: repo + "/" + name, atomically: true, encoding: .utf8)
    }

    /// The churn project with the attack policy and the weak (tenure-only) model promoted on main.
    private func setUpChampion(policy: String = AttackEvidenceTests.policy, suite: String = ChurnProject.suite) throws {
        try setUpChurnProject()
        try policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try suite.write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "gate policy")
        try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "gate", "--base", "main", "--head", "HEAD", "--record")
    }

    /// The same on a self-hosted server (a bare repository with the server hooks), main pushed.
    @discardableResult
    private func setUpServerWithChampion(policy: String = AttackEvidenceTests.policy) throws -> String {
        try setUpChurnProject()
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy and blob remote")
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        try run("git", "ml", "push")
        let weak = try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "push")
        return weak
    }

    /// `git ml gate --base main` refuses the head's candidate (exit 2), saying `reason`; with
    /// `row`, it judges and fails that row of the verdict with `reason` instead.
    private func expectRefused(_ reason: String, row name: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let name else {
            let refused = try run("git", "ml", "gate", "--base", "main", expect: 2, file: file, line: line)
            XCTAssertTrue(refused.stderr.contains(reason), "expected '\(reason)' in: \(refused.stderr)\(refused.stdout)", file: file, line: line)
            return
        }
        let judged = try verdict(expect: 1)
        let failed = try row(name, of: judged)
        XCTAssertEqual(failed["outcome"] as? String, "fail", "\(judged)", file: file, line: line)
        XCTAssertTrue((failed["evidence"] as? String ?? "").contains(reason), "expected '\(reason)' in: \(failed)", file: file, line: line)
    }

    private func verdict(expect: Int32?) throws -> [String: Any] {
        (try json(try run("git", "ml", "gate", "--base", "main", "--json", expect: expect).stdout) as! [[String: Any]])[0]
    }

    private func row(_ name: String, of verdict: [String: Any]) throws -> [String: Any] {
        let rows = verdict["rows"] as? [[String: Any]] ?? []
        return try XCTUnwrap(rows.first { ($0["name"] as? String)?.lowercased() == name.lowercased() }, "no row \(name) in \(verdict)")
    }

    private func revParse(_ revision: String) throws -> String {
        try run("git", "rev-parse", revision).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The id of the tree of `commit` without `ml/`, as run records name code.
    private func codeTree(of commit: String) throws -> String {
        let entries = try run("git", "ls-tree", commit).stdout.split(separator: "\n").filter { !$0.hasSuffix("\tml") }
        return try run("sh", "-c", "printf '%s\\n' \"$0\" | git mktree", entries.joined(separator: "\n")).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Rewrites the evaluation predictions of run `prefix` line by line (`rows` maps one line —
    /// row, label, scores after the row and label columns — to the lines that replace it), stores
    /// them and commits the forged record as the branch's candidate.
    private func forgePredictions(of prefix: String, artifact: String = "predictions/evaluation",
                                  _ rows: (Int, Int, [Double]) -> [(Int, Int, [Double])]) throws {
        let original = try record(of: prefix)
        let lines = try artifactText(original.artifacts[artifact]!).split(separator: "\n")
        var text = String(lines[0]) + "\n"
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            for (row, label, scores) in rows(Int(fields[0])!, Int(fields[1])!, fields.dropFirst(2).map { Double($0)! }) {
                text += "\(row),\(label)," + scores.map { "\($0)" }.joined(separator: ",") + "\n"
            }
        }
        let forged = try storeText(text)
        try forgeRecord(of: prefix) { $0.artifacts[artifact] = forged }
    }
}
