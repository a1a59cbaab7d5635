import Foundation
import XCTest

/// End to end: a typo in any YAML file stops the command with the did-you-mean message, and a
/// multi-table ODCS contract validates the dataset's table and says what it did not check.
final class StrictFilesCLITests: CLITestCase {
    private let contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: t-contract
        version: 1.0.0
        status: active
        servers:
          - { server: lake, type: s3, location: "s3://lake/t/" }
        slaProperties:
          - { property: latency, value: 1, unit: d }
        schema:
          - name: audit
            properties:
              - { name: event, logicalType: string }
          - name: t
            properties:
              - { name: id, logicalType: integer, required: true, unique: true, primaryKey: true }
              - name: a
                logicalType: number
                logicalTypeOptions: { minimum: 0, maximum: 10 }
                quality:
                  - type: sql
                    query: "SELECT COUNT(*) FROM t WHERE a > 5"
                    mustBeLessThan: 100
              - { name: b, logicalType: integer }
              - { name: label, logicalType: integer, required: true }

        """

    private func writeContract(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: repo + "/ml/contracts", withIntermediateDirectories: true)
        try text.write(toFile: repo + "/ml/contracts/t.yaml", atomically: true, encoding: .utf8)
    }

    func testAContractTypoFailsValidation() throws {
        try run("git", "ml", "init")
        try writeCSV("t.csv", rows: 200)
        try writeContract(contract)
        try run("git", "ml", "data", "add", "t.csv")
        try writeContract(contract.replacingOccurrences(of: "required: true, unique", with: "requried: true, unique"))
        let typo = try run("git", "ml", "data", "validate", "t", expect: 3)
        XCTAssertTrue(typo.stderr.contains("ml/contracts/t.yaml:16:43: schema[1].properties[0].requried: unknown key 'requried' — did you mean 'required'?"),
                      typo.stderr)
    }

    func testAMultiTableContractValidatesTheDatasetsTableAndListsWhatItDidNotCheck() throws {
        try run("git", "ml", "init")
        try writeCSV("t.csv", rows: 200)
        try writeContract(contract)
        try run("git", "ml", "data", "add", "t.csv")
        let text = try run("git", "ml", "data", "validate", "t").stdout
        XCTAssertTrue(text.contains("t@v1: passed"), text)
        XCTAssertTrue(text.contains("declared, not checked (4):"), text)
        XCTAssertTrue(text.contains("schema[0] (line 11): table audit: not the dataset's table"), text)
        XCTAssertTrue(text.contains("schema[1].properties[1].quality[0] (line 21): type: sql"), text)
        let report = try XCTUnwrap((try json(try run("git", "ml", "data", "validate", "t", "--json").stdout) as? [String: Any])?["validation"] as? [String: Any])
        let validation = try XCTUnwrap(report["t@v1"] as? [String: Any])
        let unchecked = try XCTUnwrap(validation["unchecked"] as? [[String: Any]])
        XCTAssertEqual(unchecked.compactMap { $0["path"] as? String }, ["schema[0]", "schema[1].properties[1].quality[0]", "servers[0]", "slaProperties[0]"])
        let checks = try XCTUnwrap(validation["checks"] as? [[String: Any]])
        XCTAssertTrue(checks.contains { $0["kind"] as? String == "range" && $0["column"] as? String == "a" }, "the chosen table's clauses are checked")
        XCTAssertFalse(checks.contains { $0["column"] as? String == "event" }, "another table's columns are not required")
    }

    func testConfigAndExperimentTyposStopTheCommand() throws {
        try run("git", "ml", "init")
        try "stroe:\n  compression_level: 3\n".write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
        let config = try run("git", "ml", "data", "status", expect: 3)
        XCTAssertTrue(config.stderr.contains("ml/config.yaml:1:1: stroe: unknown key 'stroe' — did you mean 'store'?"), config.stderr)

        try "cost: { cpu_hour_us: 1 }\n".write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: repo + "/ml/experiments", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo + "/ml/suites", withIntermediateDirectories: true)
        try "task: binary\nlabel: { column: label, positive: \"1\" }\neval: t@v1\nprimary: { metric: roc_auc }\n"
            .write(toFile: repo + "/ml/suites/s.yaml", atomically: true, encoding: .utf8)
        try "suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\nsedes: [1, 2]\n".write(toFile: repo + "/ml/experiments/e.yaml", atomically: true, encoding: .utf8)
        let experiment = try run("git", "ml", "run", "e", expect: 3)
        XCTAssertTrue(experiment.stderr.contains("ml/experiments/e.yaml:4:1: sedes: unknown key 'sedes' — did you mean 'seeds'?"), experiment.stderr)

        try "suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\nseeds: [1, 2]\n".write(toFile: repo + "/ml/experiments/e.yaml", atomically: true, encoding: .utf8)
        let rates = try run("git", "ml", "run", "e", expect: 3)
        XCTAssertTrue(rates.stderr.contains("ml/config.yaml:1:9: cost.cpu_hour_us: unknown key 'cpu_hour_us' — did you mean 'cpu_hour_usd'?"), rates.stderr)
    }
}
