import Tables

/// A data contract: an ODCS v3.0–v3.1 document (the dataset's table is one of its schema
/// objects, whose properties are the table's columns, with quality rules) plus GitML extension
/// blocks (`label`, `freshness`, `forbiddenColumns`, `drift`, `leakage`). Load one with
/// `Contract.load(yaml:file:dataset:)`: every clause of the document is either read into the
/// fields below (and enforced by `ContractValidator`) or listed in `unchecked`.
public struct Contract: Sendable, Equatable {
    /// The schema object describing the dataset's table (`nil` when the contract has none).
    public var table: String?
    /// `id` of the envelope, if any.
    public var id: String?
    /// `name` of the envelope, if any.
    public var name: String?
    /// `version` of the envelope, if any.
    public var version: String?
    /// The declared columns, in order; every one must be present in the table.
    public var columns: [ColumnSpec]
    /// Table-level quality rules (`rowCount`, compound `duplicateValues`).
    public var tableRules: [QualityRule]
    /// Columns that must not be present (e.g. direct identifiers).
    public var forbiddenColumns: [String]
    public var label: LabelSpec?
    public var freshness: FreshnessSpec?
    public var drift: DriftPolicy
    public var leakage: LeakagePolicy?
    /// Clauses the contract declares that GitML does not check (servers, SLAs, SQL rules…),
    /// in document order, so that validation can say what it did not check.
    public var unchecked: [UncheckedClause] = []

    /// The column called `name`, if declared.
    public func column(named name: String) -> ColumnSpec? { columns.first { $0.name == name } }

    /// Column types for reading a table under this contract (`CSVReadOptions.schema`):
    /// integer → int64, number → float64 (float32 where the property allows it, see
    /// `ColumnSpec.readType`), boolean → bool, date/timestamp → timestamp, string → category.
    public var readSchema: [String: ColumnType] {
        Dictionary(uniqueKeysWithValues: columns.compactMap { spec in spec.readType.map { (spec.name, $0) } })
    }

    /// The entity key: the leakage block's, else the primary-key columns.
    public var entityKey: [String] {
        if let key = leakage?.entityKey, !key.isEmpty { return key }
        return columns.filter(\.primaryKey).map(\.name)
    }
}

/// A clause of a contract that GitML accepts but does not check.
public struct UncheckedClause: Codable, Sendable, Equatable {
    /// The clause's key path, e.g. `schema[0].properties[3].quality[0]` or `servers`.
    public let path: String
    /// Its 1-based line in the contract.
    public let line: Int
    /// What it is, e.g. `type: sql` or `latency`.
    public let what: String

    public init(path: String, line: Int, what: String) {
        self.path = path
        self.line = line
        self.what = what
    }
}

/// ODCS logical types that contracts check (`time`, `object` and `array` are accepted in a
/// contract but not type-checked: they are listed as unchecked clauses).
public enum LogicalType: String, Sendable, Equatable, Codable, CaseIterable {
    case string, integer, number, boolean, date, timestamp

    /// Whether a column of `type` satisfies this logical type (integers are numbers).
    public func accepts(_ type: ColumnType) -> Bool {
        switch self {
        case .string: type == .category
        case .integer: type == .int64
        case .number: type == .float64 || type == .float32 || type == .int64
        case .boolean: type == .bool
        case .date, .timestamp: type == .timestamp
        }
    }

    /// The column type a reader should produce.
    public var readType: ColumnType {
        switch self {
        case .string: .category
        case .integer: .int64
        case .number: .float64
        case .boolean: .bool
        case .date, .timestamp: .timestamp
        }
    }
}

/// One declared column (an ODCS schema property).
public struct ColumnSpec: Sendable, Equatable {
    public var name: String
    public var logicalType: LogicalType?
    /// ODCS `physicalType`, as written. `float32`, `float4` or `real` on a number column allows
    /// reading it as float32 (half the memory; about 7 significant digits).
    public var physicalType: String?
    /// ODCS `required`: the column may not contain nulls.
    public var required: Bool
    /// ODCS `unique`: no two non-null values are equal.
    public var unique: Bool
    public var primaryKey: Bool
    /// `logicalTypeOptions.minimum` / `maximum` (inclusive) for numeric and time columns
    /// (times as microseconds since the epoch, or ISO 8601 text in the YAML).
    public var minimum: Double?
    public var maximum: Double?
    /// Rules attached to the column (`nullValues`, `invalidValues`, `duplicateValues`).
    public var rules: [QualityRule]
    /// The YAML line of the property, for messages.
    public var line: Int

    /// The column type a reader should produce: the logical type's, except float32 for a number
    /// column whose physical type allows it.
    public var readType: ColumnType? {
        guard let logicalType else { return nil }
        let narrow = ["float32", "float4", "real"].contains(physicalType?.lowercased() ?? "")
        return logicalType == .number && narrow ? .float32 : logicalType.readType
    }
}

/// An ODCS v3 quality rule with a metric and one threshold.
public struct QualityRule: Sendable, Equatable {
    public enum Metric: String, Sendable, Equatable, Codable, CaseIterable {
        case nullValues, invalidValues, duplicateValues, rowCount
    }
    /// ODCS `unit`: counts of rows, or a percentage (0–100) of rows.
    public enum Unit: String, Sendable, Equatable, Codable, CaseIterable {
        case rows, percent
    }
    public var metric: Metric
    public var unit: Unit
    public var threshold: Threshold
    /// `arguments.validValues` for `invalidValues` (compared as text).
    public var validValues: [String]?
    /// `arguments.properties` for a compound `duplicateValues` key.
    public var properties: [String]?
    public var line: Int
}

/// An ODCS threshold on an observed value.
public enum Threshold: Sendable, Equatable, Codable {
    case mustBe(Double)
    case mustNotBe(Double)
    case mustBeGreaterThan(Double)
    case mustBeGreaterOrEqualTo(Double)
    case mustBeLessThan(Double)
    case mustBeLessOrEqualTo(Double)
    case mustBeBetween(Double, Double)
    case mustNotBeBetween(Double, Double)

    /// Whether `value` satisfies the threshold (bounds of `between` are inclusive).
    public func holds(_ value: Double) -> Bool {
        switch self {
        case .mustBe(let t): value == t
        case .mustNotBe(let t): value != t
        case .mustBeGreaterThan(let t): value > t
        case .mustBeGreaterOrEqualTo(let t): value >= t
        case .mustBeLessThan(let t): value < t
        case .mustBeLessOrEqualTo(let t): value <= t
        case .mustBeBetween(let a, let b): value >= a && value <= b
        case .mustNotBeBetween(let a, let b): value < a || value > b
        }
    }

    /// The threshold as text, e.g. `< 5` or `in [1, 10]`.
    public var text: String {
        switch self {
        case .mustBe(let t): "= \(t)"
        case .mustNotBe(let t): "≠ \(t)"
        case .mustBeGreaterThan(let t): "> \(t)"
        case .mustBeGreaterOrEqualTo(let t): "≥ \(t)"
        case .mustBeLessThan(let t): "< \(t)"
        case .mustBeLessOrEqualTo(let t): "≤ \(t)"
        case .mustBeBetween(let a, let b): "in [\(a), \(b)]"
        case .mustNotBeBetween(let a, let b): "not in [\(a), \(b)]"
        }
    }
}

/// The label definition (GitML extension `label`).
public struct LabelSpec: Sendable, Equatable {
    public var column: String
    /// Allowed label values as text; empty allows any.
    public var allowedValues: [String]
    /// The positive class as text (e.g. `"1"` or `"true"`).
    public var positiveValue: String?
    /// Inclusive bounds on the positive rate among non-null labels.
    public var positiveRate: ClosedRange<Double>?
}

/// Freshness of a time column (GitML extension `freshness`): its latest value is at most
/// `maxAgeHours` before the validation time.
public struct FreshnessSpec: Sendable, Equatable {
    public var column: String
    public var maxAgeHours: Double
}

/// What a finding of a kind does to validation.
public enum Severity: String, Sendable, Equatable, Codable, CaseIterable {
    case fail, warn, ignore
}

/// Drift and change versus a reference version (GitML extension `drift`).
public struct DriftPolicy: Sendable, Equatable {
    /// The reference: `previous` or a pinned `name@vN` (resolved by the caller).
    public var reference: String
    /// Columns compared; empty compares every declared column present in both tables.
    public var columns: [String]
    /// Gates on effect sizes; `nil` reports without gating.
    public var maxPSI: Double?
    public var maxKS: Double?
    public var maxJS: Double?
    public var maxLInfinity: Double?
    /// Largest allowed |current − reference| null share of a column (`thresholds.nullShare`);
    /// a larger change fails when the two-proportion test agrees (`DriftStatistics.nullShareAlpha`),
    /// else warns. Kept at its default when a `thresholds` block does not list it (1 never fails).
    public var maxNullShareChange: Double
    public var newCategories: Severity
    public var schemaChanges: Severity
    /// Largest allowed |rows − reference rows| / reference rows.
    public var maxRowCountChange: Double?

    public static let defaults = DriftPolicy(reference: "previous", columns: [], maxPSI: 0.2, maxKS: 0.1, maxJS: 0.1,
                                             maxLInfinity: 0.1, maxNullShareChange: 0.05, newCategories: .fail,
                                             schemaChanges: .fail, maxRowCountChange: nil)
}

/// Leakage checks between training and evaluation tables (GitML extension `leakage`).
public struct LeakagePolicy: Sendable, Equatable {
    /// Entity key columns; empty uses the contract's primary key.
    public var entityKey: [String]
    public var timeColumn: String?
    public var label: String?
    /// Largest allowed number of evaluation rows identical to a training row.
    public var maxRowOverlap: Int
    /// Largest allowed number of evaluation keys also in training.
    public var maxKeyOverlap: Int
    /// A numeric feature whose single-feature AUC (max of AUC, 1 − AUC) reaches this leaks.
    public var featureAUCCeiling: Double
}
