import Foundation
import XCTest

/// `git ml eval --task multiclass` on a file with one probability column per class prints
/// scikit-learn's numbers.
final class MulticlassEvalCLITests: CLITestCase {
    func testEvalMatchesScikitLearn() throws {
        struct Case: Decodable {
            let name: String
            let classes: Int
            let labels: [Int]
            let probabilities: [Double]
            let log_loss, accuracy: Double
            let f1_macro, roc_auc_ovr_macro, roc_auc_ovo: Double?
        }
        struct Golden: Decodable { let cases: [Case] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EvaluationTests/Golden/multiclass.json")
        let c = try XCTUnwrap(try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url)).cases.first { $0.name == "random" })
        let names = ["billing", "network", "hardware", "other"]
        var text = "team," + names.map { "p_\($0)" }.joined(separator: ",") + "\n"
        for row in c.labels.indices {
            text += names[c.labels[row]] + "," + (0..<c.classes).map { "\(c.probabilities[row * c.classes + $0])" }.joined(separator: ",") + "\n"
        }
        try text.write(toFile: repo + "/triage.csv", atomically: true, encoding: .utf8)
        let output = try run("git", "ml", "eval", "triage.csv", "--label", "team", "--score", "p_", "--task", "multiclass",
                             "--classes", names.joined(separator: ","), "--json")
        let report = try XCTUnwrap(try json(output.stdout) as? [String: Any])
        func value(_ key: String) throws -> Double { try XCTUnwrap((report[key] as? [String: Any])?["value"] as? Double, key) }
        XCTAssertEqual(try value("log_loss"), c.log_loss, accuracy: 1e-9)
        XCTAssertEqual(try value("accuracy"), c.accuracy, accuracy: 1e-9)
        XCTAssertEqual(try value("f1_macro"), try XCTUnwrap(c.f1_macro), accuracy: 1e-9)
        XCTAssertEqual(try value("roc_auc_one_vs_rest_macro"), try XCTUnwrap(c.roc_auc_ovr_macro), accuracy: 1e-9)
        XCTAssertEqual(try value("roc_auc_one_vs_one"), try XCTUnwrap(c.roc_auc_ovo), accuracy: 1e-9)
        // A class outside the declared list is an error naming it.
        let unknown = try run("git", "ml", "eval", "triage.csv", "--label", "team", "--score", "p_", "--task", "multiclass",
                              "--classes", "billing,network,hardware", expect: nil)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue((unknown.stdout + unknown.stderr).contains("'other'"), unknown.stderr)
    }

    /// `--compare` pairs the two files' rows by `--id` and reports the paired bootstrap of each
    /// metric with McNemar, Stuart–Maxwell (statsmodels' value, scripts/golden/multiclass_stats.py)
    /// and per-class DeLong tests.
    func testCompareReportsPairedBootstrapAndTests() throws {
        let baseline = Array(repeating: [0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 2], count: 3).flatMap { $0 }
        let candidate = Array(repeating: [0, 1, 1, 2, 2, 0, 0, 1, 1, 0, 2, 2, 1, 0, 1, 2, 0, 1, 0, 2], count: 3).flatMap { $0 }
        let names = ["billing", "network", "other"]
        func file(_ decided: [Int], order: [Int]) -> String {
            var text = "ticket,team," + names.map { "p_\($0)" }.joined(separator: ",") + "\n"
            for row in order {
                text += "t\(row),\(names[row % 3])," + (0..<3).map { $0 == decided[row] ? "0.6" : "0.2" }.joined(separator: ",") + "\n"
            }
            return text
        }
        try file(baseline, order: Array(baseline.indices)).write(toFile: repo + "/a.csv", atomically: true, encoding: .utf8)
        try file(candidate, order: baseline.indices.reversed()).write(toFile: repo + "/b.csv", atomically: true, encoding: .utf8)
        let arguments = ["git", "ml", "eval", "--compare", "a.csv", "b.csv", "--label", "team", "--score", "p_", "--task", "multiclass",
                         "--classes", names.joined(separator: ","), "--id", "ticket", "--resamples", "200"]
        let output = try XCTUnwrap(try json(try run(arguments + ["--json"]).stdout) as? [String: Any])
        let tests = try XCTUnwrap(output["paired_tests"] as? [String: Any])
        let stuartMaxwell = try XCTUnwrap(tests["stuart_maxwell"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(stuartMaxwell["p_value"] as? Double), 0.6872892787909723, accuracy: 1e-9)
        let mcnemar = try XCTUnwrap(tests["mcnemar"] as? [String: Any])
        let right = { (decided: [Int]) in decided.indices.filter { decided[$0] == $0 % 3 } }
        XCTAssertEqual(mcnemar["candidate_only_correct"] as? Int, Set(right(candidate)).subtracting(right(baseline)).count)
        let differences = try XCTUnwrap(output["differences"] as? [[String: Any]])
        let accuracy = try XCTUnwrap(differences.first { $0["metric"] as? String == "accuracy" }?["bootstrap"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(accuracy["estimate"] as? Double),
                       Double(right(candidate).count - right(baseline).count) / Double(baseline.count), accuracy: 1e-12)
        XCTAssertEqual(differences.filter { ($0["metric"] as? String)?.hasPrefix("recall of ") == true }.count, 3)
        let text = try run(arguments).stdout
        XCTAssertTrue(text.contains("Stuart–Maxwell") && text.contains("DeLong one-vs-rest network"), text)
    }
}
