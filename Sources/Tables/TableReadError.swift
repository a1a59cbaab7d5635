/// Why a table could not be read. Lines and columns are 1-based; a column is the byte
/// position within the physical line (a quoted field may span lines).
public enum TableReadError: Error, Equatable, Sendable {
    /// The input holds no rows (nothing, only a byte-order mark, or only blank lines).
    case emptyInput
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A row has a different number of fields than the header (or first row).
    case raggedRow(line: Int, expectedFields: Int, foundFields: Int)
    /// Bytes that are not valid UTF-8.
    case invalidUTF8(line: Int, column: Int)
    /// A quoted field opened here is never closed.
    case unterminatedQuote(line: Int, column: Int)
    /// A quote inside an unquoted field, or text right after a closing quote (RFC 4180).
    case unexpectedQuote(line: Int, column: Int)
    /// A field longer than the reader's limit.
    case fieldTooLarge(line: Int, column: Int, bytes: Int, limit: Int)
    /// A value that cannot be read as its column's type (explicit schema or JSON type).
    /// JSON Lines report column 0: the value's key names it.
    case valueDoesNotMatchType(line: Int, column: Int, columnName: String, value: String, expected: ColumnType)
    /// Two columns with the same name in the header.
    case duplicateColumnName(String)
    /// The explicit schema names a column the input does not have.
    case unknownSchemaColumn(String)
    /// A JSON Lines row that is not a JSON object of scalars.
    case invalidJSON(line: Int, column: Int, reason: String)
    /// A gzip or zstd compressed text file whose compressed stream is corrupt or cut short.
    case corruptCompressedInput(path: String, format: String, reason: String)
    /// A Parquet file that cannot be read: the row group (0-based) and column when the problem
    /// lies in one, and what is wrong.
    case invalidParquet(path: String, rowGroup: Int?, column: String?, problem: ParquetProblem)
}

/// What is wrong with a Parquet file (see `TableReadError.invalidParquet`).
public enum ParquetProblem: Error, Equatable, Sendable {
    /// The file does not start and end with the magic bytes `PAR1` (or ends with `PARE`, encrypted).
    case notParquet
    /// A length or offset read from the file points past its end or past the part it belongs to.
    case truncated(String)
    /// A structure that is not valid Parquet (metadata, page header, encoded values).
    case malformed(String)
    /// Valid Parquet that this reader does not read (named: codec, encoding, type).
    case unsupported(String)
    /// A column with repetition (a list or map) or inside a group (a struct); flat schemas only.
    case nestedColumn(kind: String)
    /// A compressed page that does not decompress to its declared size.
    case decompressionFailed(codec: String, reason: String)
    /// A page whose CRC-32 differs from the one its header records.
    case checksumMismatch(page: Int)
    /// A dictionary-encoded value whose index is past the dictionary's end.
    case dictionaryIndexOutOfRange(index: Int, dictionarySize: Int)
    /// A value that the column's GitML type cannot hold (e.g. an unsigned 64-bit value above 2⁶³−1).
    case valueOutOfRange(String)
}

/// A row left out of the table under `BadRowPolicy.skip`, with the reason.
public struct SkippedRow: Equatable, Sendable {
    /// The 1-based line where the row starts.
    public let line: Int
    public let reason: TableReadError
}

/// What to do with a row that cannot be read.
public enum BadRowPolicy: Sendable, Equatable {
    /// Throw the first error (in row order).
    case fail
    /// Leave the row out and report it in `TableReadResult.skippedRows`. Errors that make row
    /// boundaries unreliable (quoting errors) and header errors still throw.
    case skip
}

/// A table read from text, with what was left out.
public struct TableReadResult: Sendable {
    public let table: Table
    /// Rows left out under `BadRowPolicy.skip`, in input order (empty under `.fail`).
    public let skippedRows: [SkippedRow]
    /// Lines that were empty (or held only a carriage return); they are not rows.
    public let blankLines: Int
}
