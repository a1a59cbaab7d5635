/// A column's name and GitML type as a file's metadata gives them, without reading values
/// (Parquet footers). `type` is nil for a column GitML cannot read (nested, unsupported).
public struct ColumnHeader: Sendable, Hashable, Codable {
    public let name: String
    public let type: ColumnType?

    public init(name: String, type: ColumnType?) {
        self.name = name
        self.type = type
    }
}
