import Foundation
import XCTest

/// `git ml run` → `git mlcommit` → `git ml reproduce`, and what stops or refuses a run.
final class RunWorkflowTests: CLITestCase {
    func testRunCommitReproduceAndUseTheModel() throws {
        try setUpChurnProject()
        let result = try run("git", "ml", "run", "churn-gbdt")
        XCTAssertTrue(result.stdout.contains(": ok"), result.stdout)
        XCTAssertTrue(result.stdout.contains("roc_auc 0."), result.stdout)
        XCTAssertTrue(result.stderr.contains("validate: churn-train@v1"), result.stderr)

        let log = try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(log.count, 1)
        let record = log[0]
        let id = record["id"] as! String
        XCTAssertEqual(record["status"] as? String, "ok")
        XCTAssertEqual((record["code"] as! [String: Any])["dirty"] as? Bool, false)
        let artifacts = record["artifacts"] as! [String: Any]
        XCTAssertEqual(Set(artifacts.keys), ["model/seed-1", "model/seed-2", "model/seed-3", "encoder",
                                             "predictions/validation", "predictions/evaluation"])
        let headline = (record["metrics"] as! [String: Any])["headline"] as! [String: Any]
        let auc = headline["value"] as! Double
        XCTAssertGreaterThan(auc, 0.75)
        let interval = headline["interval"] as! [String: Any]
        XCTAssertLessThan(interval["lower"] as! Double, auc)
        XCTAssertGreaterThan(interval["upper"] as! Double, auc)

        // Cost: the recorded figures priced at the config's rates (3.6 $/CPU-hour = $0.001 per
        // CPU second; 1000 $/GB-month = $1e-6 per byte stored).
        let cost = record["cost"] as! [String: Any]
        let cpu = cost["cpu_seconds"] as! Double, bytes = cost["bytes_stored"] as! Double
        XCTAssertGreaterThan(cpu, 0)
        XCTAssertGreaterThan(bytes, 0)
        XCTAssertEqual(cost["usd"] as! Double, cpu * 0.001 + bytes * 1e-6, accuracy: 1e-12)

        // The evaluation predictions are stored and readable by `git ml eval`.
        let short = String(id.dropFirst(7).prefix(12))
        XCTAssertTrue(try run("git", "ml", "show", short).stdout.contains("artifact predictions/evaluation sha256:"))

        // Commit the evidence.
        let commit = try run("git", "mlcommit", "-m", "gbdt baseline")
        XCTAssertTrue(commit.stdout.contains("churn: roc_auc"), commit.stdout + commit.stderr)
        let lock = try json(String(contentsOfFile: repo + "/ml/lock.json", encoding: .utf8)) as! [String: Any]
        let candidate = (lock["suites"] as! [String: Any])["churn"] as! [String: Any]
        XCTAssertEqual(candidate["run"] as? String, id)
        let hex = String(id.dropFirst(7))
        XCTAssertTrue(FileManager.default.fileExists(atPath: repo + "/ml/runs/\(hex).json"))
        XCTAssertEqual(try run("git", "status", "--porcelain").stdout, "", "mlcommit committed everything it wrote")
        XCTAssertTrue(try run("git", "log", "-1", "--format=%B").stdout.contains("churn: roc_auc"))

        // Reproduce: bit-identical for a built-in learner.
        let reproduced = try run("git", "ml", "reproduce", short)
        XCTAssertTrue(reproduced.stdout.contains("bit_identical"), reproduced.stdout + reproduced.stderr)
        let attestation = try json(String(contentsOfFile: repo + "/ml/attestations/\(hex).json", encoding: .utf8)) as! [String: Any]
        XCTAssertEqual(attestation["result"] as? String, "bit_identical")

        // Predict with the recorded model: the same scores as the stored evaluation predictions.
        try run("git", "ml", "predict", short, "churn-eval@v1", "-o", repo + "/scores.csv")
        let scores = try String(contentsOfFile: repo + "/scores.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(scores.first, "row,customer_id,score")
        XCTAssertEqual(scores.count, 801)
        // Streamed on standard input in batches of 7 rows: the same scores, row for row.
        let streamed = try run("sh", "-c", "git ml predict \(short) - --batch-rows 7 < eval.csv").stdout
        XCTAssertEqual(streamed, try String(contentsOfFile: repo + "/scores.csv", encoding: .utf8))
        try run("git", "ml", "export", short, "-o", repo + "/export")
        let manifest = try json(String(contentsOfFile: repo + "/export/manifest.json", encoding: .utf8)) as! [String: Any]
        XCTAssertEqual(manifest["run"] as? String, id)
        XCTAssertEqual((manifest["models"] as! [Any]).count, 3)

        // gc keeps every artifact of a recorded run.
        try run("git", "ml", "gc", "--grace-seconds", "0")
        XCTAssertTrue(try run("git", "ml", "reproduce", short).stdout.contains("bit_identical"))
        try run("git", "ml", "fsck")

        // The attestation is evidence too: mlcommit commits it, then has nothing left.
        try run("git", "mlcommit")
        XCTAssertTrue(try run("git", "log", "-1", "--format=%B").stdout.contains("attestation of run \(short): bit_identical"))
        XCTAssertTrue(try run("git", "mlcommit").stdout.contains("nothing to commit"))

        // The cost ledger counts committed run records even where the run's ref is absent (a
        // clone that fetched the branch but not refs/ml/runs).
        let runCommit = try run("git", "rev-parse", "refs/ml/runs/\(hex)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try run("git", "update-ref", "-d", "refs/ml/runs/\(hex)")
        let lines = try json(try run("git", "ml", "cost", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(lines.first?["runs"] as? Int, 1)
        XCTAssertEqual(lines.first?["usd"] as! Double, cost["usd"] as! Double, accuracy: 1e-15)
        // … and so do gc and fsck: the committed record keeps its artifacts alive (fsck checks
        // every artifact of every GC root is stored, so it fails if gc had dropped them).
        try run("git", "ml", "gc", "--grace-seconds", "0")
        XCTAssertFalse(try run("git", "ml", "fsck").stdout.contains("error:"), "fsck after gc")
        try run("git", "update-ref", "refs/ml/runs/\(hex)", runCommit)
        try run("git", "ml", "export", short, "-o", repo + "/export-after-gc")
    }

    func testOverBudgetRunIsStoppedAndRecorded() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 100_000, seeds: "[1]", budget: "budget: { max_cpu_seconds: 1 }"))
        let result = try run("git", "ml", "run", "churn-gbdt", expect: 1)
        XCTAssertTrue(result.stdout.contains("over_budget"), result.stdout + result.stderr)
        let log = try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(log.first?["status"] as? String, "over_budget")
        let cost = log.first?["cost"] as! [String: Any]
        XCTAssertGreaterThanOrEqual(cost["cpu_seconds"] as! Double, 1)
        XCTAssertLessThan(cost["cpu_seconds"] as! Double, 30, "the worker was stopped, not left to finish")
        XCTAssertTrue((log.first?["artifacts"] as! [String: Any]).isEmpty)
        XCTAssertTrue(try run("git", "mlcommit", expect: 0).stdout.contains("nothing to commit"), "an over-budget run is never a candidate")
    }

    func testContractFailureAndLeakageBlockTheRun() throws {
        try setUpChurnProject()
        // Leakage: the evaluation data shares customers with the training data.
        try writeChurn("eval.csv", rows: 800, firstID: 1, seed: 2)
        try run("git", "ml", "data", "add", "eval.csv", "--name", "churn-eval")
        try ChurnProject.suite.replacingOccurrences(of: "churn-eval@v1", with: "churn-eval@v2")
            .write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        let leaking = try run("git", "ml", "run", "churn-gbdt", expect: 3)
        XCTAssertTrue(leaking.stderr.contains("leak into each other"), leaking.stderr)

        // Contract failure: a region outside the contract's domain.
        var text = try String(contentsOfFile: repo + "/train.csv", encoding: .utf8)
        text = text.replacingOccurrences(of: ",north,", with: ",nord,")
        try text.write(toFile: repo + "/train.csv", atomically: true, encoding: .utf8)
        let added = try run("git", "ml", "data", "add", "train.csv", "--name", "churn-train", expect: 1)
        XCTAssertTrue(added.stdout.contains("contract ml/contracts/churn-train.yaml: FAILED"), added.stdout)
        XCTAssertTrue(added.stdout.contains("leakage churn-train@v2 → churn-eval@v2 (suite churn): FOUND"),
                      "the suite's evaluation set shares customers with the new training version: \(added.stdout)")
        try ChurnProject.experiment().replacingOccurrences(of: "churn-train@v1", with: "churn-train@v2")
            .write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        let failing = try run("git", "ml", "run", "churn-gbdt", expect: 3)
        XCTAssertTrue(failing.stderr.contains("churn-train@v2 fails its contract"), failing.stderr)
        XCTAssertTrue(failing.stderr.contains("region"), failing.stderr)
        XCTAssertEqual(try run("git", "ml", "log").stdout, "", "a blocked run records nothing")
    }

    func testMlcommitRefusesRunsOnOtherCode() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 10, seeds: "[1]"))
        try run("git", "ml", "run", "churn-gbdt")
        try "print('x')\n".write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "train.py")
        try run("git", "commit", "-qm", "code change")
        let refused = try run("git", "mlcommit", "-m", "x", try latestRunPrefix(), expect: 3)
        XCTAssertTrue(refused.stderr.contains("other code than HEAD's"), refused.stderr)
        try run("git", "mlcommit", "-m", "x", try latestRunPrefix(), "--allow-dirty")
        let lock = try json(String(contentsOfFile: repo + "/ml/lock.json", encoding: .utf8)) as! [String: Any]
        XCTAssertEqual(((lock["suites"] as! [String: Any])["churn"] as! [String: Any])["allowed_dirty"] as? Bool, true)
    }

    func testCostReportsKnownNumbers() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 10, seeds: "[1]"))
        try run("git", "ml", "run", "churn-gbdt")
        try run("git", "ml", "run", "churn-gbdt")
        let runs = try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]
        let total = runs.reduce(0.0) { $0 + (($1["cost"] as! [String: Any])["usd"] as! Double) }
        let lines = try json(try run("git", "ml", "cost", "--by", "suite", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines[0]["group"] as? String, "churn")
        XCTAssertEqual(lines[0]["runs"] as? Int, 2)
        XCTAssertEqual(lines[0]["usd"] as! Double, total, accuracy: 1e-12)

        // A project budget already spent stops the next run before it starts.
        try "cost: { cpu_hour_usd: 3.6, gb_month_usd: 1000 }\nbudget: { project_month_usd: \(total / 2) }\n"
            .write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
        let refused = try run("git", "ml", "run", "churn-gbdt", expect: 3)
        XCTAssertTrue(refused.stderr.contains("over the project budget"), refused.stderr)
    }

    func testExecRecordsAnExternalScriptAndReproducesIt() throws {
        try setUpChurnProject()
        try ChurnProject.script.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "train.py")
        try run("git", "commit", "-qm", "script")
        let result = try run("git", "ml", "exec", "--suite", "churn", "--input", "churn-train@v1", "--gpus", "1", "--", "python3", "train.py")
        XCTAssertTrue(result.stdout.contains(": ok"), result.stdout + result.stderr)
        let record = (try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]])[0]
        XCTAssertEqual(record["kind"] as? String, "exec")
        XCTAssertEqual(record["experiment"] as? String, "python3")
        let artifacts = record["artifacts"] as! [String: Any]
        XCTAssertEqual(Set(artifacts.keys), ["predictions/evaluation", "predictions/validation", "model/model.json"])
        let auc = (((record["metrics"] as! [String: Any])["headline"] as! [String: Any])["value"] as! Double)
        XCTAssertGreaterThan(auc, 0.75)
        XCTAssertGreaterThan((record["cost"] as! [String: Any])["cpu_seconds"] as! Double, 0.05, "python's CPU time is measured")
        XCTAssertNotNil((record["environment"] as! [String: Any])["pip_freeze_digest"])
        // One declared GPU for the command's wall time at 7.2 $/GPU-hour = $0.002 per second.
        let cost = record["cost"] as! [String: Any]
        let wall = cost["wall_seconds"] as! Double
        XCTAssertEqual(cost["gpu_seconds"] as! Double, wall, accuracy: 1e-9)
        XCTAssertEqual(cost["usd"] as! Double, (cost["cpu_seconds"] as! Double) * 0.001 + (cost["bytes_stored"] as! Double) * 1e-6 + wall * 0.002,
                       accuracy: 1e-12)

        // Reproduce: the recorded command at the recorded commit, even after the script changed.
        try "raise SystemExit(1)\n".write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "break the script")
        let id = String((record["id"] as! String).dropFirst(7).prefix(12))
        let reproduced = try run("git", "ml", "reproduce", id)
        XCTAssertTrue(reproduced.stdout.contains("bit_identical") || reproduced.stdout.contains("within_tolerance"), reproduced.stdout + reproduced.stderr)
        XCTAssertEqual(try run("git", "worktree", "list").stdout.split(separator: "\n").count, 1, "the temporary worktree is removed")

        // A command that writes no predictions is recorded as failed with a clear reason.
        let failed = try run("git", "ml", "exec", "--input", "churn-train@v1", "--", "true", expect: 1)
        XCTAssertTrue(failed.stdout.contains("failed — evaluation_predictions.csv: the command did not write it"), failed.stdout)
    }

    func testInterruptedRunIsRecordedAsInterrupted() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 100_000, seeds: "[1]"))
        let process = try start(["git-ml", "run", "churn-gbdt"])
        Thread.sleep(forTimeInterval: 2)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        let log = try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(log.first?["status"] as? String, "interrupted")
        XCTAssertTrue((try? FileManager.default.contentsOfDirectory(atPath: repo + "/.git/ml/tmp"))?.isEmpty ?? true, "nothing half-written remains")
    }

    private func latestRunPrefix() throws -> String {
        let log = try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]
        return String((log[0]["id"] as! String).dropFirst(7).prefix(12))
    }
}
