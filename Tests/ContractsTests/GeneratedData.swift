import Kernels
import Foundation
import Tables

/// Deterministic customer tables matching templates/ml/contracts/example.yaml.
struct CustomerData {
    var ids: [Int64?]
    var ages: [Int64?]
    var incomes: [Double?]
    var plans: [String?]
    var signups: [Int64?]
    var churned: [Int64?]

    /// `count` rows with ids starting at `firstID`, signups in the 30 days before `end`.
    /// Without income nulls, rows of independent tables never coincide on their features.
    static func generate(count: Int, seed: UInt64, firstID: Int64 = 1, end: Date = CustomerData.now,
                         incomeNullRate: Double = 0.02) -> CustomerData {
        var rng = SplitMix64(seed: seed)
        let endMicros = Int64(end.timeIntervalSince1970 * 1_000_000)
        var data = CustomerData(ids: [], ages: [], incomes: [], plans: [], signups: [], churned: [])
        let plans = ["basic", "basic", "basic", "pro", "pro", "enterprise"]
        for i in 0..<count {
            data.ids.append(firstID + Int64(i))
            data.ages.append(18 + Int64(rng.index(below: 60)))
            data.incomes.append(rng.unit() < incomeNullRate ? nil : max(0, 50_000 + 15_000 * rng.normal()))
            data.plans.append(plans[rng.index(below: plans.count)])
            data.signups.append(endMicros - 3_600_000_000 - Int64(rng.index(below: 30 * 24 * 3600)) * 1_000_000)
            data.churned.append(rng.unit() < 0.2 ? 1 : 0)
        }
        return data
    }

    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    var table: Table {
        // Column names are distinct and lengths equal by construction.
        try! Table(columns: [
            .int64("customer_id", ids), .int64("age", ages), .float64("income", incomes),
            .category("plan", plans), .timestamp("signup_time", signups), .int64("churned", churned),
        ])
    }
}

extension SplitMix64 {
    /// A standard normal draw (Box–Muller), for generated test data.
    mutating func normal() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
