import Platform
import Kernels

/// The file formats GitML reads as tables.
public enum TableFormat: String, Sendable, CaseIterable {
    case csv, tsv, jsonLines, parquet
}

/// The one entry point for reading a table from a file, whatever its format: Parquet, CSV,
/// TSV or JSON Lines, text optionally compressed with gzip, zstd or bzip2, or a directory of Parquet
/// files (`ParquetDataset`).
///
/// Detection: a file that starts with `PAR1` is Parquet whatever its name; text compressed
/// with gzip, zstd or bzip2 is recognized by its magic bytes and read as it decompresses
/// (`CompressedTextReader`); the text format comes from the name with any `.gz` / `.zst` / `.bz2` removed
/// (`.tsv` → TSV, `.jsonl` / `.ndjson` → JSON Lines, anything else → CSV).
public enum TableFile {
    private static let compressionSuffixes = [".gz", ".zst", ".zstd", ".bz2"]

    /// The format a file name says, after removing a compression suffix; nil when the name
    /// is not one GitML reads as a table.
    public static func format(of path: String) -> TableFormat? {
        var lower = path.lowercased()
        if let suffix = compressionSuffixes.first(where: { lower.hasSuffix($0) }) { lower.removeLast(suffix.count) }
        if lower.hasSuffix(".parquet") || lower.hasSuffix(".parq") { return path.lowercased() == lower ? .parquet : nil }
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".tsv") { return .tsv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonLines }
        return nil
    }

    /// Whether GitML reads a file with this name as a table (see `format(of:)`).
    public static func isTabular(_ path: String) -> Bool { format(of: path) != nil }

    /// Reads the table in the file at `path`. `format` is the text format to use when the
    /// bytes are not Parquet (default: from `path`, CSV when the name says nothing); pass it
    /// when the file's name is not its own (a temporary copy). `schema` overrides types of
    /// text columns as the text readers document; for Parquet the file's types stand and
    /// `schema` only converts numbers to the type it names (`ParquetReader`). `columns` keeps
    /// only those columns, in that order (a name the file lacks is `unknownSchemaColumn`):
    /// Parquet reads only their pages, text formats parse every column and then keep these.
    /// A directory at `path` is read as a Parquet dataset (`ParquetDataset.read(directory:)`).
    /// Without `columns`, `selection` chooses them (`ColumnSelection`), with the same rule: pages
    /// of Parquet columns it leaves out are never read, text columns are parsed and then dropped.
    public static func read(contentsOf path: String, format: TableFormat? = nil, schema: [String: ColumnType] = [:],
                            columns: [String]? = nil, selection: ColumnSelection = .all,
                            threads: ParallelFor.Threads = .all) throws(TableReadError) -> TableReadResult {
        let result = try readAll(contentsOf: path, format: format, schema: schema, columns: columns, selection: selection,
                                 threads: threads)
        guard let columns else { return result.keeping(selection) }
        guard result.table.columnNames != columns else { return result }
        if let twice = columns.first(where: { name in columns.filter { $0 == name }.count > 1 }) { throw .duplicateColumnName(twice) }
        var kept: [Column] = []
        for name in columns {
            guard let column = result.table.column(named: name) else { throw .unknownSchemaColumn(name) }
            kept.append(column)
        }
        // Distinct names of one table's columns, which have equal lengths.
        return TableReadResult(table: try! Table(columns: kept), skippedRows: result.skippedRows, blankLines: result.blankLines)
    }

    /// The table in the file or directory, with `columns` (for Parquet) or all columns, in any order.
    private static func readAll(contentsOf path: String, format: TableFormat?, schema: [String: ColumnType],
                                columns: [String]?, selection: ColumnSelection,
                                threads: ParallelFor.Threads) throws(TableReadError) -> TableReadResult {
        var options = ParquetReadOptions(columns: columns, schema: schema, threads: threads)
        options.selection = selection
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            return try ParquetDataset.read(directory: path, options: options)
        }
        let format = format ?? self.format(of: path) ?? .csv
        return try MappedFile(path: path).withInput { input throws(TableReadError) -> TableReadResult in
            if input.bytes.starts(with: ParquetReader.magic) || format == .parquet {
                return try ParquetReader.read(input, path: path, options: options)
            }
            if let compression = TextCompression.detect(input.bytes) {
                return try CompressedTextReader.read(input, compression: compression, path: path, format: format, schema: schema, threads: threads)
            }
            switch format {
            case .jsonLines:
                let bytes = Array(input.bytes)
                return try JSONLinesReader.read(bytes: bytes, options: JSONLinesReadOptions(schema: schema, threads: threads))
            default:
                return try CSVReader.read(input, options: csvOptions(format, schema: schema, threads: threads))
            }
        }
    }

    static func csvOptions(_ format: TableFormat, schema: [String: ColumnType], threads: ParallelFor.Threads) -> CSVReadOptions {
        var options = format == .tsv ? CSVReadOptions.tsv : CSVReadOptions()
        options.schema = schema
        options.threads = threads
        return options
    }
}

extension TableReadResult {
    /// The result with only the columns `selection` keeps (`ColumnSelection.applied(to:)`).
    func keeping(_ selection: ColumnSelection) -> TableReadResult {
        let names = Set(selection.applied(to: table.columnNames))
        guard names.count != table.columnNames.count else { return self }
        // Columns of one table: distinct names, equal lengths.
        return TableReadResult(table: try! Table(columns: table.columns.filter { names.contains($0.name) }),
                               skippedRows: skippedRows, blankLines: blankLines)
    }
}
