import Foundation

extension CLITestCase {
    /// `git ml init`, the triage `suite` as ml/suites/triage.yaml and `files` (contents by path
    /// in the repository), tickets for training and evaluation added as tickets-train@v1 and
    /// tickets-eval@v1 (`MulticlassRunCLITests.writeTickets`), all committed.
    func setUpTriageProject(suite: String = MulticlassRunCLITests.suite, trainRows: Int, evalRows: Int,
                            files: [String: String] = [:]) throws {
        try run("git", "ml", "init")
        for directory in ["suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        for (path, text) in files.merging(["ml/suites/triage.yaml": suite], uniquingKeysWith: { $1 }) {
            try text.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8)
        }
        try MulticlassRunCLITests.writeTickets(repo + "/train.csv", rows: trainRows, firstID: 1, seed: 1)
        try MulticlassRunCLITests.writeTickets(repo + "/eval.csv", rows: evalRows, firstID: 100_000, seed: 2)
        try run("git", "ml", "data", "add", "train.csv", "--name", "tickets-train")
        try run("git", "ml", "data", "add", "eval.csv", "--name", "tickets-eval")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "triage project")
    }
}
