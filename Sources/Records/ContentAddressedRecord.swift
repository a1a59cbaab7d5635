/// A record named by its content (run and sweep records): its id is `sha256:` + the SHA-256 of
/// the canonical JSON of its fields without `id`, so it cannot be edited without changing its id.
public protocol ContentAddressedRecord {
    /// What the record is called in errors ("run record").
    static var recordName: String { get }
    /// Every field but `id`.
    var contentFields: [String: JSONValue] { get }
    /// Reads a record and checks its id (`checkID`).
    init(json: JSONValue) throws(RecordError)
}

extension ContentAddressedRecord {
    /// `sha256:` + the SHA-256 of the canonical JSON of the record without `id`.
    public var id: String { CanonicalJSON.digest(.object(contentFields)) }

    /// The canonical JSON value, `id` included.
    public var json: JSONValue {
        var o = contentFields
        o["id"] = .string(id)
        return .object(o)
    }

    /// Parses a record's text (canonical or pretty JSON).
    public init(text: String) throws(RecordError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(text) } catch { throw RecordError(record: Self.recordName, reason: "\(error)") }
        try self.init(json: value)
    }

    /// Fails unless the `id` the record states is the digest of what it holds.
    func checkID(stated json: JSONValue) throws(RecordError) {
        let stated = try FieldReader(json, record: Self.recordName).string("id")
        guard stated == id else {
            throw RecordError(record: Self.recordName, reason: "its id \(stated) is not the digest of its content (\(id)): the record was edited or damaged")
        }
    }
}
