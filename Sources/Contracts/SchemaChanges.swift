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

    /// The changes from `before` to `after`. `headers` lists every column of each version when
    /// the tables hold only some of them (a read that left columns out, `ColumnSelection`):
    /// names then come from the headers, a column's type from its table where it was read (else
    /// the header's; a column of no readable type is never retyped), and renames from the
    /// tables, which must hold every column present in only one version.
    public init(before: Table, after: Table, headers: (before: [ColumnHeader], after: [ColumnHeader])? = nil) {
        let beforeHeaders = headers?.before ?? before.columns.map { ColumnHeader(name: $0.name, type: $0.type) }
        let afterHeaders = headers?.after ?? after.columns.map { ColumnHeader(name: $0.name, type: $0.type) }
        let beforeNames = Set(beforeHeaders.map(\.name)), afterNames = Set(afterHeaders.map(\.name))
        var added = afterHeaders.map(\.name).filter { !beforeNames.contains($0) }
        var removed = beforeHeaders.map(\.name).filter { !afterNames.contains($0) }
        var renamed: [Rename] = []
        if before.rowCount == after.rowCount {
            for old in removed {
                guard let oldColumn = before.column(named: old),
                      let match = added.firstIndex(where: { after.column(named: $0).map { Self.sameValues(oldColumn, $0) } ?? false })
                else { continue }
                renamed.append(Rename(before: old, after: added[match]))
                added.remove(at: match)
            }
            removed.removeAll { column in renamed.contains { $0.before == column } }
        }
        self.renamed = renamed
        self.added = added
        self.removed = removed
        let beforeTypes = Dictionary(beforeHeaders.map { ($0.name, before.column(named: $0.name)?.type ?? $0.type) }) { first, _ in first }
        retyped = afterHeaders.compactMap { header in
            guard let old = beforeTypes[header.name] ?? nil, let new = after.column(named: header.name)?.type ?? header.type,
                  old != new else { return nil }
            return TypeChange(column: header.name, before: old, after: new)
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
