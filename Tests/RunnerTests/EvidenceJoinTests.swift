import Metering
import Records
import XCTest
@testable import Runner

/// The pieces that bind the gate's evidence to the data and the measurements: predictions joined
/// by row with the dataset's labels, and cost priced from measured resources at given rates.
final class EvidenceJoinTests: XCTestCase {
    private let labels: [Double] = [1, 0, 0, 1, 1]

    private func stored(_ rows: [Int], labels: [Double]? = nil) -> PredictionsTable {
        PredictionsTable(rows: rows, labels: labels ?? rows.map { self.labels.indices.contains($0) ? self.labels[$0] : 0 },
                         seeds: [3, 4], scores: [rows.map { Double($0) / 10 }, rows.map { Double($0) / 20 }], candidate: nil)
    }

    func testJoinPutsPredictionsInRowOrderWithTheDatasetsLabels() throws {
        let joined = try stored([3, 0, 4, 1, 2]).joined(to: labels, everyRow: true, name: "p")
        XCTAssertEqual(joined.rows, [0, 1, 2, 3, 4])
        XCTAssertEqual(joined.labels, labels)
        XCTAssertEqual(joined.scores, [[0, 0.1, 0.2, 0.3, 0.4], [0, 0.05, 0.1, 0.15, 0.2]])
        XCTAssertEqual(joined.candidateScores, joined.rows.map { (Double($0) / 10 + Double($0) / 20) / 2 })
        // Validation predictions name some rows only.
        XCTAssertEqual(try stored([4, 1]).joined(to: labels, everyRow: false, name: "p").rows, [1, 4])
    }

    /// A multiclass file is read with the declared classes: K probabilities per row stay
    /// together through the join, labels become class indexes checked against the data's, and a
    /// file of other classes (or of the same classes in another order) is refused naming both lists.
    func testMulticlassPredictionsJoinKeepsEachRowsProbabilities() throws {
        let classes = ["billing", "network", "other"]
        let file = MulticlassPredictions(rows: [2, 0, 1], labels: [2, 0, 0], classes: classes, seeds: [5, 6],
                                         probabilities: [[0.1, 0.2, 0.7, 0.8, 0.1, 0.1, 0.5, 0.25, 0.25],
                                                         [0.3, 0.3, 0.4, 0.6, 0.2, 0.2, 0.4, 0.4, 0.2]], candidate: nil)
        let read = try PredictionsTable(bytes: Array(file.text.utf8), name: "p", classes: classes)
        XCTAssertEqual(read.scoresPerRow, 3)
        XCTAssertEqual(read.seeds, [5, 6])
        XCTAssertEqual(read.text, file.text, "written back as the multiclass format")
        let joined = try read.joined(to: [0, 0, 2], everyRow: true, name: "p")
        XCTAssertEqual(joined.rows, [0, 1, 2])
        XCTAssertEqual(joined.labels, [0, 0, 2])
        XCTAssertEqual(joined.scores[0], [0.8, 0.1, 0.1, 0.5, 0.25, 0.25, 0.1, 0.2, 0.7])
        XCTAssertEqual(joined.candidateScores, Array(file.probabilities[3..<9] + file.probabilities[0..<3]))
        XCTAssertThrowsError(try read.joined(to: [0, 1, 2], everyRow: true, name: "p")) {
            XCTAssertTrue("\($0)".contains("disagrees with the dataset's labels on 1 rows"), "\($0)")
        }
        for other in [["network", "billing", "other"], ["billing", "network", "other", "sales"]] {
            XCTAssertThrowsError(try PredictionsTable(bytes: Array(file.text.utf8), name: "p", classes: other)) {
                XCTAssertTrue("\($0)".contains("[billing, network, other]") && "\($0)".contains("[\(other.joined(separator: ", "))]"), "\($0)")
            }
        }
    }

    func testJoinRefusesMissingDuplicatedExtraRowsAndForeignLabels() {
        func refusal(_ table: PredictionsTable, everyRow: Bool = true) -> String {
            do {
                _ = try table.joined(to: labels, everyRow: everyRow, name: "evaluation predictions")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(refusal(stored([0, 1, 2])).contains("2 of the data's 5 rows have no prediction"), refusal(stored([0, 1, 2])))
        XCTAssertTrue(refusal(stored([0, 1, 1, 2, 3, 4])).contains("1 rows appear more than once"))
        XCTAssertTrue(refusal(stored([0, 1, 2, 3, 4, 5, -1])).contains("2 rows are not rows of the data"))
        XCTAssertTrue(refusal(stored([0, 1], labels: [0, 1]), everyRow: false).contains("disagrees with the dataset's labels on 2 rows"))
        XCTAssertTrue(refusal(stored([0, 1, 2])).contains("evaluation predictions: "), "names the file")
        XCTAssertTrue(refusal(stored([0, 1, 2])).hasSuffix("the evidence is invalid"))
    }

    func testRescoredScoresMustBeBitIdenticalWithinAProfileAndWithin1e9Across() {
        let expected: [[Double]] = [[0.25, 0.5, .nan], [0.1, 0.2, 0.3]]
        XCTAssertEqual(EvidenceScoring.mismatches(expected, expected, sameProfile: true).count, 0, "NaN matches NaN")
        let close: [[Double]] = [[0.25 + 1e-12, 0.5, .nan], [0.1, 0.2, 0.3]]
        XCTAssertEqual(EvidenceScoring.mismatches(close, expected, sameProfile: true).count, 1, "not one bit may differ")
        XCTAssertEqual(EvidenceScoring.mismatches(close, expected, sameProfile: false).count, 0, "within 1e-9 across profiles")
        let far: [[Double]] = [[0.25 + 1e-6, 0.5, 0.4], [0.1, 0.2, 0.3]]
        let result = EvidenceScoring.mismatches(far, expected, sameProfile: false)
        XCTAssertEqual(result.count, 2)
        XCTAssertEqual(result.largest, .infinity, "a score where the model gives NaN")
        XCTAssertEqual(EvidenceScoring.mismatches([[0.25]], expected, sameProfile: false).count, 2 + 1, "two missing scores and a missing column count")
    }

    func testCostIsPricedFromMeasurementsAndArtifactsNotTheRecordsUSD() throws {
        let artifact = RunRecord.Artifact(digest: "sha256:" + String(repeating: "c", count: 64), size: 2_000_000_000, manifest: nil)
        func record(cost: JSONValue) -> RunRecord {
            RunRecord(kind: "builtin", experiment: "e", suite: "s",
                      code: .init(commit: String(repeating: "a", count: 40), tree: String(repeating: "b", count: 40), dirty: false, diffDigest: nil),
                      config: .null, datasets: [:], seeds: [1], candidate: "seed:1", environment: .null, artifacts: ["model/seed-1": artifact],
                      metrics: .null, cost: cost, timings: [:], status: .ok, statusDetail: nil, createdBy: "ann", createdAt: "2026-11-02T10:00:00Z")
        }
        let measured: JSONValue = ["usd": 0, "rates": ["cpu_hour_usd": 0], "cpu_seconds": 7200, "wall_seconds": 3600, "gpu_seconds": 1800,
                                   "peak_rss_bytes": 1, "bytes_stored": 0, "method": "cgroup_v2", "peak_memory_method": "cgroup_memory_peak"]
        let rates = CostRates(cpuHourUSD: 0.5, gpuHourUSD: 2, gbMonthUSD: 0.25)
        // 2 CPU-hours × 0.5 + 0.5 GPU-hour × 2 + 2 GB (the artifacts, whatever bytes_stored says) × 0.25.
        XCTAssertEqual(try CostLedger.usd(record(cost: measured), at: rates), 1 + 1 + 0.5, accuracy: 1e-12)
        XCTAssertThrowsError(try CostLedger.usd(record(cost: ["usd": 0]), at: rates)) {
            XCTAssertTrue("\($0)".contains("records no measured resources"), "\($0)")
        }
        guard case .object(var negative) = measured else { return XCTFail() }
        negative["cpu_seconds"] = -1
        XCTAssertThrowsError(try CostLedger.usd(record(cost: .object(negative)), at: rates))
    }
}
