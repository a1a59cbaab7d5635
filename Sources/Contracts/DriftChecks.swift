import Kernels
import Tables

/// Checks of a table against a reference version under a drift policy.
struct DriftChecks: Sendable {
    let policy: DriftPolicy
    let contract: Contract

    /// `headers`: every column of both versions when the tables hold only some (`SchemaChanges`);
    /// `nullCounts`: the null rows of columns in both versions that the tables lack.
    func run(current: Table, reference: Table, headers: (current: [ColumnHeader], reference: [ColumnHeader])? = nil,
             nullCounts: (current: [String: Int], reference: [String: Int])? = nil) -> [CheckResult] {
        var checks = [schemaDrift(current, reference, headers: headers)]
        if let maxChange = policy.maxRowCountChange {
            let change = reference.rowCount == 0 ? (current.rowCount == 0 ? 0 : .infinity)
                : abs(Double(current.rowCount - reference.rowCount)) / Double(reference.rowCount)
            checks.append(.judged(.rowCountChange, column: nil, ok: change <= maxChange, observed: change,
                                  limit: "≤ \(ContractValidator.format(maxChange))",
                                  detail: "\(reference.rowCount) → \(current.rowCount) rows"))
        }
        let counts = NullCounts(currentTable: current, referenceTable: reference, unread: nullCounts)
        checks += nullShareColumns(counts, order: headers?.current.map(\.name) ?? current.columnNames).compactMap { nullShare($0, counts) }
        // Columns are independent: compute them in parallel, report them in order.
        let names = driftColumns
        let perColumn = ParallelFor.map(count: names.count, blockSize: 1) { range in
            let name = names[range.lowerBound]
            guard let now = current.column(named: name), let before = reference.column(named: name) else { return [CheckResult]() }
            return columnDrift(name, now, before)
        }
        return checks + perColumn.flatMap { $0 }
    }

    /// The policy's columns, or by default every declared column except identifiers (entity
    /// key, unique columns) and time columns (freshness and leakage time), which change by
    /// design between versions.
    private var driftColumns: [String] {
        if !policy.columns.isEmpty { return policy.columns }
        let excluded = Set(contract.entityKey + [contract.freshness?.column, contract.leakage?.timeColumn].compactMap { $0 })
        return contract.columns.filter { !$0.unique && !excluded.contains($0.name) }.map(\.name)
    }

    /// The policy's columns, or by default every column present in both versions (in `order`):
    /// a column that starts to miss values breaks models whatever its role.
    private func nullShareColumns(_ counts: NullCounts, order: [String]) -> [String] {
        if !policy.columns.isEmpty { return policy.columns }
        return order.filter { counts.current($0) != nil && counts.reference($0) != nil }
    }

    /// Passes while the change is within the limit; past it, fails when the two-proportion test
    /// agrees (p < `DriftStatistics.nullShareAlpha`), else warns.
    private func nullShare(_ name: String, _ counts: NullCounts) -> CheckResult? {
        guard let now = counts.current(name), let before = counts.reference(name),
              let drift = DriftStatistics.nullShare(referenceNulls: before.nulls, referenceRows: before.rows,
                                                    currentNulls: now.nulls, currentRows: now.rows) else { return nil }
        let f = ContractValidator.format, alpha = DriftStatistics.nullShareAlpha
        let past = drift.change > policy.maxNullShareChange, significant = drift.test.pValue < alpha
        let counts = "\(before.nulls) of \(before.rows) → \(now.nulls) of \(now.rows) rows"
        let note = past && !significant ? " ≥ \(f(alpha)): too few rows to tell" : ""
        return CheckResult(kind: .nullShare, column: name, status: !past ? .pass : significant ? .fail : .warn,
                           observed: drift.change, limit: "≤ \(f(policy.maxNullShareChange))",
                           detail: "nulls \(f(drift.reference)) → \(f(drift.current)) (\(counts)); two-proportion p = \(f(drift.test.pValue))\(note)")
    }

    private func schemaDrift(_ current: Table, _ reference: Table,
                             headers: (current: [ColumnHeader], reference: [ColumnHeader])?) -> CheckResult {
        let changes = SchemaChanges(before: reference, after: current, headers: headers.map { ($0.reference, $0.current) })
        let ok = changes.isEmpty || policy.schemaChanges == .ignore
        return .judged(.schemaDrift, column: nil, ok: ok, failing: policy.schemaChanges == .warn ? .warn : .fail,
                       observed: Double(changes.count), limit: "no schema changes", detail: changes.summary)
    }

    private func gate(_ kind: CheckResult.Kind, _ name: String, _ value: Double, _ limit: Double?, _ detail: String) -> CheckResult {
        guard let limit else {
            return CheckResult(kind: kind, column: name, status: .pass, observed: value, limit: "", detail: detail)
        }
        return .judged(kind, column: name, ok: value <= limit, observed: value, limit: "≤ \(ContractValidator.format(limit))",
                       detail: detail)
    }

    private func columnDrift(_ name: String, _ now: Column, _ before: Column) -> [CheckResult] {
        if now.type == .category && before.type == .category {
            guard let drift = DriftStatistics.categorical(reference: before.valueCounts, current: now.valueCounts) else { return [] }
            var checks = [
                gate(.lInfinity, name, drift.lInfinity, policy.maxLInfinity, "largest change of a category's share"),
                CheckResult(kind: .chiSquare, column: name, status: .pass, observed: drift.chiSquare.statistic, limit: "",
                            detail: "chi-square \(ContractValidator.format(drift.chiSquare.statistic)), dof \(drift.chiSquare.degreesOfFreedom), p = \(ContractValidator.format(drift.chiSquare.pValue)) (reported, not gated)"),
            ]
            let ok = drift.newCategories.isEmpty || policy.newCategories == .ignore
            checks.append(.judged(.newCategories, column: name, ok: ok, failing: policy.newCategories == .warn ? .warn : .fail,
                                  observed: Double(drift.newCategories.count), limit: "no new categories",
                                  detail: drift.newCategories.isEmpty ? "none" : "new: \(drift.newCategories.prefix(20).joined(separator: ", "))"))
            return checks
        }
        guard now.type != .category, before.type != .category,
              let drift = DriftStatistics.numeric(reference: before.numericValues ?? [], current: now.numericValues ?? [])
        else { return [] }
        let bins = drift.discrete ? "\(drift.binEdges.count + 1) bins, one per distinct value"
            : "\(drift.binEdges.count + 1) bins (reference deciles, point masses alone)"
        return [
            gate(.psi, name, drift.psi, policy.maxPSI, "population stability index on \(bins)"),
            gate(.ks, name, drift.ks.statistic, policy.maxKS,
                 "p = \(ContractValidator.format(drift.ks.pValue)) (\(drift.ks.exact ? "exact" : "asymptotic"))"),
            gate(.jensenShannon, name, drift.jensenShannon, policy.maxJS, "Jensen–Shannon divergence (bits) on the \(bins)"),
        ]
    }
}

/// A column's null rows and rows in each version: from the tables' columns, else from the
/// counts of columns whose values were not read.
private struct NullCounts {
    let currentTable: Table, referenceTable: Table
    let unread: (current: [String: Int], reference: [String: Int])?

    func current(_ name: String) -> (nulls: Int, rows: Int)? { Self.counts(name, currentTable, unread?.current) }
    func reference(_ name: String) -> (nulls: Int, rows: Int)? { Self.counts(name, referenceTable, unread?.reference) }

    private static func counts(_ name: String, _ table: Table, _ unread: [String: Int]?) -> (nulls: Int, rows: Int)? {
        if let column = table.column(named: name) { return (column.nullCount, column.count) }
        return unread?[name].map { ($0, table.rowCount) }
    }
}
