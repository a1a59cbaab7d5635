import BlobStore
import Foundation
import Tables

/// What a run needs to know about one column before it spends anything: its name, its type
/// under the contract's read schema, and whether it identifies rows (so it must not become a
/// feature by default).
public struct ColumnSummary: Codable, Sendable, Equatable {
    public let name: String
    public let type: ColumnType
    public let nullCount: Int
    /// True for a text (category) or integer column with no nulls whose values are all
    /// different, in a table of at least `ColumnSummary.identifierMinimumRows` rows. Floats and
    /// timestamps are never identifiers: continuous measurements and event times are unique
    /// per row as a rule and are features.
    public let uniquePerRow: Bool

    /// Below this many rows uniqueness says nothing (every column of a tiny table may be unique).
    public static let identifierMinimumRows = 50

    /// The summary of `column` in a table of `rowCount` rows.
    public init(_ column: Column, rowCount: Int) {
        name = column.name
        type = column.type
        nullCount = column.nullCount
        uniquePerRow = rowCount >= Self.identifierMinimumRows && column.nullCount == 0 && Self.allDistinct(column)
    }

    private static func allDistinct(_ column: Column) -> Bool {
        switch column.values {
        case .category, .text:
            let (codes, dictionary) = column.categories!
            // Codes index the dictionary of distinct strings: all distinct when every code is new.
            guard dictionary.count >= codes.count else { return false }
            return Set(codes).count == codes.count
        case .int64(let integers):
            return Set(integers).count == integers.count
        case .float64, .float32, .bool, .timestamp:
            return false
        }
    }
}

extension Project {
    /// The columns of a tabular version read under `schema` (the contract's read schema) that
    /// `columns` keeps, in table order; computed once per (content, schema, selection) and cached
    /// in `.git/ml/cache/results`, so checking a run's configuration against its data costs a
    /// cache read after the first time. Parquet columns left out are never decoded; a text file
    /// is parsed whole either way.
    public func columnSummaries(of version: DatasetVersion, schema: [String: ColumnType] = [:],
                                columns: ColumnSelection = .all) throws -> [ColumnSummary] {
        var schemaKey = Project.schemaKey(schema)
        if columns != .all { schemaKey += " " + columns.description }
        let key = "columns-v1-" + version.record.digest + "-" + Digest.of(Array(schemaKey.utf8)).hex
        if let cached: [ColumnSummary] = readCache(key) { return cached }
        let table = try table(of: version, schema: schema, columns: Project.isParquet(version.record) ? columns : .all)
        let summaries = table.columns.filter { columns.keeps($0.name) }.map { ColumnSummary($0, rowCount: table.rowCount) }
        writeCache(key, summaries)
        return summaries
    }
}
