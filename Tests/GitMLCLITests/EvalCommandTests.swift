import Foundation
import XCTest
@testable import GitMLCLI

final class EvalCommandTests: CLITestCase {
    /// scikit-learn's documented example: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75,
    /// average_precision_score = 0.8333…, log_loss = 0.47228…
    func testEvaluatesAnyPredictionsFileWithPinnedDefinitions() throws {
        try "id,y,p,region\n1,0,0.1,n\n2,0,0.4,s\n3,1,0.35,n\n4,1,0.8,s\n".write(toFile: repo + "/p.csv", atomically: true, encoding: .utf8)
        let out = try json(try run("git", "ml", "eval", "p.csv", "--label", "y", "--score", "p", "--threshold", "0.5", "--json").stdout) as! [String: Any]
        let evaluation = out["evaluation"] as! [String: Any]
        XCTAssertEqual(camelCaseKeys(out), [], "every --json key is snake_case, as the records")
        XCTAssertEqual((evaluation["roc_auc"] as! [String: Any])["value"] as! Double, 0.75, accuracy: 1e-12)
        XCTAssertEqual((evaluation["average_precision"] as! [String: Any])["value"] as! Double, 5.0 / 6.0, accuracy: 1e-12)
        let logLoss = -(log(0.9) + log(0.6) + log(0.35) + log(0.8)) / 4
        XCTAssertEqual((evaluation["log_loss"] as! [String: Any])["value"] as! Double, logLoss, accuracy: 1e-12)
        let text = try run("git", "ml", "eval", "p.csv", "--label", "y", "--score", "p", "--threshold", "0.5").stdout
        XCTAssertTrue(text.contains("TP 1 FP 0 TN 2 FN 1"), text)
    }

    func testComparisonMatchesRowsByIdAndRefusesMismatches() throws {
        try "id,y,p\n1,0,0.1\n2,0,0.4\n3,1,0.35\n4,1,0.8\n".write(toFile: repo + "/a.csv", atomically: true, encoding: .utf8)
        try "id,y,p\n4,1,0.9\n3,1,0.6\n2,0,0.3\n1,0,0.2\n".write(toFile: repo + "/b.csv", atomically: true, encoding: .utf8)
        let out = try run("git", "ml", "eval", "--compare", "a.csv", "b.csv", "--label", "y", "--score", "p", "--id", "id", "--resamples", "100").stdout
        XCTAssertTrue(out.contains("DeLong: ΔAUC +0.25"), out)
        try "id,y,p\n4,1,0.9\n3,1,0.6\n2,0,0.3\n9,0,0.2\n".write(toFile: repo + "/c.csv", atomically: true, encoding: .utf8)
        let bad = try run("git", "ml", "eval", "--compare", "a.csv", "c.csv", "--label", "y", "--score", "p", "--id", "id", expect: 3)
        XCTAssertTrue(bad.stderr.contains("row id"), bad.stderr)
    }

    func testThresholdRulesNeedValidationRowsAndBadFilesAreNamed() throws {
        try "y,p\n0,0.1\n1,0.9\n0,0.7\n1,0.6\n".write(toFile: repo + "/e.csv", atomically: true, encoding: .utf8)
        try "y,p\n0,0.2\n1,0.8\n0,0.3\n1,0.75\n".write(toFile: repo + "/v.csv", atomically: true, encoding: .utf8)
        XCTAssertTrue(try run("git", "ml", "eval", "e.csv", "--label", "y", "--score", "p", "--operating-point", "top=0.5", expect: 3)
            .stderr.contains("--validation"))
        let chosen = try run("git", "ml", "eval", "e.csv", "--label", "y", "--score", "p", "--operating-point", "recall@precision=1",
                             "--validation", "v.csv").stdout
        XCTAssertTrue(chosen.contains("at threshold 0.75 (maximum recall with precision ≥ 1.0 on validation)"), chosen)
        try "y,p\n0,0.1\n1,0.9,extra\n".write(toFile: repo + "/r.csv", atomically: true, encoding: .utf8)
        XCTAssertTrue(try run("git", "ml", "eval", "r.csv", "--label", "y", "--score", "p", expect: 3).stderr.contains("line 3"))
    }
}

final class ProgressLineTests: XCTestCase {
    func testProgressShowsRateAndTimeLeft() {
        XCTAssertEqual(ProgressLine.text("uploading", 50 << 20, 200 << 20, elapsed: 2),
                       "uploading: 25% (50.0 MiB / 200.0 MiB, 25.0 MiB/s, 6 s left)")
        XCTAssertEqual(ProgressLine.text("adding", 0, 0, elapsed: 0), "adding: 100% (0 B / 0 B)")
    }

}

extension CLITestCase {
    /// Keys anywhere in `value` that are not lower snake_case.
    func camelCaseKeys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] {
            return object.flatMap { key, child in
                (key.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } ? [] : [key]) + camelCaseKeys(child)
            }
        }
        if let array = value as? [Any] { return array.flatMap(camelCaseKeys) }
        return []
    }
}
