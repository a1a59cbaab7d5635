import Foundation
import XCTest

/// A churn project for run and gate tests: two datasets with contracts, a suite, an experiment
/// and cost rates, committed.
enum ChurnProject {
    static let contract = """
        apiVersion: v3.0.2
        kind: DataContract
        name: churn
        schema:
          - name: churn
            properties:
              - { name: customer_id, logicalType: integer, required: true, unique: true, primaryKey: true }
              - name: usage
                logicalType: number
                logicalTypeOptions: { minimum: -10, maximum: 10 }
              - { name: tenure, logicalType: number }
              - name: region
                logicalType: string
                quality:
                  - metric: invalidValues
                    arguments: { validValues: [north, south, east, west] }
                    mustBe: 0
              - { name: churned, logicalType: integer, required: true }
        leakage:
          entityKey: [customer_id]
          label: churned
          maxRowOverlap: 0
          maxKeyOverlap: 0
          featureAucCeiling: 0.99

        """

    static let suite = """
        task: binary
        label: { column: churned, positive: "1" }
        eval: churn-eval@v1
        entity: customer_id
        primary: { metric: roc_auc }
        guardrails:
          - { metric: ece, max: 0.5 }
        slices: [region]
        significance: { method: paired_bootstrap, resamples: 200, confidence: 0.95, seed: 7 }

        """

    static func experiment(rounds: Int = 30, seeds: String = "[1, 2, 3]", budget: String = "") -> String {
        """
        suite: churn
        train: churn-train@v1
        validation: { split: random, fraction: 0.25 }
        features: { exclude: [customer_id] }
        model: { kind: gbdt, rounds: \(rounds), num_leaves: 15, learning_rate: 0.1, bagging_fraction: 0.8 }
        seeds: \(seeds)
        candidate: ensemble
        \(budget)

        """
    }


    static let policy = """
        protected: [main]
        benchmark: { min_effect: 0.0, confidence: 0.95 }
        cost: { max_usd_per_unit: 1000 }
        reproducibility: { require_attestation: true, tolerance: 1.0e-9 }
        deployment: { promote: all_pass, shadow: better_not_significant, reject: otherwise }

        """

    /// An experiment that sees only `features`.
    static func experiment(features: String, kind: String = "gbdt") -> String {
        experiment(rounds: 30, seeds: "[1]").replacingOccurrences(of: "features: { exclude: [customer_id] }",
                                                                             with: "features: { include: [\(features)] }")
    }


    /// A training script in plain Python (no packages): logistic regression by gradient descent;
    /// with CORRUPT_REGION set, that region's scores carry no information (a slice regression).
    static let script = """
        import csv, json, math, os
        def load(path):
            with open(path) as f:
                return list(csv.DictReader(f))
        train = load(os.environ["GITML_INPUT_CHURN_TRAIN"])
        evaluation = load(os.environ["GITML_EVAL"])
        def x(r): return [1.0, float(r["usage"]), float(r["tenure"]) / 10, 1.0 if r["region"] == "north" else 0.0]
        cut = int(len(train) * 0.8)
        w = [0.0] * 4
        for epoch in range(60):
            g = [0.0] * 4
            for r in train[:cut]:
                xs = x(r); p = 1 / (1 + math.exp(-sum(a * b for a, b in zip(w, xs))))
                for j in range(4): g[j] += (p - float(r["churned"])) * xs[j]
            w = [a - 0.5 * b / cut for a, b in zip(w, g)]
        corrupt = os.environ.get("CORRUPT_REGION")  # scores of this region become uninformative
        def score(r):
            if r["region"] == corrupt: return 0.5
            return 1 / (1 + math.exp(-sum(a * b for a, b in zip(w, x(r)))))
        out = os.environ["GITML_OUTPUT"]
        with open(os.path.join(out, "evaluation_predictions.csv"), "w") as f:
            f.write("row,score\\n" + "".join(f"{i},{score(r)!r}\\n" for i, r in enumerate(evaluation)))
        with open(os.path.join(out, "validation_predictions.csv"), "w") as f:
            f.write("row,score\\n" + "".join(f"{i},{score(train[i])!r}\\n" for i in range(cut, len(train))))
        with open(os.path.join(out, "model.json"), "w") as f:
            json.dump(w, f)

        """
}

extension CLITestCase {
    /// Rows with two informative features, one noise-free category and a 0/1 label.
    func writeChurn(_ name: String, rows: Int, firstID: Int, seed: UInt64) throws {
        var state = seed
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let regions = ["north", "south", "east", "west"]
        var text = "customer_id,usage,tenure,region,churned\n"
        for i in 0..<rows {
            let usage = unit() * 8 - 4, tenure = unit() * 10
            let region = regions[Int(unit() * 4) % 4]
            let logit = 1.2 * usage - 0.3 * tenure + (region == "north" ? 0.8 : 0) + 1
            let churned = unit() < 1 / (1 + exp(-logit)) ? 1 : 0
            text += "\(firstID + i),\(String(format: "%.4f", usage)),\(String(format: "%.3f", tenure)),\(region),\(churned)\n"
        }
        try text.write(toFile: repo + "/" + name, atomically: true, encoding: .utf8)
    }

    func setUpChurnProject(experiment: String = ChurnProject.experiment()) throws {
        try run("git", "ml", "init")
        for directory in ["contracts", "suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        try ChurnProject.contract.write(toFile: repo + "/ml/contracts/churn-train.yaml", atomically: true, encoding: .utf8)
        try ChurnProject.contract.write(toFile: repo + "/ml/contracts/churn-eval.yaml", atomically: true, encoding: .utf8)
        try ChurnProject.suite.write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try experiment.write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        try "cost: { cpu_hour_usd: 3.6, gb_month_usd: 1000, gpu_hour_usd: 7.2 }\n".write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
        try writeChurn("train.csv", rows: 1600, firstID: 1, seed: 1)
        try writeChurn("eval.csv", rows: 800, firstID: 100_000, seed: 2)
        try run("git", "ml", "data", "add", "train.csv", "--name", "churn-train")
        try run("git", "ml", "data", "add", "eval.csv", "--name", "churn-eval")
        // The trusted reproducer's key: ml/allowed_signers on main, user.signingkey for --sign.
        let key = try makeSSHKey("ci")
        try "ci@example.com \(try String(contentsOfFile: key + ".pub", encoding: .utf8))"
            .write(toFile: repo + "/ml/allowed_signers", atomically: true, encoding: .utf8)
        try run("git", "config", "user.signingkey", key)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "project")
    }

    /// A shared churn project (bare `origin`, a blob remote) whose main holds a first champion,
    /// recorded as CI would, and a pull-request branch `branch` with a better candidate, both
    /// pushed. Returns the path for CI's fresh clone.
    func setUpPullRequest(branch: String) throws -> String {
        try setUpChurnProject()
        let (_, _, ci) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy and blob remote")
        try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        try run("git", "ml", "gate", "--base", "main", "--record")
        try run("git", "ml", "push")
        try run("git", "checkout", "-qb", branch)
        try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "all features")
        try run("git", "ml", "push")
        return ci
    }

    /// An ed25519 key pair without passphrase under .git/test-keys/ (outside the work tree's
    /// files); returns the private key's path.
    func makeSSHKey(_ name: String) throws -> String {
        let directory = repo + "/.git/test-keys"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", directory + "/" + name)
        return directory + "/" + name
    }

    /// Runs the experiment, reproduces it (signed with the trusted key) and commits run and
    /// attestation; returns the run prefix.
    @discardableResult
    func runAndCommit(_ experiment: String, message: String) throws -> String {
        try experiment.write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "ml")
        try run("git", "commit", "-qm", "experiment: \(message)")
        try run("git", "ml", "run", "churn-gbdt")
        let log = try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]]
        let id = String((log[0]["id"] as! String).dropFirst(7).prefix(12))
        try run("git", "ml", "reproduce", id, "--sign")
        try run("git", "mlcommit", "-m", message, id)
        try run("git", "mlcommit", "-m", "attest \(message)")
        return id
    }

}
