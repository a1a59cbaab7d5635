import Foundation
import XCTest

/// A regression use case end to end: a prices table, GBDT and ridge experiments, `git ml run` →
/// `git mlcommit` → `reproduce` → `diff` across branches → `gate` → `review`, and `git ml eval
/// --task regression` against scikit-learn's numbers.
final class RegressionWorkflowTests: CLITestCase {
    static let suite = """
        task: regression
        label: { column: price }
        eval: prices-eval@v1
        entity: listing_id
        primary: { metric: rmse }
        guardrails:
          - { metric: mean_residual, max_abs: 25 }
          - { metric: mae, slices: [district], non_inferiority_margin: 5, min_slice_rows: 50 }
        slices: [district]
        significance: { resamples: 200, seed: 11 }

        """

    static let policy = """
        protected: [main]
        benchmark: { min_effect: 0.0, confidence: 0.95 }
        reproducibility: { require_attestation: true, tolerance: 1.0e-9 }
        deployment: { promote: all_pass, shadow: never, reject: otherwise }

        """

    static func experiment(_ model: String) -> String {
        """
        suite: prices
        train: prices-train@v1
        validation: { split: random, fraction: 0.2 }
        features: { exclude: [listing_id] }
        model: \(model)
        seeds: [1]

        """
    }

    /// Listings whose price is nonlinear in area and rooms with a district premium and noise.
    static func writePrices(_ path: String, rows: Int, firstID: Int, seed: UInt64) throws {
        var state = seed
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let districts = ["center", "harbor", "hills", "suburb"]
        let premium = ["center": 120.0, "harbor": 60.0, "hills": 30.0, "suburb": 0.0]
        var text = "listing_id,area,rooms,age,district,price\n"
        for i in 0..<rows {
            let area = 30 + unit() * 120, rooms = Double(1 + Int(unit() * 5)), age = unit() * 80
            let district = districts[Int(unit() * 4) % 4]
            let price = 50 + 2.2 * area + 0.01 * area * area + 15 * rooms - 0.8 * age + premium[district]!
                + (age > 50 ? -40 : 0) + (unit() - 0.5) * 30
            text += "\(firstID + i),\(String(format: "%.2f", area)),\(Int(rooms)),\(String(format: "%.1f", age)),\(district),\(String(format: "%.2f", price))\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func runPrices(_ experiment: String, message: String) throws -> String {
        try experiment.write(toFile: repo + "/ml/experiments/prices.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "experiment: \(message)")
        try run("git", "ml", "run", "prices")
        let id = try latestRunID()
        let reproduced = try run("git", "ml", "reproduce", id, "--sign")
        XCTAssertTrue(reproduced.stdout.contains("identical"), reproduced.stdout)
        try run("git", "mlcommit", "-m", message, id)
        try run("git", "mlcommit", "-m", "attest \(message)")
        return id
    }

    func testRegressionRunReproduceDiffGateReview() throws {
        try run("git", "ml", "init")
        for directory in ["suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        try Self.suite.write(toFile: repo + "/ml/suites/prices.yaml", atomically: true, encoding: .utf8)
        try Self.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try Self.writePrices(repo + "/train.csv", rows: 1500, firstID: 1, seed: 1)
        try Self.writePrices(repo + "/eval.csv", rows: 800, firstID: 100_000, seed: 2)
        try run("git", "ml", "data", "add", "train.csv", "--name", "prices-train")
        try run("git", "ml", "data", "add", "eval.csv", "--name", "prices-eval")
        let key = try makeSSHKey("ci")
        try "ci@example.com \(try String(contentsOfFile: key + ".pub", encoding: .utf8))"
            .write(toFile: repo + "/ml/allowed_signers", atomically: true, encoding: .utf8)
        try run("git", "config", "user.signingkey", key)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "prices project")

        // A ridge baseline on main, recorded as champion.
        let linear = try runPrices(Self.experiment("{ kind: linear_regression, l2: 1.0 }"), message: "ridge")
        let first = try run("git", "ml", "gate", "--base", "main", "--head", "HEAD", "--record")
        XCTAssertTrue(first.stdout.contains("promote"), first.stdout)

        // GBDT on a branch: it captures the nonlinearity, so it is promoted over the ridge.
        try run("git", "checkout", "-qb", "gbdt")
        let gbdt = try runPrices(Self.experiment("{ kind: gbdt, rounds: 200, num_leaves: 15, learning_rate: 0.1 }"), message: "gbdt")
        let diff = try run("git", "ml", "diff")
        XCTAssertTrue(diff.stdout.contains("rmse"), diff.stdout)
        let gate = try run("git", "ml", "gate", "--base", "main", "--json")
        let verdict = (try json(gate.stdout) as! [[String: Any]])[0]
        XCTAssertEqual(verdict["decision"] as? String, "promote", gate.stdout)
        let primary = try XCTUnwrap(verdict["primary"] as? [String: Any])
        XCTAssertLessThan(try XCTUnwrap(primary["candidate"] as? Double), try XCTUnwrap(primary["champion"] as? Double))

        // The review: text, and HTML with the regression plots.
        XCTAssertTrue(try run("git", "ml", "review", "--base", "main").stdout.contains("rmse"))
        let html = repo + "-review.html"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: html) }
        try run("git", "ml", "review", "--base", "main", "--format", "html", "-o", html)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(page.contains("Predicted vs actual"), page)
        XCTAssertTrue(page.contains("Residual by prediction decile"), page)
        XCTAssertTrue(page.contains("id=\"slice-metric-0\"") && page.contains("rmse by district"), "per-district error with intervals")

        // The ridge on another branch, against the GBDT champion: worse, so rejected.
        try run("git", "checkout", "-q", "main")
        try run("git", "merge", "-q", "gbdt")
        try run("git", "ml", "gate", "--base", "main~1", "--head", "main", "--record")
        try run("git", "checkout", "-qb", "ridge-again")
        _ = try runPrices(Self.experiment("{ kind: linear_regression, l2: 10.0 }"), message: "ridge l2=10")
        let worse = try run("git", "ml", "gate", "--base", "main", expect: 1)
        XCTAssertTrue(worse.stdout.contains("reject"), worse.stdout)
        _ = (linear, gbdt)
    }

    /// `git ml eval --task regression` prints scikit-learn's numbers for a predictions file.
    func testEvalMatchesScikitLearn() throws {
        struct Case: Decodable {
            let name: String
            let targets, predictions: [Double]
            let weights: [Double]?
            let rmse, mae, median_ae: Double
            let r2: Double?
        }
        struct Golden: Decodable { let cases: [Case] }
        struct TTest: Decodable { let p_value: Double }
        struct TCase: Decodable { let targets, baseline, candidate: [Double]; let squared: TTest }
        struct TGolden: Decodable { let paired_t: [TCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EvaluationTests/Golden/regression.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        let c = try XCTUnwrap(golden.cases.first { $0.name == "weighted" })
        var text = "y,p,w\n"
        for row in c.targets.indices { text += "\(c.targets[row]),\(c.predictions[row]),\(c.weights![row])\n" }
        try text.write(toFile: repo + "/preds.csv", atomically: true, encoding: .utf8)
        let output = try run("git", "ml", "eval", "preds.csv", "--label", "y", "--score", "p", "--weight", "w", "--task", "regression", "--json")
        let report = try XCTUnwrap((try json(output.stdout) as? [String: Any])?["evaluation"] as? [String: Any])
        func value(_ key: String) throws -> Double { try XCTUnwrap((report[key] as? [String: Any])?["value"] as? Double, key) }
        XCTAssertEqual(try value("rmse"), c.rmse, accuracy: 1e-9)
        XCTAssertEqual(try value("mae"), c.mae, accuracy: 1e-9)
        XCTAssertEqual(try value("median_absolute_error"), c.median_ae, accuracy: 1e-9)
        XCTAssertEqual(try value("r2"), try XCTUnwrap(c.r2), accuracy: 1e-9)
        let plain = try run("git", "ml", "eval", "preds.csv", "--label", "y", "--score", "p", "--task", "regression")
        XCTAssertTrue(plain.stdout.contains("RMSE"), plain.stdout)
        // --compare: paired bootstrap and the paired t-tests (scipy's p-values).
        let t = try XCTUnwrap(try JSONDecoder().decode(TGolden.self, from: Data(contentsOf: url)).paired_t.first)
        var pair = ("y,p\n", "y,p\n")
        for row in t.targets.indices {
            pair.0 += "\(t.targets[row]),\(t.baseline[row])\n"
            pair.1 += "\(t.targets[row]),\(t.candidate[row])\n"
        }
        try pair.0.write(toFile: repo + "/a.csv", atomically: true, encoding: .utf8)
        try pair.1.write(toFile: repo + "/b.csv", atomically: true, encoding: .utf8)
        let compared = try json(try run("git", "ml", "eval", "--compare", "a.csv", "b.csv", "--label", "y", "--score", "p",
                                        "--task", "regression", "--resamples", "200", "--json").stdout) as? [String: Any]
        let squared = try XCTUnwrap((compared?["paired_t_tests"] as? [String: Any])?["squared_errors"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(squared["p_value"] as? Double), t.squared.p_value, accuracy: 1e-12)
        let refused = try run("git", "ml", "eval", "preds.csv", "--label", "y", "--score", "p", "--task", "regression",
                              "--threshold", "0.5", expect: nil)
        XCTAssertNotEqual(refused.status, 0)
    }
}
