import Kernels

/// How to read JSON Lines.
public struct JSONLinesReadOptions: Sendable {
    /// Column types that override inference, by key.
    public var schema: [String: ColumnType]
    public var badRows: BadRowPolicy
    public var threads: ParallelFor.Threads
    /// Whether a `schema` key no row has is an error (`unknownSchemaColumn`); a reader of one
    /// block of a larger text (`CompressedTextReader`) checks that over all blocks instead.
    var requiresEverySchemaKey = true
    /// Whether the bytes start the text, so may begin with a byte-order mark; a later block of
    /// a larger text does not (`CompressedTextReader`).
    var startsText = true

    /// Options: inferred types unless `schema` names one, failing on the first bad row.
    public init(schema: [String: ColumnType] = [:], badRows: BadRowPolicy = .fail, threads: ParallelFor.Threads = .all) {
        self.schema = schema
        self.badRows = badRows
        self.threads = threads
    }
}

/// Reads JSON Lines (one JSON object of scalars per line) into a `Table`.
///
/// Columns are the keys in order of first appearance; a key missing from a row is null.
/// Types are inferred per key (numbers: int64 if all integral, else float64; booleans;
/// strings: timestamp if all ISO 8601, else category); mixed kinds become category.
public enum JSONLinesReader {
    static let linesPerBlock = 4096

    /// Reads the file at `path`.
    public static func read(contentsOf path: String, options: JSONLinesReadOptions = JSONLinesReadOptions()) throws(TableReadError) -> TableReadResult {
        try read(bytes: FileBytes.contents(of: path), options: options)
    }

    /// Reads `text`.
    public static func read(text: String, options: JSONLinesReadOptions = JSONLinesReadOptions()) throws(TableReadError) -> TableReadResult {
        try read(bytes: Array(text.utf8), options: options)
    }

    /// Reads JSON Lines from `bytes`.
    public static func read(bytes: [UInt8], options: JSONLinesReadOptions = JSONLinesReadOptions()) throws(TableReadError) -> TableReadResult {
        let origin = options.startsText && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineStarts: [Int] = [], lineEnds: [Int] = [], lineNumbers: [Int] = []
        var blankLines = 0
        var start = origin, line = 1
        for i in origin...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "\n") {
            var end = i
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if bytes[start..<end].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                if i < bytes.count || end > start { blankLines += 1 }
            } else {
                lineStarts.append(start); lineEnds.append(end); lineNumbers.append(line)
            }
            start = i + 1
            line += 1
        }
        guard !lineStarts.isEmpty else { throw .emptyInput }
        let starts = lineStarts, ends = lineEnds
        let parsed = ParallelFor.map(count: starts.count, blockSize: linesPerBlock, threads: options.threads) { range in
            bytes.withUnsafeBytes { raw in
                range.map { r -> Result<[(String, JSONScalar)], JSONLineFailure> in
                    if let bad = UTF8Validation.firstInvalid(raw, starts[r], ends[r]) {
                        return .failure(JSONLineFailure(offset: bad - starts[r], reason: "invalid UTF-8"))
                    }
                    do throws(JSONLineFailure) { return .success(try JSONLineParser.parse(raw, starts[r], ends[r])) } catch { return .failure(error) }
                }
            }
        }.flatMap { $0 }
        return try assemble(parsed, lineNumbers: lineNumbers, blankLines: blankLines, options: options)
    }

    private static func assemble(_ parsed: [Result<[(String, JSONScalar)], JSONLineFailure>], lineNumbers: [Int],
                                 blankLines: Int, options: JSONLinesReadOptions) throws(TableReadError) -> TableReadResult {
        var skipped: [SkippedRow] = []
        var rows: [(line: Int, members: [(String, JSONScalar)])] = []
        for (r, result) in parsed.enumerated() {
            switch result {
            case .success(let members): rows.append((lineNumbers[r], members))
            case .failure(let failure):
                let error = TableReadError.invalidJSON(line: lineNumbers[r], column: failure.offset + 1, reason: failure.reason)
                if options.badRows == .fail { throw error }
                skipped.append(SkippedRow(line: lineNumbers[r], reason: error))
            }
        }
        var names: [String] = []
        var position: [String: Int] = [:]
        var kinds: [FieldKind] = []
        for row in rows {
            for (key, value) in row.members {
                if position[key] == nil { position[key] = names.count; names.append(key); kinds.append(.null) }
                kinds[position[key]!] = kinds[position[key]!].merged(with: value.kind)
            }
        }
        if options.requiresEverySchemaKey, let unknown = options.schema.keys.sorted().first(where: { position[$0] == nil }) {
            throw .unknownSchemaColumn(unknown)
        }
        let types = names.indices.map { options.schema[names[$0]] ?? kinds[$0].columnType }
        let builders = types.map { ColumnBuilder(type: $0, capacity: rows.count) }
        var cells = [CellValue?](repeating: nil, count: names.count)
        rowLoop: for row in rows {
            for c in cells.indices { cells[c] = nil }
            for (key, value) in row.members {
                let c = position[key]!
                if case .null = value { continue }
                guard let cell = value.cell(as: types[c]) else {
                    let error = TableReadError.valueDoesNotMatchType(line: row.line, column: 0, columnName: key,
                                                                     value: value.text, expected: types[c])
                    if options.badRows == .fail { throw error }
                    skipped.append(SkippedRow(line: row.line, reason: error))
                    continue rowLoop
                }
                cells[c] = cell
            }
            for c in cells.indices { if let cell = cells[c] { builders[c].append(cell) } else { builders[c].appendNull() } }
        }
        skipped.sort { $0.line < $1.line }
        let columns = names.indices.map { builders[$0].column(name: names[$0]) }
        // Keys are unique and every builder got one entry per row.
        return TableReadResult(table: try! Table(columns: columns), skippedRows: skipped, blankLines: blankLines)
    }
}
