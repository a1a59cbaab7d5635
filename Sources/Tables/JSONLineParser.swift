/// A scalar JSON value of a JSON Lines row.
enum JSONScalar: Sendable {
    case null
    case bool(Bool)
    /// A number with its text; `integer` when it has no fraction or exponent and fits Int64.
    case number(text: String, double: Double, integer: Int64?)
    case string(String)

    /// The value as JSON-like text, for error messages.
    var text: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let text, _, _): text
        case .string(let s): s
        }
    }

    var kind: FieldKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number(_, _, let integer): integer == nil ? .float : .integer
        case .string(let s): Timestamp.parse(s) != nil ? .timestamp : .text
        }
    }

    /// The value as a cell of `type`, or `nil` when it is not one.
    func cell(as type: ColumnType) -> CellValue? {
        switch (self, type) {
        case (.number(_, let d, _), .float64): .float(d)
        case (.number(let text, _, _), .float32): FloatParser.parseFloat32(text).map(CellValue.float32)
        case (.number(_, _, let i?), .int64): .integer(i)
        case (.bool(let b), .bool): .bool(b)
        case (.string(let s), .timestamp): Timestamp.parse(s).map(CellValue.timestamp)
        case (.string(let s), .category): .text(s)
        case (.number(let text, _, _), .category): .text(text)
        case (.bool(let b), .category): .text(b ? "true" : "false")
        default: nil
        }
    }
}

/// A row failed to parse: the byte offset within the line and why.
struct JSONLineFailure: Error {
    let offset: Int
    let reason: String
}

/// Parses one line holding a JSON object whose values are scalars (RFC 8259 grammar).
struct JSONLineParser {
    let bytes: UnsafeRawBufferPointer
    var i: Int
    let end: Int

    /// The object's members in order; a repeated key keeps its last value.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws(JSONLineFailure) -> [(String, JSONScalar)] {
        var parser = JSONLineParser(bytes: bytes, i: start, end: end)
        return try parser.object(lineStart: start)
    }

    private mutating func fail(_ reason: String, lineStart: Int) -> JSONLineFailure {
        JSONLineFailure(offset: i - lineStart, reason: reason)
    }

    private mutating func skipSpace() {
        while i < end, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
    }

    private mutating func object(lineStart: Int) throws(JSONLineFailure) -> [(String, JSONScalar)] {
        skipSpace()
        guard i < end, bytes[i] == UInt8(ascii: "{") else { throw fail("expected '{'", lineStart: lineStart) }
        i += 1
        var members: [(String, JSONScalar)] = []
        skipSpace()
        if i < end, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < end, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key string", lineStart: lineStart) }
                let key = try string(lineStart: lineStart)
                skipSpace()
                guard i < end, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'", lineStart: lineStart) }
                i += 1
                skipSpace()
                let value = try scalar(key: key, lineStart: lineStart)
                if let existing = members.firstIndex(where: { $0.0 == key }) { members[existing].1 = value } else { members.append((key, value)) }
                skipSpace()
                guard i < end else { throw fail("expected ',' or '}'", lineStart: lineStart) }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'", lineStart: lineStart) }
                i += 1
                break
            }
        }
        skipSpace()
        guard i == end else { throw fail("text after the object", lineStart: lineStart) }
        return members
    }

    private mutating func scalar(key: String, lineStart: Int) throws(JSONLineFailure) -> JSONScalar {
        guard i < end else { throw fail("expected a value", lineStart: lineStart) }
        switch bytes[i] {
        case UInt8(ascii: "\""): return .string(try string(lineStart: lineStart))
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw fail("value of \"\(key)\" is an object or array; only scalars are supported", lineStart: lineStart)
        case UInt8(ascii: "t"): try literal("true", lineStart: lineStart); return .bool(true)
        case UInt8(ascii: "f"): try literal("false", lineStart: lineStart); return .bool(false)
        case UInt8(ascii: "n"): try literal("null", lineStart: lineStart); return .null
        default: return try number(lineStart: lineStart)
        }
    }

    private mutating func literal(_ word: String, lineStart: Int) throws(JSONLineFailure) {
        for expected in word.utf8 {
            guard i < end, bytes[i] == expected else { throw fail("invalid literal", lineStart: lineStart) }
            i += 1
        }
    }

    private mutating func number(lineStart: Int) throws(JSONLineFailure) -> JSONScalar {
        let start = i
        var isInteger = true
        if i < end, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, bytes[i] &- 48 < 10 else { throw fail("invalid value", lineStart: lineStart) }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while i < end, bytes[i] &- 48 < 10 { i += 1 } }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < end, bytes[i] &- 48 < 10 else { throw fail("digit expected after '.'", lineStart: lineStart) }
            while i < end, bytes[i] &- 48 < 10 { i += 1 }
        }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, bytes[i] &- 48 < 10 else { throw fail("digit expected in exponent", lineStart: lineStart) }
            while i < end, bytes[i] &- 48 < 10 { i += 1 }
        }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
        // The grammar above is a subset of FloatParser's, so parsing succeeds.
        let double = FloatParser.parse(raw) ?? .nan
        return .number(text: String(decoding: raw, as: UTF8.self), double: double,
                       integer: isInteger ? FieldParsers.int64(raw) : nil)
    }

    private mutating func string(lineStart: Int) throws(JSONLineFailure) -> String {
        i += 1
        var utf8: [UInt8] = []
        while true {
            guard i < end else { throw fail("unterminated string", lineStart: lineStart) }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            guard b >= 0x20 else { throw fail("control character in string", lineStart: lineStart) }
            if b != UInt8(ascii: "\\") { utf8.append(b); i += 1; continue }
            i += 1
            guard i < end else { throw fail("unterminated escape", lineStart: lineStart) }
            let escape = bytes[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(lineStart: lineStart)
                if (0xD800..<0xDC00).contains(scalar) {
                    guard i + 1 < end, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate", lineStart: lineStart)
                    }
                    i += 2
                    let low = try hex4(lineStart: lineStart)
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate", lineStart: lineStart) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("unpaired surrogate", lineStart: lineStart) }
                utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw fail("invalid escape", lineStart: lineStart)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private mutating func hex4(lineStart: Int) throws(JSONLineFailure) -> UInt32 {
        guard i + 4 <= end else { throw fail("invalid \\u escape", lineStart: lineStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i] | 0x20
            let digit: UInt8
            if b &- 48 < 10 { digit = b &- 48 } else if b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f") { digit = b - 87 } else {
                throw fail("invalid \\u escape", lineStart: lineStart)
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }
}
