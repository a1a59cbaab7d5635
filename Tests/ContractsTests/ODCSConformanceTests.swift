import Foundation
import XCTest
@testable import Contracts

/// Valid ODCS v3.0–v3.1 is accepted (every clause enforced or listed as unchecked), and a
/// contract that breaks the standard is refused with its line and the rule broken. The
/// fixtures in Fixtures/odcs were written for these tests.
final class ODCSConformanceTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/odcs")

    private func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    private func load(_ name: String, dataset: String? = nil) throws -> Contract {
        try Contract.load(contentsOf: fixture(name), dataset: dataset)
    }

    func testAFullV31ContractIsAccepted() throws {
        let contract = try load("full-v3.1.yaml", dataset: "sensor-readings")
        XCTAssertEqual(contract.table, "readings")
        XCTAssertEqual(contract.columns.map(\.name), ["reading_id", "sensor", "value", "read_at", "read_on", "shift_start", "calibrated",
                                                      "location", "alarms", "line_id"])
        XCTAssertEqual(contract.columns.map(\.logicalType), [.integer, .string, .number, .timestamp, .date, nil, .boolean, nil, nil, .integer])
        XCTAssertEqual(contract.column(named: "reading_id")?.minimum, 1)
        XCTAssertEqual(contract.column(named: "value")?.maximum, 140)
        XCTAssertEqual(contract.column(named: "read_on")?.maximum, Double(1_924_905_600_000_000))
        XCTAssertEqual(contract.column(named: "sensor")?.rules.map(\.metric), [.invalidValues])
        XCTAssertEqual(contract.column(named: "value")?.rules.map(\.metric), [.nullValues])
        XCTAssertEqual(contract.tableRules.map(\.metric), [.rowCount, .duplicateValues])
        XCTAssertEqual(contract.tableRules[1].properties, ["sensor", "read_at"])
        XCTAssertEqual(contract.label?.positiveValue, "true")
        XCTAssertEqual(contract.drift.maxPSI, 0.25)
        let unchecked = contract.unchecked.map { "\($0.path) (line \($0.line)): \($0.what)" }
        XCTAssertEqual(unchecked, [
            "schema[0].properties[0].logicalTypeOptions.format (line 71): format option",
            "schema[0].properties[1].logicalTypeOptions.minLength (line 80): minLength option",
            "schema[0].properties[1].logicalTypeOptions.maxLength (line 80): maxLength option",
            "schema[0].properties[1].logicalTypeOptions.pattern (line 80): pattern option",
            "schema[0].properties[1].quality[1] (line 89): type: text",
            "schema[0].properties[2].logicalTypeOptions.multipleOf (line 93): multipleOf option",
            "schema[0].properties[2].logicalTypeOptions.format (line 93): format option",
            "schema[0].properties[2].quality[1] (line 96): type: sql",
            "schema[0].properties[2].quality[2] (line 99): metric: missingValues",
            "schema[0].properties[3].logicalTypeOptions.timezone (line 104): timezone option",
            "schema[0].properties[3].logicalTypeOptions.defaultTimezone (line 104): defaultTimezone option",
            "schema[0].properties[4].logicalTypeOptions.format (line 109): format option",
            "schema[0].properties[5].logicalType (line 111): logicalType time: values are not type-checked",
            "schema[0].properties[5].logicalTypeOptions.format (line 112): format option",
            "schema[0].properties[7].logicalType (line 116): logicalType object: values are not type-checked",
            "schema[0].properties[7].logicalTypeOptions.required (line 117): required option",
            "schema[0].properties[7].properties (line 119): fields of an object column",
            "schema[0].properties[8].logicalType (line 122): logicalType array: values are not type-checked",
            "schema[0].properties[8].logicalTypeOptions.minItems (line 123): minItems option",
            "schema[0].properties[8].logicalTypeOptions.maxItems (line 123): maxItems option",
            "schema[0].properties[8].logicalTypeOptions.uniqueItems (line 123): uniqueItems option",
            "schema[0].properties[8].items.properties (line 127): fields of an object column",
            "schema[0].properties[8].items (line 125): items of an array column",
            "schema[0].properties[9].relationships[0] (line 132): relationship (foreign key)",
            "schema[0].relationships[0] (line 138): relationship (foreign key)",
            "schema[0].quality[1] (line 141): type: custom, engine: soda",
            "servers[0] (line 23): server lake (s3)",
            "servers[1] (line 30): server warehouse (postgresql)",
            "support[0] (line 37): support channel #line-data",
            "support[1] (line 38): support channel data-owners",
            "price (line 40): price",
            "team (line 44): team (2 members)",
            "roles[0] (line 50): role analyst",
            "slaDefaultElement (line 51): SLA default element",
            "slaProperties[0] (line 53): SLA latency",
            "slaProperties[1] (line 54): SLA retention",
        ])
    }

    func testAMultiTableContractChecksTheDatasetsTable() throws {
        let lines = try load("multi-table-v3.0.yaml", dataset: "order_lines")
        XCTAssertEqual(lines.table, "order_lines")
        XCTAssertEqual(lines.columns.map(\.name), ["order_id", "sku", "quantity"])
        XCTAssertEqual(lines.tableRules.map(\.metric), [.rowCount], "the deprecated `rule` names a metric GitML checks")
        XCTAssertEqual(lines.unchecked.map(\.path), ["schema[0]", "team"])
        XCTAssertEqual(lines.unchecked.first?.what, "table orders: not the dataset's table")
        XCTAssertEqual(try load("multi-table-v3.0.yaml", dataset: "orders").columns.map(\.name), ["order_id", "placed_at"])
    }

    func testTheTableCustomPropertyChoosesTheTable() throws {
        let text = try String(contentsOfFile: fixture("multi-table-v3.0.yaml"), encoding: .utf8)
        let named = text + "customProperties:\n  - { property: gitmlTable, value: orders }\n"
        XCTAssertEqual(try Contract.load(yaml: named, file: "c.yaml", dataset: "orders-2026").table, "orders")
        let wrong = text + "customProperties:\n  - { property: gitmlTable, value: returns }\n"
        XCTAssertThrowsError(try Contract.load(yaml: wrong, file: "c.yaml", dataset: "orders")) { error in
            XCTAssertEqual("\(error)", "c.yaml:23: customProperties[0].value: gitmlTable names table 'returns', but the contract declares 'orders', 'order_lines'")
        }
    }

    func testAMultiTableContractWithoutAMatchingTableIsRefused() {
        XCTAssertThrowsError(try load("multi-table-v3.0.yaml", dataset: "returns")) { error in
            XCTAssertEqual("\(error)", "\(fixture("multi-table-v3.0.yaml")):10: schema[0]: the contract declares tables 'orders', 'order_lines' and none is named 'returns' (the dataset): rename one or name it with customProperties: [{ property: gitmlTable, value: <table> }]")
        }
        XCTAssertThrowsError(try load("multi-table-v3.0.yaml")) { error in
            XCTAssertTrue("\(error)".contains("the contract declares tables 'orders', 'order_lines': name the dataset's table"), "\(error)")
        }
    }

    func testAContractWithOnlyServicesIsAccepted() throws {
        let contract = try load("services-only.yaml")
        XCTAssertNil(contract.table)
        XCTAssertEqual(contract.columns, [])
        XCTAssertEqual(contract.unchecked.map(\.path), ["servers[0]", "support[0]", "roles[0]", "slaProperties[0]"])
    }

    func testContractsThatBreakTheStandardAreRefused() {
        let expected: [(String, String)] = [
            ("invalid-api-version.yaml", ":2: apiVersion: 'v2.2.2' is not an ODCS version GitML reads: one of v3.0.0, v3.0.1, v3.0.2, v3.1.0"),
            ("invalid-kind.yaml", ":3: kind: the kind of an ODCS contract is DataContract"),
            ("unknown-property-key.yaml", ":12:9: schema[0].properties[0].requried: unknown key 'requried' — did you mean 'required'?"),
            ("unknown-option-key.yaml",
             ":12:31: schema[0].properties[0].logicalTypeOptions.maxLenght: unknown key 'maxLenght' — did you mean 'maxLength'?"),
            ("unknown-top-level-key.yaml", ":12:1: slaProperty: unknown key 'slaProperty' — did you mean 'slaProperties'?"),
            ("empty-valid-values.yaml", ":14: schema[0].properties[0].quality[0].arguments.validValues: the list is empty: give at least one value"),
            ("duplicate-valid-values.yaml", ":14: schema[0].properties[0].quality[0].arguments.validValues: 'x' is listed twice"),
            ("library-without-metric.yaml", ":13: schema[0].properties[0].quality[0]: a quality rule of type library needs metric (or the deprecated rule)"),
            ("sql-without-query.yaml", ":13: schema[0].properties[0].quality[0]: a quality rule of type sql needs query"),
            ("custom-without-implementation.yaml",
             ":13: schema[0].properties[0].quality[0]: a quality rule of type custom needs engine and implementation"),
            ("text-without-description.yaml", ":13: schema[0].properties[0].quality[0]: a quality rule of type text needs description"),
            ("unknown-metric.yaml",
             ":13: schema[0].properties[0].quality[0].metric: 'nullValue' is not one of nullValues, missingValues, invalidValues, duplicateValues, rowCount"),
            ("sql-with-metric-key.yaml", ":15:13: schema[0].properties[0].quality[0].metric: unknown key 'metric' (not a key of this block: a typo?)"),
        ]
        for (name, message) in expected {
            XCTAssertThrowsError(try load(name), name) { error in
                XCTAssertEqual("\(error)", fixture(name) + message, name)
            }
        }
    }
}
