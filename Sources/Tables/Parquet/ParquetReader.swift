import Kernels

/// How to read a Parquet file.
public struct ParquetReadOptions: Sendable {
    /// The columns to read, in the order wanted (nil: those `selection` keeps, in file order).
    /// Other columns' pages are never read, and a nested or unsupported column left out is no error.
    public var columns: [String]?
    /// The columns to read when `columns` is nil (`ColumnSelection`: names the file lacks are
    /// ignored; at least one column is read).
    public var selection: ColumnSelection = .all
    /// Types wanted by column name: numbers are converted to `float64`, `float32` or `int64`
    /// (integers only when every value is a whole number in range) and any type to `category`
    /// (as `Column.text(at:)`); other requests leave the file's type, which a contract's
    /// type check then reports.
    public var schema: [String: ColumnType]
    public var threads: ParallelFor.Threads

    /// Options reading every column with the file's types.
    public init(columns: [String]? = nil, schema: [String: ColumnType] = [:], threads: ParallelFor.Threads = .all) {
        self.columns = columns
        self.schema = schema
        self.threads = threads
    }
}

/// Reads Parquet files with a flat schema into a `Table` (types as docs/FORMAT.md, "Parquet",
/// lists them).
///
/// Row groups and columns are decoded in parallel, one column chunk per task, from the file
/// mapped read-only. Every offset and length read from the file is checked, so a corrupt or
/// truncated file is a `TableReadError.invalidParquet` naming the row group and column, never
/// a crash. Footer statistics (min/max, null counts) are not used: values are always decoded.
/// Memory: the decoded chunks of a column, then the column they are joined into (about twice
/// the decoded column bytes at the peak, one column at a time for the join).
public enum ParquetReader {
    /// The four bytes every Parquet file starts and ends with.
    public static let magic = ParquetMetadata.magic

    /// Reads the file at `path`.
    public static func read(contentsOf path: String, options: ParquetReadOptions = ParquetReadOptions()) throws(TableReadError) -> TableReadResult {
        try MappedFile(path: path).withInput { input throws(TableReadError) in try read(input, path: path, options: options) }
    }

    /// The file's columns with the types a read gives them (without `schema`), in file order,
    /// from its footer alone (no page is read); nested and unsupported columns have no type.
    public static func columnHeaders(contentsOf path: String) throws(TableReadError) -> [ColumnHeader] {
        try MappedFile(path: path).withInput { input throws(TableReadError) -> [ColumnHeader] in
            do throws(ParquetProblem) {
                return try ParquetMetadata(file: input.bytes).fields.map { field in
                    guard case .flat(let leaf) = field.shape else { return ColumnHeader(name: field.name, type: nil) }
                    return ColumnHeader(name: field.name, type: ParquetValueSink(leaf.conversion).column(named: field.name, rowCount: 0,
                                                                                                        validity: nil).type)
                }
            } catch {
                throw .invalidParquet(path: path, rowGroup: nil, column: nil, problem: error)
            }
        }
    }

    static func read(_ input: InputBytes, path: String, options: ParquetReadOptions) throws(TableReadError) -> TableReadResult {
        let metadata: ParquetMetadata
        do { metadata = try ParquetMetadata(file: input.bytes) } catch {
            throw .invalidParquet(path: path, rowGroup: nil, column: nil, problem: error)
        }
        let fields = try selectedFields(metadata, options: options, path: path)
        var leaves: [ParquetLeaf] = []
        for field in fields {
            switch field.shape {
            case .flat(let leaf): leaves.append(leaf)
            case .nested(let kind): throw .invalidParquet(path: path, rowGroup: nil, column: field.name, problem: .nestedColumn(kind: kind))
            case .unsupported(let what): throw .invalidParquet(path: path, rowGroup: nil, column: field.name, problem: .unsupported(what))
            }
        }
        let groups = metadata.rowGroups
        let tasks = groups.indices.flatMap { g in fields.indices.map { (g, $0) } }
        let finalLeaves = leaves
        let decoded = ParallelFor.map(count: tasks.count, blockSize: 1, threads: options.threads) { range -> Result<Column, TableReadError> in
            let (g, f) = tasks[range.lowerBound]
            let decoder = ParquetColumnDecoder(file: input.bytes, leaf: finalLeaves[f], chunk: groups[g].chunks[fields[f].leaves.lowerBound],
                                               rowCount: groups[g].rowCount)
            do throws(ParquetProblem) { return .success(try decoder.decode(name: fields[f].name)) } catch {
                return .failure(.invalidParquet(path: path, rowGroup: g, column: fields[f].name, problem: error))
            }
        }
        var columns: [Column] = []
        for (f, field) in fields.enumerated() {
            var parts: [Column] = []
            for g in groups.indices { parts.append(try decoded[g * fields.count + f].get()) }
            let joined = parts.isEmpty ? ParquetValueSink(leaves[f].conversion).column(named: field.name, rowCount: 0, validity: nil)
                : Column(concatenating: parts)
            columns.append(options.schema[field.name].map { joined.converted(to: $0) } ?? joined)
        }
        do {
            return TableReadResult(table: try Table(columns: columns), skippedRows: [], blankLines: 0)
        } catch {
            switch error {
            case .duplicateColumnName(let name): throw .duplicateColumnName(name)
            case .columnLengthMismatch(let column, _, _):
                throw .invalidParquet(path: path, rowGroup: nil, column: column, problem: .malformed("column of another length"))
            }
        }
    }

    private static func selectedFields(_ metadata: ParquetMetadata, options: ParquetReadOptions, path: String) throws(TableReadError) -> [ParquetField] {
        var byName: [String: ParquetField] = [:]
        for field in metadata.fields {
            guard byName[field.name] == nil else { throw .duplicateColumnName(field.name) }
            byName[field.name] = field
        }
        if let unknown = options.schema.keys.sorted().first(where: { byName[$0] == nil }) { throw .unknownSchemaColumn(unknown) }
        guard let wanted = options.columns else {
            let names = Set(options.selection.applied(to: metadata.fields.map(\.name)))
            return metadata.fields.filter { names.contains($0.name) }
        }
        return try wanted.map { name throws(TableReadError) in
            guard let field = byName[name] else { throw .unknownSchemaColumn(name) }
            return field
        }
    }
}

extension Column {
    /// The rows of `parts` one after another (all of one type); category dictionaries are
    /// merged in order of first appearance.
    init(concatenating parts: [Column]) {
        if parts.count == 1 { self = parts[0]; return }
        let validity = NullBitmap(concatenating: parts.map(\.validity))
        let values: ColumnValues
        func join<T>(_ extract: (ColumnValues) -> [T]?) -> [T] { parts.flatMap { extract($0.values) ?? [] } }
        switch parts[0].values {
        case .float64: values = .float64(join { (v: ColumnValues) -> [Double]? in if case .float64(let x) = v { return x }; return nil })
        case .float32: values = .float32(join { (v: ColumnValues) -> [Float]? in if case .float32(let x) = v { return x }; return nil })
        case .int64: values = .int64(join { (v: ColumnValues) -> [Int64]? in if case .int64(let x) = v { return x }; return nil })
        case .timestamp: values = .timestamp(join { (v: ColumnValues) -> [Int64]? in if case .timestamp(let x) = v { return x }; return nil })
        case .bool: values = .bool(join { (v: ColumnValues) -> [Bool]? in if case .bool(let x) = v { return x }; return nil })
        case .category:
            var encoder = CategoryEncoder()
            var codes: [Int32] = []
            codes.reserveCapacity(validity.count)
            for part in parts {
                guard case .category(let partCodes, let dictionary) = part.values else { continue }
                let map = dictionary.map { encoder.code(for: $0) }
                codes += partCodes.map { map.isEmpty ? 0 : map[Int($0)] }
            }
            values = .category(codes: codes, dictionary: encoder.dictionary)
        }
        self.init(name: parts[0].name, values: values, validity: validity)
    }

    /// The column as `type` where `ParquetReadOptions.schema` allows the conversion, else itself.
    func converted(to type: ColumnType) -> Column {
        guard type != self.type else { return self }
        let rows = 0..<count
        switch (type, values) {
        case (.float64, .int64), (.float64, .float32), (.float64, .bool):
            return Column(name: name, values: .float64(rows.map { number(at: $0) ?? 0 }), validity: validity)
        case (.float32, .float64), (.float32, .int64):
            return Column(name: name, values: .float32(rows.map { Float(number(at: $0) ?? 0) }), validity: validity)
        case (.int64, .float64), (.int64, .float32):
            let numbers = rows.map { number(at: $0) ?? 0 }
            guard numbers.allSatisfy({ $0.rounded() == $0 && abs($0) < 0x1p63 }) else { return self }
            return Column(name: name, values: .int64(numbers.map { Int64($0) }), validity: validity)
        case (.category, _):
            var encoder = CategoryEncoder()
            let codes = rows.map { text(at: $0).map { encoder.code(for: $0) } ?? 0 }
            return Column(name: name, values: .category(codes: codes, dictionary: encoder.dictionary), validity: validity)
        default:
            return self
        }
    }
}
