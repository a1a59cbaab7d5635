import Foundation
import XCTest
@testable import Contracts
import Tables

/// Drift on discrete and low-cardinality columns, point masses, and null shares, against the
/// numpy/scipy values of scripts/golden/drift.py (`discrete`, `nullShare`, and the chi-square
/// of every numeric case), to 1e-12.
final class DiscreteDriftTests: XCTestCase {
    private struct Golden: Decodable {
        struct Numeric: Decodable {
            let name: String
            let reference: [Double], current: [Double], edges: [Double], discrete: Bool
            let psi: Double, js: Double, ksStatistic: Double
            let chiSquare: Double, chiSquarePValue: Double, chiSquareDof: Int
        }
        struct NullShare: Decodable {
            let name: String
            let referenceNulls: Int, referenceRows: Int, currentNulls: Int, currentRows: Int
            let change: Double, chiSquare: Double, pValue: Double
        }
        let numeric: [Numeric]
        let discrete: [Numeric]
        let nullShare: [NullShare]
    }

    private func golden() throws -> Golden {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/drift.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    /// |a − b| ≤ 1e-12 · max(1, |b|).
    private func assertClose(_ a: Double, _ b: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(a - b), 1e-12 * max(1, abs(b)), "\(message): \(a) vs \(b)", file: file, line: line)
    }

    func testDiscreteAndPointMassBinsMatchNumpy() throws {
        let g = try golden()
        XCTAssertEqual(Set(g.discrete.map(\.discrete)), [true, false], "both binning rules need golden cases")
        for c in g.discrete + g.numeric {
            let drift = try XCTUnwrap(DriftStatistics.numeric(reference: c.reference, current: c.current))
            XCTAssertEqual(drift.binEdges, c.edges, c.name)
            XCTAssertEqual(drift.discrete, c.discrete, c.name)
            assertClose(drift.psi, c.psi, "\(c.name) PSI")
            assertClose(drift.jensenShannon, c.js, "\(c.name) JS")
            assertClose(drift.chiSquare.statistic, c.chiSquare, "\(c.name) χ²")
            assertClose(drift.chiSquare.pValue, c.chiSquarePValue, "\(c.name) χ² p")
            XCTAssertEqual(drift.chiSquare.degreesOfFreedom, c.chiSquareDof, c.name)
        }
    }

    /// The cases: quantile bins collapsed, so these gave PSI 0 and JS 0.
    func testFlagAndMonthShiftsAreLargePSI() throws {
        let flagBefore = (0..<1000).map { Double($0 % 20 == 0 ? 1 : 0) }  // 5% ones
        let flagAfter = (0..<1000).map { Double($0 % 2) }  // 50% ones
        let flag = try XCTUnwrap(DriftStatistics.numeric(reference: flagBefore, current: flagAfter))
        XCTAssertGreaterThan(flag.psi, 1)
        XCTAssertGreaterThan(flag.jensenShannon, 0.1)
        let month = try XCTUnwrap(DriftStatistics.numeric(reference: Array(repeating: 1, count: 300), current: Array(repeating: 12, count: 300)))
        XCTAssertGreaterThan(month.psi, 10)
        XCTAssertEqual(month.jensenShannon, 1, accuracy: 1e-12)
    }

    func testNullShareTestMatchesScipy() throws {
        for c in try golden().nullShare {
            let drift = try XCTUnwrap(DriftStatistics.nullShare(referenceNulls: c.referenceNulls, referenceRows: c.referenceRows,
                                                                currentNulls: c.currentNulls, currentRows: c.currentRows))
            assertClose(drift.change, c.change, "\(c.name) change")
            assertClose(drift.test.statistic, c.chiSquare, "\(c.name) χ²")
            assertClose(drift.test.pValue, c.pValue, "\(c.name) p")
        }
    }

    /// A column going from 0% to 40% nulls fails validation with no null rule in the contract; a
    /// 15% jump on 20 rows only warns (the test cannot tell it from chance); a flag going from
    /// 5% to 50% ones fails PSI.
    func testValidationCatchesNullJumpAndFlagShift() throws {
        let contract = try Contract.load(yaml: """
            schema:
              - name: t
                properties:
                  - { name: income, logicalType: number }
                  - { name: flag, logicalType: integer }
            """, file: "t.yaml")
        func table(rows: Int, nullEvery: Int?, onesEvery: Int) throws -> Table {
            try Table(columns: [
                .float64("income", (0..<rows).map { i in nullEvery.map { i % $0 == 0 } == true ? nil : Double(i % 97) }),
                .int64("flag", (0..<rows).map { Int64($0 % onesEvery == 0 ? 1 : 0) }),
            ])
        }
        let reference = try table(rows: 1000, nullEvery: nil, onesEvery: 20)
        let validator = ContractValidator(contract: contract)
        let nulls = validator.validate(table: try table(rows: 1000, nullEvery: 5, onesEvery: 20), previous: reference)
        let share = try XCTUnwrap(nulls.checks.first { $0.kind == .nullShare && $0.column == "income" })
        XCTAssertEqual(share.status, .fail, share.detail)
        XCTAssertEqual(share.observed ?? 0, 0.2, accuracy: 1e-12)
        XCTAssertEqual(share.limit, "≤ 0.05")

        let small = validator.validate(table: try table(rows: 20, nullEvery: 7, onesEvery: 20),
                                       previous: try table(rows: 20, nullEvery: nil, onesEvery: 20))
        XCTAssertEqual(small.checks.first { $0.kind == .nullShare && $0.column == "income" }?.status, .warn)

        let flag = validator.validate(table: try table(rows: 1000, nullEvery: nil, onesEvery: 2), previous: reference)
        XCTAssertEqual(Set(flag.failures.filter { $0.column == "flag" }.map(\.kind)), [.psi, .jensenShannon, .ks])
    }

    func testNullShareThresholdFromContract() throws {
        let contract = try Contract.load(yaml: """
            schema:
              - name: t
                properties:
                  - { name: x, logicalType: number }
            drift:
              thresholds: { psi: 0.2, nullShare: 0.5 }
            """, file: "t.yaml")
        XCTAssertEqual(contract.drift.maxNullShareChange, 0.5)
        XCTAssertEqual(DriftPolicy.defaults.maxNullShareChange, 0.05)
        XCTAssertThrowsError(try Contract.load(yaml: """
            schema:
              - name: t
                properties:
                  - { name: x, logicalType: number }
            drift:
              thresholds: { nullShare: 5 }
            """, file: "t.yaml"))
    }
}
