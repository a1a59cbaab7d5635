import XCTest
@testable import Tables

final class JSONLinesReaderTests: XCTestCase {
    func testReadsScalarsWithMissingKeysAsNulls() throws {
        let text = """
        {"id": 1, "score": 0.5, "ok": true, "name": "a\\"b", "at": "2024-05-01T00:00:00Z"}
        {"id": 2, "score": 2, "ok": false, "name": "\\u00e9\\ud83d\\ude00"}

        {"id": 3, "score": null, "name": "a\\"b", "extra": "x"}
        """
        let result = try JSONLinesReader.read(text: text)
        let table = result.table
        XCTAssertEqual(table.columnNames, ["id", "score", "ok", "name", "at", "extra"])
        XCTAssertEqual(table.column(named: "id")?.values, .int64([1, 2, 3]))
        XCTAssertEqual(table.column(named: "score")?.values, .float64([0.5, 2, 0]))
        XCTAssertEqual(table.column(named: "score")?.nullCount, 1)
        XCTAssertEqual(table.column(named: "ok")?.nullCount, 1)
        XCTAssertEqual(table.column(named: "name")?.text(at: 1), "é😀")
        XCTAssertEqual(table.column(named: "name")?.text(at: 2), "a\"b")
        XCTAssertEqual(table.column(named: "at")?.type, .timestamp)
        XCTAssertEqual(table.column(named: "extra")?.nullCount, 2)
        XCTAssertEqual(result.blankLines, 1)
    }

    func testErrorsCarryLineAndColumn() throws {
        let text = "{\"a\": 1}\n{\"a\": [1]}\n{\"a\": 2,}\n"
        XCTAssertThrowsError(try JSONLinesReader.read(text: text)) { error in
            guard case .invalidJSON(let line, let column, _)? = error as? TableReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 2)
            XCTAssertEqual(column, 7)
        }
        let skipped = try JSONLinesReader.read(text: text, options: JSONLinesReadOptions(badRows: .skip))
        XCTAssertEqual(skipped.table.rowCount, 1)
        XCTAssertEqual(skipped.skippedRows.map(\.line), [2, 3])
        XCTAssertThrowsError(try JSONLinesReader.read(text: "\n \n")) { XCTAssertEqual($0 as? TableReadError, .emptyInput) }
        XCTAssertThrowsError(try JSONLinesReader.read(bytes: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])) { error in
            XCTAssertEqual(error as? TableReadError, .invalidJSON(line: 1, column: 3, reason: "invalid UTF-8"))
        }
    }

    func testSchemaOverrideAndMixedKinds() throws {
        let table = try JSONLinesReader.read(text: "{\"v\": 1, \"m\": 1}\n{\"v\": 2, \"m\": \"x\"}\n",
                                             options: JSONLinesReadOptions(schema: ["v": .float64])).table
        XCTAssertEqual(table.column(named: "v")?.values, .float64([1, 2]))
        let narrow = try JSONLinesReader.read(text: "{\"v\": 0.1}\n{}\n", options: JSONLinesReadOptions(schema: ["v": .float32])).table
        XCTAssertEqual(narrow.column(named: "v")?.values, .float32([0.1, 0]))
        XCTAssertEqual(narrow.column(named: "v")?.nullCount, 1)
        XCTAssertEqual(table.column(named: "m")?.values, .category(codes: [0, 1], dictionary: ["1", "x"]))
        XCTAssertThrowsError(try JSONLinesReader.read(text: "{\"v\": \"a\"}\n", options: JSONLinesReadOptions(schema: ["v": .int64]))) { error in
            XCTAssertEqual(error as? TableReadError, .valueDoesNotMatchType(line: 1, column: 0, columnName: "v", value: "a", expected: .int64))
        }
    }
}
