import Foundation
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "cannot open or read the file")
        }
        return try read(bytes: [UInt8](data), options: options)
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
        let scans = ParallelFor.map(count: dataRowCount, blockSize: rowsPerBlock, threads: options.threads) { range in
            parser.scan(rows: range, header: header)
        }
        var skipped: [SkippedRow] = []
        for scan in scans {
            if let fatal = scan.fatal { throw fatal }
            skipped.append(contentsOf: scan.skipped)
        }
        if options.badRows == .fail, let first = skipped.first { throw first.reason }

        let types = header.names.indices.map { column in
            header.explicitTypes[column] ?? scans.reduce(FieldKind.null) { $0.merged(with: $1.kinds[column]) }.columnType
        }
        let blocks = ParallelFor.map(count: dataRowCount, blockSize: rowsPerBlock, threads: options.threads) { range in
            parser.parse(rows: range, header: header, types: types, skipped: scans[range.lowerBound / rowsPerBlock].skippedIndices)
        }
        let columns = header.names.indices.map { c in
            ColumnBuilder.join(name: header.names[c], type: types[c], blocks: blocks.map { $0[c] })
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

/// What phase one found in a block of rows.
struct CSVBlockScan: Sendable {
    var kinds: [FieldKind]
    var skipped: [SkippedRow] = []
    /// Data-row indices of skipped rows.
    var skippedIndices: Set<Int> = []
    /// An error that stops reading whatever the bad-row policy.
    var fatal: TableReadError?
}

/// The per-block work of `CSVReader`: phase one checks and infers, phase two parses.
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
                    if isNull(value) || FieldKind.classify(value) != .text { looksLikeData = true }
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

    /// Phase one: tokenizes, checks and classifies the data rows `range`.
    func scan(rows range: Range<Int>, header: CSVHeader) -> CSVBlockScan {
        let columnCount = header.names.count
        var scan = CSVBlockScan(kinds: Array(repeating: .null, count: columnCount))
        data.withUnsafeBytes { bytes in
            var fields: [FieldRange] = []
            var scratch: [UInt8] = []
            var kinds = Array(repeating: FieldKind.null, count: columnCount)
            for dataRow in range {
                let row = dataRow + header.firstDataRow
                let start = rows.starts[row], end = rows.ends[row]
                if let bad = tokenizer.tokenize(bytes, start, end, into: &fields) {
                    scan.fatal = error(at: bad, bytes) { .unexpectedQuote(line: $0, column: $1) }
                    return
                }
                if let problem = check(fields: fields, row: start, end: end, header: header, bytes: bytes, scratch: &scratch, kinds: &kinds) {
                    scan.skipped.append(SkippedRow(line: rows.locator.location(of: start, in: bytes).line, reason: problem))
                    scan.skippedIndices.insert(dataRow)
                    if options.badRows == .fail { return }
                    continue
                }
                for c in 0..<columnCount { scan.kinds[c] = scan.kinds[c].merged(with: kinds[c]) }
            }
        }
        return scan
    }

    /// Checks one row; on success `kinds` holds each field's kind.
    private func check(fields: [FieldRange], row start: Int, end: Int, header: CSVHeader, bytes: UnsafeRawBufferPointer,
                       scratch: inout [UInt8], kinds: inout [FieldKind]) -> TableReadError? {
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
            let problem: TableReadError? = RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                if isNull(value) { kinds[c] = .null; return nil }
                guard let type = header.explicitTypes[c] else { kinds[c] = FieldKind.classify(value); return nil }
                kinds[c] = .null
                if type == .category || CellValue.parse(value, as: type) != nil { return nil }
                let text = String(decoding: value.prefix(200), as: UTF8.self)
                return error(at: field.start, bytes) {
                    .valueDoesNotMatchType(line: $0, column: $1, columnName: header.names[c], value: text, expected: type)
                }
            }
            if let problem { return problem }
        }
        return nil
    }

    /// Phase two: parses the data rows `range` (less `skipped`) into one builder per column.
    func parse(rows range: Range<Int>, header: CSVHeader, types: [ColumnType], skipped: Set<Int>) -> [ColumnBuilder] {
        var builders = types.map { ColumnBuilder(type: $0, capacity: range.count) }
        data.withUnsafeBytes { bytes in
            var fields: [FieldRange] = []
            var scratch: [UInt8] = []
            for dataRow in range where skipped.isEmpty || !skipped.contains(dataRow) {
                let row = dataRow + header.firstDataRow
                _ = tokenizer.tokenize(bytes, rows.starts[row], rows.ends[row], into: &fields)
                for (c, field) in fields.enumerated() {
                    RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                        // Phase one checked every value, so parsing cannot fail here.
                        if !isNull(value), let cell = CellValue.parse(value, as: types[c]) {
                            builders[c].append(cell)
                        } else {
                            builders[c].appendNull()
                        }
                    }
                }
            }
        }
        return builders
    }
}
