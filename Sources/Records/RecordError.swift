import Platform

/// A record that cannot be read: which record, which field, and why.
public struct RecordError: Error, Equatable, Sendable, CustomStringConvertible {
    public let record: String
    public let reason: String

    public init(record: String, reason: String) {
        self.record = record
        self.reason = reason
    }

    public var description: String { "\(record): \(reason)" }
}

/// `text` in double quotes, with control characters and non-ASCII escaped (`\u{200C}`), so a
/// hostile value cannot hide in or rewrite a terminal line.
func quoted(_ text: String) -> String {
    "\"" + text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }.joined() + "\""
}

/// Typed field access for decoding records from `JSONValue`.
struct FieldReader {
    let record: String
    let object: [String: JSONValue]

    init(_ value: JSONValue, record: String) throws(RecordError) {
        guard let object = value.objectValue else { throw RecordError(record: record, reason: "not a JSON object") }
        self.record = record
        self.object = object
    }

    func fail(_ key: String, _ what: String) -> RecordError { RecordError(record: record, reason: "field \"\(key)\" \(what)") }

    func string(_ key: String) throws(RecordError) -> String {
        guard let s = object[key]?.stringValue else { throw fail(key, "must be a string") }
        return s
    }

    func optionalString(_ key: String) throws(RecordError) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw fail(key, "must be a string or null") }
        return s
    }

    func int(_ key: String) throws(RecordError) -> Int {
        guard let i = object[key]?.intValue else { throw fail(key, "must be an integer") }
        return i
    }

    /// A byte count: an integer from 0 to 2^53 (a negative one is refused, never converted).
    func byteCount(_ key: String) throws(RecordError) -> UInt64 {
        let i = try int(key)
        guard i >= 0 else { throw fail(key, "must be a byte count (0 or more), not \(i)") }
        return UInt64(i)
    }

    func array(_ key: String) throws(RecordError) -> [JSONValue] {
        guard let a = object[key]?.arrayValue else { throw fail(key, "must be an array") }
        return a
    }

    func objectField(_ key: String) throws(RecordError) -> [String: JSONValue] {
        guard let o = object[key]?.objectValue else { throw fail(key, "must be an object") }
        return o
    }

    /// Checks `format_version` is one this build reads.
    func requireVersion(_ supported: Int) throws(RecordError) {
        let v = try int("format_version")
        guard v >= 1 else { throw fail("format_version", "is \(v); formats are numbered from 1 (the file is damaged or was edited by hand)") }
        guard v <= supported else {
            throw RecordError(record: record, reason: Release.newerFormat(v, supported: supported))
        }
    }
}
