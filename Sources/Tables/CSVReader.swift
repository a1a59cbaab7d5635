import Kernels

/// Reads CSV/TSV text (RFC 4180) into a `Table`, in parallel.
///
/// Handles a UTF-8 byte-order mark, LF and CRLF line ends, quoted fields with delimiters,
/// doubled quotes and newlines, delimiter and header detection, null tokens, and type
/// inference per column over all rows (bool, int64, float64, timestamp, else category), which
/// `CSVReadOptions.schema` overrides. Empty lines are not rows (they are counted).
///
/// Memory: the input is cut into fixed chunks; after counting the rows of every chunk, each
/// column is allocated once for all rows and every chunk parses straight into its own rows of
/// it (no per-chunk buffers to join, no per-row offsets). Columns whose type is inferred take
/// 8 bytes a row until the read ends, then shrink to their type one column at a time.
public enum CSVReader {
    /// Reads the file at `path`. The file is mapped read-only and its pages are released as
    /// parsing passes them, so its bytes do not stay in the process's resident memory; it must
    /// not be truncated while it is read.
    public static func read(contentsOf path: String, options: CSVReadOptions = CSVReadOptions()) throws(TableReadError) -> TableReadResult {
        try MappedFile(path: path).withInput { input throws(TableReadError) in try read(input, options: options) }
    }

    /// Reads `text`.
    public static func read(text: String, options: CSVReadOptions = CSVReadOptions()) throws(TableReadError) -> TableReadResult {
        try read(bytes: Array(text.utf8), options: options)
    }

    /// Reads delimited text from `bytes`.
    public static func read(bytes: [UInt8], options: CSVReadOptions = CSVReadOptions()) throws(TableReadError) -> TableReadResult {
        try read(bytes: bytes, options: options, chunkSize: RowSplit.defaultChunkSize)
    }

    /// Reads `bytes` cut into chunks of `chunkSize` bytes (tests use small chunks).
    static func read(bytes: [UInt8], options: CSVReadOptions, chunkSize: Int) throws(TableReadError) -> TableReadResult {
        let result: Result<TableReadResult, TableReadError> = bytes.withUnsafeBytes { raw in
            do throws(TableReadError) {
                return .success(try read(InputBytes(bytes: raw, isMapped: false), options: options, chunkSize: chunkSize))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func read(_ input: InputBytes, options: CSVReadOptions,
                     chunkSize: Int = RowSplit.defaultChunkSize) throws(TableReadError) -> TableReadResult {
        try readBlock(input, options: options, chunkSize: chunkSize, continuing: nil).result
    }

    /// Reads `input` as `read` does and also returns the header and delimiter it used. With
    /// `continuing` (the header of an earlier block of the same text), the bytes continue a
    /// table: every row is data, named and typed (`options.schema`) as that header says, and no
    /// rows is an empty table rather than an error (`CompressedTextReader` reads in blocks so).
    /// `counted` are the input's quote and newline counts where the caller has them.
    static func readBlock(_ input: InputBytes, options: CSVReadOptions, chunkSize: Int = RowSplit.defaultChunkSize,
                          continuing: CSVHeader?, counted: RowSplit.Counts? = nil) throws(TableReadError) -> (result: TableReadResult, header: CSVHeader, delimiter: UInt8) {
        let bytes = input.bytes
        // A byte-order mark can only start the text, not a block that continues it.
        let origin = continuing == nil && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let delimiter = options.delimiter ?? DelimiterDetector.detect(bytes, from: origin)
        if let continuing, bytes.count <= origin {
            let columns = continuing.names.map { Column.nulls(name: $0, type: options.schema[$0] ?? .float64, count: 0) }
            return (TableReadResult(table: try! Table(columns: columns), skippedRows: [], blankLines: 0), continuing, delimiter)
        }
        guard bytes.count > origin else { throw .emptyInput }
        let split = try RowSplit.split(input, from: origin, delimiter: delimiter, threads: options.threads, chunkSize: chunkSize,
                                       counted: counted)
        guard split.rowCount > 0 || continuing != nil else { throw .emptyInput }
        let parser = CSVBlockParser(input: input, split: split, delimiter: delimiter, options: options)
        let header: CSVHeader
        if let continuing {
            header = CSVHeader(names: continuing.names, explicitTypes: continuing.names.map { options.schema[$0] }, firstDataRow: 0)
        } else {
            header = try parser.readHeader()
        }
        let dataRows = split.rowCount - header.firstDataRow
        // Inferred columns hold 8-byte slots (any inferred kind fits) until their type is known.
        let slots = header.explicitTypes.map { ColumnSlots(count: dataRows, width: $0.map(ColumnSlots.width) ?? 8) }

        let chunkCount = split.chunks.count
        var scans = ParallelFor.map(count: chunkCount, blockSize: 1, threads: options.threads) { [slots] chunks in
            parser.scanAndParse(chunk: chunks.lowerBound, header: header, into: slots)
        }
        // The first error in row order: chunks stop at their first problem under `.fail`.
        var skipped: [SkippedRow] = []
        for scan in scans {
            if options.badRows == .fail, let first = scan.skipped.first { throw first.reason }
            if let fatal = scan.fatal { throw fatal }
            skipped.append(contentsOf: scan.skipped)
        }

        let types = header.names.indices.map { column in
            header.explicitTypes[column] ?? scans.reduce(FieldKind.null) { $0.merged(with: $1.kinds[column]) }.columnType
        }
        let finishedScans = scans
        let encoders = ParallelFor.map(count: chunkCount, blockSize: 1, threads: options.threads) { [slots] chunks in
            parser.finish(finishedScans[chunks.lowerBound], chunk: chunks.lowerBound, header: header, types: types, slots: slots)
        }
        for chunk in 0..<chunkCount { scans[chunk].encoders = encoders[chunk] }

        // Finish the columns on all cores; each column's slots are freed once it holds its final array.
        let runs = split.chunks.indices.map { chunk in
            let base = parser.dataRowBase(chunk: chunk, header: header)
            return base..<base + scans[chunk].kept
        }
        let finalScans = scans
        let columns = ParallelFor.map(count: header.names.count, blockSize: 1, threads: options.threads) { [slots] columns in
            let c = columns.lowerBound
            let (dictionary, codeMaps) = types[c] == .category ? StringTable.merged(finalScans.map { $0.encoders[c].values }) : ([], [])
            let validity = NullBitmap(concatenating: finalScans.map { $0.validity(of: c) })
            let values = slots[c].releasingValues(types[c], runs: runs, validity: validity, codeMaps: codeMaps, dictionary: dictionary)
            return Column(name: header.names[c], values: values, validity: validity)
        }
        // Names were checked for duplicates and every column got one value per kept row.
        let table = try! Table(columns: columns)
        return (TableReadResult(table: table, skippedRows: skipped, blankLines: split.blankLines), header, delimiter)
    }
}

/// The header outcome: column names, explicit types by position, where data starts.
struct CSVHeader: Sendable {
    let names: [String]
    let explicitTypes: [ColumnType?]
    let firstDataRow: Int
}

/// What phase one found in the rows of one chunk.
struct CSVBlockScan: Sendable {
    /// Per column, the kind of the chunk's values (explicitly typed columns stay `.null`).
    var kinds: [FieldKind]
    /// Per column, whether the kind widened to text after other kinds: phase two parses the
    /// column's rows of this chunk again.
    var reparse: [Bool]
    /// Per column, the codes of the chunk's category values, by their bytes.
    var encoders: [StringTable]
    /// Per column, the chunk's kept rows (counted from its first kept row) that are null: few
    /// in most columns, so they are listed rather than a bit appended for every value.
    var nullRows: [[Int]]
    /// Rows kept (not the header, not skipped).
    var kept = 0
    var skipped: [SkippedRow] = []
    /// Positions among the chunk's rows of the rows skipped.
    var skippedRows: Set<Int> = []
    /// An error that stops reading whatever the bad-row policy.
    var fatal: TableReadError?

    /// Which of the chunk's kept rows hold a value in column `c`.
    func validity(of c: Int) -> NullBitmap {
        var bitmap = NullBitmap(count: kept)
        for row in nullRows[c] { bitmap.set(row, valid: false) }
        return bitmap
    }
}

/// The per-chunk work of `CSVReader`: phase one checks, infers and parses speculatively into
/// the column slots; phase two adapts each chunk's rows to the column types over all chunks.
struct CSVBlockParser: Sendable {
    let input: InputBytes
    let split: RowSplit
    let tokenizer: RowTokenizer
    let options: CSVReadOptions
    /// The null tokens' bytes one after another, each token's range in them, and a bit per
    /// token length below 64 (most values are rejected by their length alone).
    private let nullTokenBytes: [UInt8]
    private let nullTokenRanges: [Range<Int>]
    private let nullTokenLengths: UInt64

    init(input: InputBytes, split: RowSplit, delimiter: UInt8, options: CSVReadOptions) {
        self.input = input
        self.split = split
        self.tokenizer = RowTokenizer(delimiter: delimiter)
        self.options = options
        var bytes: [UInt8] = [], ranges: [Range<Int>] = [], lengths: UInt64 = 0
        for token in options.nullTokens {
            ranges.append(bytes.count..<bytes.count + token.utf8.count)
            bytes += token.utf8
            if token.utf8.count < 64 { lengths |= 1 << UInt64(token.utf8.count) }
        }
        nullTokenBytes = bytes
        nullTokenRanges = ranges
        nullTokenLengths = lengths
    }

    /// The data row (slot) where chunk `chunk`'s first kept row goes.
    func dataRowBase(chunk: Int, header: CSVHeader) -> Int {
        max(0, split.chunks[chunk].rowsBefore - header.firstDataRow)
    }

    @inline(__always)
    private func isNull(_ value: UnsafeRawBufferPointer) -> Bool {
        let length = value.count
        if length < 64 && nullTokenLengths & (1 << UInt64(length)) == 0 { return false }
        tokens: for range in nullTokenRanges where range.count == length {
            for k in 0..<length where nullTokenBytes[range.lowerBound + k] != value[k] { continue tokens }
            return true
        }
        return false
    }

    private func error(at offset: Int, _ make: (Int, Int) -> TableReadError) -> TableReadError {
        let at = split.locator.location(of: offset, in: input.bytes)
        return make(at.line, at.column)
    }

    func readHeader() throws(TableReadError) -> CSVHeader {
        let bytes = input.bytes
        let row = split.firstRow(bytes)
        var fields: [FieldRange] = []
        var scratch: [UInt8] = []
        if let bad = tokenizer.tokenize(bytes, row.start, row.end, into: &fields) {
            throw error(at: bad) { .unexpectedQuote(line: $0, column: $1) }
        }
        if let bad = UTF8Validation.firstInvalid(bytes, row.start, row.end) {
            throw error(at: bad) { .invalidUTF8(line: $0, column: $1) }
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
        for name in names where !seen.insert(name).inserted { throw .duplicateColumnName(name) }
        if let unknown = options.schema.keys.sorted().first(where: { !seen.contains($0) }) {
            throw .unknownSchemaColumn(unknown)
        }
        return CSVHeader(names: names, explicitTypes: names.map { options.schema[$0] }, firstDataRow: hasHeader ? 1 : 0)
    }

    /// Calls `body(position, start, end)` for the data rows of `chunk` (the header excluded),
    /// `position` counting every row of the chunk; stops when `body` returns false.
    private func forEachDataRow(chunk: Int, header: CSVHeader, _ body: (Int, Int, Int) -> Bool) {
        let headerRows = max(0, header.firstDataRow - split.chunks[chunk].rowsBefore)
        var position = 0
        split.forEachRow(input.bytes, inChunk: chunk) { start, end in
            defer { position += 1 }
            return position < headerRows || body(position, start, end)
        }
    }

    /// Phase one: tokenizes, checks, classifies and parses the rows of `chunk` into `slots`.
    func scanAndParse(chunk: Int, header: CSVHeader, into slots: [ColumnSlots]) -> CSVBlockScan {
        let columnCount = header.names.count
        let bytes = input.bytes
        var scan = CSVBlockScan(kinds: Array(repeating: .null, count: columnCount), reparse: Array(repeating: false, count: columnCount),
                                encoders: Array(repeating: StringTable(), count: columnCount),
                                nullRows: Array(repeating: [], count: columnCount))
        let base = dataRowBase(chunk: chunk, header: header)
        let slots = slots.map(\.pointer)
        // Rows that end within an all-ASCII chunk need no UTF-8 check.
        let asciiEnd = split.chunks[chunk].isASCII ? split.chunks[chunk].range.upperBound : 0
        var fields: [FieldRange] = []
        var scratch: [UInt8] = []
        var explicitNulls = [Bool](repeating: false, count: columnCount)
        forEachDataRow(chunk: chunk, header: header) { position, start, end in
            if let bad = tokenizer.tokenize(bytes, start, end, into: &fields) {
                scan.fatal = error(at: bad) { .unexpectedQuote(line: $0, column: $1) }
                return false
            }
            if let problem = check(fields: fields, row: start, end: end, isASCII: end <= asciiEnd, header: header,
                                   slots: slots, at: base + scan.kept, scratch: &scratch, explicitNulls: &explicitNulls) {
                scan.skipped.append(SkippedRow(line: split.locator.location(of: start, in: bytes).line, reason: problem))
                scan.skippedRows.insert(position)
                return options.badRows != .fail
            }
            let row = base + scan.kept
            for (c, field) in fields.enumerated() {
                if header.explicitTypes[c] == .category {
                    // Any text is a category value (`check` has nothing to parse): coded by its bytes.
                    RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                        if isNull(value) {
                            scan.nullRows[c].append(scan.kept)
                            slots[c].storeNull(at: row)
                        } else {
                            slots[c].store(scan.encoders[c].code(of: value), at: row)
                        }
                    }
                    continue
                }
                if header.explicitTypes[c] != nil {
                    // `check` stored the value; a null gets the placeholder.
                    if explicitNulls[c] {
                        scan.nullRows[c].append(scan.kept)
                        slots[c].storeNull(at: row)
                    }
                    continue
                }
                RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                    append(value, column: c, row: row, chunkBase: base, to: &scan, slots: slots[c])
                }
            }
            scan.kept += 1
            return true
        }
        input.release(split.chunks[chunk].range)
        return scan
    }

    /// Infers, widens and stores one value of an inferred column.
    @inline(__always)
    private func append(_ value: UnsafeRawBufferPointer, column c: Int, row: Int, chunkBase: Int, to scan: inout CSVBlockScan,
                        slots: SlotPointer) {
        if isNull(value) {
            scan.nullRows[c].append(row - chunkBase)
            slots.storeNull(at: row)
            return
        }
        let kind = scan.kinds[c]
        // Settled kinds first, parsing the value as the column's kind where the classification
        // would give that kind and value: text absorbs every kind; a float column stays float
        // for whatever parses as a float (an integer too, stored as the same double), except
        // "-0", which the integer path stores as +0; what parses as an integer, a timestamp
        // (never a number: a '-' follows four digits) or a boolean word is classified as such.
        // Only a column that widened to text is ever re-parsed, so the others store here.
        switch kind {
        case .text:
            if !scan.reparse[c] { slots.store(scan.encoders[c].code(of: value), at: row) }
            return
        case .float:
            if let x = FloatParser.parse(value), x != 0 || x.sign == .plus { slots.store(x, at: row); return }
        case .integer:
            if let x = FieldParsers.int64(value) { slots.store(x, at: row); return }
        case .timestamp:
            if let x = Timestamp.parse(value) { slots.store(x, at: row); return }
        case .bool:
            if let x = FieldParsers.bool(value, acceptDigits: false) { slots.store(x, at: row); return }
        case .null:
            break
        }
        let inferred = FieldKind.infer(value)
        let merged = kind.merged(with: inferred.kind)
        if merged != kind {
            if kind == .integer && merged == .float {
                slots.convertIntegersToFloats(chunkBase..<row)
            } else if kind != .null {
                scan.reparse[c] = true  // widened to text after other kinds
            }
            scan.kinds[c] = merged
        }
        guard !scan.reparse[c] else { return }
        if merged == .text {
            slots.store(scan.encoders[c].code(of: value), at: row)
        } else if let cell = inferred.value {
            slots.store(cell, as: merged.columnType, at: row, encoder: &scan.encoders[c])
        }
    }

    /// Checks one row: field count, UTF-8 (unless the row is known to be ASCII), field sizes,
    /// and values of explicitly typed columns, which it parses and stores at `slot` of their
    /// column (a row found bad leaves values there that the next kept row overwrites), noting
    /// nulls in `explicitNulls`; text columns need no parse and are coded when the row is kept.
    private func check(fields: [FieldRange], row start: Int, end: Int, isASCII: Bool, header: CSVHeader,
                       slots: [SlotPointer], at slot: Int, scratch: inout [UInt8], explicitNulls: inout [Bool]) -> TableReadError? {
        let bytes = input.bytes
        guard fields.count == header.names.count else {
            let line = split.locator.location(of: start, in: bytes).line
            return .raggedRow(line: line, expectedFields: header.names.count, foundFields: fields.count)
        }
        if !isASCII, let bad = UTF8Validation.firstInvalid(bytes, start, end) {
            return error(at: bad) { .invalidUTF8(line: $0, column: $1) }
        }
        for (c, field) in fields.enumerated() {
            if field.length > options.maxFieldBytes {
                let limit = options.maxFieldBytes
                return error(at: field.start) { .fieldTooLarge(line: $0, column: $1, bytes: field.length, limit: limit) }
            }
            guard let type = header.explicitTypes[c], type != .category else { continue }
            let problem: TableReadError? = RowTokenizer.withValue(field, in: bytes, scratch: &scratch) { value in
                explicitNulls[c] = isNull(value)
                if explicitNulls[c] || slots[c].parse(value, as: type, at: slot) { return nil }
                let text = String(decoding: value.prefix(200), as: UTF8.self)
                return error(at: field.start) {
                    .valueDoesNotMatchType(line: $0, column: $1, columnName: header.names[c], value: text, expected: type)
                }
            }
            if let problem { return problem }
        }
        return nil
    }

    /// Phase two: brings the chunk's rows of every inferred column to the final `types` and
    /// returns the chunk's category encoders. All-null chunks already hold the placeholders,
    /// integers in a float column are converted in place, and columns that widened to text
    /// after other kinds, or whose kind differs from the final type, are parsed again.
    func finish(_ scan: CSVBlockScan, chunk: Int, header: CSVHeader, types: [ColumnType], slots: [ColumnSlots]) -> [StringTable] {
        var encoders = scan.encoders
        let base = dataRowBase(chunk: chunk, header: header)
        let slots = slots.map(\.pointer)
        var missing: [Int] = []
        for c in types.indices where header.explicitTypes[c] == nil && scan.kinds[c] != .null {
            if !scan.reparse[c] && scan.kinds[c].columnType == types[c] { continue }
            if !scan.reparse[c] && scan.kinds[c] == .integer && types[c] == .float64 {
                slots[c].convertIntegersToFloats(base..<base + scan.kept)
                continue
            }
            missing.append(c)
            encoders[c] = StringTable()
        }
        guard !missing.isEmpty else { return encoders }
        let bytes = input.bytes
        var fields: [FieldRange] = []
        var scratch: [UInt8] = []
        var row = base
        forEachDataRow(chunk: chunk, header: header) { position, start, end in
            if scan.skippedRows.contains(position) { return true }
            _ = tokenizer.tokenize(bytes, start, end, into: &fields)
            for c in missing {
                RowTokenizer.withValue(fields[c], in: bytes, scratch: &scratch) { value in
                    // Phase one checked every row kept, so parsing as the widened type succeeds.
                    if !isNull(value), let cell = CellValue.parse(value, as: types[c]) {
                        slots[c].store(cell, as: types[c], at: row, encoder: &encoders[c])
                    } else {
                        slots[c].storeNull(at: row)
                    }
                }
            }
            row += 1
            return row < base + scan.kept
        }
        input.release(split.chunks[chunk].range)
        return encoders
    }
}
