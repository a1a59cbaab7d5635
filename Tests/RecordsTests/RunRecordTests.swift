import XCTest
@testable import Records

final class RunRecordTests: XCTestCase {
    private func record(status: RunRecord.Status = .ok) -> RunRecord {
        RunRecord(kind: "builtin", experiment: "churn-gbdt", suite: "churn",
                  code: .init(commit: String(repeating: "1", count: 40), tree: String(repeating: "2", count: 40), dirty: true,
                              diffDigest: "sha256:" + String(repeating: "3", count: 64)),
                  config: ["model": ["kind": "gbdt", "rounds": 300]],
                  datasets: ["train": .init(name: "churn-train", version: 12, digest: "sha256:" + String(repeating: "4", count: 64))],
                  seeds: [1, 2, 9_007_199_254_740_991], candidate: "ensemble", environment: ["numeric_profile": "x86_64-avx2-nofma-k1"],
                  artifacts: ["encoder": .init(digest: "sha256:" + String(repeating: "5", count: 64), size: 10, manifest: nil)],
                  metrics: ["headline": ["value": .number(.nan)]], cost: ["usd": 0.25], timings: ["fit": 1.5],
                  status: status, statusDetail: nil, createdBy: "Ann <ann@example.com>", createdAt: "2026-11-30T12:00:00Z")
    }

    func testRoundTripsThroughCanonicalAndPrettyJSON() throws {
        let r = record()
        XCTAssertTrue(r.id.hasPrefix("sha256:"))
        // (The record holds a NaN, so compare canonical bytes rather than values.)
        XCTAssertEqual(CanonicalJSON.encode(try RunRecord(text: CanonicalJSON.encode(r.json)).json), CanonicalJSON.encode(r.json))
        let pretty = try RunRecord(text: CanonicalJSON.pretty(r.json))
        XCTAssertEqual(pretty.id, r.id)
        XCTAssertTrue(pretty.metrics["headline"]!["value"]!.doubleValue!.isNaN, "NaN survives as {\"$float\": \"NaN\"}")
        XCTAssertTrue(CanonicalJSON.encode(r.json).contains(#"{"$float":"NaN"}"#))
        XCTAssertNotEqual(record(status: .overBudget).id, r.id)
    }

    func testAnEditedRecordIsRefused() {
        let text = CanonicalJSON.encode(record().json).replacingOccurrences(of: "\"rounds\":300", with: "\"rounds\":30")
        XCTAssertThrowsError(try RunRecord(text: text)) { error in
            XCTAssertTrue("\(error)".contains("not the digest of its content"), "\(error)")
        }
    }

    /// A built-in run trained on `train`; an exec run on its first declared input — by the
    /// recorded order, never by the order of the datasets dictionary (the gate's old lookup
    /// took whichever `input:` role the dictionary gave first).
    func testTrainingDataIsTrainElseTheFirstDeclaredInput() {
        XCTAssertEqual(record().trainingData?.name, "churn-train")
        var exec = record()
        exec.kind = "exec"
        let use = { (name: String, version: Int) in RunRecord.DatasetUse(name: name, version: version, digest: "sha256:" + String(repeating: "6", count: 64)) }
        exec.datasets = ["eval": use("churn-eval", 1)]
        for n in 0..<8 { exec.datasets["input:side-\(n)"] = use("side-\(n)", 1) }
        exec.datasets["input:churn-train"] = use("churn-train", 3)
        exec.config = ["inputs": ["churn-train@v3", "side-0@v1"]]
        XCTAssertEqual(exec.trainingData?.name, "churn-train")
        exec.config = ["inputs": []]
        XCTAssertNil(exec.trainingData)
    }

    func testLockKeepsSuiteCandidatesAndMergesThemPerSuite() throws {
        let a = Lock.SuiteCandidate(run: "sha256:" + String(repeating: "a", count: 64), experiment: "e1", metric: "roc_auc", value: 0.8, allowedDirty: false)
        let b = Lock.SuiteCandidate(run: "sha256:" + String(repeating: "b", count: 64), experiment: "e2", metric: "roc_auc", value: 0.9, allowedDirty: true)
        let base = Lock(suites: ["churn": a])
        XCTAssertEqual(try Lock(text: base.text), base)
        let ours = Lock(suites: ["churn": b])
        let theirs = Lock(suites: ["churn": a, "fraud": b])
        let (merged, conflicts) = Lock.merge(base: base, ours: ours, theirs: theirs)
        XCTAssertEqual(conflicts, [])
        XCTAssertEqual(merged.suites, ["churn": b, "fraud": b])
        let (_, clash) = Lock.merge(base: base, ours: ours, theirs: Lock(suites: ["churn": Lock.SuiteCandidate(run: "sha256:" + String(repeating: "c", count: 64), experiment: "e3", metric: "roc_auc", value: 0.7, allowedDirty: false)]))
        XCTAssertEqual(clash, ["suites.churn"])
    }
}
