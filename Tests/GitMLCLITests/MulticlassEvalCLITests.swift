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
}
