import Foundation
import XCTest

/// Parquet and compressed text are inputs like CSV: a Parquet dataset and its CSV twin give the
/// same checks, profile and validation, and `git ml eval` reads Parquet predictions.
final class ParquetCLITests: CLITestCase {
    /// The twins written by scripts/fixtures/parquet.py.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../TablesTests/Fixtures/parquet").standardized.path

    private func copy(_ fixture: String, to name: String) throws {
        try FileManager.default.copyItem(atPath: Self.fixtures + "/" + fixture, toPath: repo + "/" + name)
    }

    private func profile(_ version: String) throws -> Any? {
        (try json(try run("git", "ml", "data", "show", version, "--profile", "--json").stdout) as? [String: Any])?["profile"]
    }

    func testParquetDatasetProfilesAndValidatesAsItsCSVTwin() throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        for name in ["churn-csv", "churn-parquet", "churn-plain", "churn-gz"] {
            try ChurnProject.contract.write(toFile: repo + "/ml/contracts/\(name).yaml", atomically: true, encoding: .utf8)
        }
        try copy("churn_twin.csv", to: "churn.csv")
        try copy("churn_twin.parquet", to: "churn.parquet")
        try copy("churn_twin_plain.parquet", to: "plain.parquet")  // its text is read as bytes, not as categories
        try run("gzip", "-k", "-n", "churn.csv")
        let csv = try run("git", "ml", "data", "add", "churn.csv", "--name", "churn-csv", "--json")
        try run("git", "ml", "data", "add", "churn.csv.gz", "--name", "churn-gz")
        let csvChecks = (try json(csv.stdout) as? [String: Any])?["checks"] as? [String: Any]
        let csvProfile = try XCTUnwrap(try profile("churn-csv@v1") as? [String: Any])
        XCTAssertEqual(NSDictionary(dictionary: try XCTUnwrap(try profile("churn-gz@v1") as? [String: Any])), NSDictionary(dictionary: csvProfile))
        for (file, name) in [("churn.parquet", "churn-parquet"), ("plain.parquet", "churn-plain")] {
            let parquet = try run("git", "ml", "data", "add", file, "--name", name, "--json")
            let parquetChecks = (try json(parquet.stdout) as? [String: Any])?["checks"] as? [String: Any]
            XCTAssertEqual(parquetChecks?["passed"] as? Bool, true, parquet.stdout)
            XCTAssertEqual(NSDictionary(dictionary: parquetChecks?["contract"] as? [String: Any] ?? [:]),
                           NSDictionary(dictionary: csvChecks?["contract"] as? [String: Any] ?? ["missing": true]), name)

            XCTAssertEqual(NSDictionary(dictionary: try XCTUnwrap(try profile(name + "@v1") as? [String: Any])), NSDictionary(dictionary: csvProfile), name)
            XCTAssertTrue(try run("git", "ml", "data", "show", name + "@v1", "--profile").stdout.contains("profile   400 rows, 5 columns"))

            let validated = try run("git", "ml", "data", "validate", name + "@v1", "churn-csv@v1", "--json")
            let reports = (try json(validated.stdout) as? [String: Any])?["validation"] as? [String: Any]
            XCTAssertEqual(NSDictionary(dictionary: reports?[name + "@v1"] as? [String: Any] ?? [:]),
                           NSDictionary(dictionary: reports?["churn-csv@v1"] as? [String: Any] ?? ["missing": true]), validated.stdout)
        }
        // Row by row, by key: the twins hold the same rows.
        let diff = try run("git", "ml", "data", "diff", "churn-csv@v1", "churn-plain@v1", "--json")
        let rows = try XCTUnwrap(((try json(diff.stdout) as? [String: Any])?["table"] as? [String: Any])?["rows"] as? [String: Any], diff.stdout)
        XCTAssertEqual(rows["added"] as? Int, 0, diff.stdout)
        XCTAssertEqual(rows["removed"] as? Int, 0, diff.stdout)
    }

    func testParquetWhoseTypesDisagreeWithTheContractFailsTheSchemaCheckNamingTheColumn() throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        // The contract says region is an integer; the file holds strings.
        try ChurnProject.contract.replacingOccurrences(of: "name: region\n        logicalType: string", with: "name: region\n        logicalType: integer")
            .write(toFile: repo + "/ml/contracts/churn.yaml", atomically: true, encoding: .utf8)
        try copy("churn_twin.parquet", to: "churn.parquet")
        let added = try run("git", "ml", "data", "add", "churn.parquet", "--name", "churn", expect: 1)
        XCTAssertTrue(added.stdout.contains("region"), added.stdout)
    }

    func testHivePartitionedDirectoryIsOneTable() throws {
        try run("git", "ml", "init")
        try FileManager.default.copyItem(atPath: Self.fixtures + "/hive", toPath: repo + "/events")
        try run("git", "ml", "data", "add", "events")
        let shown = try run("git", "ml", "data", "show", "events@v1", "--profile").stdout
        XCTAssertTrue(shown.contains("profile   150 rows, 5 columns"), shown)
        let profile = try XCTUnwrap(try profile("events@v1") as? [String: Any])
        let columns = try XCTUnwrap(profile["columns"] as? [[String: Any]])
        XCTAssertEqual(columns.map { $0["name"] as? String }, ["id", "amount", "city", "year", "region"])
        // Read again, from the store, when the working tree changed (and no profile is cached).
        try FileManager.default.removeItem(atPath: repo + "/events/year=2025")
        try FileManager.default.removeItem(atPath: repo + "/.git/ml/cache/results")
        XCTAssertTrue(try run("git", "ml", "data", "show", "events@v1", "--profile").stdout.contains("profile   150 rows, 5 columns"))
    }

    static let eventsContract = """
        apiVersion: v3.0.2
        kind: DataContract
        name: events
        schema:
          - name: events
            properties:
              - { name: id, logicalType: integer, required: true, unique: true, primaryKey: true }
              - { name: amount, logicalType: number }
              - { name: city, logicalType: string }
              - { name: year, logicalType: integer, required: true }
              - { name: region, logicalType: string }

        """

    /// A directory of Parquet files is a table everywhere a file is: `data add` checks it
    /// against its contract, `data validate` reads it, and `data diff` compares two versions
    /// row by row, by the contract's key.
    func testParquetDirectoryIsCheckedValidatedAndDiffedByKey() throws {
        try run("git", "ml", "init")
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        try Self.eventsContract.write(toFile: repo + "/ml/contracts/events.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/hive", toPath: repo + "/events")
        let added = try run("git", "ml", "data", "add", "events", "--json")
        let checks = try XCTUnwrap((try json(added.stdout) as? [String: Any])?["checks"] as? [String: Any], added.stdout)
        XCTAssertEqual(checks["passed"] as? Bool, true, added.stdout)
        let contract = try XCTUnwrap(checks["contract"] as? [String: Any], added.stdout)
        XCTAssertFalse((contract["checks"] as? [Any] ?? []).isEmpty, added.stdout)

        let validated = try run("git", "ml", "data", "validate", "events@v1", "--json")
        let report = ((try json(validated.stdout) as? [String: Any])?["validation"] as? [String: Any])?["events@v1"] as? [String: Any]
        XCTAssertFalse((report?["checks"] as? [Any] ?? []).isEmpty, validated.stdout)

        // v2 loses the year 2025 (75 rows) and gains nothing: a row-level diff by key says so.
        // Its drift checks against v1 read both directories, and fail on the lost year.
        try FileManager.default.removeItem(atPath: repo + "/events/year=2025")
        let second = try run("git", "ml", "data", "add", "events", expect: 1)
        XCTAssertTrue(second.stdout.contains("FAIL psi year"), second.stdout)
        let diff = try run("git", "ml", "data", "diff", "events@v1", "events@v2", "--json")
        let rows = try XCTUnwrap(((try json(diff.stdout) as? [String: Any])?["table"] as? [String: Any])?["rows"] as? [String: Any], diff.stdout)
        XCTAssertEqual(rows["before"] as? Int, 150)
        XCTAssertEqual(rows["after"] as? Int, 75)
        XCTAssertEqual(rows["removed"] as? Int, 75)
        XCTAssertEqual(rows["added"] as? Int, 0)
        XCTAssertEqual(rows["key"] as? [String], ["id"])
        XCTAssertTrue(try run("git", "ml", "data", "diff", "events@v1", "events@v2").stdout.contains("rows: 150 → 75; 0 added, 75 removed"))

        // A directory of other files is not a table: a clear error, not a crash.
        try FileManager.default.createDirectory(atPath: repo + "/notes", withIntermediateDirectories: true)
        try "hello\n".write(toFile: repo + "/notes/a.txt", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "notes")
        let refused = try run("git", "ml", "data", "show", "notes@v1", "--profile", expect: nil)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("directory of Parquet files"), refused.stderr)
    }

    /// A project with the churn suite, its evaluation set added, the CSV twin in train.csv and
    /// experiments `on-csv` (on train-csv@v1) and `experiment` (on `twin`@v1).
    private func setUpTwinTraining(twin: String, experiment: String) throws {
        try run("git", "ml", "init")
        for directory in ["contracts", "suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        for name in ["churn-eval", "train-csv", twin] {
            try ChurnProject.contract.write(toFile: repo + "/ml/contracts/\(name).yaml", atomically: true, encoding: .utf8)
        }
        try ChurnProject.suite.write(toFile: repo + "/ml/suites/churn.yaml", atomically: true, encoding: .utf8)
        for (experiment, dataset) in [("on-csv", "train-csv"), (experiment, twin)] {
            try ChurnProject.experiment(seeds: "[1]").replacingOccurrences(of: "churn-train@v1", with: dataset + "@v1")
                .write(toFile: repo + "/ml/experiments/\(experiment).yaml", atomically: true, encoding: .utf8)
        }
        try writeChurn("eval.csv", rows: 300, firstID: 100_000, seed: 2)
        try copy("churn_twin.csv", to: "train.csv")
    }

    /// Commits the project, runs `on-csv` then `experiment`, and returns `git ml log --json` (two runs).
    private func commitAndRunBoth(_ experiment: String) throws -> [[String: Any]] {
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "project")
        try run("git", "ml", "run", "on-csv")
        try run("git", "ml", "run", experiment)
        let runs = try XCTUnwrap(try json(try run("git", "ml", "log", "--json").stdout) as? [[String: Any]])
        XCTAssertEqual(runs.count, 2)
        return runs
    }

    /// Training on a directory holding the Parquet twin gives the CSV's metrics, and `git ml
    /// eval` reads a directory of Parquet predictions as its single-file twin.
    func testTrainingAndEvalOnAParquetDirectoryGiveTheCSVTwinsResults() throws {
        try setUpTwinTraining(twin: "train-dir", experiment: "on-dir")
        try FileManager.default.createDirectory(atPath: repo + "/train", withIntermediateDirectories: true)
        try copy("churn_twin.parquet", to: "train/part-00000.parquet")
        try "".write(toFile: repo + "/train/_SUCCESS", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "eval.csv", "--name", "churn-eval")
        try run("git", "ml", "data", "add", "train.csv", "--name", "train-csv")
        let added = try run("git", "ml", "data", "add", "train", "--name", "train-dir", "--json")
        XCTAssertNotNil((try json(added.stdout) as? [String: Any])?["checks"] as? [String: Any], added.stdout)
        let runs = try commitAndRunBoth("on-dir")
        let metrics = runs.map { NSDictionary(dictionary: ($0["metrics"] as? [String: Any]) ?? [:]) }
        XCTAssertNotNil(metrics[0]["headline"])
        XCTAssertEqual(metrics[0], metrics[1])

        try FileManager.default.createDirectory(atPath: repo + "/preds", withIntermediateDirectories: true)
        try copy("preds_twin.parquet", to: "preds/part-0.parquet")
        try assertEvalEqualsTheCSVTwin("preds")
    }

    func testTrainingOnParquetGivesTheMetricsOfItsCSVTwinAndPredictReadsParquet() throws {
        try assertTrainingAndPredictionEqualTheCSVTwins(parquet: "churn_twin.parquet")
    }

    /// As above, on the twin written without a dictionary, whose text column GitML keeps as
    /// bytes: the learner's categorical feature is the same.
    func testTrainingOnParquetTextKeptAsBytesGivesTheCSVTwinsMetrics() throws {
        try assertTrainingAndPredictionEqualTheCSVTwins(parquet: "churn_twin_plain.parquet")
    }

    private func assertTrainingAndPredictionEqualTheCSVTwins(parquet: String) throws {
        try setUpTwinTraining(twin: "train-parquet", experiment: "on-parquet")
        try copy(parquet, to: "train.parquet")
        try run("git", "ml", "data", "add", "eval.csv", "--name", "churn-eval")
        try run("git", "ml", "data", "add", "train.csv", "--name", "train-csv")
        try run("git", "ml", "data", "add", "train.parquet", "--name", "train-parquet")
        let runs = try commitAndRunBoth("on-parquet")
        let headlines = runs.map { ($0["metrics"] as? [String: Any])?["headline"] as? [String: Any] }
        XCTAssertNotNil(headlines[0]?["value"] as? Double)
        XCTAssertEqual(headlines[0]?["value"] as? Double, headlines[1]?["value"] as? Double)
        let id = try XCTUnwrap(runs[0]["id"] as? String)
        let short = String(id.dropFirst(7).prefix(12))
        let fromCSV = try run("git", "ml", "predict", short, "train.csv").stdout
        XCTAssertEqual(try run("git", "ml", "predict", short, "train.parquet").stdout, fromCSV)
        XCTAssertEqual(fromCSV.split(separator: "\n").count, 401)
    }

    func testEvalReadsParquetPredictionsAsTheCSVTwin() throws {
        try copy("preds_twin.parquet", to: "preds.parquet")
        try assertEvalEqualsTheCSVTwin("preds.parquet")
    }

    /// `git ml eval` of `path` gives the evaluation of preds_twin.csv.
    private func assertEvalEqualsTheCSVTwin(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try copy("preds_twin.csv", to: "preds.csv")
        let fromCSV = try json(try run("git", "ml", "eval", "preds.csv", "--label", "y", "--score", "p", "--json").stdout) as? [String: Any]
        let fromTwin = try json(try run("git", "ml", "eval", path, "--label", "y", "--score", "p", "--json").stdout) as? [String: Any]
        XCTAssertNotNil(fromCSV?["evaluation"], file: file, line: line)
        XCTAssertEqual(NSDictionary(dictionary: fromTwin?["evaluation"] as? [String: Any] ?? [:]),
                       NSDictionary(dictionary: fromCSV?["evaluation"] as? [String: Any] ?? ["missing": true]), file: file, line: line)
    }

    /// Checks and runs read only the columns they use (issue 18): with the pages of a column that
    /// neither the contract nor the experiment uses turned to garbage, `data add` validates and
    /// `git ml run` trains; a read of every column (a profile, an experiment that uses it) fails
    /// naming that column.
    func testColumnsNoCheckOrRunUsesAreNeverRead() throws {
        try run("git", "ml", "init")
        for directory in ["contracts", "suites", "experiments"] {
            try FileManager.default.createDirectory(atPath: repo + "/ml/" + directory, withIntermediateDirectories: true)
        }
        // The first two values of the `note` column's dictionary page; its first length becomes 2^32 − 1.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/pyarrow_codec_none.parquet"))
        let page = try XCTUnwrap(bytes.range(of: Data("\u{6}\0\0\0row 0 \u{7}\0\0\0row 1 x".utf8)))
        bytes.replaceSubrange(page.lowerBound..<page.lowerBound + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
        func contract(_ name: String, drift: String) -> String {
            """
            apiVersion: v3.0.2
            kind: DataContract
            name: \(name)
            schema:
              - name: \(name)
                properties:
                  - { name: id, logicalType: integer, required: true, unique: true, primaryKey: true }
                  - { name: ratio, logicalType: number, required: true }
                  - { name: city, logicalType: string }
            \(drift)

            """
        }
        func add(_ name: String, drift: String = "", expect: Int32 = 0) throws -> [String: Any]? {
            try bytes.write(to: URL(fileURLWithPath: repo + "/\(name).parquet"))
            try contract(name, drift: drift).write(toFile: repo + "/ml/contracts/\(name).yaml", atomically: true, encoding: .utf8)
            let added = try run("git", "ml", "data", "add", "\(name).parquet", "--name", name, "--json", expect: expect)
            return (try? json(added.stdout) as? [String: Any])?["checks"] as? [String: Any]
        }
        for name in ["mixed", "mixed-eval"] { XCTAssertEqual(try add(name)?["passed"] as? Bool, true) }
        // A second version (other garbage): its drift checks compare the columns `drift.columns`
        // names and every column's name and type from the footers.
        bytes[page.lowerBound] = 0xFE
        let drifted = try add("mixed-eval", drift: "drift: { columns: [ratio, city] }")
        XCTAssertEqual(drifted?["passed"] as? Bool, true, "\(drifted ?? [:])")
        let checks = ((drifted?["contract"] as? [String: Any])?["checks"] as? [[String: Any]]) ?? []
        XCTAssertTrue(checks.contains { $0["kind"] as? String == "schema_drift" && $0["status"] as? String == "pass" }, "\(checks)")
        XCTAssertTrue(checks.contains { $0["kind"] as? String == "null_share" && $0["column"] as? String == "city" }, "\(checks)")
        try """
            task: regression
            label: { column: ratio }
            eval: mixed-eval@v1
            entity: id
            primary: { metric: rmse }

            """.write(toFile: repo + "/ml/suites/mixed.yaml", atomically: true, encoding: .utf8)
        for (experiment, features) in [("fit", "exclude: [note]"), ("noted", "include: [amount, note]")] {
            try """
                suite: mixed
                train: mixed@v1
                validation: { split: random, fraction: 0.25 }
                features: { \(features) }
                model: { kind: gbdt, rounds: 5, num_leaves: 7, learning_rate: 0.1 }
                seeds: [1]
                candidate: ensemble

                """.write(toFile: repo + "/ml/experiments/\(experiment).yaml", atomically: true, encoding: .utf8)
        }
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "project")
        try run("git", "ml", "run", "fit")
        XCTAssertEqual((try json(try run("git", "ml", "log", "--json").stdout) as? [[String: Any]])?.count, 1)
        // Without `drift.columns` the null share compares every column: v2's validation counts
        // `note`'s nulls from its definition levels and never decodes its (garbage) values.
        try contract("mixed-eval", drift: "").write(toFile: repo + "/ml/contracts/mixed-eval.yaml", atomically: true, encoding: .utf8)
        let validated = try json(try run("git", "ml", "data", "validate", "mixed-eval@v2", "--json").stdout) as? [String: Any]
        let validation = (((validated?["validation"] as? [String: Any])?["mixed-eval@v2"] as? [String: Any])?["checks"] as? [[String: Any]]) ?? []
        XCTAssertTrue(validation.contains { $0["kind"] as? String == "null_share" && $0["column"] as? String == "note" && $0["status"] as? String == "pass" },
                      "\(validated ?? [:])")
        XCTAssertTrue(validation.contains { $0["kind"] as? String == "null_share" && $0["column"] as? String == "flag" }, "\(validation)")
        // A run whose features take `note`, and a profile (every column), decode it and fail naming it.
        for args in [["git", "ml", "run", "noted"], ["git", "ml", "data", "show", "mixed@v1", "--profile"]] {
            let failed = try run(args, expect: nil)
            XCTAssertNotEqual(failed.status, 0, failed.stdout)
            XCTAssertTrue(failed.stderr.contains("note"), failed.stderr)
        }
    }

    func testCorruptParquetIsAnErrorNamingTheFile() throws {
        try copy("preds_twin.parquet", to: "preds.parquet")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: repo + "/preds.parquet"))
        try handle.truncate(atOffset: 200)
        try handle.close()
        let out = try run("git", "ml", "eval", "preds.parquet", "--label", "y", "--score", "p", expect: 3)
        XCTAssertTrue(out.stderr.contains("preds.parquet"), out.stderr)
        XCTAssertTrue(out.stderr.contains("not a Parquet file"), out.stderr)
    }
}
