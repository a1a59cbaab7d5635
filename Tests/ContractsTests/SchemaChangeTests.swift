import XCTest
import Tables
@testable import Contracts

/// Schema changes named as such, and finding lines that show the observed value against the limit.
final class SchemaChangeTests: XCTestCase {
    func testRenamesAreColumnsWithTheSameValues() throws {
        let before = try Table(columns: [.int64("id", [1, 2, 3]), .float64("fare", [1.5, nil, 3]), .category("city", ["a", "b", "a"])])
        // `fare` renamed `price`; `city` removed; `zone` added with other values.
        let after = try Table(columns: [.int64("id", [1, 2, 3]), .float64("price", [1.5, nil, 3]), .category("zone", ["x", "y", "x"])])
        let changes = SchemaChanges(before: before, after: after)
        XCTAssertEqual(changes.renamed, [.init(before: "fare", after: "price")])
        XCTAssertEqual(changes.removed, ["city"])
        XCTAssertEqual(changes.added, ["zone"])
        XCTAssertEqual(changes.count, 3)
        XCTAssertEqual(changes.summary, "renamed fare→price; added zone; removed city")

        // Numbers compare as numbers across types; a different row count is never a rename.
        let counts = try Table(columns: [.int64("n", [1, 2, 3])])
        XCTAssertEqual(SchemaChanges(before: counts, after: try Table(columns: [.float64("m", [1, 2, 3])])).renamed.count, 1)
        XCTAssertEqual(SchemaChanges(before: counts, after: try Table(columns: [.int64("m", [1, 2])])).renamed, [])
    }

    /// Tables that hold only the columns a validation read: names and types of the others come
    /// from the headers, types of read columns from the tables, renames from the values read.
    func testHeadersStandForColumnsLeftOutOfTheRead() throws {
        let before = try Table(columns: [.int64("id", [1, 2, 3]), .float64("fare", [1.5, nil, 3])])
        let after = try Table(columns: [.int64("id", [1, 2, 3]), .float64("price", [1.5, nil, 3])])
        let changes = SchemaChanges(before: before, after: after, headers: (
            before: [.init(name: "id", type: .category), .init(name: "fare", type: .float64), .init(name: "note", type: .category),
                     .init(name: "count", type: .int64), .init(name: "tags", type: nil), .init(name: "gone", type: .bool)],
            after: [.init(name: "id", type: .category), .init(name: "price", type: .float64), .init(name: "note", type: .category),
                    .init(name: "count", type: .float64), .init(name: "tags", type: nil), .init(name: "new", type: .bool)]))
        XCTAssertEqual(changes.renamed, [.init(before: "fare", after: "price")])
        // `gone` and `new` were not read: no values, so no rename; `id` read as int64 in both.
        XCTAssertEqual(changes.removed, ["gone"])
        XCTAssertEqual(changes.added, ["new"])
        XCTAssertEqual(changes.retyped, [.init(column: "count", before: .int64, after: .float64)])
    }

    func testVerdictTurnsTheLimitAround() {
        func check(_ kind: CheckResult.Kind, _ status: CheckResult.Status, _ observed: Double?, _ limit: String) -> CheckResult {
            CheckResult(kind: kind, column: "c", status: status, observed: observed, limit: limit, detail: "")
        }
        XCTAssertEqual(check(.ks, .fail, 0.137, "≤ 0.1").verdict, "D = 0.137 > 0.1")
        XCTAssertEqual(check(.featureAUC, .fail, 0.98, "< 0.95").verdict, "max(AUC, 1 − AUC) = 0.98 ≥ 0.95")
        XCTAssertEqual(check(.labelPositiveRate, .fail, 0.5, "in [0.01, 0.2]").verdict, "positive rate = 0.5 outside [0.01, 0.2]")
        XCTAssertEqual(check(.required, .fail, 3, "= 0 nulls").verdict, "nulls = 3 ≠ 0 nulls")
        XCTAssertEqual(check(.nullShare, .warn, 0.15, "≤ 0.05").verdict, "null share change = 0.15 > 0.05")
        XCTAssertEqual(check(.schemaDrift, .fail, 2, "no schema changes").verdict, "schema changes = 2, expected no schema changes")
        XCTAssertEqual(check(.columnPresent, .fail, nil, "present").verdict, "expected present")
        XCTAssertEqual(check(.psi, .pass, 0.01, "≤ 0.2").verdict, "PSI = 0.01, limit ≤ 0.2")
        XCTAssertEqual(check(.freshness, .fail, nil, "").verdict, "")
    }
}
