/// A field's bytes within the input: `start..<end`, without surrounding quotes. `escaped`
/// fields contain doubled quotes that stand for one.
struct FieldRange {
    var start: Int
    var end: Int
    var escaped: Bool
    var quoted: Bool
    var length: Int { end - start }
}

/// Splits one row into fields per RFC 4180.
struct RowTokenizer {
    let delimiter: UInt8
    private let delimiterWord: UInt64
    private static let quote = UInt8(ascii: "\"")
    private static let quoteWord: UInt64 = 0x2222_2222_2222_2222

    init(delimiter: UInt8) {
        self.delimiter = delimiter
        delimiterWord = UInt64(delimiter) &* 0x0101_0101_0101_0101
    }

    /// The high bit of each zero byte of `x` (exact: no carries between bytes).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        ~(((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x) & 0x8080_8080_8080_8080
    }

    /// Fills `fields` with the fields of the row `start..<end`. Returns the offset of a quote
    /// RFC 4180 does not allow (inside an unquoted field, or followed by text after closing),
    /// or `nil` on success.
    func tokenize(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, into fields: inout [FieldRange]) -> Int? {
        fields.removeAll(keepingCapacity: true)
        var i = start
        while true {
            if i < end && bytes[i] == Self.quote {
                var j = i + 1
                var escaped = false
                while j < end {
                    if bytes[j] == Self.quote {
                        if j + 1 < end && bytes[j + 1] == Self.quote { escaped = true; j += 2; continue }
                        break
                    }
                    j += 1
                }
                // Row splitting guarantees a closing quote; a missing one is a misplaced quote.
                guard j < end else { return i }
                fields.append(FieldRange(start: i + 1, end: j, escaped: escaped, quoted: true))
                j += 1
                if j == end { return nil }
                guard bytes[j] == delimiter else { return j }
                i = j + 1
            } else {
                var j = i
                // Skip eight bytes at a time while they hold neither delimiter nor quote.
                while j + 8 <= end {
                    let word = bytes.loadUnaligned(fromByteOffset: j, as: UInt64.self)
                    let hits = Self.zeroBytes(word ^ delimiterWord) | Self.zeroBytes(word ^ Self.quoteWord)
                    if hits != 0 { j += hits.trailingZeroBitCount / 8; break }
                    j += 8
                }
                while j < end && bytes[j] != delimiter {
                    if bytes[j] == Self.quote { return j }
                    j += 1
                }
                fields.append(FieldRange(start: i, end: j, escaped: false, quoted: false))
                if j >= end { return nil }
                i = j + 1
            }
        }
    }

    /// Calls `body` with the field's value: its bytes, with doubled quotes undoubled.
    static func withValue<R>(_ field: FieldRange, in bytes: UnsafeRawBufferPointer, scratch: inout [UInt8],
                             _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[field.start..<field.end])
        guard field.escaped else { return body(raw) }
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        while i < raw.count {
            scratch.append(raw[i])
            i += raw[i] == quote ? 2 : 1
        }
        return scratch.withUnsafeBytes(body)
    }
}
