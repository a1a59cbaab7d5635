import Foundation
import XCTest
@testable import Contracts
import Tables

/// A text column kept as bytes (`ColumnValues.text`, how Parquet text its writer stored without
/// a dictionary is read) profiles, validates, hashes and diffs exactly as the same strings read
/// as a category.
final class TextColumnTests: XCTestCase {
    /// The strings as a category column and as text kept as bytes.
    private func both(_ name: String, _ values: [String?]) -> (category: Column, text: Column) {
        let category = Column.category(name, values)
        return (category, Column(name: name, values: .text(TextValues(values)), validity: category.validity))
    }

    private let userValues: [String?] = (0..<500).map { $0 % 11 == 0 ? nil : "user-\(($0 * 37) % 97)" }
    private let planValues: [String?] = (0..<500).map { ["basic", "pro", "team", "e\u{301}lite", "\u{E9}lite", "gold"][$0 % 6] }

    private func tables() throws -> (category: Table, text: Table) {
        let id = Column.int64("id", (0..<500).map { Int64($0) })
        let (userCategory, userText) = both("user", userValues)
        let (planCategory, planText) = both("plan", planValues)
        return (try Table(columns: [id, userCategory, planCategory]), try Table(columns: [id, userText, planText]))
    }

    func testProfilesAreTheCategories() throws {
        let (category, text) = try tables()
        XCTAssertEqual(Profiler.profile(text), Profiler.profile(category))
    }

    /// Row digests (duplicates, compound keys, diffs, leakage overlap) are the categories': the
    /// two spellings of "élite" are one value in both.
    func testRowDigestsAreTheCategories() throws {
        let (category, text) = try tables()
        XCTAssertEqual(text.rowDigests(columns: ["user", "plan"]), category.rowDigests(columns: ["user", "plan"]))
        XCTAssertEqual(text.rowDigests(columns: ["plan"])[3], text.rowDigests(columns: ["plan"])[4])
    }

    func testValidationIsTheCategories() throws {
        let yaml = """
            schema:
              - name: t
                properties:
                  - { name: id, logicalType: integer, required: true, unique: true }
                  - { name: user, logicalType: string, unique: true, quality: [{ metric: nullValues, mustBeLessThan: 5, unit: percent }] }
                  - name: plan
                    logicalType: string
                    required: true
                    quality:
                      - metric: invalidValues
                        arguments: { validValues: [basic, pro, team, élite] }
                        mustBe: 0

            """
        let contract = try Contract.load(yaml: yaml, file: "c.yaml")
        let (category, text) = try tables()
        let validator = ContractValidator(contract: contract)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let fromCategory = validator.validate(table: category, previous: category, now: now)
        XCTAssertEqual(validator.validate(table: text, previous: category, now: now), fromCategory)
        XCTAssertEqual(validator.validate(table: text, previous: text, now: now), fromCategory)
        XCTAssertTrue(fromCategory.checks.contains { $0.status == .fail }, "the test needs failing checks too")
    }

    func testValueCountsAndMembershipAreTheCategories() {
        let (category, text) = both("plan", planValues)
        XCTAssertEqual(text.valueCounts, category.valueCounts)
        XCTAssertEqual(text.membership(in: ["pro", "élite"]), category.membership(in: ["pro", "élite"]))
        XCTAssertNil(text.numericValues)
    }
}
