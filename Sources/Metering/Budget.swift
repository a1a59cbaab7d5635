/// Limits enforced while a metered process tree runs (`budget:` in an experiment file).
/// A `nil` limit is not enforced.
public struct Budget: Sendable, Codable, Equatable {
    /// Most CPU seconds (user + system, whole tree).
    public var maxCPUSeconds: Double?
    /// Most wall seconds since launch.
    public var maxWallSeconds: Double?
    /// Most US dollars of CPU and declared-GPU time at the run's `CostRates` (stored bytes are
    /// not known while the tree runs, so they are not part of this check).
    public var maxUSD: Double?

    public init(maxCPUSeconds: Double? = nil, maxWallSeconds: Double? = nil, maxUSD: Double? = nil) {
        self.maxCPUSeconds = maxCPUSeconds
        self.maxWallSeconds = maxWallSeconds
        self.maxUSD = maxUSD
    }

    enum CodingKeys: String, CodingKey {
        case maxCPUSeconds = "max_cpu_seconds"
        case maxWallSeconds = "max_wall_seconds"
        case maxUSD = "max_usd"
    }

    /// No limits.
    public static let unlimited = Budget()

    /// The wall-clock limit of a run whose budget sets none (24 hours): a configuration that
    /// asks for unbounded work (a huge number of rounds, say) stops, `over_budget`, instead of
    /// running forever.
    public static let defaultMaxWallSeconds: Double = 24 * 3600

    /// This budget with `defaultMaxWallSeconds` as its wall limit when it sets none.
    public func withDefaultWallLimit() -> Budget {
        var budget = self
        if budget.maxWallSeconds == nil { budget.maxWallSeconds = Self.defaultMaxWallSeconds }
        return budget
    }

    /// The budget, or `MeteringError.invalidBudget` naming the first limit that is negative or not finite.
    public func validated() throws(MeteringError) -> Budget {
        let limits: [(BudgetLimit, Double?)] = [(.cpuSeconds, maxCPUSeconds), (.wallSeconds, maxWallSeconds), (.usd, maxUSD)]
        for case let (limit, value?) in limits where !value.isFinite || value < 0 {
            throw .invalidBudget(limit: limit, value: value)
        }
        return self
    }

    /// The first limit that `usage` exceeds (checked in the order CPU, wall, USD), or `nil`.
    public func exceededLimit(cpuSeconds: Double, wallSeconds: Double, usd: Double) -> BudgetLimit? {
        if let max = maxCPUSeconds, cpuSeconds > max { return .cpuSeconds }
        if let max = maxWallSeconds, wallSeconds > max { return .wallSeconds }
        if let max = maxUSD, usd > max { return .usd }
        return nil
    }
}

/// One of the limits of a `Budget`; the raw value is its key in the experiment file.
public enum BudgetLimit: String, Sendable, Codable, Equatable {
    case cpuSeconds = "max_cpu_seconds"
    case wallSeconds = "max_wall_seconds"
    case usd = "max_usd"
}
