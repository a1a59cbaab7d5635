import Kernels

/// Reads CSV/TSV text (RFC 4180) into a `Table`, in parallel.
///
/// Handles a UTF-8 byte-order mark, LF and CRLF line ends, quoted fields with delimiters,
/// doubled quotes and newlines, delimiter and header detection, null tokens, and type
/// inference per column over all rows (bool, int64, float64, timestamp, else category), which
/// `CSVReadOptions.schema` overrides. Empty lines are not rows (they are counted).
public enum CSVReader {
    static let rowsPerBlock = 8192

    /// Reads the file at `path`.
    public static func read(contentsOf path: String, options: CSVReadOptions = CSVReadOptions()) throws(TableReadError) -> TableReadResult {
        try read(bytes: FileBytes.contents(of: path), options: options)
    }

    /// The bytes of the file at `path`, for `read(bytes:options:)`.
    public static func fileBytes(_ path: String) throws(TableReadError) -> [UInt8] {
        try FileBytes.contents(of: path)
    }

    /// Reads `text`.
    public static func read(text: String, options: CSVReadOptions = CSVReadOptions()) throws(TableReadError) -> TableReadResult {
        try read(bytes: Array(text.utf8), options: options)
    }

    /// Reads delimited text from `bytes`.
    public static func read(bytes: [UInt8], options: CSVReadOptions = CSVReadOptions()) throws(TableReadError) -> TableReadResult {
        let origin = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard bytes.count > origin else { throw .emptyInput }
        let delimiter = options.delimiter ?? DelimiterDetector.detect(bytes, from: origin)
        let rows = try RowSplit.split(bytes, from: origin, delimiter: delimiter, threads: options.threads)
        guard rows.count > 0 else { throw .emptyInput }
        let parser = CSVBlockParser(data: bytes, rows: rows, delimiter: delimiter, options: options)

        let header = try parser.readHeader()
        let dataRowCount = rows.count - header.firstDataRow
        var scans = ParallelFor.map(count: dataRowCount, blockSize: rowsPerBlock, threads: options.threads) { range in
            parser.scanAndParse(rows: range, header: header)
        }
        // The first error in row order: blocks stop at their first problem under `.fail`.
        var skipped: [SkippedRow] = []
        for scan in scans {
            if options.badRows == .fail, let first = scan.skipped.first { throw first.reason }
            if let fatal = scan.fatal { throw fatal }
            skipped.append(contentsOf: scan.skipped)
        }

        let types = header.names.indices.map { column in
            header.explicitTypes[column] ?? scans.reduce(FieldKind.null) { $0.merged(with: $1.kinds[column]) }.columnType
        }
        var blocks = ParallelFor.map(count: dataRowCount, blockSize: rowsPerBlock, threads: options.threads) { [scans] range in
            parser.finish(scans[range.lowerBound / rowsPerBlock], rows: range, header: header, types: types)
        }
        scans = []
        // Join column by column, releasing each column's block buffers once joined.
        var columns: [Column] = []
        for c in header.names.indices {
            columns.append(ColumnBuilder.join(name: header.names[c], type: types[c], blocks: blocks.map { $0[c] }))
            for b in blocks.indices { blocks[b][c] = ColumnBuilder(type: types[c]) }
        }
        // Names were checked for duplicates and builders have equal lengths.
        let table = try! Table(columns: columns)
        return TableReadResult(table: table, skippedRows: skipped, blankLines: rows.blankLines)
    }
}

/// The header outcome: column names, explicit types by position, where data starts.
struct CSVHeader: Sendable {
    let names: [String]
    let explicitTypes: [ColumnType?]
    let firstDataRow: Int
}

/// What phase one found and parsed in a block of rows.
struct CSVBlockScan: Sendable {
    /// Per column, the kind of the block's values (explicitly typed columns stay `.null`).
    var kinds: [FieldKind]
    /// Per column, the block's values parsed as its kind so far; `nil` once the kind widened
    /// to text after other kinds (phase two parses the column again).
    var builders: [ColumnBuilder?]
    var skipped: [SkippedRow] = []
    /// Data-row indices of skipped rows.
    var skippedIndices: Set<Int> = []
    /// An error that stops reading whatever the bad-row policy.
    var fatal: TableReadError?
}

/// The per-block work of `CSVReader`: phase one checks, infers and parses speculatively;
/// phase two adapts blocks to the column types over all blocks.
struct CSVBlockParser: Sendable {
    let data: [UInt8]
    let rows: RowSplit
    let tokenizer: RowTokenizer
    let options: CSVReadOptions
    let nullTokens: [[UInt8]]

    init(data: [UInt8], rows: RowSplit, delimiter: UInt8, options: CSVReadOptions) {
        self.data = data
        self.rows = rows
        self.tokenizer = RowTokenizer(delimiter: delimiter)
        self.options = options
        self.nullTokens = options.nullTokens.map { Array($0.utf8) }
    }

    private func isNull(_ value: UnsafeRawBufferPointer) -> Bool {
        nullTokens.contains { $0.count == value.count && $0.elementsEqual(value) }
    }

    private func error(at offset: Int, _ bytes: UnsafeRawBufferPointer, _ make: (Int, Int) -> TableReadError) -> TableReadError {
        let at = rows.locator.location(of: offset, in: bytes)
        return make(at.line, at.column)
    }

    func readHeader() throws(TableReadError) -> CSVHeader {
        let result: Result<CSVHeader, TableReadError> = data.withUnsafeBytes { bytes in
            var fields: [FieldRange] = []
            var scratch: [UInt8] = []
            if let bad = tokenizer.tokenize(bytes, rows.starts[0], rows.ends[0], into: &fields) {
                return .failure(error(at: bad, bytes) { .unexpectedQuote(line: $0, column: $1) })
            }
            if let bad = UTF8Validation.firstInvalid(bytes, rows.starts[0], rows.ends[0]) {
                return .failure(error(at: bad, bytes) { .invalidUTF8(line: $0, column: $1) })
            }
            var texts: [String] = []
            var looksLikeData = false
            for field in fields {
                RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                    texts.append(String(decoding: value, as: UTF8.self))
                    if !value.isEmpty && (isNull(value) || FieldKind.infer(value).kind != .text) { looksLikeData = true }
                }
            }
            let hasHeader = switch options.header {
            case .present: true
            case .absent: false
            case .detect: !looksLikeData
            }
            let names = hasHeader
                ? texts.enumerated().map { $1.isEmpty ? "column\($0 + 1)" : $1 }
                : texts.indices.map { "column\($0 + 1)" }
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted { return .failure(.duplicateColumnName(name)) }
            if let unknown = options.schema.keys.sorted().first(where: { !seen.contains($0) }) {
                return .failure(.unknownSchemaColumn(unknown))
            }
            return .success(CSVHeader(names: names, explicitTypes: names.map { options.schema[$0] },
                                      firstDataRow: hasHeader ? 1 : 0))
        }
        return try result.get()
    }

    /// Phase one: tokenizes, checks, classifies and parses the data rows `range`.
    func scanAndParse(rows range: Range<Int>, header: CSVHeader) -> CSVBlockScan {
        let columnCount = header.names.count
        var scan = CSVBlockScan(kinds: Array(repeating: .null, count: columnCount),
                                builders: header.explicitTypes.map { ColumnBuilder(type: $0 ?? .float64, capacity: range.count) })
        data.withUnsafeBytes { bytes in
            var fields: [FieldRange] = []
            var scratch: [UInt8] = []
            var explicitCells = [CellValue?](repeating: nil, count: columnCount)
            for dataRow in range {
                let row = dataRow + header.firstDataRow
                let start = rows.starts[row], end = rows.ends[row]
                if let bad = tokenizer.tokenize(bytes, start, end, into: &fields) {
                    scan.fatal = error(at: bad, bytes) { .unexpectedQuote(line: $0, column: $1) }
                    return
                }
                if let problem = check(fields: fields, row: start, end: end, header: header, bytes: bytes, scratch: &scratch,
                                       explicitCells: &explicitCells) {
                    scan.skipped.append(SkippedRow(line: rows.locator.location(of: start, in: bytes).line, reason: problem))
                    scan.skippedIndices.insert(dataRow)
                    if options.badRows == .fail { return }
                    continue
                }
                for (c, field) in fields.enumerated() {
                    if header.explicitTypes[c] != nil {
                        if let cell = explicitCells[c] { scan.builders[c]!.append(cell) } else { scan.builders[c]!.appendNull() }
                        continue
                    }
                    RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                        append(value, column: c, to: &scan)
                    }
                }
            }
        }
        return scan
    }

    /// Infers, widens and appends one value of an inferred column.
    @inline(__always)
    private func append(_ value: UnsafeRawBufferPointer, column c: Int, to scan: inout CSVBlockScan) {
        if isNull(value) { scan.builders[c]?.appendNull(); return }
        let inferred = FieldKind.infer(value)
        let kind = scan.kinds[c]
        let merged = kind.merged(with: inferred.kind)
        if merged != kind {
            scan.builders[c] = scan.builders[c].flatMap { $0.widened(from: kind, to: merged) }
            scan.kinds[c] = merged
        }
        guard scan.builders[c] != nil else { return }
        if merged == .text {
            scan.builders[c]!.append(.text(String(decoding: value, as: UTF8.self)))
        } else if let cell = inferred.value {
            scan.builders[c]!.append(cell)
        }
    }

    /// Checks one row: field count, UTF-8, field sizes, and values of explicitly typed
    /// columns, which it parses into `explicitCells` (nil for nulls).
    private func check(fields: [FieldRange], row start: Int, end: Int, header: CSVHeader, bytes: UnsafeRawBufferPointer,
                       scratch: inout [UInt8], explicitCells: inout [CellValue?]) -> TableReadError? {
        guard fields.count == header.names.count else {
            let line = rows.locator.location(of: start, in: bytes).line
            return .raggedRow(line: line, expectedFields: header.names.count, foundFields: fields.count)
        }
        if let bad = UTF8Validation.firstInvalid(bytes, start, end) {
            return error(at: bad, bytes) { .invalidUTF8(line: $0, column: $1) }
        }
        for (c, field) in fields.enumerated() {
            if field.length > options.maxFieldBytes {
                let limit = options.maxFieldBytes
                return error(at: field.start, bytes) { .fieldTooLarge(line: $0, column: $1, bytes: field.length, limit: limit) }
            }
            guard let type = header.explicitTypes[c] else { continue }
            let problem: TableReadError? = RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                if isNull(value) { explicitCells[c] = nil; return nil }
                if let cell = CellValue.parse(value, as: type) { explicitCells[c] = cell; return nil }
                let text = String(decoding: value.prefix(200), as: UTF8.self)
                return error(at: field.start, bytes) {
                    .valueDoesNotMatchType(line: $0, column: $1, columnName: header.names[c], value: text, expected: type)
                }
            }
            if let problem { return problem }
        }
        return nil
    }

    /// Phase two: the block's builders in the final `types`. Blocks whose values converted
    /// (all-null, or integers in a float column) are adapted; columns that widened to text
    /// after other kinds, or whose kind differs from the final type, are parsed again.
    func finish(_ scan: CSVBlockScan, rows range: Range<Int>, header: CSVHeader, types: [ColumnType]) -> [ColumnBuilder] {
        var builders: [ColumnBuilder?] = types.indices.map { c in
            guard let builder = scan.builders[c] else { return nil }
            if header.explicitTypes[c] != nil || (builder.type == types[c] && scan.kinds[c] != .null) { return builder }
            if scan.kinds[c] == .null { return ColumnBuilder.nulls(type: types[c], count: builder.count) }
            return builder.widened(from: scan.kinds[c], to: .float).flatMap { $0.type == types[c] ? $0 : nil }
        }
        let missing = builders.indices.filter { builders[$0] == nil }
        guard !missing.isEmpty else { return builders.map { $0! } }
        for c in missing { builders[c] = ColumnBuilder(type: types[c], capacity: range.count) }
        data.withUnsafeBytes { bytes in
            var fields: [FieldRange] = []
            var scratch: [UInt8] = []
            for dataRow in range where scan.skippedIndices.isEmpty || !scan.skippedIndices.contains(dataRow) {
                let row = dataRow + header.firstDataRow
                _ = tokenizer.tokenize(bytes, rows.starts[row], rows.ends[row], into: &fields)
                for c in missing {
                    RowTokenizer.withValue(fields[c], in: bytes, scratch: &scratch) { value in
                        // Phase one checked every row kept, so parsing as the widened type succeeds.
                        if !isNull(value), let cell = CellValue.parse(value, as: types[c]) {
                            builders[c]!.append(cell)
                        } else {
                            builders[c]!.appendNull()
                        }
                    }
                }
            }
        }
        return builders.map { $0! }
    }
}
