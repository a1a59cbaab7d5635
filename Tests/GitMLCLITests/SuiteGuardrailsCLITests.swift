import Foundation
import XCTest

/// The suite guardrails beyond bounds through `git ml run`: a regression run with prediction
/// intervals judged on their coverage, per-district gaps of MAE and mean residual, calibration
/// by decile and a tiered cost; a multiclass run with a per-channel error-rate gap and Bayes
/// decisions. The run record carries each guardrail's value and details, and `reproduce`
/// recomputes them identically.
final class SuiteGuardrailsCLITests: CLITestCase {
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
