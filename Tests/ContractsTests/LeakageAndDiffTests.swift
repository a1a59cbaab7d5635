import Kernels
import Foundation
import XCTest
import Tables
@testable import Contracts

final class LeakageAndDiffTests: XCTestCase {
    private let policy = LeakagePolicy(entityKey: ["customer_id"], timeColumn: "signup_time", label: "churned",
                                       maxRowOverlap: 0, maxKeyOverlap: 0, featureAUCCeiling: 0.95)
    private let train = CustomerData.generate(count: 2000, seed: 11, end: CustomerData.now.addingTimeInterval(-40 * 24 * 3600),
                                           incomeNullRate: 0)
    private let eval = CustomerData.generate(count: 800, seed: 12, firstID: 10_001, incomeNullRate: 0)

    private func failed(_ report: LeakageReport) -> Set<CheckResult.Kind> { Set(report.failures.map(\.kind)) }

    func testCleanSplitHasNoLeak() {
        let report = LeakageCheck.run(train: train.table, eval: eval.table, policy: policy, entityKey: ["customer_id"])
        XCTAssertTrue(report.passed, "\(report.checks.filter { $0.status == .fail })")
        XCTAssertEqual(report.rowOverlap, 0)
        XCTAssertEqual(report.keyOverlap, 0)
        XCTAssertEqual(report.featureAUC.map(\.column), ["age", "income", "plan"])
    }

    func testTrainEvalRowOverlap() {
        var leaky = eval
        for i in 0..<25 {
            // Same features and label as a training row, under a fresh id: a copied row.
            leaky.ages[i] = train.ages[i]; leaky.incomes[i] = train.incomes[i]
            leaky.plans[i] = train.plans[i]; leaky.churned[i] = train.churned[i]
        }
        leaky.ids[30] = train.ids[30]
        leaky.ids[31] = train.ids[30]  // the same leaked key twice counts once: overlap is of distinct keys
        let report = LeakageCheck.run(train: train.table, eval: leaky.table, policy: policy, entityKey: ["customer_id"])
        XCTAssertEqual(failed(report), [.rowOverlap, .keyOverlap])
        XCTAssertEqual(report.rowOverlap, 25)
        XCTAssertEqual(report.keyOverlap, 1)
    }

    func testTimeOrderLeak() {
        let overlapping = CustomerData.generate(count: 800, seed: 13, firstID: 10_001, end: CustomerData.now.addingTimeInterval(-50 * 24 * 3600),
                                                  incomeNullRate: 0)
        let report = LeakageCheck.run(train: train.table, eval: overlapping.table, policy: policy, entityKey: ["customer_id"])
        XCTAssertEqual(failed(report), [.timeOrder])
        XCTAssertGreaterThan(report.timeOrder?.evalRowsBeforeTrainMax ?? 0, 0)
    }

    func testLeakingFeature() throws {
        var rng = SplitMix64(seed: 5)
        let proxy = train.churned.map { label in label.map { Double($0) * 2 + rng.unit() } }
        let table = try Table(columns: train.table.columns + [.float64("refund_amount", proxy)])
        let report = LeakageCheck.run(train: table, eval: eval.table, policy: policy, entityKey: ["customer_id"])
        XCTAssertEqual(failed(report), [.featureAUC])
        XCTAssertEqual(report.failures.first?.column, "refund_amount")
        XCTAssertEqual(report.featureAUC.first { $0.column == "refund_amount" }?.auc, 1)
    }

    func testAUCKnownAnswerWithTies() {
        // Scores 1,2,2,3 for labels 0,0,1,1: pairs (pos > neg) = 1·… → AUC = (0.5 + 1 + 1 + 1) / 4.
        let column = Column.float64("x", [1, 2, 2, 3])
        XCTAssertEqual(LeakageCheck.singleFeatureAUC(column, [false, false, true, true]), 0.875)
    }

    func testDiffByKey() throws {
        let before = try Table(columns: [.int64("id", [1, 2, 3, 4]), .float64("x", [1, 2, 3, 4]), .category("c", ["a", "b", "a", nil])])
        let after = try Table(columns: [.int64("id", [2, 3, 4, 5, 6]), .float64("x", [2, 30, 4, 5, 6]),
                                        .category("c", ["b", "a", nil, "z", "a"]), .bool("new", [true, false, true, true, false])])
        let diff = DatasetDiff.compute(before: before, after: after, key: ["id"])
        XCTAssertEqual(diff.schema.added, ["new"])
        XCTAssertEqual(diff.schema.removed, [])
        XCTAssertEqual(diff.rows.added, 2)
        XCTAssertEqual(diff.rows.removed, 1)
        XCTAssertEqual(diff.rows.changed, 1)
        let x = try XCTUnwrap(diff.columns.first { $0.name == "x" })
        XCTAssertEqual(x.meanBefore, 2.5)
        XCTAssertEqual(try XCTUnwrap(x.meanAfter), 9.4, accuracy: 1e-12)
        XCTAssertEqual(x.quantilesBefore?[4], 2.5)
        let c = try XCTUnwrap(diff.columns.first { $0.name == "c" })
        XCTAssertEqual(c.nullFractionBefore, 0.25)
        XCTAssertEqual(c.nullFractionAfter, 0.2)
        XCTAssertEqual(c.categoricalDrift?.newCategories, ["z"])

        let byValue = DatasetDiff.compute(before: before, after: after)
        XCTAssertNil(byValue.rows.changed)
        XCTAssertEqual(byValue.rows.added, 3)
        XCTAssertEqual(byValue.rows.removed, 2)
    }

    func testProfileKnownAnswers() throws {
        let table = try Table(columns: [.float64("x", [4, nil, 1, 3, 2, .nan]), .category("c", ["b", "a", "b", nil, "c", "b"])])
        let profile = Profiler.profile(table, topK: 2, histogramBins: 3)
        let x = try XCTUnwrap(profile.columns[0].numeric)
        XCTAssertEqual(profile.columns[0].nullCount, 1)
        XCTAssertEqual([x.min, x.max, x.mean], [1, 4, 2.5])
        XCTAssertEqual(x.standardDeviation, (5.0 / 3).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(x.quantiles[4], 2.5)
        XCTAssertEqual(x.histogramEdges, [1, 2, 3, 4])
        XCTAssertEqual(x.histogramCounts, [1, 1, 2])
        let c = try XCTUnwrap(profile.columns[1].categorical)
        XCTAssertEqual(c.distinctCount, 3)
        XCTAssertEqual(c.top, [.init(value: "b", count: 3), .init(value: "a", count: 1)])
        let decoded = try JSONDecoder().decode(TableProfile.self, from: JSONEncoder().encode(profile))
        XCTAssertEqual(decoded.rowCount, 6)
    }
}
