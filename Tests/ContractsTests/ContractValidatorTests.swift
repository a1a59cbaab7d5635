import Foundation
import XCTest
import Tables
@testable import Contracts

/// Every failure mode of the issue, caught on generated data.
final class ContractValidatorTests: XCTestCase {
    private var contract: Contract!
    private var validator: ContractValidator { ContractValidator(contract: contract) }
    private let reference = CustomerData.generate(count: 3000, seed: 1)
    private let current = CustomerData.generate(count: 3000, seed: 2, firstID: 5001)

    override func setUpWithError() throws {
        contract = try Contract.load(contentsOf: ContractParserTests.templatePath)
    }

    private func failed(_ report: ValidationReport) -> Set<CheckResult.Kind> { Set(report.failures.map(\.kind)) }

    func testCleanDataPassesEveryCheck() {
        let report = validator.validate(table: current.table, previous: reference.table, now: CustomerData.now)
        XCTAssertTrue(report.passed, "\(report.failures)")
        let kinds = Set(report.checks.map(\.kind))
        for kind in [CheckResult.Kind.columnPresent, .columnType, .required, .nullValues, .invalidValues, .unique, .primaryKey, .range,
                     .rowCount, .duplicateValues, .freshness, .labelValues, .labelPositiveRate, .schemaDrift, .rowCountChange,
                     .psi, .ks, .jensenShannon, .lInfinity, .chiSquare, .newCategories, .forbiddenColumn] {
            XCTAssertTrue(kinds.contains(kind), "\(kind) not checked")
        }
        let encoded = try? JSONEncoder().encode(report)
        XCTAssertEqual(encoded.flatMap { try? JSONDecoder().decode(ValidationReport.self, from: $0) }, report)
    }

    /// A number column held as float32 (contract `physicalType: float32`) is checked like a
    /// float64 one: the checks pass, drift is computed, an out-of-range value is caught, and row
    /// digests equal those of a float64 column with the same values.
    func testFloat32NumberColumns() throws {
        func narrowed(_ data: CustomerData) throws -> Table {
            try Table(columns: data.table.columns.map { $0.name == "income" ? .float32("income", data.incomes.map { $0.map(Float.init) }) : $0 })
        }
        let report = validator.validate(table: try narrowed(current), previous: try narrowed(reference), now: CustomerData.now)
        XCTAssertTrue(report.passed, "\(report.failures)")
        XCTAssertTrue(report.checks.contains { $0.kind == .ks && $0.column == "income" })
        var data = current
        data.incomes[3] = -5
        XCTAssertEqual(failed(validator.validate(table: try narrowed(data), now: CustomerData.now)), [.range])
        let exact: [Double?] = [0.5, nil, -0.0, 3]
        XCTAssertEqual(RowHasher.digests(columns: [.float64("x", exact)], rowCount: 4),
                       RowHasher.digests(columns: [.float32("x", exact.map { $0.map(Float.init) })], rowCount: 4))
    }

    func testSchemaDrift() throws {
        let t = current.table
        let retyped = Column.float64("age", current.ages.map { $0.map(Double.init) })
        let drifted = try Table(columns: t.columns.filter { $0.name != "plan" && $0.name != "age" } + [retyped, .int64("ssn", current.ids)])
        let report = validator.validate(table: drifted, previous: reference.table, now: CustomerData.now)
        XCTAssertEqual(failed(report), [.columnPresent, .columnType, .forbiddenColumn, .schemaDrift])
        let drift = try XCTUnwrap(report.checks.first { $0.kind == .schemaDrift })
        XCTAssertEqual(drift.observed, 3)
        XCTAssertEqual(drift.detail, "added ssn; removed plan; retyped age int64→float64")
    }

    func testNullExplosion() {
        var data = current
        for i in stride(from: 0, to: data.incomes.count, by: 5) { data.incomes[i] = nil }
        for i in stride(from: 1, to: data.incomes.count, by: 5) { data.incomes[i] = nil }
        let report = validator.validate(table: data.table, now: CustomerData.now)
        XCTAssertEqual(failed(report), [.nullValues])
        let check = report.failures[0]
        XCTAssertEqual(check.column, "income")
        XCTAssertGreaterThan(check.observed ?? 0, 40)
    }

    func testOutOfRangeValue() {
        var data = current
        data.ages[17] = 150
        let report = validator.validate(table: data.table, now: CustomerData.now)
        XCTAssertEqual(failed(report), [.range])
        XCTAssertEqual(report.failures[0].observed, 1)
        XCTAssertEqual(report.failures[0].detail, "1 values outside; observed min 18, max 150")
    }

    func testNewCategory() {
        var data = current
        for i in stride(from: 0, to: 60, by: 3) { data.plans[i] = "platinum" }
        let report = validator.validate(table: data.table, previous: reference.table, now: CustomerData.now)
        XCTAssertEqual(failed(report), [.invalidValues, .newCategories])
        XCTAssertEqual(report.failures.first { $0.kind == .newCategories }?.detail, "new: platinum")
    }

    func testDuplicatedKeys() {
        var data = current
        data.ids[10] = data.ids[11]
        data.signups[10] = data.signups[11]
        let report = validator.validate(table: data.table, now: CustomerData.now)
        XCTAssertEqual(failed(report), [.unique, .primaryKey, .duplicateValues])
        XCTAssertEqual(report.failures.first { $0.kind == .duplicateValues }?.column, "customer_id,signup_time")
    }

    func testShiftedDistribution() {
        var data = current
        data.incomes = data.incomes.map { $0.map { $0 + 12_000 } }
        let report = validator.validate(table: data.table, previous: reference.table, now: CustomerData.now)
        XCTAssertEqual(failed(report), [.psi, .ks])
        XCTAssertGreaterThan(report.checks.first { $0.kind == .jensenShannon && $0.column == "income" }?.observed ?? 0, 0.02)
        XCTAssertTrue(report.failures.allSatisfy { $0.column == "income" })
    }

    func testRowCountLabelAndFreshness() {
        let small = CustomerData.generate(count: 500, seed: 3)
        var report = validator.validate(table: small.table, previous: reference.table, now: CustomerData.now)
        XCTAssertEqual(failed(report), [.rowCount, .rowCountChange])

        var data = current
        for i in 0..<data.churned.count where i % 2 == 0 { data.churned[i] = 1 }
        data.churned[5] = 2
        report = validator.validate(table: data.table, now: CustomerData.now.addingTimeInterval(4 * 24 * 3600))
        XCTAssertEqual(failed(report), [.labelValues, .labelPositiveRate, .freshness])
    }

    func testMissingLabelAndEmptyTableFailWithoutCrashing() throws {
        let empty = try Table(columns: [])
        let report = validator.validate(table: empty, previous: reference.table, now: CustomerData.now)
        XCTAssertFalse(report.passed)
        XCTAssertTrue(failed(report).isSuperset(of: [.columnPresent, .labelValues, .freshness, .rowCount, .schemaDrift]))
    }
}
