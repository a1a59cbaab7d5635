import Gate
import Records
import XCTest

/// The Dataset and Cost rows on the evidence checks added against forged records, and the
/// policy option that makes training data without a leakage contract fail.
final class EvidenceRowsTests: XCTestCase {
    private func verdict(dataset: GateEvidence.DatasetChecks = GateEvidence.DatasetChecks(versioned: true),
                         cost: GateEvidence.Cost = GateEvidence.Cost(usd: 0.1, overBudget: false)) throws -> Verdict {
        let suite = try Suite.parse(yaml: """
            task: binary
            label: { column: y, positive: "1" }
            eval: e@v1
            primary: { metric: roc_auc }
            significance: { resamples: 200, seed: 5 }
            """, file: "s.yaml", name: "s")
        let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0 }\n", file: "g.yaml")
        let model = GateEvidence.Model(runID: "cand", evaluation: [Fixtures.rows(count: 400, signal: 0.5, seed: 1)], validation: [],
                                       evaluationDigest: "sha256:" + String(repeating: "ab", count: 32))
        return try Gate.evaluate(policy: policy, suite: suite, evidence: GateEvidence(
            candidate: model, champion: nil, dataset: dataset, cost: cost, code: GateEvidence.Code(dirty: false, stale: false),
            attestations: [], evaluationsSpent: 0))
    }

    func testLineageFailureFailsTheDatasetRow() throws {
        XCTAssertEqual(try verdict().decision, .promote)
        let judged = try verdict(dataset: GateEvidence.DatasetChecks(versioned: true, lineageFailures: ["the record's code is not in this branch's history"]))
        XCTAssertEqual(judged.row(.dataset)?.outcome, .fail)
        XCTAssertEqual(judged.row(.dataset)?.evidence, "lineage: the record's code is not in this branch's history")
        XCTAssertEqual(judged.decision, .reject)
    }

    func testACostThatCannotBePricedFailsTheCostRow() throws {
        let judged = try verdict(cost: GateEvidence.Cost(usd: 0, overBudget: false, unpriced: "run 3f2a records no measured resources"))
        XCTAssertEqual(judged.row(.cost)?.outcome, .fail)
        XCTAssertEqual(judged.row(.cost)?.evidence, "the run's cost cannot be priced: run 3f2a records no measured resources")
        XCTAssertEqual(judged.decision, .reject)
    }

    func testRequireLeakageContractIsParsedStrictly() throws {
        let base = "protected: [main]\nbenchmark: { min_effect: 0 }\n"
        XCTAssertFalse(try GatePolicy.parse(yaml: base, file: "g.yaml").dataset.requireLeakageContract)
        XCTAssertTrue(try GatePolicy.parse(yaml: base + "dataset: { require_leakage_contract: true }\n", file: "g.yaml").dataset.requireLeakageContract)
        XCTAssertThrowsError(try GatePolicy.parse(yaml: base + "dataset: { require_leakage: true }\n", file: "g.yaml")) {
            XCTAssertTrue("\($0)".contains("require_leakage"), "\($0)")
        }
    }
}
