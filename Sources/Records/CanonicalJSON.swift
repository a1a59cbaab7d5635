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
        var out = ""
        write(value, into: &out, indent: nil)
        return out
    }

    /// Canonical key order and numbers, indented by two spaces, with a final newline.
    public static func pretty(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: 0)
        out.append("\n")
        return out
    }

    /// The SHA-256 of the canonical serialization, as `sha256:<hex>`.
    public static func digest(_ value: JSONValue) -> String {
        let hash = SHA256.hash(data: Array(encode(value).utf8))
        return "sha256:" + hash.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Whether `text` has the form `digest` produces: `sha256:` and 64 lowercase hex digits.
    public static func isDigest(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.count == 71 && text.hasPrefix("sha256:")
            && utf8.dropFirst(7).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: Int?) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let d):
            if d.isFinite {
                out.append(formatNumber(d))
            } else {
                let name = d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")
                write(.object([nonFiniteKey: .string(name)]), into: &out, indent: indent)
            }
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                newline(into: &out, indent: indent.map { $0 + 1 })
                write(item, into: &out, indent: indent.map { $0 + 1 })
            }
            newline(into: &out, indent: indent)
            out.append("]")
        case .object(let members):
            if members.isEmpty { out.append("{}"); return }
            out.append("{")
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(",") }
                newline(into: &out, indent: indent.map { $0 + 1 })
                writeString(key, into: &out)
                out.append(indent == nil ? ":" : ": ")
                write(members[key]!, into: &out, indent: indent.map { $0 + 1 })
            }
            newline(into: &out, indent: indent)
            out.append("}")
        }
    }

    private static func newline(into out: inout String, indent: Int?) {
        guard let indent else { return }
        out.append("\n")
        out.append(String(repeating: "  ", count: indent))
    }

    private static func writeString(_ s: String, into out: inout String) {
        out.append("\"")
        // Fast path: nothing to escape.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(s)
            out.append("\"")
            return
        }
        for unit in s.unicodeScalars {
            switch unit {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where unit.value < 0x20:
                out.append("\\u")
                out.append(String(unit.value, radix: 16).leftPadded(to: 4))
            default: out.unicodeScalars.append(unit)
            }
        }
        out.append("\"")
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

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
