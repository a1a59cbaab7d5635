/// The values of one column. Rows that are null hold a placeholder (0, `false`, code 0) that
/// must not be read as data: the column's `validity` bitmap is the only source of nullness.
public enum ColumnValues: Sendable, Equatable {
    case float64([Double])
    case float32([Float])
    case int64([Int64])
    case bool([Bool])
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp([Int64])
    /// Codes into `dictionary`; the dictionary lists each distinct string once, in order of
    /// first appearance.
    case category(codes: [Int32], dictionary: [String])
    /// Strings kept as their bytes, without a dictionary (`TextValues`: a column most of whose
    /// values differ). The same logical type as `category`; `Column.categories` encodes them.
    case text(TextValues)

    /// The column type these values have.
    public var type: ColumnType {
        switch self {
        case .float64: .float64
        case .float32: .float32
        case .int64: .int64
        case .bool: .bool
        case .timestamp: .timestamp
        case .category, .text: .category
        }
    }

    /// Number of rows.
    public var count: Int {
        switch self {
        case .float64(let v): v.count
        case .float32(let v): v.count
        case .int64(let v), .timestamp(let v): v.count
        case .bool(let v): v.count
        case .category(let codes, _): codes.count
        case .text(let text): text.count
        }
    }
}

/// A named column: values plus a validity bitmap of the same length.
public struct Column: Sendable, Equatable {
    public let name: String
    public let values: ColumnValues
    public let validity: NullBitmap

    /// Creates a column; `validity` defaults to all rows valid.
    /// - Precondition: `validity.count == values.count`.
    public init(name: String, values: ColumnValues, validity: NullBitmap? = nil) {
        let bitmap = validity ?? NullBitmap(count: values.count)
        precondition(bitmap.count == values.count, "validity length differs from values length")
        self.name = name
        self.values = values
        self.validity = bitmap
    }

    /// A column from optional values (`nil` = null).
    public static func float64(_ name: String, _ values: [Double?]) -> Column {
        Column(name: name, values: .float64(values.map { $0 ?? 0 }), validity: NullBitmap(validity: values.map { $0 != nil }))
    }

    /// A column from optional values (`nil` = null).
    public static func float32(_ name: String, _ values: [Float?]) -> Column {
        Column(name: name, values: .float32(values.map { $0 ?? 0 }), validity: NullBitmap(validity: values.map { $0 != nil }))
    }

    /// A column from optional values (`nil` = null).
    public static func int64(_ name: String, _ values: [Int64?]) -> Column {
        Column(name: name, values: .int64(values.map { $0 ?? 0 }), validity: NullBitmap(validity: values.map { $0 != nil }))
    }

    /// A column from optional values (`nil` = null).
    public static func bool(_ name: String, _ values: [Bool?]) -> Column {
        Column(name: name, values: .bool(values.map { $0 ?? false }), validity: NullBitmap(validity: values.map { $0 != nil }))
    }

    /// A column of microseconds since the epoch (`nil` = null).
    public static func timestamp(_ name: String, _ values: [Int64?]) -> Column {
        Column(name: name, values: .timestamp(values.map { $0 ?? 0 }), validity: NullBitmap(validity: values.map { $0 != nil }))
    }

    /// A dictionary-encoded column from optional strings (`nil` = null).
    public static func category(_ name: String, _ values: [String?]) -> Column {
        var encoder = CategoryEncoder()
        let codes = values.map { $0.map { encoder.code(for: $0) } ?? 0 }
        return Column(name: name, values: .category(codes: codes, dictionary: encoder.dictionary),
                      validity: NullBitmap(validity: values.map { $0 != nil }))
    }

    /// A column of `count` nulls of `type`.
    static func nulls(name: String, type: ColumnType, count: Int) -> Column {
        let values: ColumnValues = switch type {
        case .float64: .float64(Array(repeating: 0, count: count))
        case .float32: .float32(Array(repeating: 0, count: count))
        case .int64: .int64(Array(repeating: 0, count: count))
        case .bool: .bool(Array(repeating: false, count: count))
        case .timestamp: .timestamp(Array(repeating: 0, count: count))
        case .category: .category(codes: Array(repeating: 0, count: count), dictionary: [])
        }
        return Column(name: name, values: values, validity: NullBitmap(count: count, allValid: false))
    }

    public var type: ColumnType { values.type }
    public var count: Int { values.count }
    public var nullCount: Int { validity.nullCount }

    /// Whether row `index` is null.
    public func isNull(_ index: Int) -> Bool { validity.isNull(index) }

    /// Row `index` as a number: floats (float32 widened exactly) and integers as themselves,
    /// timestamps as microseconds,
    /// booleans as 0/1; `nil` for nulls and for category columns.
    public func number(at index: Int) -> Double? {
        guard validity.isValid(index) else { return nil }
        switch values {
        case .float64(let v): return v[index]
        case .float32(let v): return Double(v[index])
        case .int64(let v), .timestamp(let v): return Double(v[index])
        case .bool(let v): return v[index] ? 1 : 0
        case .category, .text: return nil
        }
    }

    /// Row `index` as text (categories as their string, other types as their canonical text);
    /// `nil` for nulls.
    public func text(at index: Int) -> String? {
        guard validity.isValid(index) else { return nil }
        switch values {
        case .float64(let v): return v[index].description
        case .float32(let v): return v[index].description
        case .int64(let v): return v[index].description
        case .timestamp(let v): return Timestamp.iso8601(microseconds: v[index])
        case .bool(let v): return v[index] ? "true" : "false"
        case .category(let codes, let dictionary): return dictionary[Int(codes[index])]
        case .text(let text): return text.string(at: index)
        }
    }

    /// A category column's codes and dictionary of distinct strings in order of first
    /// appearance, whichever way its values are kept (text kept as bytes is encoded here, see
    /// `TextValues.dictionaryEncoded`); nil for other types.
    public var categories: (codes: [Int32], dictionary: [String])? {
        switch values {
        case .category(let codes, let dictionary): (codes, dictionary)
        case .text(let text): text.dictionaryEncoded(validity: validity)
        default: nil
        }
    }
}
