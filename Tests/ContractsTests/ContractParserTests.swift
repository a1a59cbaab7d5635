import Foundation
import XCTest
@testable import Contracts

final class ContractParserTests: XCTestCase {
    static let templatePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../templates/ml/contracts/example.yaml").standardized.path

    func testLoadsTheTemplate() throws {
        let contract = try Contract.load(contentsOf: Self.templatePath)
        XCTAssertEqual(contract.name, "customers")
        XCTAssertEqual(contract.columns.map(\.name), ["customer_id", "age", "income", "plan", "signup_time", "churned"])
        let age = try XCTUnwrap(contract.column(named: "age"))
        XCTAssertEqual(age.logicalType, .integer)
        XCTAssertEqual(age.minimum, 18)
        XCTAssertEqual(age.maximum, 120)
        XCTAssertEqual(age.rules.first?.metric, .nullValues)
        XCTAssertEqual(age.rules.first?.unit, .percent)
        XCTAssertEqual(age.rules.first?.threshold, .mustBeLessThan(5))
        XCTAssertEqual(contract.column(named: "signup_time")?.minimum, Double(1_420_070_400_000_000))
        XCTAssertEqual(contract.column(named: "plan")?.rules.first?.validValues, ["basic", "pro", "enterprise"])
        XCTAssertEqual(contract.tableRules.map(\.metric), [.rowCount, .duplicateValues])
        XCTAssertEqual(contract.tableRules[0].threshold, .mustBeBetween(1000, 10_000_000))
        XCTAssertEqual(contract.tableRules[1].properties, ["customer_id", "signup_time"])
        XCTAssertEqual(contract.forbiddenColumns, ["ssn", "email"])
        XCTAssertEqual(contract.label?.positiveRate, 0.01...0.5)
        XCTAssertEqual(contract.freshness?.maxAgeHours, 72)
        XCTAssertEqual(contract.drift.maxPSI, 0.2)
        XCTAssertEqual(contract.drift.maxRowCountChange, 0.5)
        XCTAssertEqual(contract.leakage?.featureAUCCeiling, 0.95)
        XCTAssertEqual(contract.entityKey, ["customer_id"])
        XCTAssertEqual(contract.readSchema["income"], .float64)
    }

    func testPhysicalFloat32AllowsFloat32Columns() throws {
        let yaml = "schema:\n  - name: t\n    properties:\n      - { name: a, logicalType: number, physicalType: float32 }\n"
            + "      - { name: b, logicalType: number, physicalType: double }\n      - { name: c, logicalType: integer, physicalType: real }\n"
        let contract = try Contract.load(yaml: yaml, file: "c.yaml")
        XCTAssertEqual(contract.readSchema, ["a": .float32, "b": .float64, "c": .int64])
        XCTAssertTrue(LogicalType.number.accepts(.float32))
    }

    private func assertError(_ yaml: String, _ expected: ContractError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Contract.load(yaml: yaml, file: "c.yaml"), file: file, line: line) { error in
            XCTAssertEqual(error as? ContractError, expected, file: file, line: line)
        }
    }

    func testErrorsNameFileLineAndKey() {
        assertError("schema:\n  - name: t\n    properties:\n      - logicalType: integer\n",
                    .missingKey(file: "c.yaml", line: 4, key: "schema[0].properties[0].name"))
        assertError("schema:\n  - name: t\n    properties:\n      - name: a\n        logicalType: integr\n",
                    .invalidValue(file: "c.yaml", line: 5, key: "schema[0].properties[0].logicalType",
                                  message: "'integr' is not one of string, date, timestamp, time, number, integer, object, array, boolean"))
        assertError("schema:\n  - name: t\n    properties: []\ndrift:\n  threshold: {psi: 1}\n",
                    .unknownKey(file: "c.yaml", line: 5, column: 3, key: "drift.threshold", suggestion: "thresholds"))
        assertError("schema:\n  - name: t\n    properties:\n      - name: a\n        quality:\n          - metric: nullValues\n            mustBeBetween: [5, 1]\n",
                    .invalidValue(file: "c.yaml", line: 7, key: "schema[0].properties[0].quality[0].mustBeBetween",
                                  message: "the first bound exceeds the second"))
        XCTAssertThrowsError(try Contract.load(yaml: "schema: [\n  - a: b\n", file: "c.yaml")) { error in
            guard case .invalidYAML(let file, let line, _)? = error as? ContractError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "c.yaml")
            XCTAssertGreaterThan(line, 1)
        }
    }
}
