import Foundation
import Records
import XCTest

/// `git ml sweep run|show|log`: budgeted sweeps on the local executor, their records, resuming,
/// and what a server accepts.
final class SweepCommandTests: CLITestCase {
    /// A random sweep of the churn GBDT's learning rate and leaves, halving on rounds.
    static func sweep(trials: Int = 4, budget: String = "{ max_trials: 4 }", halving: Bool = true, parallel: Int = 2) -> String {
        """
        experiment: churn-gbdt
        budget: \(budget)
        search: random
        trials: \(trials)
        seed: 3
        space:
          model.learning_rate: { log_uniform: [0.03, 0.3] }
          model.num_leaves: { int: [4, 31] }
        \(halving ? "halving: { resource: model.rounds, min: 5, max: 20, eta: 2 }" : "")
        parallel: \(parallel)

        """
    }

    func setUpSweep(_ name: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: repo + "/ml/sweeps", withIntermediateDirectories: true)
        try text.write(toFile: repo + "/ml/sweeps/\(name).yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "sweep \(name)")
    }

    func sweepRecord(_ name: String) throws -> [String: Any] {
        try json(try run("git", "ml", "sweep", "show", name, "--json").stdout) as! [String: Any]
    }

    func runs() throws -> [[String: Any]] {
        try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]
    }

    /// Trials train and score on validation rows only: N trials record N·(rungs) trial runs that
    /// never name or score the evaluation set; only the chosen configuration's run does, so the
    /// gate counts one evaluation.
    func testSweepTrialsNeverSpendTheEvaluationSet() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(seeds: "[1]"))
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try setUpSweep("search", Self.sweep())
        let result = try run("git", "ml", "sweep", "run", "search", "--jobs", "2")
        XCTAssertTrue(result.stdout.contains("sweep search  churn-gbdt on suite churn: finished"), result.stdout)
        XCTAssertTrue(result.stdout.contains("<- chosen"), result.stdout)

        let record = try sweepRecord("search")
        let jobs = record["jobs"] as! [[String: Any]]
        XCTAssertEqual(Set(jobs.map { $0["trial"] as! Int }), [0, 1, 2, 3], "every trial ran")
        XCTAssertTrue(jobs.contains { ($0["rung"] as! Int) > 0 }, "successive halving promoted a trial")
        XCTAssertTrue(jobs.allSatisfy { $0["status"] as? String == "ok" && $0["metric"] is Double }, "\(jobs)")
        let all = try runs()
        let trials = all.filter { $0["kind"] as? String == "trial" }
        XCTAssertEqual(trials.count, jobs.count, "one trial run per job")
        XCTAssertEqual(Set(trials.map { $0["id"] as! String }), Set(jobs.map { $0["run"] as! String }))
        for trial in trials {
            let datasets = trial["datasets"] as! [String: Any], artifacts = trial["artifacts"] as! [String: Any]
            XCTAssertNil(datasets["eval"], "a trial names no evaluation data")
            XCTAssertNil(artifacts["predictions/evaluation"], "a trial scores no evaluation rows")
            XCTAssertEqual((trial["metrics"] as! [String: Any])["scored_on"] as? String, "validation")
        }
        // The chosen job's values, at its rung's rounds, were evaluated once as a normal run.
        let chosen = jobs[(record["chosen"] as! [String: Any])["job"] as! Int]
        let evaluatedID = try XCTUnwrap(record["evaluated_run"] as? String)
        let evaluated = try XCTUnwrap(all.first { $0["id"] as? String == evaluatedID })
        XCTAssertEqual(evaluated["kind"] as? String, "builtin")
        XCTAssertNotNil((evaluated["artifacts"] as! [String: Any])["predictions/evaluation"])
        let model = (evaluated["config"] as! [String: Any])["model"] as! [String: Any]
        XCTAssertEqual(model["rounds"] as? Double, chosen["resource"] as? Double)
        XCTAssertEqual(model["num_leaves"] as? Double, (chosen["values"] as! [String: Any])["model.num_leaves"] as? Double)
        XCTAssertEqual(all.filter { ($0["artifacts"] as! [String: Any])["predictions/evaluation"] != nil }.count, 1)

        // A trial is never a candidate: it was scored on validation rows only.
        let trialPrefix = String((trials[0]["id"] as! String).dropFirst(7).prefix(12))
        let refused = try run("git", "mlcommit", "-m", "a trial", trialPrefix, expect: nil)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("scored on validation rows only"), refused.stderr)

        // Committed and gated as usual: the evaluation counter is 1.
        try run("git", "mlcommit", "-m", "the sweep's choice", String(evaluatedID.dropFirst(7).prefix(12)))
        let verdict = (try json(try run("git", "ml", "gate", "--base", "main", "--json", expect: nil).stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["evaluations_spent"] as? Int, 1, "the sweep spent one evaluation")

        let log = try run("git", "ml", "sweep", "log").stdout
        XCTAssertTrue(log.hasPrefix("search  "), log)
        XCTAssertTrue(log.contains("4 trials"), log)

        try checkTheReviewShowsTheSweep(jobs: jobs, chosen: (record["chosen"] as! [String: Any])["job"] as! Int,
                                        parent: try run("git", "rev-parse", "refs/ml/sweeps/search").stdout)
    }

    /// `git ml review` of the sweep's committed choice shows the sweep (Markdown and HTML with
    /// its best-so-far plots), its figures those of the trial runs; a record whose job says
    /// other than its trial run is not shown, and the review says why.
    func checkTheReviewShowsTheSweep(jobs: [[String: Any]], chosen: Int, parent: String) throws {
        let markdown = try run("git", "ml", "review", "--base", "main").stdout
        XCTAssertTrue(markdown.contains("### Sweep\n\nThe candidate is the chosen configuration of sweep `search` (job \(chosen), "), markdown)
        XCTAssertTrue(markdown.contains("\(Set(jobs.map { $0["trial"] as! Int }).count) trials in \(jobs.count) jobs"), markdown)
        XCTAssertTrue(markdown.contains("of its budget (max_trials 4)"), markdown)
        XCTAssertTrue(markdown.contains("| \(chosen) (chosen) |"), markdown)
        XCTAssertTrue(markdown.contains("Baseline: the sweep's first result"), markdown)
        let html = repo + "/review.html"
        try run("git", "ml", "review", "--base", "main", "--format", "html", "-o", html)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        for id in ["sweep-jobs", "sweep-best-by-job", "sweep-best-by-cost"] { XCTAssertTrue(page.contains("id=\"\(id)\""), id) }
        try FileManager.default.removeItem(atPath: html)

        var inflated = try SweepRecord(text: try run("git", "ml", "sweep", "show", "search", "--json").stdout)
        inflated.jobs[0].metric = 0.999
        let forged = try writeSweepCommit(inflated, message: "inflated", parent: parent.trimmingCharacters(in: .whitespacesAndNewlines))
        try run("git", "update-ref", "refs/ml/sweeps/search", forged)
        let refused = try run("git", "ml", "review", "--base", "main").stdout
        XCTAssertTrue(refused.contains("but its record's job 0 says other figures than its trial run recorded: no sweep figures are shown"), refused)
        XCTAssertFalse(refused.contains("0.999"), refused)
    }

    /// `cv: 3`: each trial is scored by 3-fold cross-validation of the training data — its
    /// headline the mean fold score with its standard error (recorded in the sweep record), its
    /// folds' models and out-of-fold predictions stored — never touching the evaluation set: the
    /// chosen configuration is trained once as before (its own validation split) and the gate
    /// counts one evaluation. `--cv 2` overrides the file; a `git ml run` of a k-fold
    /// experiment is refused.
    func testCrossValidatedSweepScoresTrialsOnFoldsAndNeverTheEvaluationSet() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 10, seeds: "[1]"))
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try setUpSweep("folds", Self.sweep(trials: 2, budget: "{ max_trials: 2 }", halving: false, parallel: 1) + "cv: 3\n")
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        let result = try run("git", "ml", "sweep", "run", "folds", "--jobs", "1")
        XCTAssertTrue(result.stdout.contains("by highest mean roc_auc of 3 cross-validation folds over all trials"), result.stdout)
        XCTAssertTrue(result.stdout.contains(" ±"), "the table shows each job's standard error: \(result.stdout)")
        let record = try sweepRecord("folds")
        XCTAssertEqual(((record["plan"] as! [String: Any])["cross_validation"] as? [String: Any])?["folds"] as? Int, 3)
        let jobs = record["jobs"] as! [[String: Any]]
        XCTAssertEqual(jobs.count, 2)
        let all = try runs()
        for job in jobs {
            let trial = try XCTUnwrap(all.first { $0["id"] as? String == job["run"] as? String })
            let metrics = trial["metrics"] as! [String: Any]
            XCTAssertEqual(metrics["scored_on"] as? String, "cross_validation")
            let folds = metrics["cross_validation"] as! [String: Any]
            let scores = folds["scores"] as! [Double]
            XCTAssertEqual(scores.count, 3)
            XCTAssertEqual(folds["scheme"] as? String, "grouped_stratified", "the suite's entity groups the folds")
            let mean = scores.reduce(0, +) / 3
            let sem = (scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2 / 3).squareRoot()
            let headline = metrics["headline"] as! [String: Any]
            XCTAssertEqual(headline["value"] as! Double, mean, accuracy: 1e-12)
            XCTAssertEqual(headline["standard_error"] as! Double, sem, accuracy: 1e-12)
            XCTAssertNil(headline["interval"], "the pooled interval is not the trial's")
            XCTAssertEqual(job["metric"] as? Double, headline["value"] as? Double)
            XCTAssertEqual(job["metric_standard_error"] as? Double, headline["standard_error"] as? Double)
            XCTAssertNil((trial["datasets"] as! [String: Any])["eval"], "a trial names no evaluation data")
            let artifacts = trial["artifacts"] as! [String: Any]
            XCTAssertEqual(Set(artifacts.keys.filter { $0.hasPrefix("model/") }), ["model/seed-1/fold-0", "model/seed-1/fold-1", "model/seed-1/fold-2"])
            XCTAssertNil(artifacts["predictions/evaluation"])
            XCTAssertNotNil(artifacts["predictions/validation"], "the out-of-fold scores of every training row")
            XCTAssertTrue(((trial["config"] as! [String: Any])["experiment_file"] as! String).contains("kfold"))
        }

        // A server accepts the record, and refuses one whose standard error is not its trial run's.
        try run("git", "ml", "push")
        var halved = try SweepRecord(text: try run("git", "ml", "sweep", "show", "folds", "--json").stdout)
        halved.jobs[0].metricStandardError = (halved.jobs[0].metricStandardError ?? 0) / 2
        let tip = try run("git", "rev-parse", "refs/ml/sweeps/folds").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let forged = try writeSweepCommit(halved, message: "halved", parent: tip)
        let refused = try run("git", "push", "--no-verify", "origin", "\(forged):refs/ml/sweeps/folds", expect: 1)
        XCTAssertTrue(refused.stderr.contains("job 0 does not say what its trial run"), refused.stderr)

        // The chosen configuration: a normal run on the experiment's own validation split.
        let evaluatedID = try XCTUnwrap(record["evaluated_run"] as? String)
        let evaluated = try XCTUnwrap(all.first { $0["id"] as? String == evaluatedID })
        XCTAssertEqual(evaluated["kind"] as? String, "builtin")
        XCTAssertEqual(((evaluated["config"] as! [String: Any])["validation"] as? [String: Any])?["split"] as? String, "random")
        XCTAssertEqual(all.filter { ($0["artifacts"] as! [String: Any])["predictions/evaluation"] != nil }.count, 1)
        try run("git", "mlcommit", "-m", "the cross-validated choice", String(evaluatedID.dropFirst(7).prefix(12)))
        let verdict = (try json(try run("git", "ml", "gate", "--base", "main", "--json", expect: nil).stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["evaluations_spent"] as? Int, 1, "cross-validation spent no evaluation")
        XCTAssertTrue(try run("git", "ml", "review", "--base", "main").stdout.contains("the mean roc_auc over 3 cross-validation folds"))

        // --cv on the command line, for a sweep file without cv.
        try setUpSweep("flag", Self.sweep(trials: 1, budget: "{ max_trials: 1 }", halving: false, parallel: 1))
        try run("git", "ml", "sweep", "run", "flag", "--cv", "2")
        XCTAssertEqual(((try sweepRecord("flag")["plan"] as! [String: Any])["cross_validation"] as? [String: Any])?["folds"] as? Int, 2)
        XCTAssertTrue(try run("git", "ml", "sweep", "run", "flag", "--cv", "1", expect: 2).stderr.contains("--cv takes 2 to 20 folds"))

        // Cross-validation of an experiment that splits by time is refused before any trial.
        try ChurnProject.experiment(seeds: "[1]").replacingOccurrences(of: "{ split: random, fraction: 0.25 }", with: "{ split: time, column: tenure, fraction: 0.25 }")
            .write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        let trialsBefore = try runs().count
        let timed = try run("git", "ml", "sweep", "run", "flag", "--cv", "2", expect: 3)
        XCTAssertTrue(timed.stderr.contains("validates on its latest rows by tenure (split: time)"), timed.stderr)
        XCTAssertEqual(try runs().count, trialsBefore, "no trial ran")

        // A k-fold experiment is for trials only.
        try ChurnProject.experiment(seeds: "[1]").replacingOccurrences(of: "{ split: random, fraction: 0.25 }", with: "{ split: kfold, folds: 3 }")
            .write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        let kfoldRun = try run("git", "ml", "run", "churn-gbdt", expect: 3)
        XCTAssertTrue(kfoldRun.stderr.contains("validation split kfold cross-validates sweep trials only"), kfoldRun.stderr)
    }

    /// A budget smaller than two trials: the first job measures what a job costs, the second
    /// would not fit, and the sweep stops after one with the reason; the one trial is chosen.
    func testBudgetSmallerThanTwoTrialsStopsAfterOne() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 60, seeds: "[1]"))
        try setUpSweep("calibrate", Self.sweep(trials: 1, budget: "{ max_trials: 1 }", halving: false, parallel: 1))
        try run("git", "ml", "sweep", "run", "calibrate")
        let cpu = try XCTUnwrap(((try sweepRecord("calibrate"))["spent"] as! [String: Any])["cpu_seconds"] as? Double)
        XCTAssertGreaterThan(cpu, 0)
        try setUpSweep("small", Self.sweep(trials: 6, budget: "{ max_cpu_hours: \(1.5 * cpu / 3600) }", halving: false, parallel: 1))
        let result = try run("git", "ml", "sweep", "run", "small")
        XCTAssertTrue(result.stderr.contains("sweep stopped: the next job (resource 1) would use about"), result.stderr)
        let record = try sweepRecord("small")
        XCTAssertEqual(record["status"] as? String, "stopped")
        XCTAssertEqual((record["jobs"] as! [Any]).count, 1, "stopped after one trial")
        XCTAssertEqual((record["chosen"] as? [String: Any])?["job"] as? Int, 0)
        XCTAssertNotNil(record["evaluated_run"] as? String)
    }

    /// A misspelt hyperparameter in the space stops the sweep before any trial, naming it; a
    /// sweep without a budget is refused.
    func testBadSpaceOrMissingBudgetStopsBeforeAnyTrial() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(seeds: "[1]"))
        try setUpSweep("typo", Self.sweep().replacingOccurrences(of: "model.num_leaves", with: "model.num_leafs"))
        let typo = try run("git", "ml", "sweep", "run", "typo", expect: 3)
        XCTAssertTrue(typo.stderr.contains("num_leafs"), typo.stderr)
        try setUpSweep("unbounded", Self.sweep().replacingOccurrences(of: "budget: { max_trials: 4 }", with: "budget: {}"))
        let unbounded = try run("git", "ml", "sweep", "run", "unbounded", expect: 3)
        XCTAssertTrue(unbounded.stderr.contains("a sweep needs a budget"), unbounded.stderr)
        XCTAssertEqual(try runs().count, 0, "no trial ran")
        XCTAssertEqual(try run("git", "ml", "sweep", "log").stdout, "", "nothing recorded")
    }

    /// A killed sweep keeps what it recorded; Ctrl-C cancels the running trials and records the
    /// sweep as interrupted; running it again reuses every finished trial by its content key and
    /// trains only the rest.
    func testInterruptedSweepResumesReusingFinishedTrials() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 200, seeds: "[1]"))
        try setUpSweep("resumable", Self.sweep(trials: 4, budget: "{ max_trials: 4 }", halving: false, parallel: 1))
        // Killed outright: the record holds the jobs that finished, the trials die with the driver.
        var driver = try start(["git-ml", "sweep", "run", "resumable", "--jobs", "1"])
        XCTAssertGreaterThanOrEqual(try waitForJobs(1, of: "resumable", while: driver), 1, "a first trial finished")
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
        let killed = try sweepRecord("resumable")
        XCTAssertEqual(killed["status"] as? String, "running", "a killed sweep's record stays as last written")
        let killedJobs = (killed["jobs"] as! [Any]).count

        // Ctrl-C: the running trial stops and the sweep is recorded as interrupted.
        driver = try start(["git-ml", "sweep", "run", "resumable", "--jobs", "1"])
        let finished = try waitForJobs(killedJobs + 1, of: "resumable", while: driver)
        XCTAssertGreaterThan(finished, killedJobs, "the resumed sweep went on")
        kill(driver.processIdentifier, SIGINT)
        driver.waitUntilExit()
        XCTAssertEqual(driver.terminationStatus, 1)
        let scratch = (try? FileManager.default.contentsOfDirectory(atPath: repo + "/.git/ml/tmp")) ?? []
        XCTAssertEqual(scratch.filter { $0.hasPrefix("sweep-") }, [], "no job folder remains (the killed sweep's went on resuming)")
        let interrupted = try sweepRecord("resumable")
        XCTAssertEqual(interrupted["status"] as? String, "interrupted")
        XCTAssertNil(interrupted["evaluated_run"] as? String, "an interrupted sweep evaluates nothing")
        let done = (interrupted["jobs"] as! [[String: Any]]).filter { $0["status"] as? String == "ok" }.count

        try run("git", "ml", "sweep", "run", "resumable", "--jobs", "1")
        let resumed = try sweepRecord("resumable")
        XCTAssertEqual(resumed["status"] as? String, "finished")
        let jobs = resumed["jobs"] as! [[String: Any]]
        XCTAssertEqual(jobs.count, 4)
        XCTAssertEqual(jobs.filter { $0["reused"] as? Bool == true }.count, done, "finished trials were reused")
        let okTrials = try runs().filter { $0["kind"] as? String == "trial" && $0["status"] as? String == "ok" }
        XCTAssertEqual(okTrials.count, 4, "no finished trial trained twice")
    }

    /// The Ray executor on a 2-CPU Ray head started by the test on loopback, inside a network
    /// namespace of its own (so nothing listens beyond this test), whose workers cannot see the
    /// repository (`rayScript`): every task fetches the committed code and the data from the
    /// directory blob remote by digest. A 12-trial sweep with ASHA (under a CPU budget, which it
    /// finishes within) and an `exec` run as cluster tasks and are recorded here as local runs
    /// are, and reproduce here; a blob damaged on the remote is refused by its digest. Needs a Python with `ray`: GITML_RAY_PYTHON names it (`pip install
    /// ray` into a venv); skipped without it.
    func testRaySweepRunsTrialsAsClusterTasks() throws {
        guard let python = ProcessInfo.processInfo.environment["GITML_RAY_PYTHON"] else {
            throw XCTSkip("set GITML_RAY_PYTHON to a Python with ray installed to run the Ray executor test")
        }
        try setUpChurnProject(experiment: ChurnProject.experiment(seeds: "[1]"))
        // The command fails on a node that can read the repository (the head's workers see
        // GITML_TEST_REPOSITORY; a local reproduction does not).
        try ("""
            import os, sys
            if os.path.exists(os.path.join(os.environ.get("GITML_TEST_REPOSITORY", "/nonexistent"), ".git")):
                sys.exit("the node can read the driver's repository")

            """ + ChurnProject.script).write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        let blobs = try setUpClusterRemote()
        // Issue 22's sweep: 12 random trials with ASHA, under a cost budget it stays within.
        try setUpSweep("cluster", Self.sweep(trials: 12, budget: "{ max_cpu_hours: 0.1, max_trials: 12 }", halving: true, parallel: 2))
        let onRay = "--on ray --ray-address 127.0.0.1:6391 --ray-python \"\(python)\""
        let script = rayScript(python: python, body: """
            git-ml sweep run cluster \(onRay) --jobs 2
            git-ml exec \(onRay) --suite churn --input churn-train@v1 -- python3 train.py
            # Damage every object on the blob remote and in the node's cache of it (NodeCache, in the
            # node's temporary directory): a node refuses what fails its digest.
            python3 -c 'import glob, sys, tempfile
            for path in glob.glob(sys.argv[1] + "/packs/*.pack") + glob.glob(tempfile.gettempdir() + "/gitml-node-cache/blobs/packs/*.pack"):
                data = bytearray(open(path, "rb").read())
                for i in range(16, len(data), 7): data[i] ^= 0xFF
                open(path, "wb").write(bytes(data))' "\(blobs)"
            git-ml exec \(onRay) --suite churn --input churn-train@v1 -- python3 train.py || echo "damaged exec exited $?" >&2
            """)
        let result = try run(["unshare", "-n", "bash", "-c", script], expect: nil)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let record = try sweepRecord("cluster")
        XCTAssertEqual(record["status"] as? String, "finished")
        XCTAssertEqual((record["plan"] as! [String: Any])["executor"] as? String, "ray")
        XCTAssertEqual(record["stop_reason"] as? String, nil, "finished within its budget")
        let spent = try XCTUnwrap((record["spent"] as? [String: Any])?["cpu_seconds"] as? Double)
        XCTAssertLessThan(spent, 0.1 * 3600)
        let jobs = record["jobs"] as! [[String: Any]]
        XCTAssertEqual(Set(jobs.map { $0["trial"] as! Int }), Set(0..<12), "every trial ran")
        XCTAssertTrue(jobs.contains { ($0["rung"] as! Int) > 0 }, "successive halving promoted a trial")
        XCTAssertTrue(jobs.allSatisfy { $0["status"] as? String == "ok" }, "\(jobs)")
        for job in jobs {
            let placement = try XCTUnwrap(job["placement"] as? [String: Any], "the record says where each job ran")
            XCTAssertEqual(placement["node"] as? String, "127.0.0.1")
            XCTAssertFalse((placement["task"] as? String ?? "").isEmpty, "the Ray task id")
            // Where the job's time went: the round trip, the node's phases, and what the cluster added.
            let seconds = try XCTUnwrap(placement["seconds"] as? [String: Any], "\(placement)")
            let node = try XCTUnwrap(seconds["node"] as? [String: Double], "\(seconds)")
            XCTAssertEqual(Set(node.keys), ["fetch_and_check_out", "command", "upload", "clean_up"])
            let trip = try XCTUnwrap(seconds["round_trip"] as? Double), overhead = try XCTUnwrap(seconds["overhead"] as? Double)
            XCTAssertGreaterThan(node["command"]!, 0)
            XCTAssertEqual(overhead, max(0, trip - node["command"]!), accuracy: 0.002)
            XCTAssertGreaterThanOrEqual(overhead, node["fetch_and_check_out"]! + node["upload"]! - 0.002, "\(seconds)")
        }
        let all = try runs()
        XCTAssertEqual(Set(all.filter { $0["kind"] as? String == "trial" }.map { $0["id"] as! String }), Set(jobs.map { $0["run"] as! String }),
                       "one recorded trial run per job")
        XCTAssertNotNil(record["evaluated_run"] as? String)
        // A trial that ran on the cluster reproduces here, bit for bit.
        let trial = String((jobs[0]["run"] as! String).dropFirst(7).prefix(12))
        let reproduced = try run("git", "ml", "reproduce", trial)
        XCTAssertTrue(reproduced.stdout.contains("bit_identical"), reproduced.stdout + reproduced.stderr)

        // The exec ran on a node that could not read the repository, and is recorded as a local exec is.
        let execs = all.filter { $0["kind"] as? String == "exec" }
        XCTAssertEqual(execs.count, 1, "one exec run; the damaged one recorded none")
        let exec = try XCTUnwrap(execs.first)
        XCTAssertEqual(exec["status"] as? String, "ok", "\(exec)")
        XCTAssertEqual(Set((exec["artifacts"] as! [String: Any]).keys), ["predictions/evaluation", "predictions/validation", "model/model.json"])
        XCTAssertGreaterThan((exec["cost"] as! [String: Any])["cpu_seconds"] as! Double, 0.05, "the node metered the command")
        XCTAssertNotNil((exec["environment"] as! [String: Any])["pip_freeze_digest"])
        XCTAssertEqual((exec["code"] as! [String: Any])["commit"] as? String,
                       try run("git", "rev-parse", "HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let execID = String((exec["id"] as! String).dropFirst(7).prefix(12))
        let again = try run("git", "ml", "reproduce", execID)
        XCTAssertTrue(again.stdout.contains("bit_identical") || again.stdout.contains("within_tolerance"), again.stdout + again.stderr)

        XCTAssertTrue(result.stderr.contains("damaged exec exited 1"), result.stderr)
        XCTAssertTrue(result.stderr.contains("the Ray task recorded no run") && result.stderr.contains("is damaged"), result.stderr)
    }

    /// A cluster node runs the commit and reads the blob remote: `--on ray` refuses, before it
    /// contacts any cluster, a work tree with uncommitted changes and a project without a blob
    /// remote, saying what to do.
    func testOnRayNeedsACommittedTreeAndABlobRemote() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(seeds: "[1]"))
        try ChurnProject.script.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        let exec = ["git", "ml", "exec", "--on", "ray", "--ray-address", "127.0.0.1:1", "--input", "churn-train@v1", "--", "python3", "train.py"]
        let dirty = try run(exec, expect: 3)
        XCTAssertTrue(dirty.stderr.contains("this work tree has changes") && dirty.stderr.contains("?? train.py")
                      && dirty.stderr.contains("commit (or stash) them"), dirty.stderr)
        try run("git", "add", "train.py")
        try run("git", "commit", "-qm", "script")
        let noRemote = try run(exec, expect: 3)
        XCTAssertTrue(noRemote.stderr.contains("no default blob remote"), noRemote.stderr)
        XCTAssertTrue(try runs().isEmpty, "nothing ran")
    }

    /// A directory blob remote, the default, committed with the project (a cluster node runs
    /// the commit); returns its path.
    func setUpClusterRemote() throws -> String {
        let blobs = repo + "-blobs"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: blobs) }
        try run("git", "ml", "remote", "add", "shared", blobs, "--default")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        return blobs
    }

    /// A Ray worker killed mid-trial: Ray retries the task once (the trial died with its
    /// worker, so no orphan races the retry), and the sweep record stays consistent — every
    /// job's run exists, no trial is counted twice. Ctrl-C on the driver cancels the cluster's
    /// tasks: the running job and the sweep are recorded as interrupted.
    func testAKilledRayWorkerYieldsARetriedOrFailedTrial() throws {
        guard let python = ProcessInfo.processInfo.environment["GITML_RAY_PYTHON"] else {
            throw XCTSkip("set GITML_RAY_PYTHON to a Python with ray installed to run the Ray executor test")
        }
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 300, seeds: "[1]"))
        try ChurnProject.script.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        _ = try setUpClusterRemote()
        try setUpSweep("lost", Self.sweep(trials: 2, budget: "{ max_trials: 2 }", halving: false, parallel: 1))
        try setUpSweep("stopped", Self.sweep(trials: 2, budget: "{ max_trials: 2, max_wall_seconds: 90 }", halving: false, parallel: 1)
            .replacingOccurrences(of: "space:\n", with: "space:\n  model.rounds: { choice: [100000] }\n"))
        let script = rayScript(python: python, body: """
            git-ml sweep run lost --on ray --ray-address 127.0.0.1:6391 --ray-python "\(python)" --jobs 1 &
            sweep=$!
            trial=""
            for i in $(seq 1200); do trial=$(pgrep -f "[s]weep trial" | head -n 1 || true); [ -n "$trial" ] && break; sleep 0.05; done
            [ -n "$trial" ] || { echo "no trial process appeared" >&2; exit 9; }
            sleep 1
            # The trial's parent is `git ml cluster-task`, whose parent is the Ray worker.
            task=$(ps -o ppid= -p "$trial" | tr -d ' ')
            kill -9 "$(ps -o ppid= -p "$task" | tr -d ' ')"
            echo "killed the Ray worker of trial process $trial" >&2
            wait $sweep
            # An exec whose Ray worker is killed is retried: one run, recorded once.
            git-ml exec --on ray --ray-address 127.0.0.1:6391 --ray-python "\(python)" --suite churn --input churn-train@v1 \\
                -- sh -c "sleep 2 && python3 train.py" > /dev/null &
            execution=$!
            node=""
            for i in $(seq 1200); do node=$(pgrep -f "[e]xec --suite churn --experiment" | head -n 1 || true); [ -n "$node" ] && break; sleep 0.05; done
            [ -n "$node" ] || { echo "no exec process appeared" >&2; exit 9; }
            task=$(ps -o ppid= -p "$node" | tr -d ' ')
            kill -9 "$(ps -o ppid= -p "$task" | tr -d ' ')"
            echo "killed the Ray worker of exec process $node" >&2
            wait $execution
            # Ctrl-C on the driver cancels the cluster's tasks; the sweep is recorded as interrupted.
            git-ml sweep run stopped --on ray --ray-address 127.0.0.1:6391 --ray-python "\(python)" --jobs 1 &
            sweep=$!
            trial=""
            worker=""
            for i in $(seq 1200); do
                trial=$(pgrep -f "[s]weep trial" | head -n 1 || true)
                [ -n "$trial" ] && worker=$(pgrep -P "$trial" | head -n 1 || true)
                [ -n "$worker" ] && break
                sleep 0.05
            done
            [ -n "$worker" ] || { echo "no training worker appeared" >&2; exit 9; }
            kill -INT $sweep
            wait $sweep || echo "interrupted sweep exited $?" >&2
            """)
        let result = try run(["unshare", "-n", "bash", "-c", script], expect: nil)
        XCTAssertTrue(result.stderr.contains("killed the Ray worker"), result.stderr)
        let record = try sweepRecord("lost")
        let jobs = record["jobs"] as! [[String: Any]]
        XCTAssertEqual(jobs.count, 2, "the killed job is recorded once, retried or failed")
        XCTAssertTrue(jobs.allSatisfy { ["ok", "failed"].contains($0["status"] as? String ?? "") }, "\(jobs)")
        let trialRuns = try runs().filter { $0["kind"] as? String == "trial" && ($0["config"] as! [String: Any])["sweep"].map { ($0 as! [String: Any])["name"] as? String } == "lost" }
        XCTAssertEqual(Set(jobs.compactMap { $0["run"] as? String }), Set(trialRuns.filter { $0["status"] as? String == "ok" }.map { $0["id"] as! String }),
                       "every ok trial run is one job's, and no job is counted twice")
        XCTAssertTrue(result.stderr.contains("killed the Ray worker of exec"), result.stderr)
        let execs = try runs().filter { $0["kind"] as? String == "exec" }
        XCTAssertEqual(execs.map { $0["status"] as? String }, ["ok"], "the retried exec is recorded once: \(execs)")
        XCTAssertTrue(result.stderr.contains("interrupted sweep exited 1"), result.stderr)
        let stopped = try sweepRecord("stopped")
        XCTAssertEqual(stopped["status"] as? String, "interrupted")
        XCTAssertEqual((stopped["jobs"] as! [[String: Any]]).last?["status"] as? String, "interrupted", "the cancelled task's job")
    }

    /// A bash script that starts a 2-CPU Ray head on loopback (run it in `unshare -n`, where
    /// loopback is the only interface), runs `body`, and stops the head whatever happens. The
    /// head and its workers run in a mount namespace of their own where the repository's folder
    /// is an empty tmpfs, as on a node without a shared filesystem; they see
    /// GITML_TEST_REPOSITORY naming it.
    func rayScript(python: String, body: String) -> String {
        let bin = (python as NSString).deletingLastPathComponent
        return """
            set -e
            ip link set lo up
            ray_dir=/tmp/ray-gitml-$$
            GITML_TEST_REPOSITORY="\(repo!)" unshare -m sh -c 'mount -t tmpfs hidden "$1" && exec "$2/ray" start --head --node-ip-address=127.0.0.1 \\
                --port=6391 --num-cpus=2 --include-dashboard=false --disable-usage-stats --temp-dir="$3" > /dev/null' sh "\(repo!)" "\(bin)" "$ray_dir"
            trap '"\(bin)/ray" stop --force > /dev/null 2>&1; rm -rf $ray_dir' EXIT

            """ + body
    }

    /// Waits (up to two minutes, while `driver` runs) until sweep `name` has recorded `count`
    /// jobs; returns how many it has.
    func waitForJobs(_ count: Int, of name: String, while driver: Process) throws -> Int {
        let deadline = Date().addingTimeInterval(120)
        var jobs = 0
        while jobs < count, Date() < deadline, driver.isRunning {
            usleep(200_000)
            if let out = try? run("git", "ml", "sweep", "show", name, "--json", expect: nil).stdout,
               let record = try? json(out) as? [String: Any] {
                jobs = (record["jobs"] as? [Any])?.count ?? 0
            }
        }
        return jobs
    }

    /// `git ml push` carries the sweep's ref, and its later records as fast-forwards; a server
    /// refuses a sweep record that claims runs it does not have, and a rewritten sweep ref.
    func testPushCarriesTheSweepAndTheServerRefusesAForgedOne() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(seeds: "[1]"))
        let (bare, _, other) = try setUpSharing(defaultRemote: true)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        try setUpSweep("pushed", Self.sweep(trials: 2, budget: "{ max_trials: 2 }", halving: false, parallel: 1))
        try run("git", "ml", "sweep", "run", "pushed")
        try run("git", "ml", "push")
        let local = try run("git", "rev-parse", "refs/ml/sweeps/pushed").stdout
        XCTAssertEqual(try run("git", "rev-parse", "refs/ml/sweeps/pushed", in: bare).stdout, local)
        // A teammate's clone sees it after `git ml fetch`.
        try run("git", "clone", "-q", bare, other)
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "fetch", in: other)
        XCTAssertTrue(try run("git", "ml", "sweep", "log", in: other).stdout.hasPrefix("pushed  "))
        XCTAssertTrue(try run("git", "ml", "sweep", "show", "pushed", in: other).stdout.contains("<- chosen"))

        var forged = try SweepRecord(text: try run("git", "ml", "sweep", "show", "pushed", "--json").stdout)
        forged.name = "forged"
        forged.jobs[0].run = "sha256:" + String(repeating: "ab", count: 32)
        let commit = try writeSweepCommit(forged, message: "forged")
        let refused = try run("git", "push", "--no-verify", "origin", "\(commit):refs/ml/sweeps/forged", expect: 1)
        XCTAssertTrue(refused.stderr.contains("neither on this server nor in this push"), refused.stderr)
        let rewritten = try run("git", "push", "--no-verify", "origin", "+\(commit):refs/ml/sweeps/pushed", expect: 1)
        XCTAssertTrue(rewritten.stderr.contains("only moves forward"), rewritten.stderr)
        // Real trial runs, but a job's validation metric inflated beyond what its run recorded.
        var inflated = try SweepRecord(text: try run("git", "ml", "sweep", "show", "pushed", "--json").stdout)
        inflated.jobs[0].metric = 0.999
        let inflatedCommit = try writeSweepCommit(inflated, message: "inflated", parent: local.trimmingCharacters(in: .whitespacesAndNewlines))
        let lying = try run("git", "push", "--no-verify", "origin", "\(inflatedCommit):refs/ml/sweeps/pushed", expect: 1)
        XCTAssertTrue(lying.stderr.contains("job 0 does not say what its trial run"), lying.stderr)
        // A job that names no trial run claims a validation metric (nothing recorded it): the
        // server used to skip run-less jobs.
        var unrecorded = try SweepRecord(text: try run("git", "ml", "sweep", "show", "pushed", "--json").stdout)
        unrecorded.jobs[0].run = nil
        unrecorded.jobs[0].metric = 0.999
        let unrecordedCommit = try writeSweepCommit(unrecorded, message: "unrecorded",
                                                    parent: local.trimmingCharacters(in: .whitespacesAndNewlines))
        let claiming = try run("git", "push", "--no-verify", "origin", "\(unrecordedCommit):refs/ml/sweeps/pushed", expect: 1)
        XCTAssertTrue(claiming.stderr.contains("job 0 recorded no trial run, yet claims a validation metric or cost"), claiming.stderr)

        // Run again (every trial reused), the record moves forward, and the push is accepted.
        try run("git", "ml", "sweep", "run", "pushed")
        XCTAssertNotEqual(try run("git", "rev-parse", "refs/ml/sweeps/pushed").stdout, local)
        try run("git", "ml", "push")
        XCTAssertEqual(try run("git", "rev-parse", "refs/ml/sweeps/pushed", in: bare).stdout,
                       try run("git", "rev-parse", "refs/ml/sweeps/pushed").stdout)

        // The teammate resumes the fetched sweep (every trial and the evaluation reused from the
        // fetched runs): their record continues the chain, so their push is a fast-forward too.
        try run("git", "ml", "fetch", in: other)
        let resumed = try run("git", "ml", "sweep", "run", "pushed", in: other)
        XCTAssertTrue(resumed.stdout.contains("reused from an earlier invocation"), resumed.stdout)
        try run("git", "ml", "push", in: other)
        XCTAssertEqual(try run("git", "rev-parse", "refs/ml/sweeps/pushed", in: bare).stdout,
                       try run("git", "rev-parse", "refs/ml/sweeps/pushed", in: other).stdout)
    }

    /// A teammate who clones the shared repository and runs `git ml pull` sees the same review
    /// of a sweep's committed choice as the clone that ran the sweep: the sweep record and its
    /// trial runs travel with `git ml push`, and the review reads them where they were fetched.
    func testATeammatesCloneShowsTheSameSweepReview() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(seeds: "[1]"))
        let (bare, _, other) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote and policy")
        try setUpSweep("shared", Self.sweep(trials: 2, budget: "{ max_trials: 2 }", halving: false, parallel: 1))
        try run("git", "ml", "sweep", "run", "shared", "--jobs", "1")
        let evaluated = try XCTUnwrap(try sweepRecord("shared")["evaluated_run"] as? String)
        try run("git", "mlcommit", "-m", "the sweep's choice", String(evaluated.dropFirst(7).prefix(12)))
        try run("git", "ml", "push")
        let mine = try run("git", "ml", "review", "--base", "main").stdout
        XCTAssertTrue(mine.contains("### Sweep\n\nThe candidate is the chosen configuration of sweep `shared`"), mine)

        try run("git", "clone", "-q", bare, other)
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", in: other)
        let theirs = try run("git", "ml", "review", "--base", "main", in: other).stdout
        func sweepSection(_ review: String) -> String {
            String(review[(review.range(of: "### Sweep")?.lowerBound ?? review.endIndex)...])
        }
        XCTAssertFalse(sweepSection(mine).isEmpty)
        XCTAssertEqual(sweepSection(theirs), sweepSection(mine), "the teammate's review shows the same sweep:\n\(theirs)")
    }

    /// A hand-made sweep commit holding `record` as `sweep.json`, as a forger would write it.
    private func writeSweepCommit(_ record: SweepRecord, message: String, parent: String? = nil) throws -> String {
        try CanonicalJSON.pretty(record.json).write(toFile: repo + "/.git/forged.json", atomically: true, encoding: .utf8)
        let blob = try run("git", "hash-object", "-w", ".git/forged.json").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try run("sh", "-c", "printf '100644 blob \(blob)\\tsweep.json\\n' | git mktree").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return try run(["git", "commit-tree", tree, "-m", message] + (parent.map { ["-p", $0] } ?? [])).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
