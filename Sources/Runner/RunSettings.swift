import Contracts
import Foundation
import Metering
import Records
import Workspace

/// The cost rates and project budget of `ml/config.yaml`:
///
///     cost: { cpu_hour_usd: 0.048, gpu_hour_usd: 2.50, gb_month_usd: 0.023 }
///     budget: { project_month_usd: 500 }
///
/// The other top-level sections (`ProjectConfig.sections`) belong to the store; any key
/// outside them is an error here too.
public struct RunSettings: Sendable, Equatable {
    public var rates: CostRates
    public var projectMonthUSD: Double?

    public init(rates: CostRates = CostRates(), projectMonthUSD: Double? = nil) {
        self.rates = rates
        self.projectMonthUSD = projectMonthUSD
    }

    /// Reads the file; a missing file means no rates (every cost is $0) and no budget.
    public static func load(path: String) throws -> RunSettings {
        guard let data = FileManager.default.contents(atPath: path) else { return RunSettings() }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: "ml/config.yaml")
    }

    /// Parses the text of `ml/config.yaml`; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> RunSettings {
        var settings = RunSettings()
        guard let root = try YAMLCursor.optionalDocument(yaml: yaml, file: file) else { return settings }
        try root.requireKeys(in: ProjectConfig.sections)
        if let cost = try root.optional("cost") {
            try cost.requireKeys(in: ["cpu_hour_usd", "gpu_hour_usd", "gb_month_usd"])
            func rate(_ key: String) throws(ContractError) -> Double {
                guard let node = try cost.optional(key) else { return 0 }
                let value = try node.double()
                guard value >= 0, value.isFinite else { throw node.fail("a rate is a non-negative number of US dollars") }
                return value
            }
            settings.rates = CostRates(cpuHourUSD: try rate("cpu_hour_usd"), gpuHourUSD: try rate("gpu_hour_usd"),
                                       gbMonthUSD: try rate("gb_month_usd"))
        }
        if let budget = try root.optional("budget") {
            try budget.requireKeys(in: ["project_month_usd"])
            if let month = try budget.optional("project_month_usd") {
                let value = try month.double()
                guard value > 0 else { throw month.fail("project_month_usd must be positive") }
                settings.projectMonthUSD = value
            }
        }
        return settings
    }
}

/// The monthly project budget, checked before a run starts against the ledger every clone
/// shares: the cost of every recorded run (local ones, those fetched from the remote, and the
/// run records committed on every branch) that started in the current UTC calendar month.
public struct ProjectBudget {
    public let settings: RunSettings

    public init(settings: RunSettings) { self.settings = settings }

    /// Throws `projectBudgetSpent` when this month's runs already cost the budget or more.
    public func check(project: Project, now: Date) throws {
        guard let limit = settings.projectMonthUSD else { return }
        let spent = try CostLedger(runs: project.ledgerRuns()).spent(inMonthOf: now)
        if spent >= limit { throw RunnerError.projectBudgetSpent(spentUSD: spent, limitUSD: limit) }
    }
}
