import Gate

/// Deterministic synthetic predictions for the gate tests (no randomness beyond a fixed LCG).
enum Fixtures {
    /// The DESIGN appendix suite.
    static let churnSuite = """
        task: binary
        label: { column: churned, positive: "yes" }
        eval: churn-eval@v4            # pinned; the lock records its full digest
        entity: customer_id            # bootstrap clusters, key-overlap leakage
        primary:
          metric: expected_cost
          cost: { fp: 1.0, fn: 20.0 }
          operating_point: cost_optimal   # chosen on the validation split
          direction: minimize
        guardrails:
          - { metric: ece, max: 0.03 }
          - { metric: recall, slices: [region, plan], non_inferiority_margin: 0.02, min_slice_rows: 500 }
          - { metric: latency_p99_us, max: 50 }
        significance: { method: paired_bootstrap, resamples: 2000, confidence: 0.95, seed: 7 }
        """

    /// `count` rows whose scores separate the classes by `signal` (larger is better), with
    /// `noise` from a fixed linear congruential stream `seed`. Columns: customer_id (two rows
    /// per customer), region (3 values), plan (2 values).
    static func rows(count: Int, signal: Double, seed: UInt64, prefix: String = "r") -> ScoredRows {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var labels = [Double](), scores = [Double](), ids = [String]()
        var customer = [String](), region = [String](), plan = [String]()
        for row in 0..<count {
            // Labels from a fixed pattern so every seed shares them.
            let label = (row * 7919 % 10) < 3 ? 1.0 : 0.0
            let noise = uniform()
            let score = min(1, max(0, 0.5 * noise + signal * (label - 0.5) + 0.25))
            ids.append("\(prefix)\(row)")
            labels.append(label)
            scores.append(score)
            customer.append("c\(row / 2)")
            region.append(["north", "south", "east"][row % 3])
            plan.append(row % 5 == 0 ? "pro" : "basic")
        }
        return ScoredRows(ids: ids, labels: labels, scores: scores,
                          columns: ["customer_id": customer, "region": region, "plan": plan])
    }
}
