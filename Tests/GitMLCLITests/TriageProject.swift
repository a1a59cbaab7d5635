import Foundation

/// A ticket-triage project for multiclass tests: tickets routed to one of three teams by their
/// amount and latency (with noise), a suite declaring the teams, and experiments.
enum TriageProject {
    static let suite = """
        task: multiclass
        label: { column: team, classes: [billing, network, other] }
        eval: tickets-eval@v1
        primary: { metric: log_loss }
        guardrails:
          - { metric: recall, class: network, min: 0.3 }
        significance: { resamples: 100, seed: 3 }

        """

    static func experiment(_ model: String, exclude: [String] = ["ticket_id"], seeds: [Int] = [1]) -> String {
        """
        suite: triage
        train: tickets-train@v1
        validation: { split: random, fraction: 0.2 }
        features: { exclude: [\(exclude.joined(separator: ", "))] }
        model: \(model)
        seeds: [\(seeds.map(String.init).joined(separator: ", "))]

        """
    }

    /// Tickets whose team follows from two numbers and a channel, with noise, written to `path`.
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
}

extension CLITestCase {
    /// `git ml init`, the triage `suite` as ml/suites/triage.yaml and `files` (contents by path
    /// in the repository), tickets for training and evaluation added as tickets-train@v1 and
    /// tickets-eval@v1, all committed.
    func setUpTriageProject(suite: String = TriageProject.suite, trainRows: Int, evalRows: Int, files: [String: String] = [:]) throws {
        try run("git", "ml", "init")
        for directory in ["suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        for (path, text) in files.merging(["ml/suites/triage.yaml": suite], uniquingKeysWith: { $1 }) {
            try text.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8)
        }
        try TriageProject.writeTickets(repo + "/train.csv", rows: trainRows, firstID: 1, seed: 1)
        try TriageProject.writeTickets(repo + "/eval.csv", rows: evalRows, firstID: 100_000, seed: 2)
        try run("git", "ml", "data", "add", "train.csv", "--name", "tickets-train")
        try run("git", "ml", "data", "add", "eval.csv", "--name", "tickets-eval")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "triage project")
    }
}
