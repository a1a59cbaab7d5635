import Foundation
import XCTest
import Tables
@testable import Contracts

/// The single-feature leakage check on category features: the out-of-fold target encoding and
/// its AUC against scikit-learn (scripts/golden/leakage.py), a label copy flagged, an identifier not.
final class CategoricalLeakageTests: XCTestCase {
    private struct Golden: Decodable {
        struct Case: Decodable {
            let name: String
            let values: [String?], labels: [Int?], encoding: [Double]
            let auc: Double
        }
        let folds: Int
        let smoothing: Double
        let cases: [Case]
    }

    private func golden() throws -> Golden {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/leakage.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    private func outcome(_ labels: [Int?]) -> [Bool?] { labels.map { $0.map { $0 == 1 } } }

    func testOutOfFoldEncodingAndAUCMatchScikitLearn() throws {
        let g = try golden()
        XCTAssertEqual(g.folds, LeakageCheck.targetEncodingFolds)
        XCTAssertEqual(g.smoothing, LeakageCheck.targetEncodingSmoothing)
        for c in g.cases {
            let category = Column.category("c", c.values)
            // The same strings kept as bytes (as Parquet text without a dictionary is read).
            let text = Column(name: "c", values: .text(TextValues(c.values)), validity: category.validity)
            for column in [category, text] {
                let encoding = LeakageCheck.outOfFoldTargetEncoding(column, outcome(c.labels)).compactMap { $0 }
                XCTAssertEqual(encoding.count, c.encoding.count, c.name)
                for (a, b) in zip(encoding, c.encoding) { XCTAssertEqual(a, b, accuracy: 1e-12, c.name) }
                let auc = try XCTUnwrap(LeakageCheck.singleFeatureAUC(column, outcome(c.labels)), c.name)
                XCTAssertEqual(auc, c.auc, accuracy: 1e-12, c.name)
            }
        }
    }

    /// A category copying the label (1% noise) is a leak; a unique id per row is not, though an
    /// in-sample target encoding would score it AUC 1.
    func testLabelCopyIsFlaggedAndUniqueIdIsNot() throws {
        let cases = try golden().cases
        let copy = try XCTUnwrap(cases.first { $0.name == "label-copy-1pct-noise" })
        let ids = try XCTUnwrap(cases.first { $0.name == "unique-id" })
        let train = try Table(columns: [
            .category("segment", copy.values), .category("token", ids.values), .int64("label", copy.labels.map { $0.map(Int64.init) }),
        ])
        let policy = LeakagePolicy(entityKey: [], timeColumn: nil, label: "label", maxRowOverlap: 1000, maxKeyOverlap: 0,
                                   featureAUCCeiling: 0.95)
        let report = LeakageCheck.run(train: train, eval: train, policy: policy, entityKey: [])
        XCTAssertEqual(report.failures.map(\.column), ["segment"])
        let segment = try XCTUnwrap(report.checks.first { $0.column == "segment" })
        XCTAssertEqual(segment.observed ?? 0, copy.auc, accuracy: 1e-12)
        XCTAssertTrue(segment.detail.hasPrefix("out-of-fold target-encoding AUC"), segment.detail)
        let token = try XCTUnwrap(report.checks.first { $0.column == "token" })
        XCTAssertEqual(token.status, .pass)
        XCTAssertLessThan(token.observed ?? 1, 0.6)
    }
}
