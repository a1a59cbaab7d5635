/// What a text field looks like, for type inference. Kinds merge upwards: integers widen to
/// floats, and any other disagreement widens to text.
enum FieldKind: UInt8, Sendable {
    case null, bool, integer, float, timestamp, text

    /// The narrowest kind that holds both.
    func merged(with other: FieldKind) -> FieldKind {
        if self == other || other == .null { return self }
        if self == .null { return other }
        if (self == .integer && other == .float) || (self == .float && other == .integer) { return .float }
        return .text
    }

    /// The column type a column of this kind gets.
    var columnType: ColumnType {
        switch self {
        case .null, .float: .float64
        case .bool: .bool
        case .integer: .int64
        case .timestamp: .timestamp
        case .text: .category
        }
    }

    /// Classifies a non-null field and parses it as that kind (`value` is `nil` for text).
    @inline(__always)
    static func infer(_ bytes: UnsafeRawBufferPointer) -> (kind: FieldKind, value: CellValue?) {
        guard let first = bytes.first else { return (.text, nil) }
        if first &- 48 < 10 || first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") {
            if let integer = FieldParsers.int64(bytes) { return (.integer, .integer(integer)) }
            if let float = FloatParser.parse(bytes) { return (.float, .float(float)) }
            if let timestamp = Timestamp.parse(bytes) { return (.timestamp, .timestamp(timestamp)) }
            return (.text, nil)
        }
        if let bool = FieldParsers.bool(bytes, acceptDigits: false) { return (.bool, .bool(bool)) }
        if let float = FloatParser.parse(bytes) { return (.float, .float(float)) }
        return (.text, nil)
    }
}

/// Parsers for single field values.
enum FieldParsers {
    /// `[+-]?digits` within Int64; `nil` otherwise.
    static func int64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0 else { return nil }
        var i = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative || bytes[0] == UInt8(ascii: "+") { i = 1 }
        guard i < n else { return nil }
        if n - i > 19 { return wideInt64(bytes, from: i, negative: negative) }
        var magnitude: UInt64 = 0
        while i < n {
            let d = bytes[i] &- 48
            guard d < 10 else { return nil }
            magnitude = magnitude * 10 + UInt64(d)
            i += 1
        }
        return signed(magnitude, negative: negative)
    }

    /// Integers written with more than 19 characters (leading zeros): checked arithmetic.
    private static func wideInt64(_ bytes: UnsafeRawBufferPointer, from start: Int, negative: Bool) -> Int64? {
        var magnitude: UInt64 = 0
        for i in start..<bytes.count {
            let d = bytes[i] &- 48
            guard d < 10 else { return nil }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { return nil }
            magnitude = sum
        }
        return signed(magnitude, negative: negative)
    }

    private static func signed(_ magnitude: UInt64, negative: Bool) -> Int64? {
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// `true`/`false` (also `True`, `TRUE`, …); with `acceptDigits`, also `1`/`0`.
    static func bool(_ bytes: UnsafeRawBufferPointer, acceptDigits: Bool) -> Bool? {
        switch bytes.count {
        case 1 where acceptDigits:
            if bytes[0] == UInt8(ascii: "1") { return true }
            if bytes[0] == UInt8(ascii: "0") { return false }
            return nil
        case 4:
            return matchesIgnoringCase(bytes, "true") ? true : nil
        case 5:
            return matchesIgnoringCase(bytes, "false") ? false : nil
        default:
            return nil
        }
    }

    private static func matchesIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        let w = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for i in 0..<w.count where bytes[i] | 0x20 != w[i] { return false }
        return true
    }
}
