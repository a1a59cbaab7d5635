import Foundation
import XCTest

/// `git ml run` checks its configuration against the data before it spends anything, leaves
/// identifier columns out of the features, treats missing categories as a category, and names
/// rows as the file numbers them.
final class RunPreflightTests: CLITestCase {
    private func recordedRuns() throws -> Int {
        (try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]).count
    }

    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8)
    }

    /// Typos in a slice, a guardrail's group column, a feature list, a split column or a hyperparameter, and an out-of-range
    /// value: each stops the run in the parent with file:line, the key and the nearest name; no
    /// worker starts, nothing is recorded, nothing counts as an evaluation.
    func testConfigurationErrorsStopTheRunBeforeTraining() throws {
        try setUpChurnProject()
        let experiment = ChurnProject.experiment()
        let cases: [(file: String, text: String, message: String)] = [
            ("ml/suites/churn.yaml", ChurnProject.suite.replacingOccurrences(of: "slices: [region]", with: "slices: [regoin]"),
             "ml/suites/churn.yaml:8: slices[0]: 'regoin' is not a column of churn-eval@v1 (did you mean 'region'?)"),
            ("ml/suites/churn.yaml", ChurnProject.suite.replacingOccurrences(of: "{ metric: ece, max: 0.5 }",
                                                                           with: "{ metric: ece, groups: regoin, max_gap: 0.5 }"),
             "ml/suites/churn.yaml:7: guardrails[0].groups: 'regoin' is not a column of churn-eval@v1 (did you mean 'region'?)"),
            ("ml/experiments/churn-gbdt.yaml", experiment.replacingOccurrences(of: "exclude: [customer_id]", with: "exclude: [customer_di]"),
             "ml/experiments/churn-gbdt.yaml:4: features.exclude[0]: 'customer_di' is not a column of churn-train@v1 (did you mean 'customer_id'?)"),
            ("ml/experiments/churn-gbdt.yaml", experiment.replacingOccurrences(of: "num_leaves: 15", with: "num_leafs: 15"),
             "ml/experiments/churn-gbdt.yaml:5: model.num_leafs: hyperparameter num_leafs=number(15.0): not a gbdt hyperparameter (did you mean 'num_leaves'?)"),
            ("ml/experiments/churn-gbdt.yaml", experiment.replacingOccurrences(of: "learning_rate: 0.1", with: "learning_rate: -0.1"),
             "ml/experiments/churn-gbdt.yaml:5: model.learning_rate: hyperparameter learning_rate=-0.1: > 0"),
            ("ml/experiments/churn-gbdt.yaml", experiment.replacingOccurrences(of: "{ split: random, fraction: 0.25 }",
                                                                               with: "{ split: time, column: region, fraction: 0.25 }"),
             "ml/experiments/churn-gbdt.yaml:3: validation.column: 'region' is text in churn-train@v1: a time split needs a time or number column"),
        ]
        for (file, text, message) in cases {
            try write(text, to: file)
            let result = try run("git", "ml", "run", "churn-gbdt", expect: 3)
            XCTAssertTrue(result.stderr.contains(message), "expected \(message)\ngot: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("the run was not started and nothing was recorded"), result.stderr)
            XCTAssertFalse(result.stderr.contains("train: gbdt"), "the worker must not start: \(result.stderr)")
            try run("git", "checkout", "--", file)
        }
        XCTAssertEqual(try recordedRuns(), 0)
        try run("git", "ml", "run", "churn-gbdt")
        XCTAssertEqual(try recordedRuns(), 1)
    }

    /// A support-ticket table: a text id unique per row, an integer id unique per row, a
    /// category with missing values, a number and the label; no contract, no entity.
    private func writeTickets(_ name: String, rows: Int, first: Int, nullLabelAt: Int? = nil) throws {
        var text = "ticket,number,channel,minutes,escalated\n"
        for i in 0..<rows {
            let channel = i % 6 == 0 ? "" : ["email", "phone", "chat"][i % 3]
            let minutes = Double((i * 37) % 50)
            let escalated = nullLabelAt == i + 1 ? "" : ((minutes > 30) != (i % 9 == 0) ? "1" : "0")
            text += "T-\(first + i),\(first * 10 + i),\(channel),\(minutes),\(escalated)\n"
        }
        try write(text, to: name)
    }

    private func setUpTickets(features: String = "", trainNullLabelAt: Int? = nil) throws {
        try run("git", "ml", "init")
        for directory in ["suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        try writeTickets("train.csv", rows: 400, first: 1, nullLabelAt: trainNullLabelAt)
        try writeTickets("eval.csv", rows: 200, first: 5000)
        try run("git", "ml", "data", "add", "train.csv", "--name", "tickets-train")
        try run("git", "ml", "data", "add", "eval.csv", "--name", "tickets-eval")
        try write("""
            task: binary
            label: { column: escalated, positive: "1" }
            eval: tickets-eval@v1
            primary: { metric: roc_auc }
            significance: { method: paired_bootstrap, resamples: 100, confidence: 0.95, seed: 7 }

            """, to: "ml/suites/tickets.yaml")
        try write("""
            suite: tickets
            train: tickets-train@v1
            \(features)
            model: { kind: logistic_regression }
            seed: 1

            """, to: "ml/experiments/tickets.yaml")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "tickets")
    }

    /// Identifier columns are not features unless named; a default logistic regression trains
    /// on a category with missing values.
    func testIdentifiersAreLeftOutAndMissingCategoriesTrain() throws {
        try setUpTickets()
        let result = try run("git", "ml", "run", "tickets")
        XCTAssertTrue(result.stderr.contains("left out identifier columns ticket (unique per row), number (unique per row)"), result.stderr)
        XCTAssertTrue(result.stdout.contains(": ok"), result.stdout)
        let record = (try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]])[0]
        let features = (record["config"] as! [String: Any])["features"] as! [String: Any]
        XCTAssertEqual(features["excluded_identifiers"] as? [String], ["ticket", "number"])

        // Named in features.include, an identifier is a feature again (and nothing is left out).
        try write(try String(contentsOfFile: repo + "/ml/experiments/tickets.yaml", encoding: .utf8)
                    .replacingOccurrences(of: "model:", with: "features: { include: [number, channel, minutes] }\nmodel:"),
                  to: "ml/experiments/tickets.yaml")
        try run("git", "commit", "-qam", "include number")
        let included = try run("git", "ml", "run", "tickets")
        XCTAssertFalse(included.stderr.contains("left out identifier"), included.stderr)
        // Both runs may carry the same created_at second: pick the one with the include list.
        let runs = try json(try run("git", "ml", "log", "--json").stdout) as! [[String: Any]]
        let latest = try XCTUnwrap(runs.first { (($0["config"] as! [String: Any])["features"] as! [String: Any])["include"] is [String] })
        XCTAssertEqual(((latest["config"] as! [String: Any])["features"] as! [String: Any])["excluded_identifiers"] as? [String], [])
    }

    /// A learner's complaint about a row names the row as the file numbers it (first data row
    /// is 1), not its index in the training split.
    func testRowErrorsNameTheFilesRow() throws {
        try setUpTickets(trainNullLabelAt: 27)
        let result = try run("git", "ml", "run", "tickets", expect: nil)
        XCTAssertTrue(result.stdout.contains("the training data: label nan at row 27: expected a label, not a null")
                      || result.stderr.contains("the training data: label nan at row 27: expected a label, not a null"),
                      result.stdout + result.stderr)
    }

    /// Only runs that scored the evaluation set count as looks at it: a configuration error
    /// records nothing, and a run stopped over budget saw no result.
    func testOnlyRunsThatScoredTheEvalSetCountAsEvaluations() throws {
        try setUpChurnProject()
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try ChurnProject.suite.replacingOccurrences(of: "slices: [region]", with: "slices: [regoin]")
            .write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try run("git", "ml", "run", "churn-gbdt", expect: 3)
        try run("git", "checkout", "--", "ml/suites/churn.yaml")
        try ChurnProject.experiment(rounds: 100_000, seeds: "[1]", budget: "budget: { max_cpu_seconds: 1 }")
            .write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        try run("git", "ml", "run", "churn-gbdt", expect: 1)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy")
        try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        let verdict = (try json(try run("git", "ml", "gate", "--base", "main", "--json").stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["evaluations_spent"] as? Int, 1, "only the run that scored the evaluation set")
    }
}
