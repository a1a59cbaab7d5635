import Kernels
import Tables

/// What changed between two versions of a dataset.
public struct DatasetDiff: Codable, Sendable, Equatable {
    public let schema: SchemaChanges
    public let rows: RowChanges
    /// Columns present in both versions, in the newer version's order.
    public let columns: [ColumnDiff]

    /// Compares `before` with `after`. With a `key`, rows are matched by key: added, removed,
    /// and changed (same key, different values in the shared columns). Without one, rows
    /// are compared as multisets of values (added and removed only).
    public static func compute(before: Table, after: Table, key: [String] = []) -> DatasetDiff {
        let schema = SchemaChanges(before: before, after: after)
        let shared = after.columnNames.filter { before.column(named: $0) != nil }
        let columns = shared.map { ColumnDiff(before: before.column(named: $0)!, after: after.column(named: $0)!) }
        return DatasetDiff(schema: schema, rows: RowChanges(before: before, after: after, shared: shared, key: key), columns: columns)
    }
}

/// Row counts and row-level changes.
public struct RowChanges: Codable, Sendable, Equatable {
    public let before: Int
    public let after: Int
    public let added: Int
    public let removed: Int
    /// Rows whose key is in both versions with different values; `nil` without a key.
    public let changed: Int?
    /// The key rows were matched by (empty: by value).
    public let key: [String]

    init(before: Table, after: Table, shared: [String], key: [String]) {
        self.before = before.rowCount
        self.after = after.rowCount
        let usableKey = !key.isEmpty && key.allSatisfy { before.column(named: $0) != nil && after.column(named: $0) != nil }
        let matchKey = usableKey ? key : []
        self.key = matchKey
        let valueColumns = shared.filter { !matchKey.contains($0) }
        let beforeValues = before.rowDigests(columns: valueColumns), afterValues = after.rowDigests(columns: valueColumns)
        if usableKey {
            func grouped(_ keys: [RowDigest], _ values: [RowDigest]) -> [RowDigest: [RowDigest]] {
                var groups: [RowDigest: [RowDigest]] = [:]
                for (k, v) in zip(keys, values) { groups[k, default: []].append(v) }
                return groups
            }
            let old = grouped(before.rowDigests(columns: key), beforeValues)
            let new = grouped(after.rowDigests(columns: key), afterValues)
            added = new.filter { old[$0.key] == nil }.reduce(0) { $0 + $1.value.count }
            removed = old.filter { new[$0.key] == nil }.reduce(0) { $0 + $1.value.count }
            changed = new.filter { entry in
                guard let previous = old[entry.key] else { return false }
                return Self.sorted(previous) != Self.sorted(entry.value)
            }.count
        } else {
            var balance: [RowDigest: Int] = [:]
            for d in beforeValues { balance[d, default: 0] -= 1 }
            for d in afterValues { balance[d, default: 0] += 1 }
            added = balance.values.filter { $0 > 0 }.reduce(0, +)
            removed = -balance.values.filter { $0 < 0 }.reduce(0, +)
            changed = nil
        }
    }

    private static func sorted(_ digests: [RowDigest]) -> [RowDigest] {
        digests.sorted { ($0.high, $0.low) < ($1.high, $1.low) }
    }
}

/// Per-column changes between two versions.
public struct ColumnDiff: Codable, Sendable, Equatable {
    public let name: String
    public let nullFractionBefore: Double
    public let nullFractionAfter: Double
    public let meanBefore: Double?
    public let meanAfter: Double?
    /// Quantiles at `Profiler.quantileLevels`, before and after (numeric columns).
    public let quantilesBefore: [Double]?
    public let quantilesAfter: [Double]?
    public let numericDrift: NumericDrift?
    public let categoricalDrift: CategoricalDrift?

    init(before: Column, after: Column) {
        name = after.name
        nullFractionBefore = before.count == 0 ? 0 : Double(before.nullCount) / Double(before.count)
        nullFractionAfter = after.count == 0 ? 0 : Double(after.nullCount) / Double(after.count)
        let old = before.numericValues.flatMap { $0.isEmpty ? nil : Profiler.numericProfile(RadixSort.sortedValues($0), bins: 1) }
        let new = after.numericValues.flatMap { $0.isEmpty ? nil : Profiler.numericProfile(RadixSort.sortedValues($0), bins: 1) }
        meanBefore = old?.mean
        meanAfter = new?.mean
        quantilesBefore = old?.quantiles
        quantilesAfter = new?.quantiles
        if before.type == .category && after.type == .category {
            numericDrift = nil
            categoricalDrift = DriftStatistics.categorical(reference: before.valueCounts, current: after.valueCounts)
        } else if let b = before.numericValues, let a = after.numericValues {
            numericDrift = DriftStatistics.numeric(reference: b, current: a)
            categoricalDrift = nil
        } else {
            numericDrift = nil
            categoricalDrift = nil
        }
    }

    /// meanAfter − meanBefore, when both exist.
    public var meanDelta: Double? { meanBefore.flatMap { b in meanAfter.map { $0 - b } } }
}
