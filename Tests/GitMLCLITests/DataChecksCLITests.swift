import Foundation
import XCTest

/// The data checks that see what breaks models, run as users run them: a 40% null jump, a 5% → 50%
/// flag shift, a category that copies the label, and a retyped or renamed column are each a failed
/// check (exit 1) with a line that shows the observed value against the limit, and `--json`
/// carries the failing check.
final class DataChecksCLITests: CLITestCase {
    private let contract = """
        apiVersion: v3.0.2
        kind: DataContract
        name: t
        schema:
          - name: t
            properties:
              - { name: id, logicalType: integer, required: true, unique: true, primaryKey: true }
              - { name: income, logicalType: number }
              - { name: flag, logicalType: integer }
              - { name: age, logicalType: integer }
              - { name: segment, logicalType: string }
              - { name: label, logicalType: integer, required: true }

        """

    /// What a version of the data looks like.
    private struct Shape {
        var incomeNullPercent = 0
        var flagOnesEvery = 20
        var segmentCopiesLabel = false
        var ageAsText = false
        var incomeName = "income"
    }

    /// 1,000 deterministic rows from `seed`; ids start at `firstID`.
    private func writeData(_ name: String, seed: UInt64, firstID: Int = 0, _ shape: Shape = Shape()) throws {
        var state = seed
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var text = "id,\(shape.incomeName),flag,age,segment,label\n"
        for i in 0..<1000 {
            let label = unit() < 0.3 ? 1 : 0
            // Every draw is made in every shape, so shapes differ only where they say.
            let (incomeDraw, ageDraw) = (unit(), unit())
            let income = i % 100 < shape.incomeNullPercent ? "" : String(format: "%.2f", 20_000 + incomeDraw * 80_000)
            let flag = i % shape.flagOnesEvery == 0 ? 1 : 0
            let age = shape.ageAsText && i % 10 == 0 ? "unknown" : String(18 + Int(ageDraw * 60))
            let noisy = unit() < 0.01 ? 1 - label : label
            let segment = shape.segmentCopiesLabel ? (noisy == 1 ? "gold" : "basic") : ["a", "b", "c"][Int(unit() * 3) % 3]
            text += "\(firstID + i),\(income),\(flag),\(age),\(segment),\(label)\n"
        }
        try text.write(toFile: repo + "/" + name, atomically: true, encoding: .utf8)
    }

    private func setUpProject(contract extra: String = "") throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        try (contract + extra).write(toFile: repo + "/ml/contracts/t.yaml", atomically: true, encoding: .utf8)
        try writeData("t.csv", seed: 1)
        try run("git", "ml", "data", "add", "t.csv")
    }

    /// The checks of `report` (a ValidationReport or LeakageReport as JSON) that failed, as (kind, column).
    private func failures(_ report: Any?) -> [(kind: String, column: String?)] {
        ((report as? [String: Any])?["checks"] as? [[String: Any]] ?? [])
            .filter { $0["status"] as? String == "fail" }.map { ($0["kind"] as! String, $0["column"] as? String) }
    }

    func testNullJumpFailsAddAndValidate() throws {
        try setUpProject()
        var shape = Shape()
        shape.incomeNullPercent = 40
        try writeData("t.csv", seed: 1, shape)
        let added = try run("git", "ml", "data", "add", "t.csv", expect: 1)
        XCTAssertTrue(added.stdout.contains("FAIL null_share income: null share change = 0.4 > 0.05; nulls 0 → 0.4 (0 of 1000 → 400 of 1000 rows)"),
                      added.stdout)
        let validated = try run("git", "ml", "data", "validate", "t@v2", "--json", expect: 1)
        let report = ((try json(validated.stdout) as? [String: Any])?["validation"] as? [String: Any])?["t@v2"]
        XCTAssertTrue(failures(report).contains { $0.kind == "null_share" && $0.column == "income" }, validated.stdout)
    }

    func testFlagShiftFailsPSI() throws {
        try setUpProject()
        var shape = Shape()
        shape.flagOnesEvery = 2
        try writeData("t.csv", seed: 1, shape)
        let added = try run("git", "ml", "data", "add", "t.csv", "--json", expect: 1)
        let checks = (try json(added.stdout) as? [String: Any])?["checks"] as? [String: Any]
        XCTAssertEqual(checks?["passed"] as? Bool, false, added.stdout)
        let failed = failures(checks?["contract"])
        XCTAssertTrue(failed.contains { $0.kind == "psi" && $0.column == "flag" }, added.stdout)
        XCTAssertTrue(failed.contains { $0.kind == "jensen_shannon" && $0.column == "flag" }, added.stdout)
        let text = try run("git", "ml", "data", "validate", "t@v2", expect: 1).stdout
        XCTAssertTrue(text.contains("FAIL psi flag: PSI = 1.32") && text.contains("> 0.2; population stability index on 2 bins, one per distinct value"), text)
        XCTAssertFalse(text.contains("not gated"), text)
    }

    func testCategoryCopyingTheLabelIsALeak() throws {
        try setUpProject(contract: "leakage:\n  entityKey: [id]\n  label: label\n")
        var shape = Shape()
        shape.segmentCopiesLabel = true
        try writeData("train.csv", seed: 2, shape)
        try writeData("eval.csv", seed: 3, firstID: 10_000, shape)
        try FileManager.default.copyItem(atPath: repo + "/ml/contracts/t.yaml", toPath: repo + "/ml/contracts/train.yaml")
        try run("git", "ml", "data", "add", "train.csv", "--no-checks")
        try run("git", "ml", "data", "add", "eval.csv")
        let out = try run("git", "ml", "data", "validate", "train", "--eval", "eval@v1", expect: 1).stdout
        XCTAssertTrue(out.contains("leakage train@v1 → eval@v1: FOUND"), out)
        XCTAssertTrue(out.contains("FAIL feature_auc segment: max(AUC, 1 − AUC) = 0.9"), out)
        XCTAssertTrue(out.contains("≥ 0.95; out-of-fold target-encoding AUC"), out)
        XCTAssertEqual(out.components(separatedBy: "FAIL feature_auc").count, 2, "only the copied label leaks: \(out)")
        let validated = try run("git", "ml", "data", "validate", "train", "--eval", "eval@v1", "--json", expect: 1)
        let leakage = ((try json(validated.stdout) as? [String: Any])?["leakage"] as? [String: Any])?["train@v1"]
        XCTAssertEqual(failures(leakage).map(\.kind), ["feature_auc"], validated.stdout)
    }

    func testRetypedAndRenamedColumnsAreCheckFailures() throws {
        try setUpProject()
        var retyped = Shape()
        retyped.ageAsText = true
        try writeData("t.csv", seed: 1, retyped)
        let added = try run("git", "ml", "data", "add", "t.csv", expect: 1)
        XCTAssertTrue(added.stdout.contains("FAIL column_type age: expected integer; column type is category (line 2: \"unknown\" is not int64)"), added.stdout)
        XCTAssertTrue(added.stdout.contains("FAIL schema_drift: schema changes = 1, expected no schema changes; retyped age int64→category"),
                      added.stdout)
        let validated = try run("git", "ml", "data", "validate", "t@v2", "--json", expect: 1)
        let report = ((try json(validated.stdout) as? [String: Any])?["validation"] as? [String: Any])?["t@v2"]
        XCTAssertTrue(failures(report).contains { $0.kind == "schema_drift" }, validated.stdout)

        var renamed = Shape()
        renamed.incomeName = "salary"
        try writeData("t.csv", seed: 1, renamed)
        let renaming = try run("git", "ml", "data", "add", "t.csv", "--json", expect: 1)
        let contract = ((try json(renaming.stdout) as? [String: Any])?["checks"] as? [String: Any])?["contract"]
        XCTAssertTrue(failures(contract).contains { $0.kind == "column_present" && $0.column == "income" }, renaming.stdout)
        let schemaDrift = ((contract as? [String: Any])?["checks"] as? [[String: Any]])?.first { $0["kind"] as? String == "schema_drift" }
        XCTAssertEqual(schemaDrift?["detail"] as? String, "renamed income→salary; retyped age category→int64", renaming.stdout)

        // `data diff` shows the schema changes although a contract exists.
        let diff = try run("git", "ml", "data", "diff", "t@v1", "t@v3").stdout
        XCTAssertTrue(diff.contains("column renamed: income → salary (same values)"), diff)
        let retypedDiff = try run("git", "ml", "data", "diff", "t@v1", "t@v2").stdout
        XCTAssertTrue(retypedDiff.contains("column retyped: age int64 → category"), retypedDiff)
    }
}
