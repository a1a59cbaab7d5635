import Foundation
import XCTest

/// `git mlcommit` never picks a candidate silently: it names the run it commits, takes `--run`,
/// `--best` or `--newest`, and a script with several runs to choose from is refused.
final class CandidateChoiceTests: CLITestCase {
    private func lastRun() throws -> String {
        let log = try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]]
        return String((log[0]["id"] as! String).dropFirst(7).prefix(12))
    }

    private func candidate() throws -> String {
        let lock = try json(try String(contentsOfFile: repo + "/ml/lock.json", encoding: .utf8)) as! [String: Any]
        let run = ((lock["suites"] as! [String: Any])["churn"] as! [String: Any])["run"] as! String
        return String(run.dropFirst(7).prefix(12))
    }

    func testSeveralRunsOnOneCodeNeedAChoice() throws {
        try setUpChurnProject()
        // A strong model, then a weak one on the same code: "newest" would take the weak one.
        try ChurnProject.experiment(features: "usage, tenure, region").write(toFile: repo + "/ml/experiments/strong.yaml", atomically: true, encoding: .utf8)
        try ChurnProject.experiment(features: "tenure").write(toFile: repo + "/ml/experiments/weak.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "two experiments")
        try run("git", "ml", "run", "strong")
        let strong = try lastRun()
        try run("git", "ml", "run", "weak")
        let weak = try lastRun()

        let refused = try run("git", "mlcommit", "-m", "candidate", expect: 3)
        XCTAssertTrue(refused.stderr.contains("2 runs on this code could become the candidate of suite churn"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains(strong) && refused.stderr.contains(weak) && refused.stderr.contains("--best"), refused.stderr)

        let best = try run("git", "mlcommit", "-m", "best", "--best")
        XCTAssertTrue(best.stdout.contains("candidate of churn: run \(strong) (strong)"), best.stdout)
        XCTAssertEqual(try candidate(), strong)

        let named = try run("git", "mlcommit", "-m", "the weak one", "--run", weak)
        XCTAssertTrue(named.stdout.contains("candidate of churn: run \(weak) (weak)"), named.stdout)
        XCTAssertEqual(try candidate(), weak)
        XCTAssertTrue(try run("git", "log", "-1", "--format=%B").stdout.contains("run \(weak) (weak)"))
    }
}
