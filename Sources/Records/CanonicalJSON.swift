import Crypto

/// RFC 8785 (JSON Canonicalization Scheme) writer and a strict JSON reader.
///
/// Canonical form: no insignificant whitespace, object members sorted by the UTF-16 code units
/// of their keys, numbers in ECMAScript `Number.prototype.toString` form (shortest round-trip
/// digits), strings with only the mandatory escapes. JSON has no NaN or infinities, so GitML
/// writes a non-finite number as the object `{"$float": "NaN" | "Infinity" | "-Infinity"}` and
/// reads that object back as the number; the encoding is documented in docs/FORMAT.md.
///
/// `pretty` keeps the canonical key order and number form but puts one member per line, for
/// files people review in pull requests (`ml/lock.json`): parsing it and writing it canonically
/// gives the canonical bytes, so digests never depend on layout.
public enum CanonicalJSON {
    /// The key that marks an encoded non-finite number.
    public static let nonFiniteKey = "$float"

    /// The canonical (RFC 8785) serialization of `value`.
    public static func encode(_ value: JSONValue) -> String {
        String(decoding: encodedBytes(value), as: UTF8.self)
    }

    /// `encode(value)` as UTF-8 bytes, without building a String.
    public static func encodedBytes(_ value: JSONValue) -> [UInt8] {
        var out = Writer(indented: false)
        out.write(value, depth: 0)
        return out.bytes
    }

    /// Canonical key order and numbers, indented by two spaces, with a final newline.
    public static func pretty(_ value: JSONValue) -> String {
        String(decoding: prettyBytes(value), as: UTF8.self)
    }

    /// `pretty(value)` as UTF-8 bytes, without building a String.
    public static func prettyBytes(_ value: JSONValue) -> [UInt8] {
        var out = Writer(indented: true)
        out.write(value, depth: 0)
        out.bytes.append(UInt8(ascii: "\n"))
        return out.bytes
    }

    /// The SHA-256 of the canonical serialization, as `sha256:<hex>`.
    public static func digest(_ value: JSONValue) -> String {
        digest(ofEncoded: encodedBytes(value))
    }

    /// `digest` of bytes that already are a canonical serialization.
    static func digest(ofEncoded bytes: [UInt8]) -> String {
        let hash = SHA256.hash(data: bytes)
        var text = Array("sha256:".utf8)
        text.reserveCapacity(71)
        for byte in hash {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether `text` has the form `digest` produces: `sha256:` and 64 lowercase hex digits.
    public static func isDigest(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.count == 71 && text.hasPrefix("sha256:")
            && utf8.dropFirst(7).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// Whether object key `a` sorts before `b` in UTF-16 code unit order (RFC 8785 §3.2.3).
    /// UTF-8 byte order is code point order, which equals UTF-16 order unless one key holds a
    /// code point at or above U+E000 (where surrogate pairs sort below the BMP's top), so
    /// keys below that compare as bytes.
    static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        if a.utf8.allSatisfy({ $0 < 0xEE }) && b.utf8.allSatisfy({ $0 < 0xEE }) {
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    /// Appends the serialization of values to a byte buffer: canonical, or with one member
    /// per line indented by two spaces per level.
    private struct Writer {
        var bytes: [UInt8] = []
        let indented: Bool

        init(indented: Bool) {
            self.indented = indented
            bytes.reserveCapacity(256)
        }

        mutating func write(_ value: JSONValue, depth: Int) {
            switch value {
            case .null: append("null")
            case .bool(let b): append(b ? "true" : "false")
            case .number(let d):
                if d.isFinite {
                    append(formatNumber(d))
                } else {
                    let name = d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")
                    write(.object([nonFiniteKey: .string(name)]), depth: depth)
                }
            case .string(let s): writeString(s)
            case .array(let items):
                if items.isEmpty { append("[]"); return }
                bytes.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    newline(depth + 1)
                    write(item, depth: depth + 1)
                }
                newline(depth)
                bytes.append(UInt8(ascii: "]"))
            case .object(let members):
                if members.isEmpty { append("{}"); return }
                bytes.append(UInt8(ascii: "{"))
                for (i, member) in members.sorted(by: { keyPrecedes($0.key, $1.key) }).enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    newline(depth + 1)
                    writeString(member.key)
                    append(indented ? ": " : ":")
                    write(member.value, depth: depth + 1)
                }
                newline(depth)
                bytes.append(UInt8(ascii: "}"))
            }
        }

        private mutating func append(_ text: String) {
            bytes.append(contentsOf: text.utf8)
        }

        private mutating func newline(_ depth: Int) {
            guard indented else { return }
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
        }

        private mutating func writeString(_ s: String) {
            CanonicalJSON.appendString(s, to: &bytes)
        }
    }

    /// Appends the JSON string literal of `s` with only the mandatory escapes (RFC 8785 §3.2.2.2).
    static func appendString(_ s: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Fast path: nothing to escape, checked and copied over the string's contiguous UTF-8
        // (a record of 10,000 files writes 30,000 strings; the per-byte iterator was 1.5–3.5% of a pull).
        let copied = s.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for unit in s.unicodeScalars {
            switch unit {
            case "\"": bytes.append(contentsOf: "\\\"".utf8)
            case "\\": bytes.append(contentsOf: "\\\\".utf8)
            case "\u{08}": bytes.append(contentsOf: "\\b".utf8)
            case "\u{0C}": bytes.append(contentsOf: "\\f".utf8)
            case "\n": bytes.append(contentsOf: "\\n".utf8)
            case "\r": bytes.append(contentsOf: "\\r".utf8)
            case "\t": bytes.append(contentsOf: "\\t".utf8)
            case _ where unit.value < 0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hexDigits[Int(unit.value >> 4)])
                bytes.append(hexDigits[Int(unit.value & 15)])
            default: UTF8.encode(unit) { bytes.append($0) }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// ECMAScript Number::toString for a finite double (RFC 8785 §3.2.2.3).
    static func formatNumber(_ d: Double) -> String {
        if d == 0 { return "0" }  // also -0
        // Integers below 2^53 print as themselves in ECMAScript.
        if d.rounded() == d && abs(d) < 9_007_199_254_740_992 { return String(Int64(d)) }
        let (digits, exponent) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        let k = digits.count
        let n = exponent  // value = 0.digits × 10^n
        var body: String
        if k <= n && n <= 21 {
            body = digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            body = String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        } else if -6 < n && n <= 0 {
            body = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let e = n - 1
            let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst(1))
            body = mantissa + "e" + (e >= 0 ? "+" : "-") + String(abs(e))
        }
        return sign + body
    }

    /// The shortest round-trip decimal digits of a positive finite double and the exponent n
    /// such that the value is 0.d1d2… × 10^n. Swift's `description` already produces the
    /// shortest round-trip digits; this only reads them out of its layout.
    private static func shortestDigits(_ d: Double) -> (String, Int) {
        let text = d.description  // e.g. "123.45", "1e-07", "1.2345e+20", "5e-324"
        var mantissa = Substring(text)
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp10 = Int(text[text.index(after: e)...])!
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var n = intPart.count + exp10
        // Strip leading zeros (e.g. "0.001") and trailing zeros (e.g. "100.0").
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); n -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, n)
    }
}
