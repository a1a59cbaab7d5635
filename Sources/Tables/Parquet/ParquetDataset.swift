import Foundation
import Kernels

/// A directory of Parquet files read as one table: the "dataset" layout Spark, pyarrow, polars
/// and DuckDB write, optionally Hive-partitioned (`key=value/` folders).
///
/// Files are read in the order of their relative paths; names starting with `_` or `.` in
/// any path segment (`_SUCCESS`, `_common_metadata`, `.crc` files) are not data and are
/// skipped. Every data file must hold the same columns with the same GitML types. Partition
/// folders add one column per key, after the file's columns, in the order the keys appear in
/// the path: int64 when every value is an integer, else category; the value
/// `__HIVE_DEFAULT_PARTITION__` is null. Values are the folder names as written (percent
/// escapes are not decoded).
public enum ParquetDataset {
    static let nullPartition = "__HIVE_DEFAULT_PARTITION__"

    /// Whether the relative path `path` is a data file (see the type's description).
    public static func isDataFile(_ path: String) -> Bool {
        !path.split(separator: "/").contains { $0.hasPrefix("_") || $0.hasPrefix(".") }
    }

    /// The relative paths among `files` that are data files, sorted.
    public static func dataFiles(_ files: [String]) -> [String] {
        files.filter(isDataFile).sorted()
    }

    /// Whether a directory holding `files` (relative paths) reads as a Parquet dataset: it has
    /// data files and every one is named `.parquet` / `.parq`. Stops at the first that is not.
    public static func isDataset(_ files: [String]) -> Bool {
        var found = false
        for path in files where isDataFile(path) {
            guard TableFile.format(of: path) == .parquet else { return false }
            found = true
        }
        return found
    }

    /// Reads the directory at `path` as a dataset: every regular file under it, at any depth
    /// (symbolic links are not followed). A directory whose data files are not all Parquet is
    /// `unreadableFile`, naming what it holds.
    public static func read(directory path: String, options: ParquetReadOptions = ParquetReadOptions()) throws(TableReadError) -> TableReadResult {
        var relatives: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw .unreadableFile(path: path, reason: "the directory cannot be listed")
        }
        while let relative = walker.nextObject() as? String {
            if walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular { relatives.append(relative) }
        }
        guard isDataset(relatives) else {
            let others = dataFiles(relatives).filter { TableFile.format(of: $0) != .parquet }
            let found = others.isEmpty ? "it holds no data files" : "it holds \(others.prefix(3).joined(separator: ", "))\(others.count > 3 ? ", …" : "")"
            throw .unreadableFile(path: path, reason: "a directory reads as a table only when its data files are all Parquet (.parquet, .parq); \(found)")
        }
        return try read(files: relatives.map { ($0, path + "/" + $0) }, options: options)
    }

    /// The columns `read(files:options:)` gives with every column read: the first data file's
    /// (`ParquetReader.columnHeaders`, no page is read) and the partition keys, typed as `read`
    /// types them. `path` gives where to read a relative path from.
    public static func columnHeaders(files: [String], path: (String) throws -> String) throws -> [ColumnHeader] {
        let data = dataFiles(files).sorted()
        guard let first = data.first else { throw TableReadError.emptyInput }
        let keys = partitions(of: first).map(\.key)
        let values = data.map { partitions(of: $0).map(\.value) }
        return try ParquetReader.columnHeaders(contentsOf: try path(first)) + keys.indices.map { k in
            let integers = values.allSatisfy { k >= $0.count || $0[k] == nullPartition || Int64($0[k]) != nil }
            return ColumnHeader(name: keys[k], type: integers ? .int64 : .category)
        }
    }

    /// Reads the data files of a dataset: `files` pairs each relative path (which carries the
    /// partitions) with the path to read it from.
    public static func read(files: [(relative: String, path: String)],
                            options: ParquetReadOptions = ParquetReadOptions()) throws(TableReadError) -> TableReadResult {
        let wanted = Set(dataFiles(files.map(\.relative)))
        let data = files.filter { wanted.contains($0.relative) }.sorted { $0.relative < $1.relative }
        guard let first = data.first else { throw .emptyInput }
        let keys = partitions(of: first.relative).map(\.key)
        var fileOptions = options
        fileOptions.schema = options.schema.filter { !keys.contains($0.key) }
        fileOptions.columns = options.columns?.filter { !keys.contains($0) }
        var tables: [Table] = []
        var partitionValues: [[String?]] = []
        for file in data {
            let parts = partitions(of: file.relative)
            guard parts.map(\.key) == keys else {
                throw .invalidParquet(path: file.path, rowGroup: nil, column: nil,
                                      problem: .malformed("partition keys \(parts.map(\.key)) differ from \(keys) of \(first.relative)"))
            }
            let table = try ParquetReader.read(contentsOf: file.path, options: fileOptions).table
            if let previous = tables.first, previous.columns.map({ [$0.name, $0.type.rawValue] }) != table.columns.map({ [$0.name, $0.type.rawValue] }) {
                throw .invalidParquet(path: file.path, rowGroup: nil, column: nil,
                                      problem: .malformed("its columns \(describe(table)) differ from \(describe(previous)) of \(first.relative)"))
            }
            tables.append(table)
            partitionValues.append(parts.map { $0.value == nullPartition ? nil : $0.value })
        }
        // Column by column, each file's part handed over and freed once copied: the read needs
        // room for the joined table and one file's column, not for every file's table twice.
        let rowCounts = tables.map(\.rowCount)
        var fileColumns = tables.map(\.columns)
        tables = []
        var columns: [Column] = []
        for c in fileColumns[0].indices {
            let parts = fileColumns.indices.map { f in
                defer { fileColumns[f][c] = .released }
                return fileColumns[f][c]
            }
            columns.append(Column(concatenating: consume parts))
        }
        for (k, key) in keys.enumerated() where options.columns?.contains(key) ?? options.selection.keeps(key) {
            let values = zip(rowCounts, partitionValues).flatMap { rows, values in repeatElement(values[k], count: rows) }
            let integers = values.compactMap { $0 }.allSatisfy { Int64($0) != nil }
            let column = integers ? Column.int64(key, values.map { $0.flatMap { Int64($0) } }) : Column.category(key, values)
            columns.append(options.schema[key].map { column.converted(to: $0) } ?? column)
        }
        do {
            return TableReadResult(table: try Table(columns: columns), skippedRows: [], blankLines: 0)
        } catch {
            switch error {
            case .duplicateColumnName(let name): throw .duplicateColumnName(name)
            case .columnLengthMismatch(let column, _, _):
                throw .invalidParquet(path: first.path, rowGroup: nil, column: column, problem: .malformed("column of another length"))
            }
        }
    }

    /// The dataset's row count and the null rows of the columns `selection` keeps, summed over
    /// its data files (`ParquetReader.nullCounts`: definition levels alone); a partition key is
    /// null in the rows of files under `key=__HIVE_DEFAULT_PARTITION__`.
    public static func nullCounts(files: [(relative: String, path: String)], selection: ColumnSelection,
                                  threads: ParallelFor.Threads = .all) throws(TableReadError) -> (rows: Int, nulls: [String: Int]) {
        let wanted = Set(dataFiles(files.map(\.relative)))
        var rows = 0
        var nulls: [String: Int] = [:]
        for file in files where wanted.contains(file.relative) {
            let counts = try ParquetReader.nullCounts(contentsOf: file.path, selection: selection, threads: threads)
            for (name, count) in counts.nulls { nulls[name, default: 0] += count }
            for (key, value) in partitions(of: file.relative) where selection.keeps(key) {
                nulls[key, default: 0] += value == nullPartition ? counts.rows : 0
            }
            rows += counts.rows
        }
        return (rows, nulls)
    }

    /// The `key=value` folders of a relative path, outermost first.
    static func partitions(of relative: String) -> [(key: String, value: String)] {
        relative.split(separator: "/").dropLast().compactMap { segment in
            guard let equals = segment.firstIndex(of: "="), equals != segment.startIndex else { return nil }
            return (String(segment[..<equals]), String(segment[segment.index(after: equals)...]))
        }
    }

    private static func describe(_ table: Table) -> String {
        table.columns.map { "\($0.name): \($0.type.rawValue)" }.joined(separator: ", ")
    }
}
