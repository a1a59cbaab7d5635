import Foundation
import Tables

/// Checks a table against a contract and, when given, against a reference version.
public struct ContractValidator: Sendable {
    public let contract: Contract

    /// A validator of tables against `contract`.
    public init(contract: Contract) { self.contract = contract }

    /// The version of the checks' definitions, part of the keys of cached reports: raised when
    /// a check is added or its definition changes, so a report cached by an older GitML is
    /// computed again (2: null share, discrete drift bins, categorical leakage, schema changes
    /// as failures).
    public static let checksVersion = 3

    /// Runs every check: schema (presence, forbidden columns, types), required (no nulls),
    /// quality rules, uniqueness and primary key, ranges, label definition, freshness
    /// against `now`, and with `previous` schema drift, row-count change and distribution
    /// drift of the drift columns. Checks whose column is missing are left to the presence
    /// check. `typeConflicts` says, per column, why it was read with another type than the
    /// contract declares (the reader's first mismatching value), for its type check.
    /// `headers` lists every column of both versions when the tables hold only the columns
    /// `columnsRead(withReference:)` chose (schema drift compares the headers), and `nullCounts`
    /// the null rows of the columns in both versions the tables lack (the null share compares
    /// them without their values).
    public func validate(table: Table, previous: Table? = nil, now: Date = Date(), typeConflicts: [String: String] = [:],
                         headers: (current: [ColumnHeader], reference: [ColumnHeader])? = nil,
                         nullCounts: (current: [String: Int], reference: [String: Int])? = nil) -> ValidationReport {
        var checks: [CheckResult] = []
        checks += schemaChecks(table, typeConflicts: typeConflicts)
        for spec in contract.columns {
            guard let column = table.column(named: spec.name) else { continue }
            checks += columnChecks(spec, column, rowCount: table.rowCount)
        }
        checks += keyChecks(table)
        checks += contract.tableRules.map { tableRule($0, table) }
        if let label = contract.label { checks += labelChecks(label, table) }
        if let freshness = contract.freshness { checks.append(freshnessCheck(freshness, table, now: now)) }
        if let previous {
            checks += DriftChecks(policy: contract.drift, contract: contract).run(current: table, reference: previous, headers: headers,
                                                                                  nullCounts: nullCounts)
        }
        return ValidationReport(checks: checks, unchecked: contract.unchecked)
    }

    /// The columns `validate` reads values of, for reading no others (`ColumnSelection`): the
    /// declared and forbidden columns and those the label, freshness and table rules name; with
    /// a reference also the drift policy's `columns`. Schema drift needs every column's name and
    /// type (`headers` of `validate`) and the values of the columns present in only one version
    /// (renames), which the caller adds. Without `drift.columns` the null share compares every
    /// column present in both versions: the caller passes the null counts of those left out
    /// (`nullCounts` of `validate`), or reads every column.
    public func columnsRead(withReference: Bool) -> ColumnSelection {
        var names = Set(contract.columns.map(\.name) + contract.forbiddenColumns)
        names.formUnion([contract.label?.column, contract.freshness?.column].compactMap { $0 })
        names.formUnion(contract.tableRules.flatMap { $0.properties ?? [] })
        if withReference { names.formUnion(contract.drift.columns) }
        return .only(names)
    }

    // MARK: Schema

    private func schemaChecks(_ table: Table, typeConflicts: [String: String]) -> [CheckResult] {
        var checks: [CheckResult] = []
        for spec in contract.columns {
            let column = table.column(named: spec.name)
            checks.append(.judged(.columnPresent, column: spec.name, ok: column != nil, observed: nil, limit: "present",
                                  detail: column == nil ? "declared column is missing" : "present"))
            if let column, let logical = spec.logicalType {
                let why = typeConflicts[spec.name].map { " (\($0))" } ?? ""
                checks.append(.judged(.columnType, column: spec.name, ok: logical.accepts(column.type), observed: nil,
                                      limit: logical.rawValue, detail: "column type is \(column.type.rawValue)\(why)"))
            }
        }
        for name in contract.forbiddenColumns {
            let present = table.column(named: name) != nil
            checks.append(.judged(.forbiddenColumn, column: name, ok: !present, observed: nil, limit: "absent",
                                  detail: present ? "forbidden column is present" : "absent"))
        }
        return checks
    }

    // MARK: Columns

    private func columnChecks(_ spec: ColumnSpec, _ column: Column, rowCount: Int) -> [CheckResult] {
        var checks: [CheckResult] = []
        if spec.required {
            checks.append(.judged(.required, column: spec.name, ok: column.nullCount == 0, observed: Double(column.nullCount),
                                  limit: "= 0 nulls", detail: "\(column.nullCount) null values"))
        }
        if spec.unique {
            let duplicates = Self.duplicateCount(column)
            checks.append(.judged(.unique, column: spec.name, ok: duplicates == 0, observed: Double(duplicates),
                                  limit: "= 0 duplicates", detail: "\(duplicates) rows repeat an earlier value"))
        }
        if spec.minimum != nil || spec.maximum != nil, let values = column.numericValues {
            let low = spec.minimum ?? -.infinity, high = spec.maximum ?? .infinity
            let outside = values.filter { $0 < low || $0 > high }
            let observedMin = values.min(), observedMax = values.max()
            checks.append(.judged(.range, column: spec.name, ok: outside.isEmpty, observed: Double(outside.count),
                                  limit: "in [\(Self.format(low)), \(Self.format(high))]",
                                  detail: "\(outside.count) values outside; observed min \(observedMin.map(Self.format) ?? "–"), max \(observedMax.map(Self.format) ?? "–")"))
        }
        for rule in spec.rules {
            let count: Int
            let what: String
            switch rule.metric {
            case .nullValues:
                count = column.nullCount
                what = "null values"
            case .invalidValues:
                count = column.membership(in: rule.validValues ?? []).lazy.filter { !$0 }.count
                what = "values outside \(rule.validValues ?? [])"
            case .duplicateValues:
                count = Self.duplicateCount(column)
                what = "rows repeating an earlier value"
            case .rowCount:
                continue  // rejected by the parser for columns
            }
            checks.append(Self.ruleResult(rule, kind: Self.kind(of: rule.metric), column: spec.name, count: count,
                                          rowCount: rowCount, what: what))
        }
        return checks
    }

    private static func kind(of metric: QualityRule.Metric) -> CheckResult.Kind {
        switch metric {
        case .nullValues: .nullValues
        case .invalidValues: .invalidValues
        case .duplicateValues: .duplicateValues
        case .rowCount: .rowCount
        }
    }

    /// Judges a count rule in its unit (rows, or percent of `rowCount`).
    static func ruleResult(_ rule: QualityRule, kind: CheckResult.Kind, column: String?, count: Int, rowCount: Int,
                           what: String) -> CheckResult {
        let observed = rule.unit == .percent ? (rowCount == 0 ? 0 : 100 * Double(count) / Double(rowCount)) : Double(count)
        let unit = rule.unit == .percent ? " percent" : " rows"
        return .judged(kind, column: column, ok: rule.threshold.holds(observed), observed: observed,
                       limit: rule.threshold.text + unit,
                       detail: "\(count) \(what) of \(rowCount) rows (YAML line \(rule.line))")
    }

    /// Rows whose non-null value equals an earlier row's.
    static func duplicateCount(_ column: Column) -> Int {
        if let count = orderedDuplicateCount(column) { return count }
        let digests = RowHasher.digests(columns: [column], rowCount: column.count)
        return RowDigest.duplicateCount((0..<column.count).filter { column.validity.isValid($0) }.map { digests[$0] })
    }

    /// `duplicateCount` of an integer or timestamp column whose non-null values never go down
    /// from row to row (an id, an event log's time): in such a column a value repeats an
    /// earlier one exactly when it equals the non-null value before it, so one pass counts the
    /// duplicates, without the digests and their sort. Nil for other columns and for values
    /// that go down somewhere.
    static func orderedDuplicateCount(_ column: Column) -> Int? {
        let values: [Int64]
        switch column.values {
        case .int64(let v), .timestamp(let v): values = v
        default: return nil
        }
        let hasNulls = column.nullCount > 0
        var duplicates = 0
        var previous: Int64?
        for (row, value) in values.enumerated() where !hasNulls || column.validity.isValid(row) {
            if let previous {
                if value < previous { return nil }
                if value == previous { duplicates += 1 }
            }
            previous = value
        }
        return duplicates
    }

    /// Rows whose combination of values in `columns` (nulls included) equals an earlier row's.
    static func compoundDuplicateCount(_ table: Table, _ columns: [String]) -> Int {
        if columns.count == 1, let column = table.column(named: columns[0]), column.nullCount == 0,
           let count = orderedDuplicateCount(column) {
            return count
        }
        return RowDigest.duplicateCount(table.rowDigests(columns: columns))
    }

    // MARK: Keys and table rules

    private func keyChecks(_ table: Table) -> [CheckResult] {
        let key = contract.columns.filter(\.primaryKey).map(\.name)
        guard !key.isEmpty, key.allSatisfy({ table.column(named: $0) != nil }) else { return [] }
        let duplicates = Self.compoundDuplicateCount(table, key)
        let keyColumns = key.compactMap(table.column(named:)).filter { $0.nullCount > 0 }
        let nulls = keyColumns.count == 1 ? keyColumns[0].nullCount
            : keyColumns.isEmpty ? 0 : (0..<table.rowCount).filter { row in keyColumns.contains { $0.isNull(row) } }.count
        return [.judged(.primaryKey, column: key.joined(separator: ","), ok: duplicates == 0 && nulls == 0,
                        observed: Double(duplicates + nulls), limit: "unique and non-null",
                        detail: "\(duplicates) duplicated keys, \(nulls) rows with a null key part")]
    }

    private func tableRule(_ rule: QualityRule, _ table: Table) -> CheckResult {
        switch rule.metric {
        case .rowCount:
            let observed = Double(table.rowCount)
            return .judged(.rowCount, column: nil, ok: rule.threshold.holds(observed), observed: observed,
                           limit: rule.threshold.text, detail: "\(table.rowCount) rows (YAML line \(rule.line))")
        default:
            let columns = rule.properties ?? []
            let missing = columns.filter { table.column(named: $0) == nil }
            guard missing.isEmpty else {
                return CheckResult(kind: .duplicateValues, column: columns.joined(separator: ","), status: .fail, observed: nil,
                                   limit: rule.threshold.text, detail: "key columns missing: \(missing.joined(separator: ", "))")
            }
            return Self.ruleResult(rule, kind: .duplicateValues, column: columns.joined(separator: ","),
                                   count: Self.compoundDuplicateCount(table, columns), rowCount: table.rowCount,
                                   what: "rows repeating an earlier key")
        }
    }

    // MARK: Label and freshness

    private func labelChecks(_ label: LabelSpec, _ table: Table) -> [CheckResult] {
        guard let column = table.column(named: label.column) else {
            return [CheckResult(kind: .labelValues, column: label.column, status: .fail, observed: nil, limit: "present",
                                detail: "label column is missing")]
        }
        var checks: [CheckResult] = []
        if !label.allowedValues.isEmpty {
            let invalid = column.membership(in: label.allowedValues).lazy.filter { !$0 }.count
            checks.append(.judged(.labelValues, column: label.column, ok: invalid == 0, observed: Double(invalid),
                                  limit: "in \(label.allowedValues)", detail: "\(invalid) labels outside the allowed values"))
        }
        if let positive = label.positiveValue, let bounds = label.positiveRate {
            let isPositive = column.membership(in: [positive])
            let present = column.count - column.nullCount
            let positives = (0..<column.count).filter { column.validity.isValid($0) && isPositive[$0] }.count
            let rate = present == 0 ? 0 : Double(positives) / Double(present)
            checks.append(.judged(.labelPositiveRate, column: label.column, ok: bounds.contains(rate), observed: rate,
                                  limit: "in [\(Self.format(bounds.lowerBound)), \(Self.format(bounds.upperBound))]",
                                  detail: "\(positives) of \(present) labels are \(positive)"))
        }
        return checks
    }

    private func freshnessCheck(_ spec: FreshnessSpec, _ table: Table, now: Date) -> CheckResult {
        guard let column = table.column(named: spec.column), column.type == .timestamp,
              let latest = column.numericValues?.max() else {
            return CheckResult(kind: .freshness, column: spec.column, status: .fail, observed: nil, limit: "",
                               detail: "no timestamp values in the freshness column")
        }
        let nowMicros = now.timeIntervalSince1970 * 1_000_000
        let ageHours = (nowMicros - latest) / 3_600_000_000
        return .judged(.freshness, column: spec.column, ok: ageHours <= spec.maxAgeHours, observed: ageHours,
                       limit: "≤ \(Self.format(spec.maxAgeHours)) hours",
                       detail: "latest value \(Timestamp.iso8601(microseconds: Int64(latest))) is \(Self.format(ageHours)) hours old")
    }

    /// A number as short text.
    static func format(_ x: Double) -> String {
        if x.isInfinite { return x > 0 ? "∞" : "-∞" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.6g", x)
    }
}
