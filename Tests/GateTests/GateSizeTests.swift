import Gate
import XCTest

/// The size of the superiority test: when candidate and champion are exchangeable (scores from
/// the same model class with independent noise), the gate should find the candidate better by
/// more than 0 in about 1 − confidence = 5% of datasets, no matter which test decides.
final class GateSizeTests: XCTestCase {
    private func falsePromotionRate(primary: String, datasets: Int) throws -> Double {
        let suite = try Suite.parse(yaml: """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary: \(primary)
            significance: { resamples: 400, seed: 11 }
            """, file: "s.yaml", name: "s")
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0, confidence: 0.95 }\n", file: "g.yaml")
        let digest = "sha256:" + String(repeating: "0", count: 64)
        var promoted = 0
        for dataset in 0..<datasets {
            let seed = UInt64(dataset) * 2 + 1000
            let model = { (id: String, seed: UInt64) in
                GateEvidence.Model(runID: id, evaluation: [Fixtures.rows(count: 300, signal: 0.3, seed: seed)],
                                   validation: [Fixtures.rows(count: 100, signal: 0.3, seed: seed + 7, prefix: "v")],
                                   evaluationDigest: digest)
            }
            let verdict = try Gate.evaluate(policy: policy, suite: suite, evidence: GateEvidence(
                candidate: model("c", seed), champion: model("b", seed + 1), dataset: .init(versioned: true),
                cost: .init(usd: 0, overBudget: false), code: .init(dirty: false, stale: false), attestations: [], evaluationsSpent: 0))
            if verdict.decision == .promote { promoted += 1 }
        }
        return Double(promoted) / Double(datasets)
    }

    /// At most 5% plus three binomial standard errors, and not 0 (the test would be vacuous).
    private func assertNominalSize(_ rate: Double, datasets: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(rate, 0.05 + 3 * (0.05 * 0.95 / Double(datasets)).squareRoot(), "false promotions \(rate)",
                                 file: file, line: line)
        XCTAssertGreaterThan(rate, 0, "the gate never promoted: the check is vacuous", file: file, line: line)
    }

    func testDeLongBoundHasNominalSize() throws {
        let rate = try falsePromotionRate(primary: "{ metric: roc_auc }", datasets: 200)
        assertNominalSize(rate, datasets: 200)
    }

    func testPairedBootstrapBoundHasNominalSize() throws {
        let rate = try falsePromotionRate(primary: "{ metric: accuracy, operating_point: { threshold: 0.5 } }", datasets: 200)
        assertNominalSize(rate, datasets: 200)
    }
}
