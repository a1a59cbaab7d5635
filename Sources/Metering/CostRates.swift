/// Prices that turn measured resources into money, as written under `cost:` in `ml/config.yaml`.
///
/// A rate that the configuration leaves out is zero (a team without GPUs writes no
/// `gpu_hour_usd`). Rates are in US dollars; negative or non-finite rates are rejected by
/// `validated()`.
public struct CostRates: Sendable, Codable, Equatable {
    /// Dollars per CPU-hour (one core busy for one hour).
    public var cpuHourUSD: Double
    /// Dollars per GPU-hour (one declared GPU held for one hour of wall time).
    public var gpuHourUSD: Double
    /// Dollars per gigabyte (10^9 bytes) stored for one month.
    public var gbMonthUSD: Double

    public init(cpuHourUSD: Double = 0, gpuHourUSD: Double = 0, gbMonthUSD: Double = 0) {
        self.cpuHourUSD = cpuHourUSD
        self.gpuHourUSD = gpuHourUSD
        self.gbMonthUSD = gbMonthUSD
    }

    enum CodingKeys: String, CodingKey {
        case cpuHourUSD = "cpu_hour_usd"
        case gpuHourUSD = "gpu_hour_usd"
        case gbMonthUSD = "gb_month_usd"
    }

    /// Decodes the `cost:` block; a missing rate is zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cpuHourUSD = try container.decodeIfPresent(Double.self, forKey: .cpuHourUSD) ?? 0
        gpuHourUSD = try container.decodeIfPresent(Double.self, forKey: .gpuHourUSD) ?? 0
        gbMonthUSD = try container.decodeIfPresent(Double.self, forKey: .gbMonthUSD) ?? 0
    }

    /// The rates, or `MeteringError.invalidRate` naming the first rate that is negative or not finite.
    public func validated() throws(MeteringError) -> CostRates {
        for (key, value) in [(CodingKeys.cpuHourUSD, cpuHourUSD), (.gpuHourUSD, gpuHourUSD), (.gbMonthUSD, gbMonthUSD)]
        where !value.isFinite || value < 0 {
            throw .invalidRate(name: key.rawValue, value: value)
        }
        return self
    }
}
