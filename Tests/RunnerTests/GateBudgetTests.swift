import Records
import XCTest
@testable import Runner

/// The Cost row's evidence for a run over budget: each limit of the run's recorded budget
/// against what it measured.
final class GateBudgetTests: XCTestCase {
    private func record(experiment: String?, cost: JSONValue) -> RunRecord {
        RunRecord(kind: "builtin", experiment: "e", suite: "s",
                  code: .init(commit: String(repeating: "a", count: 40), tree: String(repeating: "b", count: 40), dirty: false, diffDigest: nil),
                  config: experiment.map { ["experiment_file": .string($0)] } ?? .null, datasets: [:], seeds: [1], candidate: "seed:1",
                  environment: .null, artifacts: [:], metrics: .null, cost: cost, timings: [:], status: .overBudget,
                  statusDetail: "stopped: the experiment's cpu_seconds budget was exceeded", createdBy: "ann", createdAt: "2026-11-02T10:00:00Z")
    }

    func testOverBudgetEvidenceNamesEachLimitAgainstWhatWasUsed() {
        let experiment = "suite: s\ntrain: t@v1\nmodel: { kind: gbdt }\nseeds: [1]\nbudget: { max_cpu_seconds: 10, max_usd: 0.5 }\n"
        XCTAssertEqual(GateSession.brokenBudget(record(experiment: experiment, cost: ["cpu_seconds": 12.5, "wall_seconds": 7, "usd": 0.01])),
                       "cpu_seconds 12.5 > max_cpu_seconds 10, usd 0.01 ≤ max_usd 0.5 — stopped: the experiment's cpu_seconds budget was exceeded")
        XCTAssertEqual(GateSession.brokenBudget(record(experiment: nil, cost: ["cpu_seconds": 12.5])),
                       "stopped: the experiment's cpu_seconds budget was exceeded (the record holds no experiment file with the limits)")
        XCTAssertTrue(GateSession.brokenBudget(record(experiment: "suite: [", cost: [:]))
            .hasPrefix("stopped: the experiment's cpu_seconds budget was exceeded (its limits cannot be read: "))
    }
}
