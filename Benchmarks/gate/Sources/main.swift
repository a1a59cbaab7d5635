import Foundation
import Gate

/// `gate-bench [rows] [resamples]`: times `Gate.evaluate` on the issue's benchmark shape — a
/// 100,000-row evaluation set, 2,000 resamples, a primary metric, two guardrails and three slice
/// columns — for a candidate against a champion, and prints a Markdown table row.
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let rows = arguments.first ?? 100_000
let resamples = arguments.dropFirst().first ?? 2000

/// Deterministic predictions: labels from a fixed pattern, scores = signal · label + noise.
func predictions(signal: Double, seed: UInt64, prefix: String = "r", count: Int) -> ScoredRows {
    var state = seed
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    var ids = [String](), labels = [Double](), scores = [Double]()
    var region = [String](), plan = [String](), segment = [String](), customer = [String]()
    for row in 0..<count {
        let label = (row &* 7919 % 10) < 2 ? 1.0 : 0.0
        ids.append("\(prefix)\(row)")
        labels.append(label)
        scores.append(min(1, max(0, 0.6 * uniform() + signal * (label - 0.5) + 0.2)))
        region.append(["north", "south", "east", "west"][row % 4])
        plan.append(row % 3 == 0 ? "pro" : "basic")
        segment.append("s\(row % 7)")
        customer.append("c\(row / 4)")
    }
    return ScoredRows(ids: ids, labels: labels, scores: scores,
                      columns: ["region": region, "plan": plan, "segment": segment, "customer_id": customer])
}

let suite = try Suite.parse(yaml: """
    task: binary
    label: { column: churned, positive: "yes" }
    eval: churn-eval@v1
    primary: { metric: expected_cost, cost: { fp: 1, fn: 5 }, operating_point: cost_optimal }
    guardrails:
      - { metric: ece, max: 0.05 }
      - { metric: recall, slices: [region, plan, segment], non_inferiority_margin: 0.02 }
    significance: { resamples: \(resamples), seed: 7 }
    """, file: "bench.yaml", name: "bench")
let policy = try GatePolicy.parse(yaml: "protected: [main]\nbenchmark: { min_effect: 0.001 }\n", file: "gate.yaml")
let digest = "sha256:" + String(repeating: "0", count: 64)
let evidence = GateEvidence(
    candidate: .init(runID: "candidate", evaluation: [predictions(signal: 0.35, seed: 1, count: rows)],
                     validation: [predictions(signal: 0.35, seed: 2, prefix: "v", count: rows / 5)], evaluationDigest: digest),
    champion: .init(runID: "champion", evaluation: [predictions(signal: 0.3, seed: 3, count: rows)],
                    validation: [predictions(signal: 0.3, seed: 4, prefix: "v", count: rows / 5)], evaluationDigest: digest),
    dataset: .init(versioned: true), cost: .init(usd: 0.1, overBudget: false), code: .init(dirty: false, stale: false),
    attestations: [], evaluationsSpent: 0)

let start = DispatchTime.now().uptimeNanoseconds, cpuStart = clock()
let verdict = try Gate.evaluate(policy: policy, suite: suite, evidence: evidence)
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let cpuSeconds = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
print("| rows | resamples | guardrails | slice columns | cores | Gate.evaluate wall (s) | CPU, all threads (s) | decision |")
print("|---:|---:|---:|---:|---:|---:|---:|---|")
print("| \(rows) | \(resamples) | 2 | 3 | \(ProcessInfo.processInfo.activeProcessorCount) | \(String(format: "%.2f", seconds)) | \(String(format: "%.2f", cpuSeconds)) | \(verdict.decision.rawValue) |")
