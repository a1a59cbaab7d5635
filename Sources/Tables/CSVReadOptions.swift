import Kernels

/// How to read delimited text.
public struct CSVReadOptions: Sendable {
    /// Whether the first row names the columns.
    public enum Header: Sendable, Equatable {
        case present, absent
        /// A header is assumed unless a non-empty field of the first row is a null token or
        /// reads as a number, boolean or timestamp. Empty header fields (as pandas writes for
        /// an index) are named by position. Without a header, columns are named `column1`,
        /// `column2`, ….
        case detect
    }

    /// The field delimiter byte; `nil` detects one of `,` `\t` `;` `|` from the first lines
    /// (the one occurring the same non-zero number of times on every sampled line, most often).
    public var delimiter: UInt8?
    public var header: Header
    /// Field texts (after unquoting) that mean null.
    public var nullTokens: [String]
    /// Column types that override inference, by column name.
    public var schema: [String: ColumnType]
    public var badRows: BadRowPolicy
    /// The longest field accepted, in bytes.
    public var maxFieldBytes: Int
    public var threads: ParallelFor.Threads

    /// Options with the defaults documented on each property.
    public init(delimiter: UInt8? = nil, header: Header = .detect,
                nullTokens: [String] = ["", "NA", "N/A", "NULL", "null"],
                schema: [String: ColumnType] = [:], badRows: BadRowPolicy = .fail,
                maxFieldBytes: Int = 16 << 20, threads: ParallelFor.Threads = .all) {
        self.delimiter = delimiter
        self.header = header
        self.nullTokens = nullTokens
        self.schema = schema
        self.badRows = badRows
        self.maxFieldBytes = maxFieldBytes
        self.threads = threads
    }

    /// Options for tab-separated values.
    public static var tsv: CSVReadOptions { CSVReadOptions(delimiter: UInt8(ascii: "\t")) }
}
