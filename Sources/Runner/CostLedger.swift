import Foundation
import Metering
import Records

/// Spend computed from run records: every record carries its measured cost in US dollars
/// (`cost.usd`), so any clone that fetched the same records computes the same totals.
public struct CostLedger: Sendable {
    public let runs: [RunRecord]

    public init(runs: [RunRecord]) { self.runs = runs }

    /// How `git ml cost` groups spend.
    public enum Grouping: String, Sendable, CaseIterable {
        case experiment, suite, author
    }

    /// One group's spend.
    public struct Line: Sendable, Equatable {
        public var group: String
        public var runs: Int
        public var cpuSeconds: Double
        public var usd: Double
        /// The best primary-metric improvement of the group's successful runs over the suite's
        /// baseline (the earliest successful run of the suite), in the metric's units and
        /// direction; nil when no run improved on it.
        public var bestImprovement: Double?
        /// `usd / bestImprovement`: what one unit of the primary metric cost.
        public var usdPerUnit: Double? { bestImprovement.map { usd / $0 } }
    }

    /// The cost of one run (0 when the record has none).
    public static func usd(_ run: RunRecord) -> Double { run.cost["usd"]?.doubleValue ?? 0 }

    /// The cost of one run priced at `rates` from what can be checked or was measured, never
    /// from the record's own `usd` (or `rates`, which the branch that made the run chose): CPU
    /// and GPU seconds as measured, and the bytes of the artifacts the record names (their sizes
    /// are verified when they are read). Throws when the record has no measurement.
    public static func usd(_ run: RunRecord, at rates: CostRates) throws -> Double {
        var measured: CostMeasurement
        do {
            measured = try JSONDecoder().decode(CostMeasurement.self, from: Data(CanonicalJSON.encode(run.cost).utf8))
        } catch {
            throw RunnerError.invalidExperiment("run \(shortID(run.id)) records no measured resources (cost.cpu_seconds, cost.gpu_seconds, …): \(error)")
        }
        guard measured.cpuSeconds.isFinite, measured.cpuSeconds >= 0, measured.gpuSeconds.isFinite, measured.gpuSeconds >= 0 else {
            throw RunnerError.invalidExperiment("run \(shortID(run.id)) records negative or non-finite CPU or GPU seconds")
        }
        measured.bytesStored = run.artifacts.values.reduce(UInt64(0)) { $0 + $1.size }
        return measured.usd(at: rates)
    }

    /// Spend of runs that started in the UTC calendar month of `date`.
    public func spent(inMonthOf date: Date) -> Double {
        let month = String(timestampPrefix(date).prefix(7))
        return runs.filter { $0.createdAt.hasPrefix(month) }.reduce(0) { $0 + CostLedger.usd($1) }
    }

    /// Spend per group, for runs that started at or after `since` (RFC 3339 date or time prefix).
    public func lines(by grouping: Grouping, since: String?) -> [Line] {
        let selected = runs.filter { since == nil || $0.createdAt >= since! }
        let baselines = suiteBaselines()
        var lines: [String: Line] = [:]
        for run in selected {
            let key: String
            switch grouping {
            case .experiment: key = run.experiment
            case .suite: key = run.suite
            case .author: key = run.createdBy
            }
            var line = lines[key] ?? Line(group: key, runs: 0, cpuSeconds: 0, usd: 0, bestImprovement: nil)
            line.runs += 1
            line.cpuSeconds += run.cost["cpu_seconds"]?.doubleValue ?? 0
            line.usd += CostLedger.usd(run)
            if run.status == .ok, let baseline = baselines[run.suite], let value = PrimaryMetric(run) {
                let improvement = value.improvement(over: baseline)
                if improvement > 0 { line.bestImprovement = max(line.bestImprovement ?? 0, improvement) }
            }
            lines[key] = line
        }
        return lines.values.sorted { ($0.usd, $0.group) > ($1.usd, $1.group) }
    }

    /// The earliest successful run's primary metric per suite.
    private func suiteBaselines() -> [String: PrimaryMetric] {
        var out: [String: (String, PrimaryMetric)] = [:]
        for run in runs where run.status == .ok {
            guard let metric = PrimaryMetric(run) else { continue }
            if let current = out[run.suite], current.0 <= run.createdAt { continue }
            out[run.suite] = (run.createdAt, metric)
        }
        return out.mapValues(\.1)
    }

    private func timestampPrefix(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
