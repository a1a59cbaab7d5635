import Foundation
import XCTest

final class ContractCommandTests: CLITestCase {
    private let contract = """
        apiVersion: v3.0.2
        kind: DataContract
        name: t
        schema:
          - name: t
            properties:
              - { name: id, logicalType: integer, required: true, unique: true, primaryKey: true }
              - name: a
                logicalType: number
                logicalTypeOptions: { minimum: 0, maximum: 10 }
                quality:
                  - { metric: nullValues, mustBeLessThan: 5, unit: percent }
              - { name: b, logicalType: integer }
              - { name: label, logicalType: integer, required: true }
        drift:
          reference: previous
          thresholds: { psi: 0.2, ks: 0.1, js: 0.1, linf: 0.1 }

        """

    func testValidateCatchesViolationsAndDiffReportsRowChanges() throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        try contract.write(toFile: repo + "/ml/contracts/t.yaml", atomically: true, encoding: .utf8)
        try writeCSV("t.csv", rows: 2000)
        try run("git", "ml", "data", "add", "t.csv")
        XCTAssertTrue(try run("git", "ml", "data", "validate", "t@v1").stdout.contains("t@v1: passed"))
        XCTAssertTrue(try run("git", "ml", "data", "validate", "t@v1").stdout.contains("cached"), "unchanged data is not validated twice")

        // v2: 10% of `a` is null (a null explosion) and one value is out of range.
        var lines = try String(contentsOfFile: repo + "/t.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        for i in stride(from: 1, to: lines.count, by: 10) {
            var fields = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[1] = ""
            lines[i] = fields.joined(separator: ",")
        }
        lines[5] = "4,99.5,7,0"
        try (lines.joined(separator: "\n") + "\n").write(toFile: repo + "/t.csv", atomically: true, encoding: .utf8)
        // `data add` stores the version and says at once that it fails its contract.
        let added = try run("git", "ml", "data", "add", "t.csv", expect: 1)
        XCTAssertTrue(added.stdout.contains("contract ml/contracts/t.yaml: FAILED") && added.stdout.contains("FAIL range a"), added.stdout)
        XCTAssertTrue(added.stderr.contains("t@v2 is stored, but fails the checks above"), added.stderr)
        let failed = try run("git", "ml", "data", "validate", "t@v2", expect: 1)
        XCTAssertTrue(failed.stdout.contains("t@v2 against t@v1: FAILED"), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("FAIL null_values a"), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("FAIL range a"), failed.stdout)

        let diff = try json(try run("git", "ml", "data", "diff", "t@v1", "t@v2", "--json").stdout) as! [String: Any]
        let rows = (diff["table"] as! [String: Any])["rows"] as! [String: Any]
        XCTAssertEqual(rows["changed"] as? Int, 201)
        XCTAssertEqual(rows["key"] as? [String], ["id"])
        XCTAssertTrue(try run("git", "ml", "data", "show", "t@v2", "--profile").stdout.contains("profile   2000 rows, 4 columns"))
    }

    func testValidateWithEvalFindsTrainEvalLeakage() throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        try (contract + "leakage:\n  entityKey: [id]\n  label: label\n  maxRowOverlap: 0\n  maxKeyOverlap: 0\n")
            .write(toFile: repo + "/ml/contracts/train.yaml", atomically: true, encoding: .utf8)
        try writeCSV("train.csv", rows: 1000)
        let rows = try String(contentsOfFile: repo + "/train.csv", encoding: .utf8).split(separator: "\n")
        try (rows.prefix(1).joined() + "\n" + rows[1...50].joined(separator: "\n") + "\n")
            .write(toFile: repo + "/eval.csv", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "train.csv")
        try run("git", "ml", "data", "add", "eval.csv")
        let out = try run("git", "ml", "data", "validate", "train", "--eval", "eval@v1", expect: 1).stdout
        XCTAssertTrue(out.contains("leakage train@v1 → eval@v1: FOUND"), out)
        XCTAssertTrue(out.contains("FAIL row_overlap") && out.contains("FAIL key_overlap"), out)

        // A new training version is checked against the evaluation set a suite pins (stored, exit 1),
        // and a suite that cannot be read is named instead of silently skipped.
        try FileManager.default.createDirectory(atPath: repo + "/ml/suites", withIntermediateDirectories: true)
        try "task: binary\nlabel: { column: label, positive: \"1\" }\neval: eval@v1\nprimary: { metric: roc_auc }\n"
            .write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        try "task: binary\neval: [\n".write(toFile: repo + "/ml/suites/broken.yaml", atomically: true, encoding: .utf8)
        try (String(contentsOfFile: repo + "/train.csv", encoding: .utf8) + rows[1] + "\n")
            .write(toFile: repo + "/train.csv", atomically: true, encoding: .utf8)
        let added = try run("git", "ml", "data", "add", "train.csv", expect: 1)
        XCTAssertTrue(added.stdout.contains("leakage train@v2 → eval@v1 (suite churn): FOUND"), added.stdout)
        XCTAssertTrue(added.stdout.contains("warn: ml/suites/broken.yaml could not be read"), added.stdout)
        XCTAssertTrue(added.stderr.contains("train@v2 is stored"), added.stderr)
    }

    func testContractErrorsNameFileAndLine() throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        try contract.replacingOccurrences(of: "logicalType: number", with: "logicalType: numbr")
            .write(toFile: repo + "/ml/contracts/t.yaml", atomically: true, encoding: .utf8)
        try writeCSV("t.csv", rows: 10)
        let added = try run("git", "ml", "data", "add", "t.csv", expect: 3)
        XCTAssertTrue(added.stderr.contains("t@v1 is stored, but its checks could not run") && added.stderr.contains("t.yaml:9"), added.stderr)
        let bad = try run("git", "ml", "data", "validate", "t", expect: 3)
        XCTAssertTrue(bad.stderr.contains("t.yaml:9"), bad.stderr)
        try FileManager.default.removeItem(atPath: repo + "/ml/contracts/t.yaml")
        XCTAssertTrue(try run("git", "ml", "data", "validate", "t", expect: 3).stderr.contains("has no contract"))
    }
}
