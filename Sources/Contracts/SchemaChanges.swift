import Tables

/// Columns renamed, added, removed and retyped between two tables.
///
/// A removed and an added column are a rename when the tables have the same number of rows and
/// the two columns hold the same values row by row (numbers compared as numbers, so an integer
/// column read as float64 in one version still matches; otherwise compared as text, nulls equal
/// only to nulls). Each column takes part in at most one rename, paired in column order.
public struct SchemaChanges: Codable, Sendable, Equatable {
    public struct TypeChange: Codable, Sendable, Equatable {
        public let column: String
        public let before: ColumnType
        public let after: ColumnType
    }
    public struct Rename: Codable, Sendable, Equatable {
        public let before: String
        public let after: String
    }
    public let renamed: [Rename]
    /// Columns only in the newer table (renames excluded).
    public let added: [String]
    /// Columns only in the older table (renames excluded).
    public let removed: [String]
    /// Columns of both tables whose type changed.
    public let retyped: [TypeChange]

    public init(before: Table, after: Table) {
        var added = after.columns.filter { before.column(named: $0.name) == nil }
        var removed = before.columns.filter { after.column(named: $0.name) == nil }
        var renamed: [Rename] = []
        if before.rowCount == after.rowCount {
            for old in removed {
                guard let match = added.firstIndex(where: { Self.sameValues(old, $0) }) else { continue }
                renamed.append(Rename(before: old.name, after: added[match].name))
                added.remove(at: match)
            }
            removed.removeAll { column in renamed.contains { $0.before == column.name } }
        }
        self.renamed = renamed
        self.added = added.map(\.name)
        self.removed = removed.map(\.name)
        retyped = after.columns.compactMap { column in
            guard let old = before.column(named: column.name), old.type != column.type else { return nil }
            return TypeChange(column: column.name, before: old.type, after: column.type)
        }
    }

    /// Whether two columns of equal length hold the same values row by row.
    private static func sameValues(_ a: Column, _ b: Column) -> Bool {
        guard a.count == b.count else { return false }
        if a.type != .category && b.type != .category {
            return (0..<a.count).allSatisfy { a.number(at: $0) == b.number(at: $0) }
        }
        return (0..<a.count).allSatisfy { a.text(at: $0) == b.text(at: $0) }
    }

    public var count: Int { renamed.count + added.count + removed.count + retyped.count }
    public var isEmpty: Bool { count == 0 }

    /// Each change named, e.g. `renamed fare→price; added x; removed y; retyped age int64→float64`.
    public var summary: String {
        if isEmpty { return "no schema changes" }
        var parts: [String] = []
        if !renamed.isEmpty { parts.append("renamed " + renamed.map { "\($0.before)→\($0.after)" }.joined(separator: ", ")) }
        if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        if !retyped.isEmpty { parts.append("retyped " + retyped.map { "\($0.column) \($0.before.rawValue)→\($0.after.rawValue)" }.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
