import Foundation
import XCTest

/// A multiclass use case across branches: `git ml run` → `git mlcommit` → `diff` (per-class
/// deltas with intervals) → `gate` (promote the better model, reject one that breaks a class's
/// recall floor) → `review` (Markdown and HTML), and a candidate trained for other classes
/// than the base's suite declares is refused, naming both lists.
final class MulticlassWorkflowTests: CLITestCase {
    /// The triage suite with an operating point (a cost matrix deciding by least expected cost),
    /// a recall floor, a per-class non-inferiority guardrail and a per-slice one.
    static let suite = """
        task: multiclass
        label: { column: team, classes: [billing, network, other] }
        eval: tickets-eval@v1
        primary:
          metric: log_loss
          cost: [[0, 1, 1], [4, 0, 1], [1, 1, 0]]
        guardrails:
          - { metric: recall, class: network, min: 0.5 }
          - { metric: recall, class: billing, non_inferiority_margin: 0.1 }
          - { metric: expected_cost, max: 0.8 }
          - { metric: accuracy, slices: [channel], non_inferiority_margin: 0.15, min_slice_rows: 50 }
        slices: [channel]
        significance: { resamples: 200, seed: 5 }

        """

    static let policy = """
        protected: [main]
        benchmark: { min_effect: 0.0, confidence: 0.95 }
        deployment: { promote: all_pass, shadow: never, reject: otherwise }

        """

    /// `MulticlassRunCLITests.experiment(model)` leaving out `exclude` and trained with `seeds`.
    private static func experiment(_ model: String, exclude: [String] = ["ticket_id"], seeds: [Int] = [1]) -> String {
        MulticlassRunCLITests.experiment(model)
            .replacingOccurrences(of: "exclude: [ticket_id]", with: "exclude: [\(exclude.joined(separator: ", "))]")
            .replacingOccurrences(of: "seeds: [1]", with: "seeds: [\(seeds.map(String.init).joined(separator: ", "))]")
    }

    private func setUpTriage() throws {
        try setUpTriageProject(suite: Self.suite, trainRows: 1500, evalRows: 900, files: ["ml/gate.yaml": Self.policy])
    }

    /// Runs `experiment` as ml/experiments/triage.yaml and commits the run as the candidate.
    @discardableResult
    private func runTriage(_ experiment: String, message: String) throws -> String {
        try experiment.write(toFile: repo + "/ml/experiments/triage.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "experiment: \(message)")
        try run("git", "ml", "run", "triage")
        let id = try latestRunID()
        try run("git", "mlcommit", "-m", message, id)
        return id
    }

    func testMulticlassDiffGateReviewAcrossBranches() throws {
        try setUpTriage()
        // A heavily regularized multinomial logistic model on main, recorded as champion.
        try runTriage(Self.experiment("{ kind: logistic_regression, l2: 200.0 }"), message: "logistic")
        let first = try run("git", "ml", "gate", "--base", "main", "--head", "HEAD", "--record")
        XCTAssertTrue(first.stdout.contains("PROMOTE"), first.stdout)

        // Softmax GBDT on a branch: diff shows the per-class deltas, the gate promotes it.
        try run("git", "checkout", "-qb", "gbdt")
        try runTriage(Self.experiment("{ kind: gbdt, rounds: 60, num_leaves: 15, learning_rate: 0.2 }"), message: "gbdt")
        let diff = try run("git", "ml", "diff").stdout
        XCTAssertTrue(diff.contains("log_loss: A "), diff)
        XCTAssertTrue(diff.contains("McNemar p") && diff.contains("Stuart–Maxwell p"), diff)
        for team in ["billing", "network", "other"] {
            XCTAssertTrue(diff.contains("recall(class=\(team)): A "), "per-class recall delta of \(team): \(diff)")
        }
        let diffJSON = (try json(try run("git", "ml", "diff", "--json").stdout) as! [[String: Any]])[0]
        let comparison = try XCTUnwrap(diffJSON["comparison"] as? [String: Any])
        let perClass = try XCTUnwrap(comparison["per_class"] as? [[String: Any]], "\(comparison)")
        XCTAssertEqual(perClass.count, 6, "recall and precision of each class")
        for entry in perClass {
            let interval = try XCTUnwrap(entry["interval"] as? [String: Double])
            let difference = try XCTUnwrap(entry["difference"] as? Double)
            XCTAssertLessThanOrEqual(interval["lower"]!, difference)
            XCTAssertGreaterThanOrEqual(interval["upper"]!, difference)
        }

        let gate = try run("git", "ml", "gate", "--base", "main", "--json")
        let verdict = (try json(gate.stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["decision"] as? String, "promote", gate.stdout)
        let primary = try XCTUnwrap(verdict["primary"] as? [String: Any])
        XCTAssertLessThan(try XCTUnwrap(primary["candidate"] as? Double), try XCTUnwrap(primary["champion"] as? Double))
        XCTAssertNotNil(primary["stuart_maxwell_p_value"] as? Double, "\(primary)")
        XCTAssertNotNil(primary["mcnemar_p_value"] as? Double, "\(primary)")
        let guardrails = try XCTUnwrap(verdict["guardrails"] as? [[String: Any]])
        XCTAssertEqual(guardrails.map { $0["outcome"] as? String }, ["pass", "pass", "pass", "pass"], "\(guardrails)")

        // The review: Markdown with the guardrail rows, HTML with the multiclass plots.
        let markdown = try run("git", "ml", "review", "--base", "main").stdout
        for row in ["recall(class=network) (guardrail)", "expected_cost (guardrail)", "accuracy (guardrail)"] {
            XCTAssertTrue(markdown.contains(row), "\(row): \(markdown)")
        }
        let html = repo + "-review.html"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: html) }
        try run("git", "ml", "review", "--base", "main", "--format", "html", "-o", html)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        for id in ["confusion-matrix", "class-recall", "top-label-reliability"] {
            XCTAssertTrue(page.contains("id=\"\(id)\""), "\(id) plot")
        }

        // Merged and recorded: the GBDT is the champion. A GBDT blind to latency cannot tell
        // network tickets: its network recall breaks the floor, and the gate rejects it (its two
        // seeds' probability columns are read and re-scored too).
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "gbdt")
        try run("git", "ml", "gate", "--base", "main~1", "--head", "main", "--record")
        try run("git", "checkout", "-qb", "blind")
        try runTriage(Self.experiment("{ kind: gbdt, rounds: 60, num_leaves: 15, learning_rate: 0.2, bagging_fraction: 0.8 }",
                                               exclude: ["ticket_id", "latency"], seeds: [1, 2]), message: "gbdt without latency")
        let worse = try run("git", "ml", "gate", "--base", "main", expect: 1)
        XCTAssertTrue(worse.stdout.contains("REJECT"), worse.stdout)
        XCTAssertTrue(worse.stdout.contains("recall(class=network)") && worse.stdout.contains("< min 0.5"), worse.stdout)
        XCTAssertTrue(worse.stdout.contains("two-level bootstrap"), "two seeds that differ: \(worse.stdout)")
    }

    func testCandidateOfOtherClassesIsRefusedNamingBothLists() throws {
        try setUpTriage()
        try run("git", "checkout", "-qb", "reordered")
        try Self.suite.replacingOccurrences(of: "[billing, network, other]", with: "[network, billing, other]")
            .write(toFile: repo + "/ml/suites/triage.yaml", atomically: true, encoding: .utf8)
        try runTriage(Self.experiment("{ kind: logistic_regression }"), message: "reordered classes")
        let refused = try run("git", "ml", "gate", "--base", "main", expect: 2)
        XCTAssertTrue(refused.stderr.contains("[network, billing, other]") && refused.stderr.contains("[billing, network, other]"),
                      refused.stderr)
    }

    /// The server's pre-receive gate judges multiclass candidates too: from the blob remote it
    /// reads their probabilities, accepts the first model and refuses one that breaks the
    /// network recall floor.
    func testServerGateRefusesAMulticlassCandidateBreakingARecallFloor() throws {
        try setUpTriage()
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        try run("git", "ml", "push")
        try runTriage(Self.experiment("{ kind: gbdt, rounds: 30, num_leaves: 15, learning_rate: 0.2 }"), message: "gbdt")
        try run("git", "ml", "push")
        XCTAssertEqual(try run("git", "rev-list", "--count", "refs/ml/promotions/triage", in: bare).stdout, "1\n", "recorded as champion")
        try runTriage(Self.experiment("{ kind: gbdt, rounds: 30, num_leaves: 15, learning_rate: 0.2 }",
                                               exclude: ["ticket_id", "latency"]), message: "gbdt without latency")
        let refused = try run("git", "ml", "push", expect: 3)
        XCTAssertTrue(refused.stderr.contains("the gate rejects") && refused.stderr.contains("recall(class=network)"), refused.stderr)
    }

    /// A rule-based router as an external command: one probability column per declared class.
    static let router = """
        import csv, os
        def probabilities(row):
            team = "billing" if float(row["amount"]) > 60 else "network" if float(row["latency"]) > 25 else "other"
            return [0.8 if name == team else 0.1 for name in ("billing", "network", "other")]
        with open(os.environ["GITML_EVAL"]) as f:
            rows = list(csv.DictReader(f))
        with open(os.path.join(os.environ["GITML_OUTPUT"], "evaluation_predictions.csv"), "w") as out:
            out.write("row,p_billing,p_network,p_other\\n")
            for i, row in enumerate(rows):
                out.write(f"{i}," + ",".join(repr(p) for p in probabilities(row)) + "\\n")

        """

    /// `git ml exec` for a multiclass suite: the command writes `p_<class>` columns, GitML stores
    /// them in the multiclass predictions format, and the gate judges the run (its probabilities
    /// read with the base suite's classes); a file whose probabilities do not sum to 1 is refused.
    func testExecRunOfAMulticlassSuiteIsEvaluatedAndGated() throws {
        try setUpTriage()
        try Self.router.write(toFile: repo + "/route.py", atomically: true, encoding: .utf8)
        try run("git", "add", "route.py")
        try run("git", "commit", "-qm", "router")
        let result = try run("git", "ml", "exec", "--suite", "triage", "--input", "tickets-train@v1", "--", "python3", "route.py")
        XCTAssertTrue(result.stdout.contains(": ok"), result.stdout + result.stderr)
        let record = (try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]])[0]
        let headline = try XCTUnwrap((record["metrics"] as? [String: Any])?["headline"] as? [String: Any])
        XCTAssertEqual(headline["metric"] as? String, "log_loss")
        XCTAssertLessThan(try XCTUnwrap(headline["value"] as? Double), Foundation.log(3.0))
        try run("git", "mlcommit", "-m", "router", try latestRunID())
        let verdict = (try json(try run("git", "ml", "gate", "--base", "main", "--json").stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["decision"] as? String, "promote", "\(verdict)")

        try Self.router.replacingOccurrences(of: "0.8 if", with: "0.9 if").write(toFile: repo + "/route.py", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "router that does not sum to 1")
        let refused = try run("git", "ml", "exec", "--suite", "triage", "--input", "tickets-train@v1", "--", "python3", "route.py", expect: 1)
        XCTAssertTrue(refused.stdout.contains("evaluation_predictions.csv: line 2: the probabilities sum to"), refused.stdout + refused.stderr)
    }

    /// `predict.py` for the router: its thresholds from the stored model file, one probability
    /// per declared class (`high` for the routed team, `low` for the others).
    private static func routerPredict(high: String = "0.8", low: String = "0.1") -> String {
        """
        import csv, json, os
        with open(os.path.join(os.environ["GITML_MODEL"], "model.json")) as f:
            m = json.load(f)
        with open(os.environ["GITML_PREDICT_INPUT"]) as f:
            rows = list(csv.DictReader(f))
        with open(os.path.join(os.environ["GITML_OUTPUT"], "predictions.csv"), "w") as out:
            out.write("row,p_billing,p_network,p_other\\n")
            for i, r in enumerate(rows):
                team = "billing" if float(r["amount"]) > m["billing"] else "network" if float(r["latency"]) > m["network"] else "other"
                out.write(f"{i}," + ",".join("\(high)" if n == team else "\(low)" for n in ("billing", "network", "other")) + "\\n")

        """
    }

    /// `git ml predict` of a multiclass exec run: the declared predict command's `p_<class>`
    /// columns, one per class of the run's suite, each row summing to 1; a command whose
    /// probabilities do not sum to 1 is refused, naming the line.
    func testPredictOfAMulticlassExecRunWritesOneColumnPerClass() throws {
        try setUpTriage()
        let train = Self.router + """
            with open(os.path.join(os.environ["GITML_OUTPUT"], "model.json"), "w") as f:
                f.write('{"billing": 60, "network": 25}')

            """
        try train.write(toFile: repo + "/route.py", atomically: true, encoding: .utf8)
        try Self.routerPredict().write(toFile: repo + "/predict.py", atomically: true, encoding: .utf8)
        try run("git", "add", "route.py", "predict.py")
        try run("git", "commit", "-qm", "router with a predict command")
        try run("git", "ml", "exec", "--suite", "triage", "--input", "tickets-train@v1", "--predict-command", "python3 predict.py",
                "--", "python3", "route.py")
        let router = try latestRunID()
        let lines = try run("git", "ml", "predict", router, "tickets-eval@v1").stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 901, "a header and a line per evaluation row")
        XCTAssertTrue(lines[0].hasPrefix("row") && lines[0].hasSuffix(",p_billing,p_network,p_other"), String(lines[0]))
        for line in lines.dropFirst() {
            let probabilities = line.split(separator: ",").suffix(3).map { Double($0)! }
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-9, String(line))
            XCTAssertEqual(probabilities.max(), 0.8, String(line))
        }
        // The stored evaluation predictions were written by the same rule: the same probabilities.
        let first = try XCTUnwrap(lines.dropFirst().first).split(separator: ",").suffix(3).map { Double($0)! }
        let evalFirst = try String(contentsOfFile: repo + "/eval.csv", encoding: .utf8).split(separator: "\n")[1].split(separator: ",")
        let team = Double(evalFirst[1])! > 60 ? 0 : Double(evalFirst[2])! > 25 ? 1 : 2
        XCTAssertEqual(first.firstIndex(of: 0.8), team)

        try Self.routerPredict(high: "0.9").write(toFile: repo + "/predict.py", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "predict command whose probabilities do not sum to 1")
        try run("git", "ml", "exec", "--suite", "triage", "--input", "tickets-train@v1", "--predict-command", "python3 predict.py",
                "--", "python3", "route.py")
        let refused = try run("git", "ml", "predict", try latestRunID(), "tickets-eval@v1", expect: nil)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("predictions.csv (written by `python3 predict.py`): line 2: the probabilities sum to"),
                      refused.stderr)
    }
}
