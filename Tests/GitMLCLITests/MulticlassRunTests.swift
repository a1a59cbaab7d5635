import Foundation
import XCTest

/// A multiclass use case through `git ml run`: a suite with declared classes, softmax GBDT and
/// multinomial logistic experiments, the suite's multiclass report in the run record, and
/// `git ml predict` writing one probability column per class.
final class MulticlassRunCLITests: CLITestCase {
    static let suite = """
        task: multiclass
        label: { column: team, classes: [billing, network, other] }
        eval: tickets-eval@v1
        primary: { metric: log_loss }
        guardrails:
          - { metric: recall, class: network, min: 0.3 }
        significance: { resamples: 100, seed: 3 }

        """

    static func experiment(_ model: String) -> String {
        """
        suite: triage
        train: tickets-train@v1
        validation: { split: random, fraction: 0.2 }
        features: { exclude: [ticket_id] }
        model: \(model)
        seeds: [1]

        """
    }

    /// Tickets whose team follows from two numbers and a channel, with noise.
    static func writeTickets(_ path: String, rows: Int, firstID: Int, seed: UInt64) throws {
        var state = seed
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let channels = ["mail", "phone", "chat"]
        var text = "ticket_id,amount,latency,channel,team\n"
        for i in 0..<rows {
            let amount = unit() * 100, latency = unit() * 50, channel = channels[Int(unit() * 3) % 3]
            var team = amount > 60 ? "billing" : latency > 25 ? "network" : "other"
            if unit() < 0.15 { team = ["billing", "network", "other"][Int(unit() * 3) % 3] }
            text += "\(firstID + i),\(String(format: "%.2f", amount)),\(String(format: "%.2f", latency)),\(channel),\(team)\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testMulticlassExperimentsRunAndPredictOneColumnPerClass() throws {
        try run("git", "ml", "init")
        for directory in ["suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        try Self.suite.write(toFile: repo + "/ml/suites/triage.yaml", atomically: true, encoding: .utf8)
        try Self.writeTickets(repo + "/train.csv", rows: 1200, firstID: 1, seed: 1)
        try Self.writeTickets(repo + "/eval.csv", rows: 600, firstID: 100_000, seed: 2)
        try run("git", "ml", "data", "add", "train.csv", "--name", "tickets-train")
        try run("git", "ml", "data", "add", "eval.csv", "--name", "tickets-eval")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "triage project")

        for (name, model) in [("gbdt", "{ kind: gbdt, rounds: 40, num_leaves: 15, learning_rate: 0.2 }"),
                              ("logistic", "{ kind: logistic_regression, l2: 1.0 }")] {
            try Self.experiment(model).write(toFile: repo + "/ml/experiments/\(name).yaml", atomically: true, encoding: .utf8)
            try run("git", "add", "ml")
            try run("git", "commit", "-qm", "experiment \(name)")
            try run("git", "ml", "run", name)
            let log = try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]]
            let record = log[0]
            let id = String((record["id"] as! String).dropFirst(7).prefix(12))
            let metrics = try XCTUnwrap(record["metrics"] as? [String: Any], "\(record)")
            let headline = try XCTUnwrap(metrics["headline"] as? [String: Any], "\(metrics)")
            XCTAssertEqual(headline["metric"] as? String, "log_loss")
            let logLoss = try XCTUnwrap(headline["value"] as? Double)
            XCTAssertLessThan(logLoss, Foundation.log(3.0) * 0.8, "\(name) learned something: \(logLoss)")

            let predicted = try run("git", "ml", "predict", id, "eval.csv").stdout.split(separator: "\n")
            XCTAssertEqual(predicted.first, "row,p_billing,p_network,p_other")
            XCTAssertEqual(predicted.count, 601)
            let probabilities = predicted[1].split(separator: ",").dropFirst().compactMap { Double($0) }
            XCTAssertEqual(probabilities.count, 3)
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-9)
            let reproduced = try run("git", "ml", "reproduce", id)
            XCTAssertTrue(reproduced.stdout.contains("identical"), reproduced.stdout)
            try run("git", "mlcommit", "-m", "candidate \(name)", id)
        }
        // A label outside the declared classes is refused, naming it.
        try "ticket_id,amount,latency,channel,team\n1,5,5,mail,sales\n2,70,5,mail,billing\n"
            .write(toFile: repo + "/bad.csv", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "bad.csv", "--name", "tickets-train", "--no-checks")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "bad labels")
        try Self.experiment("{ kind: logistic_regression }").replacingOccurrences(of: "tickets-train@v1", with: "tickets-train@v2")
            .write(toFile: repo + "/ml/experiments/bad.yaml", atomically: true, encoding: .utf8)
        let refused = try run("git", "ml", "run", "bad", expect: 1)
        XCTAssertTrue((refused.stdout + refused.stderr).contains("sales"), refused.stdout + refused.stderr)
    }
}
