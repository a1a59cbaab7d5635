import BlobStore
import Records
import Tables
import XCTest
@testable import Runner

final class RunnerPiecesTests: XCTestCase {
    func testPredictionsTableRoundTripsExactly() throws {
        let scores: [[Double]] = [[0.1, 0.7000000000000001, 1e-300], [0.3, 0.2, 0.9]]
        let table = PredictionsTable(rows: [4, 9, 12], labels: [1, 0, 1], seeds: [7, 8], scores: scores, candidate: nil)
        XCTAssertEqual(table.candidateScores, [0.2, (0.7000000000000001 + 0.2) / 2, (1e-300 + 0.9) / 2])
        XCTAssertTrue(table.text.hasPrefix("row,label,score,score_seed_7,score_seed_8\n4,1,0.2,0.1,0.3\n"))
        let parsed = try PredictionsTable(bytes: Array(table.text.utf8), name: "p.csv")
        XCTAssertEqual(parsed.scores, scores)
        XCTAssertEqual(parsed.candidateScores, table.candidateScores)
        XCTAssertEqual(parsed.rows, [4, 9, 12])
        // Several formatting blocks: rows come back in order, every score exact.
        let many = 20_000
        let big = PredictionsTable(rows: Array(0..<many), labels: (0..<many).map { Double($0 % 2) }, seeds: [1, 2],
                                   scores: [(0..<many).map { Double($0) / 7 }, (0..<many).map { 1 / Double($0 + 3) }], candidate: 1)
        let bigParsed = try PredictionsTable(bytes: Array(big.text.utf8), name: "big.csv")
        XCTAssertEqual(bigParsed, big)
        XCTAssertThrowsError(try PredictionsTable(bytes: Array("row,label\n1,0\n".utf8), name: "p.csv"))
        XCTAssertThrowsError(try PredictionsTable(bytes: Array("row,label,score\n1,0,high\n".utf8), name: "p.csv")) {
            XCTAssertTrue("\($0)".contains("p.csv"), "\($0)")
        }
    }

    func testRandomSplitIsSeededAndTimeSplitTakesTheLatestRows() throws {
        let table = try Table(columns: [.float64("t", [5, 1, 4, 2, 3, 9, 0, 8, 7, 6])])
        func session(_ split: Experiment.ValidationSplit, seed: UInt64) throws -> TrainingSession {
            var yaml = "suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\nseeds: [\(seed)]\n"
            switch split {
            case .random(let f): yaml += "validation: { split: random, fraction: \(f) }\n"
            case let .time(c, f): yaml += "validation: { split: time, column: \(c), fraction: \(f) }\n"
            case .kfold(let k): yaml += "validation: { split: kfold, folds: \(k) }\n"
            }
            return TrainingSession(experiment: try Experiment.parse(yaml: yaml, file: "e", name: "e"), labelColumn: "y",
                                   positive: nil, excluded: [])
        }
        let time = try session(.time(column: "t", fraction: 0.3), seed: 1).splitValidationRows(table)
        XCTAssertEqual(time, [5, 7, 8], "the rows with the three largest times")
        let a = try session(.random(fraction: 0.3), seed: 1).splitValidationRows(table)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a, try session(.random(fraction: 0.3), seed: 1).splitValidationRows(table))
        XCTAssertNotEqual(a, try session(.random(fraction: 0.3), seed: 2).splitValidationRows(table))
    }

    func testLedgerSumsMonthAndPricesImprovement() throws {
        func run(_ experiment: String, _ at: String, usd: Double, auc: Double?, status: RunRecord.Status = .ok) -> RunRecord {
            RunRecord(kind: "builtin", experiment: experiment, suite: "churn",
                      code: .init(commit: String(repeating: "a", count: 40), tree: String(repeating: "b", count: 40), dirty: false, diffDigest: nil),
                      config: .null, datasets: [:], seeds: [1], candidate: "seed:1", environment: .null, artifacts: [:],
                      metrics: auc.map { ["headline": ["metric": "roc_auc", "value": .number($0), "direction": "maximize"]] } ?? .null,
                      cost: ["usd": .number(usd), "cpu_seconds": .number(usd * 1000)], timings: [:], status: status,
                      statusDetail: nil, createdBy: "ann", createdAt: at)
        }
        let ledger = CostLedger(runs: [
            run("base", "2026-10-30T10:00:00Z", usd: 0.5, auc: 0.80),
            run("gbdt", "2026-11-02T10:00:00Z", usd: 0.25, auc: 0.83),
            run("gbdt", "2026-11-03T10:00:00Z", usd: 0.25, auc: 0.84),
            run("mlp", "2026-11-04T10:00:00Z", usd: 1.0, auc: nil, status: .overBudget),
        ])
        let november = ISO8601DateFormatter().date(from: "2026-11-15T00:00:00Z")!
        XCTAssertEqual(ledger.spent(inMonthOf: november), 1.5, accuracy: 1e-12)
        let lines = ledger.lines(by: .experiment, since: "2026-11-01")
        XCTAssertEqual(lines.map(\.group), ["mlp", "gbdt"])
        let gbdt = lines[1]
        XCTAssertEqual(gbdt.runs, 2)
        XCTAssertEqual(gbdt.usd, 0.5, accuracy: 1e-12)
        XCTAssertEqual(gbdt.bestImprovement!, 0.04, accuracy: 1e-12)
        XCTAssertEqual(gbdt.usdPerUnit!, 12.5, accuracy: 1e-9)
        XCTAssertNil(lines[0].usdPerUnit, "no improvement, no price per unit")
    }

    func testLargestMetricDeltaSkipsLatency() {
        let latency: JSONValue = ["guardrail": ["metric": ["name": "latency_p99_us"]], "estimate": ["value": 10]]
        let slower: JSONValue = ["guardrail": ["metric": ["name": "latency_p99_us"]], "estimate": ["value": 99]]
        let a: JSONValue = ["headline": ["value": 0.8], "guardrails": [["value": 0.1], ["latency_p99": 10], latency]]
        let b: JSONValue = ["headline": ["value": 0.8000001], "guardrails": [["value": 0.1], ["latency_p99": 99], slower]]
        let (key, delta) = Reproduction.largestDelta(a, b)
        XCTAssertEqual(key, "headline.value")
        XCTAssertEqual(delta, 1e-7, accuracy: 1e-15)
        XCTAssertEqual(Reproduction.largestDelta(a, a).1, 0)
        XCTAssertTrue(Reproduction.inCI(["CI": "true"]))
        XCTAssertFalse(Reproduction.inCI(["HOME": "/root"]))
    }

    /// The executable's digest is cached by stat data: reused while the file is unchanged,
    /// recomputed when it changes.
    func testExecutableDigestIsCachedByStatData() throws {
        let directory = NSTemporaryDirectory() + "gitml-exe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = directory + "/tool"
        try Data("first build".utf8).write(to: URL(fileURLWithPath: binary))
        let first = try XCTUnwrap(RunEnvironment.executableDigest(binary, cacheDirectory: directory + "/cache"))
        XCTAssertEqual(first, try Digest.ofFile(atPath: binary).description)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/cache/executables").count, 1)
        XCTAssertEqual(RunEnvironment.executableDigest(binary, cacheDirectory: directory + "/cache"), first)
        try Data("second, longer build".utf8).write(to: URL(fileURLWithPath: binary))
        let second = try XCTUnwrap(RunEnvironment.executableDigest(binary, cacheDirectory: directory + "/cache"))
        XCTAssertEqual(second, try Digest.ofFile(atPath: binary).description)
        XCTAssertNotEqual(second, first)
        XCTAssertNil(RunEnvironment.executableDigest(directory + "/missing", cacheDirectory: directory + "/cache"))
    }
}
