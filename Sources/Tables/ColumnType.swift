/// The physical type of a table column.
public enum ColumnType: String, Codable, Sendable, CaseIterable {
    /// IEEE 754 binary64.
    case float64
    /// IEEE 754 binary32: only when a schema asks for it (never inferred), to halve the
    /// memory of float columns whose values need no more precision.
    case float32
    /// Signed 64-bit integer.
    case int64
    /// `true` / `false`.
    case bool
    /// A UTC instant, stored as microseconds since 1970-01-01T00:00:00Z.
    case timestamp
    /// Strings, dictionary-encoded: each row holds a code into the column's dictionary.
    case category

    /// Whether values of this type are numbers (float64, float32, int64, timestamp, bool as 0/1).
    public var isNumeric: Bool { self != .category }
}
