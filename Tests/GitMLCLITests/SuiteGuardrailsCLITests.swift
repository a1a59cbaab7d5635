import Foundation
import XCTest

/// The suite guardrails beyond bounds through `git ml run`: a regression run with prediction
/// intervals judged on their coverage, per-district gaps of MAE and mean residual, calibration
/// by decile and a tiered cost; a multiclass run with a per-channel error-rate gap and Bayes
/// decisions. The run record carries each guardrail's value and details, and `reproduce`
/// recomputes them identically.
final class SuiteGuardrailsCLITests: CLITestCase {
    /// Initializes GitML (a no-op after `setUpSharing`), writes the suite, adds the data and
    /// commits everything.
    private func project(suite: String, name: String, train: String, eval: String) throws {
        try run("git", "ml", "init")
        for directory in ["suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        try suite.write(toFile: repo + "/ml/suites/\(name).yaml", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "train.csv", "--name", train)
        try run("git", "ml", "data", "add", "eval.csv", "--name", eval)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "\(name) project")
    }

    /// Runs the experiment, checks that `reproduce` is identical, and returns the record's guardrails.
    private func runGuardrails(_ experiment: String, name: String) throws -> [[String: Any]] {
        try experiment.write(toFile: repo + "/ml/experiments/\(name).yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "experiment \(name)")
        try run("git", "ml", "run", name)
        let record = (try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]])[0]
        let id = String((record["id"] as! String).dropFirst(7).prefix(12))
        let reproduced = try run("git", "ml", "reproduce", id)
        XCTAssertTrue(reproduced.stdout.contains("identical"), reproduced.stdout)
        let metrics = try XCTUnwrap(record["metrics"] as? [String: Any], "\(record)")
        return try XCTUnwrap(metrics["guardrails"] as? [[String: Any]], "\(metrics)")
    }

    func testRegressionRunReportsCoverageGroupGapsAndTieredCost() throws {
        try RegressionWorkflowTests.writePrices(repo + "/train.csv", rows: 1200, firstID: 1, seed: 1)
        try RegressionWorkflowTests.writePrices(repo + "/eval.csv", rows: 600, firstID: 100_000, seed: 2)
        try project(suite: """
            task: regression
            label: { column: price }
            eval: prices-eval@v1
            primary: { metric: expected_cost, cost: { under: [{ up_to: 20, per_unit: 1 }, { per_unit: 4 }], over: 1 } }
            guardrails:
              - { metric: interval_coverage, interval: [0.1, 0.9] }
              - { metric: mae, groups: district, max_gap: 30, min_slice_rows: 50 }
              - { metric: mean_residual, groups: district, max_gap: 30 }
              - { metric: max_decile_residual, max: 40 }
            significance: { resamples: 100, seed: 5 }

            """, name: "prices", train: "prices-train", eval: "prices-eval")
        // The experiment's `intervals` (quantile GBDTs beside the point model) write the q_ columns.
        let guardrails = try runGuardrails(RegressionWorkflowTests.experiment(
            "{ kind: gbdt, rounds: 60, num_leaves: 15, learning_rate: 0.1 }\nintervals: [0.1, 0.9]"), name: "prices")

        let coverage = try XCTUnwrap(guardrails[0]["coverage"] as? [String: Any], "\(guardrails[0])")
        XCTAssertEqual(coverage["rows"] as? Int, 600)
        XCTAssertEqual(try XCTUnwrap(coverage["nominal"] as? Double), 0.8, accuracy: 1e-12)
        let share = try XCTUnwrap(coverage["coverage"] as? Double)
        XCTAssertGreaterThan(share, 0.5, "the quantile models bracket most targets")
        let estimate = try XCTUnwrap(guardrails[0]["estimate"] as? [String: Any])
        XCTAssertEqual(estimate["value"] as? Double, share)
        XCTAssertNotNil(guardrails[0]["within_bounds"] as? Bool)

        for guardrail in guardrails[1...2] {
            let groups = try XCTUnwrap(guardrail["groups"] as? [String: Any], "\(guardrail)")
            let each = try XCTUnwrap(groups["groups"] as? [[String: Any]])
            XCTAssertEqual(Set(each.compactMap { $0["value"] as? String }), ["center", "harbor", "hills", "suburb"])
            XCTAssertTrue(each.allSatisfy { $0["interval"] != nil }, "\(each)")
            let gap = try XCTUnwrap(groups["gap"] as? Double)
            XCTAssertEqual((guardrail["estimate"] as? [String: Any])?["value"] as? Double, gap)
            XCTAssertEqual(guardrail["within_bounds"] as? Bool, gap <= 30)
        }
        let decile = try XCTUnwrap((guardrails[3]["estimate"] as? [String: Any])?["value"] as? Double, "\(guardrails[3])")
        XCTAssertEqual(guardrails[3]["within_bounds"] as? Bool, decile <= 40)
    }

    /// The gate measures `interval_coverage` on the candidate's `q_` columns once they are
    /// re-scored from its recorded quantile models: an honest run passes the client gate (its
    /// review shows the coverage counts) and the server's pre-receive hook; a copy whose stored intervals were widened by hand is refused by
    /// both, naming the column, as a forged score is.
    func testGateMeasuresIntervalCoverageAndRefusesWidenedIntervals() throws {
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try RegressionWorkflowTests.writePrices(repo + "/train.csv", rows: 1200, firstID: 1, seed: 1)
        try RegressionWorkflowTests.writePrices(repo + "/eval.csv", rows: 600, firstID: 100_000, seed: 2)
        try FileManager.default.createDirectory(atPath: repo + "/ml/experiments", withIntermediateDirectories: true)
        try RegressionWorkflowTests.policy.replacingOccurrences(of: "require_attestation: true", with: "require_attestation: false")
            .write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try project(suite: """
            task: regression
            label: { column: price }
            eval: prices-eval@v1
            primary: { metric: rmse }
            guardrails:
              - { metric: interval_coverage, interval: [0.1, 0.9] }
            significance: { resamples: 100, seed: 5 }

            """, name: "prices", train: "prices-train", eval: "prices-eval")
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        try run("git", "ml", "push")

        try run("git", "checkout", "-qb", "intervals")
        // Small trees with large leaves: quantile models that do not overfit the training rows.
        try RegressionWorkflowTests.experiment("{ kind: gbdt, rounds: 60, num_leaves: 4, min_data_in_leaf: 100, learning_rate: 0.1 }\nintervals: [0.1, 0.9]")
            .write(toFile: repo + "/ml/experiments/prices.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "experiment with intervals")
        try run("git", "ml", "run", "prices")
        let honest = try latestRunID()
        try run("git", "mlcommit", "-m", "gbdt with intervals", honest)
        let verdict = (try json(try run("git", "ml", "gate", "--base", "main", "--json").stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["decision"] as? String, "promote", "\(verdict)")
        let coverage = try XCTUnwrap((verdict["guardrails"] as? [[String: Any]])?.first, "\(verdict)")
        XCTAssertNotNil(coverage["candidate"] as? Double, "measured by the gate: \(coverage)")
        XCTAssertEqual(coverage["outcome"] as? String, "pass", "\(coverage)")
        XCTAssertTrue((coverage["evidence"] as? String ?? "").contains("holds nominal 0.8"), "\(coverage)")
        let review = try run("git", "ml", "review", "--base", "main").stdout
        XCTAssertTrue(review.contains("| interval_coverage(0.1–0.9) | all rows | 600 | "), review)
        try run("git", "ml", "push")
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--ff-only", "intervals")
        try run("git", "push", "--no-verify", "origin", "main")

        // The same run with every stored interval widened by 5 on each side.
        try run("git", "checkout", "-qb", "widened")
        let original = try record(of: honest)
        let lines = try artifactText(original.artifacts["predictions/evaluation"]!).split(separator: "\n")
        XCTAssertEqual(lines[0], "row,label,score,q_0.1,q_0.9")
        var text = String(lines[0]) + "\n"
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            text += "\(fields[0]),\(fields[1]),\(fields[2]),\(Double(fields[3])! - 5),\(Double(fields[4])! + 5)\n"
        }
        let widened = try storeText(text)
        try forgeRecord(of: honest) { $0.artifacts["predictions/evaluation"] = widened }
        let message = "600 values of q_0.1 differ from its recorded q_0.1 quantile model's"
        let refused = try run("git", "ml", "gate", "--base", "main", expect: 2)
        XCTAssertTrue(refused.stderr.contains(message), refused.stderr)
        try run("git", "ml", "push")
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "--ff-only", "widened")
        let pushed = try run("git", "push", "--no-verify", "origin", "main", expect: 1)
        XCTAssertTrue(pushed.stderr.contains(message), pushed.stderr)

        // Dropping the columns would leave the guardrail unmeasured: refused too.
        try run("git", "reset", "-q", "--hard", "origin/main")
        try run("git", "checkout", "-qb", "dropped")
        let pointOnly = lines.map { $0.split(separator: ",").prefix(3).joined(separator: ",") }.joined(separator: "\n") + "\n"
        let dropped = try storeText(pointOnly)
        try forgeRecord(of: honest) { $0.artifacts["predictions/evaluation"] = dropped }
        let unmeasured = try run("git", "ml", "gate", "--base", "main", expect: 2)
        XCTAssertTrue(unmeasured.stderr.contains("they hold interval columns [], the run's quantile models are [q_0.1, q_0.9]"), unmeasured.stderr)
    }

    func testMulticlassRunReportsTheErrorRateGapUnderBayesDecisions() throws {
        try MulticlassRunCLITests.writeTickets(repo + "/train.csv", rows: 900, firstID: 1, seed: 1)
        try MulticlassRunCLITests.writeTickets(repo + "/eval.csv", rows: 600, firstID: 100_000, seed: 2)
        try project(suite: """
            task: multiclass
            label: { column: team, classes: [billing, network, other] }
            eval: tickets-eval@v1
            primary: { metric: expected_cost, cost: [[0, 4, 1], [2, 0, 1], [1, 1, 0]], decision: bayes }
            guardrails:
              - { metric: error_rate, groups: channel, max_gap: 0.2 }
              - { metric: recall, class: network, min: 0.3 }
            significance: { resamples: 100, seed: 3 }

            """, name: "triage", train: "tickets-train", eval: "tickets-eval")
        let guardrails = try runGuardrails(MulticlassRunCLITests.experiment("{ kind: logistic_regression, l2: 1.0 }"), name: "triage")
        let groups = try XCTUnwrap(guardrails[0]["groups"] as? [String: Any], "\(guardrails[0])")
        let each = try XCTUnwrap(groups["groups"] as? [[String: Any]])
        XCTAssertEqual(Set(each.compactMap { $0["value"] as? String }), ["mail", "phone", "chat"])
        let rates = each.compactMap { ($0["metric"] as? [String: Any])?["value"] as? Double }
        XCTAssertEqual(rates.count, 3)
        XCTAssertEqual(try XCTUnwrap(groups["gap"] as? Double), rates.max()! - rates.min()!, accuracy: 1e-12)
        // The channel does not decide the team, so the error rates are alike.
        XCTAssertEqual(guardrails[0]["within_bounds"] as? Bool, true, "\(groups)")
    }
}
