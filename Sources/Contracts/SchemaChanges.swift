import Tables

/// Columns added, removed and retyped between two tables.
public struct SchemaChanges: Codable, Sendable, Equatable {
    public struct TypeChange: Codable, Sendable, Equatable {
        public let column: String
        public let before: ColumnType
        public let after: ColumnType
    }
    public let added: [String]
    public let removed: [String]
    public let retyped: [TypeChange]

    public init(before: Table, after: Table) {
        added = after.columnNames.filter { before.column(named: $0) == nil }
        removed = before.columnNames.filter { after.column(named: $0) == nil }
        retyped = after.columns.compactMap { column in
            guard let old = before.column(named: column.name), old.type != column.type else { return nil }
            return TypeChange(column: column.name, before: old.type, after: column.type)
        }
    }

    public var count: Int { added.count + removed.count + retyped.count }
    public var isEmpty: Bool { count == 0 }

    var summary: String {
        if isEmpty { return "no schema changes" }
        var parts: [String] = []
        if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        if !retyped.isEmpty { parts.append("retyped " + retyped.map { "\($0.column) \($0.before.rawValue)→\($0.after.rawValue)" }.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
