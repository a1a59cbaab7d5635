/// The outcome of every check of a validation, in a stable order, and the contract's clauses
/// that were not checked. Codable for `--json` and for caching by (data digest, contract digest).
public struct ValidationReport: Codable, Sendable, Equatable {
    public let checks: [CheckResult]
    /// The contract's clauses that GitML declares but does not check (`Contract.unchecked`).
    public let unchecked: [UncheckedClause]

    public init(checks: [CheckResult], unchecked: [UncheckedClause] = []) {
        self.checks = checks
        self.unchecked = unchecked
    }

    /// Reads a report; one cached before `unchecked` existed has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checks = try container.decode([CheckResult].self, forKey: .checks)
        unchecked = try container.decodeIfPresent([UncheckedClause].self, forKey: .unchecked) ?? []
    }

    /// True when no check failed (warnings do not fail).
    public var passed: Bool { !checks.contains { $0.status == .fail } }

    /// The failed checks.
    public var failures: [CheckResult] { checks.filter { $0.status == .fail } }
}

/// One check: what was checked, on which column, the observed value and the limit.
public struct CheckResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case pass, fail, warn }

    /// Stable check names, snake_case like every JSON value GitML writes.
    public enum Kind: String, Codable, Sendable {
        case columnPresent = "column_present"
        case forbiddenColumn = "forbidden_column"
        case columnType = "column_type"
        case required
        case nullValues = "null_values"
        case invalidValues = "invalid_values"
        case duplicateValues = "duplicate_values"
        case unique
        case primaryKey = "primary_key"
        case range
        case rowCount = "row_count"
        case freshness
        case labelValues = "label_values"
        case labelPositiveRate = "label_positive_rate"
        case schemaDrift = "schema_drift"
        case rowCountChange = "row_count_change"
        case nullShare = "null_share"
        case newCategories = "new_categories"
        case psi
        case ks
        case jensenShannon = "jensen_shannon"
        case lInfinity = "l_infinity"
        case chiSquare = "chi_square"
        case rowOverlap = "row_overlap"
        case keyOverlap = "key_overlap"
        case timeOrder = "time_order"
        case featureAUC = "feature_auc"
    }

    public let kind: Kind
    /// The column (or comma-joined columns) checked; `nil` for table-level checks.
    public let column: String?
    public let status: Status
    /// The observed number (count, fraction, statistic), when there is one.
    public let observed: Double?
    /// The limit as text (e.g. `< 5 percent`, `≤ 0.2`), empty when only reported.
    public let limit: String
    /// What was found, for people.
    public let detail: String

    public init(kind: Kind, column: String?, status: Status, observed: Double?, limit: String, detail: String) {
        self.kind = kind
        self.column = column
        self.status = status
        self.observed = observed
        self.limit = limit
        self.detail = detail
    }

    /// A result that passes when `ok`, else has `failing` status.
    static func judged(_ kind: Kind, column: String?, ok: Bool, failing: Status = .fail, observed: Double?,
                       limit: String, detail: String) -> CheckResult {
        CheckResult(kind: kind, column: column, status: ok ? .pass : failing, observed: observed, limit: limit, detail: detail)
    }
}
