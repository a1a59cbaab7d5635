import Kernels

/// Reads compressed CSV, TSV or JSON Lines as it decompresses: the text is decoded in blocks
/// of about `blockSize` bytes, each cut after its last whole row (a newline outside quotes for
/// CSV and TSV, any newline for JSON Lines) with the rest carried into the next block, and
/// each block is parsed on all cores by the text readers while the next one is decompressed on
/// a thread of its own (`TextBlockStream`). The decompressed text is never whole in memory: at
/// most about three blocks of it, plus the table being built.
///
/// The table equals what the text reader gives for the whole decompressed text. Types are
/// inferred per block and merged as the readers merge them over rows (`FieldKind.merged`):
/// a block whose column is all null takes the merged type, integers of a CSV block widen to
/// floats as the CSV reader widens them; when a block holds a kind the merged type cannot
/// take from it unchanged (integers in a column that turned out text, or any JSON Lines
/// mismatch), the stream is decoded a second time with those columns' types fixed. Errors
/// and skipped rows name lines of the whole text.
enum CompressedTextReader {
    static let defaultBlockSize = 16 << 20

    /// One parsed block: its table and bad-row report, lines already of the whole text.
    private struct Block {
        var table: Table
        var skipped: [SkippedRow]
        var blankLines: Int
    }

    static func read(_ input: InputBytes, compression: TextCompression, path: String, format: TableFormat,
                     schema: [String: ColumnType], threads: ParallelFor.Threads,
                     blockSize: Int = defaultBlockSize) throws(TableReadError) -> TableReadResult {
        var blocks = try readBlocks(input, compression: compression, path: path, format: format, schema: schema,
                                    threads: threads, blockSize: blockSize)
        var merged = mergedTypes(blocks, format: format, schema: schema)
        if !merged.conflicts.isEmpty {
            var fixed = schema
            for name in merged.conflicts { fixed[name] = merged.types[name] }
            blocks = try readBlocks(input, compression: compression, path: path, format: format, schema: fixed,
                                    threads: threads, blockSize: blockSize)
            merged = mergedTypes(blocks, format: format, schema: fixed)
        }
        if let unknown = schema.keys.sorted().first(where: { merged.types[$0] == nil }) { throw .unknownSchemaColumn(unknown) }
        return assemble(&blocks, names: merged.names, types: merged.types, threads: threads)
    }

    /// Decodes the stream once and parses it block by block.
    private static func readBlocks(_ input: InputBytes, compression: TextCompression, path: String, format: TableFormat,
                                   schema: [String: ColumnType], threads: ParallelFor.Threads,
                                   blockSize: Int) throws(TableReadError) -> [Block] {
        let failed = { (failure: TextDecompressor.Failure) in
            TableReadError.corruptCompressedInput(path: path, format: compression.rawValue, reason: failure.reason)
        }
        let decompressor: TextDecompressor
        do throws(TextDecompressor.Failure) { decompressor = try TextDecompressor(compression, input: input) } catch { throw failed(error) }
        var csv = TableFile.csvOptions(format, schema: schema, threads: threads)
        var json = JSONLinesReadOptions(schema: schema, threads: threads)
        json.requiresEverySchemaKey = false
        var header: CSVHeader?
        var blocks: [Block] = []
        var linesBefore = 0
        let stream = TextBlockStream(decompressor, blockSize: blockSize, quoted: format != .jsonLines)
        defer { stream.close() }
        while true {
            let next: TextBlockStream.Block?
            do throws(TextDecompressor.Failure) { next = try stream.next() } catch { throw failed(error) }
            guard let next else { break }
            let block = next.text
            var parsed: TableReadResult
            do throws(TableReadError) {
                if format == .jsonLines {
                    json.startsText = blocks.isEmpty
                    do throws(TableReadError) { parsed = try JSONLinesReader.read(bytes: block, options: json) } catch .emptyInput where !blocks.isEmpty {
                        parsed = TableReadResult(table: try! Table(columns: []), skippedRows: [], blankLines: next.newlines + (block.last == 0x0A ? 0 : 1))
                    }
                } else {
                    let read = try block.withTypedBytes { raw throws(TableReadError) in
                        try CSVReader.readBlock(InputBytes(bytes: raw, isMapped: false), options: csv, continuing: header,
                                                counted: next.counts)
                    }
                    parsed = read.result
                    header = read.header
                    csv.delimiter = read.delimiter
                }
            } catch {
                throw error.shifted(lines: linesBefore)
            }
            blocks.append(Block(table: parsed.table, skipped: parsed.skippedRows.map { SkippedRow(line: $0.line + linesBefore, reason: $0.reason.shifted(lines: linesBefore)) },
                                blankLines: parsed.blankLines))
            linesBefore += next.newlines
        }
        return blocks
    }

    /// Where the rows of `text` (which starts at a row start) end, the newlines before that
    /// point and the quote and newline counts of the text before it (`RowSplit` needs them to
    /// split the block, so they are counted once): all of `text` when `ended` (the stream has no
    /// more), else the offset just past the last newline that ends a row, 0 when there is none.
    /// With `quoted`, a newline ends a row outside quotes, that is after an even number of
    /// quotes from the start. One word-at-a-time pass counts the quotes and newlines; the scan
    /// for the cut then goes back from the end, past the few bytes of the unfinished last row only.
    static func rowsEnd(_ text: [UInt8], quoted: Bool, ended: Bool,
                        chunkSize: Int = RowSplit.defaultChunkSize) -> (end: Int, newlines: Int, counts: RowSplit.Counts?) {
        text.withUnsafeBytes { bytes in
            let counts = RowSplit.Counts(bytes, chunkSize: chunkSize)
            let quotes = counts.chunks.reduce(0) { $0 + $1.quotes }
            let newlines = counts.chunks.reduce(0) { $0 + $1.newlines }
            if ended { return (bytes.count, newlines, counts) }
            var quotesAfter = 0, newlinesAfter = 0
            var i = bytes.count
            while i > 0 {
                i -= 1
                let byte = bytes[i]
                if byte == 0x0A {
                    if !quoted || (quotes - quotesAfter) & 1 == 0 { return (i + 1, newlines - newlinesAfter, counts.prefix(i + 1, of: bytes)) }
                    newlinesAfter += 1
                } else if byte == 0x22 {
                    quotesAfter += 1
                }
            }
            return (0, 0, nil)
        }
    }

    /// The columns in order of first appearance, each column's type over all blocks, and the
    /// columns some block must read again with that type fixed.
    private static func mergedTypes(_ blocks: [Block], format: TableFormat,
                                    schema: [String: ColumnType]) -> (names: [String], types: [String: ColumnType], conflicts: [String]) {
        var names: [String] = []
        var kinds: [String: FieldKind] = [:]
        for block in blocks {
            for column in block.table.columns {
                if kinds[column.name] == nil { names.append(column.name); kinds[column.name] = .null }
                if column.nullCount < column.count { kinds[column.name] = kinds[column.name]!.merged(with: kind(of: column.type)) }
            }
        }
        var types: [String: ColumnType] = [:]
        for name in names { types[name] = schema[name] ?? kinds[name]!.columnType }
        let conflicts = names.filter { name in
            blocks.contains { block in
                guard let column = block.table.column(named: name), column.nullCount < column.count, column.type != types[name] else { return false }
                return !(format != .jsonLines && column.type == .int64 && types[name] == .float64)
            }
        }
        return (names, types, conflicts)
    }

    private static func kind(of type: ColumnType) -> FieldKind {
        switch type {
        case .float64, .float32: .float
        case .int64: .integer
        case .bool: .bool
        case .timestamp: .timestamp
        case .category: .text
        }
    }

    /// Joins the blocks column by column on all cores, each block's piece of a column freed
    /// as soon as it is copied.
    private static func assemble(_ blocks: inout [Block], names: [String], types: [String: ColumnType],
                                 threads: ParallelFor.Threads) -> TableReadResult {
        let skipped = blocks.flatMap(\.skipped)
        let blankLines = blocks.reduce(0) { $0 + $1.blankLines }
        let pieces: [Pieces] = names.map { name in
            Pieces(blocks.map { block in
                guard let column = block.table.column(named: name), column.nullCount < column.count else {
                    return Column.nulls(name: name, type: types[name]!, count: block.table.rowCount)
                }
                return column.converted(to: types[name]!)
            })
        }
        blocks = []
        let columns = ParallelFor.mapTasks(count: names.count, threads: threads) { c in
            let piece = pieces[c].take()
            return Column(concatenating: consume piece)
        }
        // Every block's pieces have its row count, and names are distinct.
        return TableReadResult(table: try! Table(columns: columns), skippedRows: skipped, blankLines: blankLines)
    }

    /// One column's pieces, one per block, until the task that joins them takes them: the box
    /// then holds no reference, so each piece is freed once copied.
    private final class Pieces: @unchecked Sendable {
        private var columns: [Column]
        init(_ columns: [Column]) { self.columns = columns }

        /// The pieces, leaving none here. Called once, by one task.
        func take() -> [Column] {
            defer { columns = [] }
            return columns
        }
    }
}

extension TableReadError {
    /// The error with its line moved down by `lines` (for text read in blocks).
    func shifted(lines: Int) -> TableReadError {
        switch self {
        case .raggedRow(let line, let expected, let found): .raggedRow(line: line + lines, expectedFields: expected, foundFields: found)
        case .invalidUTF8(let line, let column): .invalidUTF8(line: line + lines, column: column)
        case .unterminatedQuote(let line, let column): .unterminatedQuote(line: line + lines, column: column)
        case .unexpectedQuote(let line, let column): .unexpectedQuote(line: line + lines, column: column)
        case .fieldTooLarge(let line, let column, let bytes, let limit): .fieldTooLarge(line: line + lines, column: column, bytes: bytes, limit: limit)
        case .valueDoesNotMatchType(let line, let column, let name, let value, let expected):
            .valueDoesNotMatchType(line: line + lines, column: column, columnName: name, value: value, expected: expected)
        case .invalidJSON(let line, let column, let reason): .invalidJSON(line: line + lines, column: column, reason: reason)
        default: self
        }
    }
}
