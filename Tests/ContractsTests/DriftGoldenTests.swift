import Kernels
import Foundation
import XCTest
@testable import Contracts
import Tables

/// Drift statistics against numpy/scipy values from scripts/golden/drift.py.
final class DriftGoldenTests: XCTestCase {
    private struct Golden: Decodable {
        struct Numeric: Decodable {
            let name: String
            let reference: [Double], current: [Double], edges: [Double]
            let psi: Double, js: Double, ksStatistic: Double, ksPValue: Double, ksExact: Bool
        }
        struct Categorical: Decodable {
            let name: String
            let reference: [String: Int], current: [String: Int]
            let chiSquare: Double, pValue: Double, dof: Int, lInfinity: Double, newCategories: [String]
        }
        struct Kolmogorov: Decodable {
            let n: Int, x: Double, sf: Double, branch: String
        }
        let numeric: [Numeric]
        let categorical: [Categorical]
        let kolmogorov: [Kolmogorov]
    }

    private func golden() throws -> Golden {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/drift.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    func testNumericDriftMatchesScipy() throws {
        for c in try golden().numeric {
            let drift = try XCTUnwrap(DriftStatistics.numeric(reference: c.reference, current: c.current))
            XCTAssertEqual(drift.binEdges, c.edges, c.name)
            XCTAssertEqual(drift.psi, c.psi, accuracy: 1e-9, c.name)
            XCTAssertEqual(drift.jensenShannon, c.js, accuracy: 1e-9, c.name)
            XCTAssertEqual(drift.ks.statistic, c.ksStatistic, accuracy: 1e-9, c.name)
            XCTAssertEqual(drift.ks.pValue, c.ksPValue, accuracy: 1e-9, c.name)
            XCTAssertEqual(drift.ks.exact, c.ksExact, c.name)
        }
    }

    func testCategoricalDriftMatchesScipy() throws {
        for c in try golden().categorical {
            let drift = try XCTUnwrap(DriftStatistics.categorical(reference: c.reference, current: c.current))
            XCTAssertEqual(drift.chiSquare.statistic, c.chiSquare, accuracy: 1e-9, c.name)
            XCTAssertEqual(drift.chiSquare.pValue, c.pValue, accuracy: 1e-9, c.name)
            XCTAssertEqual(drift.chiSquare.degreesOfFreedom, c.dof, c.name)
            XCTAssertEqual(drift.lInfinity, c.lInfinity, accuracy: 1e-9, c.name)
            XCTAssertEqual(drift.newCategories, c.newCategories, c.name)
        }
    }

    /// kstwo.sf in every branch of scipy's `_kolmogn`. Rule: |Δp| ≤ 1e-9 · max(p, 1e-280), i.e.
    /// 1e-9 relative down to p = 1e-280 (below it scipy's own terms reach subnormal numbers);
    /// for p ≤ 1 this is also within 1e-9 absolute.
    func testKolmogorovSurvivalMatchesScipyInEveryBranch() throws {
        let cases = try golden().kolmogorov
        XCTAssertEqual(Set(cases.map(\.branch)).count, 12, "a branch of _kolmogn lost its golden cases")
        for c in cases {
            let p = KolmogorovDistribution.survival(n: c.n, x: c.x)
            let tolerance = 1e-9 * max(c.sf, 1e-280)
            XCTAssertLessThanOrEqual(abs(p - c.sf), tolerance, "\(c.branch) n=\(c.n) x=\(c.x): \(p) vs \(c.sf)")
        }
    }

    func testIdenticalSamplesShowNoDrift() throws {
        let sample = (0..<500).map { Double($0 % 37) }
        let drift = try XCTUnwrap(DriftStatistics.numeric(reference: sample, current: sample))
        XCTAssertEqual(drift.psi, 0)
        XCTAssertEqual(drift.jensenShannon, 0)
        XCTAssertEqual(drift.ks.statistic, 0)
        XCTAssertEqual(drift.ks.pValue, 1)
    }
}

final class RowDigestTests: XCTestCase {
    func testDuplicateAndMatchCounts() throws {
        let table = try Table(columns: [.int64("k", [1, 2, 1, 3, 2, 1, nil, nil]), .category("c", ["a", "b", "a", "a", "b", "a", nil, nil])])
        let digests = table.rowDigests(columns: ["k", "c"])
        XCTAssertEqual(RowDigest.duplicateCount(digests), 4)
        XCTAssertEqual(RowDigest.duplicateCount(Array(digests.prefix(2))), 0)
        XCTAssertEqual(RowDigest.matchCount(Array(digests.prefix(4)), in: [digests[0], digests[6]]), 2)
        XCTAssertEqual(ContractValidator.duplicateCount(table.column(named: "k")!), 3)
        var rng = SplitMix64(seed: 4)
        let many = (0..<3000).map { _ in RowDigest(high: rng.next() % 50, low: rng.next() % 3) }
        XCTAssertEqual(RowDigest.duplicateCount(many), many.count - Set(many).count)
        XCTAssertEqual(RowDigest.sorted(many), many.sorted { ($0.high, $0.low) < ($1.high, $1.low) })
    }

    /// Integer and timestamp columns whose values never go down are counted in one pass
    /// (`orderedDuplicateCount`); the counts equal those of the digests, nulls skipped, and a
    /// column that goes down somewhere takes the digests' way.
    func testOrderedColumnsCountDuplicatesAsTheDigestsDo() throws {
        let columns: [Column] = [
            .int64("sorted", [1, 2, 2, 3, 7, 7, 7, 9]),
            .int64("nulls", [nil, 1, 1, nil, 4, nil, 4, 5]),
            Column(name: "time", values: .timestamp([-5, -5, 0, 10, 10, 10, 11, 12])),
            .int64("unordered", [3, 1, 3, 2, 2, 9, 1, 0]),
        ]
        let table = try Table(columns: columns)
        for column in columns {
            let valid = (0..<column.count).filter { column.validity.isValid($0) }
            let digests = table.rowDigests(columns: [column.name])
            XCTAssertEqual(ContractValidator.duplicateCount(column), RowDigest.duplicateCount(valid.map { digests[$0] }), column.name)
            XCTAssertEqual(ContractValidator.compoundDuplicateCount(table, [column.name]), RowDigest.duplicateCount(digests), column.name)
        }
        XCTAssertEqual(ContractValidator.orderedDuplicateCount(columns[0]), 3)
        XCTAssertEqual(ContractValidator.orderedDuplicateCount(columns[1]), 2)
        XCTAssertEqual(ContractValidator.orderedDuplicateCount(columns[2]), 3)
        XCTAssertNil(ContractValidator.orderedDuplicateCount(columns[3]))
        XCTAssertNil(ContractValidator.orderedDuplicateCount(.float64("x", [1, 2])))
    }
}
