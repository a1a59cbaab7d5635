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
/// Memory: each column's final array is allocated once and every chunk decodes straight into
/// its rows (plus one decompressed page and its indices per running task); text is hashed by
/// its bytes, so a `String` is made once per distinct value. The file's pages leave resident
/// memory as their chunks are decoded.
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
                    return ColumnHeader(name: field.name, type: leaf.conversion.columnType)
                }
            } catch {
                throw .invalidParquet(path: path, rowGroup: nil, column: nil, problem: error)
            }
        }
    }

    /// The file's row count and the null rows of its flat columns that `selection` keeps (by
    /// name), from definition levels alone (`ParquetColumnDecoder.nullCount`): no value is
    /// decoded and a `REQUIRED` column's pages are never read. Nested and unsupported columns
    /// are left out. Errors name the row group and column, as `read` does.
    public static func nullCounts(contentsOf path: String, selection: ColumnSelection,
                                  threads: ParallelFor.Threads = .all) throws(TableReadError) -> (rows: Int, nulls: [String: Int]) {
        try MappedFile(path: path).withInput { input throws(TableReadError) -> (rows: Int, nulls: [String: Int]) in
            let metadata: ParquetMetadata
            do throws(ParquetProblem) { metadata = try ParquetMetadata(file: input.bytes) } catch {
                throw .invalidParquet(path: path, rowGroup: nil, column: nil, problem: error)
            }
            let fields = metadata.fields.compactMap { field -> (name: String, leaf: ParquetLeaf, chunk: Int)? in
                guard selection.keeps(field.name), case .flat(let leaf) = field.shape else { return nil }
                return (field.name, leaf, field.leaves.lowerBound)
            }
            let groups = metadata.rowGroups
            let counts = ParallelFor.mapTasks(count: fields.count * groups.count, threads: threads) { task -> Result<Int, TableReadError> in
                let (f, g) = task.quotientAndRemainder(dividingBy: groups.count)
                let chunk = groups[g].chunks[fields[f].chunk]
                defer { input.release(chunk.range) }
                do throws(ParquetProblem) {
                    return .success(try ParquetColumnDecoder(file: input.bytes, leaf: fields[f].leaf, chunk: chunk, rowCount: groups[g].rowCount).nullCount())
                } catch {
                    return .failure(.invalidParquet(path: path, rowGroup: g, column: fields[f].name, problem: error))
                }
            }
            var nulls: [String: Int] = [:]
            for f in fields.indices {
                var total = 0
                for g in groups.indices { total += try counts[f * groups.count + g].get() }
                nulls[fields[f].name] = total
            }
            return (groups.reduce(0) { $0 + $1.rowCount }, nulls)
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
        var columns: [Column] = []
        // Columns in groups of 64: each group is one parallel decode (and one level of
        // `ParquetColumnArrays` nesting per column).
        for batch in ParallelFor.blocks(count: fields.count, blockSize: 64) {
            let read = try readColumns(Array(fields[batch]), leaves: Array(leaves[batch]), of: metadata, input: input, path: path,
                                       threads: options.threads)
            columns += zip(fields[batch], read).map { field, column in options.schema[field.name].map { column.converted(to: $0) } ?? column }
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

    /// Decodes `fields` (flat, with `leaves` their layouts): every column chunk is one task,
    /// decoded into its rows of the column's final array; then each text column's chunk
    /// dictionaries are merged and its codes rewritten to the merged dictionary's. Each chunk's
    /// file pages are released once decoded. The first error in column order, then row group
    /// order, is the one thrown.
    ///
    /// A text column some of whose values its writer stored outside a dictionary (it found
    /// them too many for one: identifiers, free text) is kept as bytes (`TextValues`): each
    /// chunk stores its values' lengths in the column's array and their bytes on their own,
    /// joined after the decode. Hashing each of such a column's values into a dictionary
    /// would cost more than the rest of the read.
    private static func readColumns(_ fields: [ParquetField], leaves: [ParquetLeaf], of metadata: ParquetMetadata, input: InputBytes,
                                    path: String, threads: ParallelFor.Threads) throws(TableReadError) -> [Column] {
        let groups = metadata.rowGroups
        let leaves = try fields.indices.map { f throws(TableReadError) in
            try keepsText(fields[f], leaves[f], groups: groups, input: input, path: path) ? leaves[f].keepingText() : leaves[f]
        }
        var firstRows: [Int] = []
        var rows = 0
        for group in groups {
            firstRows.append(rows)
            rows += group.rowCount
        }
        var failure: TableReadError?
        var outputs: [[ParquetColumnDecoder.Output]] = []
        var dictionaries: [Int: [String]] = [:]
        var texts: [Int: [UInt8]] = [:]
        let finalFirstRows = firstRows
        let arrays = ParquetColumnArrays.allocate(leaves, count: rows) { addresses in
            let columns = ColumnAddresses(addresses)
            let results = ParallelFor.mapTasks(count: fields.count * groups.count, threads: threads) {
                task -> Result<ParquetColumnDecoder.Output, TableReadError> in
                let (f, g) = task.quotientAndRemainder(dividingBy: groups.count)
                let chunk = groups[g].chunks[fields[f].leaves.lowerBound]
                let decoder = ParquetColumnDecoder(file: input.bytes, leaf: leaves[f], chunk: chunk, rowCount: groups[g].rowCount)
                defer { input.release(chunk.range) }
                do throws(ParquetProblem) {
                    // Text kept as bytes: its array's first element is the offset 0 (`joinText`).
                    let first = finalFirstRows[g] + (leaves[f].keepsText ? 1 : 0)
                    return .success(try decoder.decode(into: columns.base[f] + first * leaves[f].storageWidth))
                } catch {
                    return .failure(.invalidParquet(path: path, rowGroup: g, column: fields[f].name, problem: error))
                }
            }
            do throws(TableReadError) {
                outputs = try fields.indices.map { f throws(TableReadError) in
                    try groups.indices.map { g throws(TableReadError) in try results[f * groups.count + g].get() }
                }
            } catch {
                failure = error
                return false
            }
            var remaps: [CodeRemap] = []
            for f in fields.indices where leaves[f].keepsText {
                let lengths = columns.base[f].assumingMemoryBound(to: Int.self)
                texts[f] = joinText(&outputs[f], lengths: lengths, firstRows: finalFirstRows, rowCounts: groups.map(\.rowCount), threads: threads)
            }
            for f in fields.indices where leaves[f].conversion.columnType == .category && !leaves[f].keepsText {
                let (dictionary, maps) = StringTable.merged(outputs[f].map(\.strings), threads: threads)
                dictionaries[f] = dictionary
                for g in groups.indices { outputs[f][g].strings = StringTable().values }  // freed before the next column's merge
                remaps += groups.indices.map { g in
                    CodeRemap(codes: columns.base[f] + finalFirstRows[g] * 4, rows: groups[g].rowCount, map: maps[g], validity: outputs[f][g].validity)
                }
            }
            let chunkRemaps = remaps
            _ = ParallelFor.mapTasks(count: chunkRemaps.count, threads: threads) { chunkRemaps[$0].apply() }
            return true
        }
        guard let arrays else { throw failure! }
        return fields.indices.map { f in
            let values: ColumnValues = switch (arrays[f], leaves[f].conversion.columnType) {
            case (.float64(let v), _): .float64(v)
            case (.float32(let v), _): .float32(v)
            case (.int64(let v), .timestamp): .timestamp(v)
            case (.int64(let v), _): .int64(v)
            case (.bool(let v), _): .bool(v)
            case (.codes(let v), _): .category(codes: v, dictionary: dictionaries[f] ?? [])
            case (.lengths(let v), _): .text(TextValues(bytes: texts[f] ?? [], offsets: v))
            }
            let validity = leaves[f].optional ? NullBitmap(concatenating: outputs[f].map { $0.validity ?? NullBitmap(count: 0) }) : nil
            return Column(name: fields[f].name, values: values, validity: validity)
        }
    }

    /// Whether a text field is read as bytes (see `readColumns`): some chunk of it holds values
    /// outside its dictionary.
    private static func keepsText(_ field: ParquetField, _ leaf: ParquetLeaf, groups: [ParquetRowGroup], input: InputBytes,
                                  path: String) throws(TableReadError) -> Bool {
        guard leaf.conversion == .string || leaf.conversion == .uuid else { return false }
        for (g, group) in groups.enumerated() {
            let decoder = ParquetColumnDecoder(file: input.bytes, leaf: leaf, chunk: group.chunks[field.leaves.lowerBound], rowCount: group.rowCount)
            do throws(ParquetProblem) {
                if try decoder.storesValuesOutsideDictionary() { return true }
            } catch {
                throw .invalidParquet(path: path, rowGroup: g, column: field.name, problem: error)
            }
        }
        return false
    }

    /// Turns a text column's row lengths (`lengths[1...]`, after the leading 0) into end
    /// offsets, and joins its chunks' bytes into one array, releasing each chunk's as it goes.
    private static func joinText(_ outputs: inout [ParquetColumnDecoder.Output], lengths: UnsafeMutablePointer<Int>, firstRows: [Int],
                                 rowCounts: [Int], threads: ParallelFor.Threads) -> [UInt8] {
        var bases: [Int] = []
        var total = 0
        for output in outputs {
            bases.append(total)
            total += output.text.count
        }
        lengths[0] = 0
        let offsets = SendablePointer(lengths), starts = bases
        _ = ParallelFor.mapTasks(count: outputs.count, threads: threads) { g in
            let rows = offsets.base + 1 + firstRows[g]
            var end = starts[g]
            for row in 0..<rowCounts[g] {
                end += rows[row]
                rows[row] = end
            }
        }
        return [UInt8](unsafeUninitializedCapacity: max(1, total)) { buffer, initialized in
            for g in outputs.indices {
                outputs[g].text.withUnsafeBytes { chunk in
                    if let source = chunk.baseAddress { UnsafeMutableRawPointer(buffer.baseAddress! + bases[g]).copyMemory(from: source, byteCount: chunk.count) }
                }
                outputs[g].text = []
            }
            initialized = total
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

/// The column arrays' addresses, shared by the parallel chunk decoders.
///
/// Safety of the unchecked `Sendable`: each task writes only its own chunk's rows, and the
/// arrays stay allocated until every task has finished (`ParquetColumnArrays.allocate`).
private struct ColumnAddresses: @unchecked Sendable {
    let base: [UnsafeMutableRawPointer]
    init(_ base: [UnsafeMutableRawPointer]) { self.base = base }
}

/// Rewrites one chunk's text codes from its own dictionary's to the merged dictionary's; null
/// rows keep code 0. (Unchecked `Sendable`: as `ColumnAddresses`, one task per chunk.)
private struct CodeRemap: @unchecked Sendable {
    let codes: UnsafeMutableRawPointer
    let rows: Int
    let map: [Int32]
    let validity: NullBitmap?

    func apply() {
        guard !map.indices.allSatisfy({ map[$0] == Int32($0) }) else { return }
        let codes = codes.assumingMemoryBound(to: Int32.self)
        map.withUnsafeBufferPointer { map in
            if let validity, validity.nullCount > 0 {
                for row in 0..<rows { codes[row] = validity.isValid(row) ? map[Int(codes[row])] : 0 }
            } else {
                for row in 0..<rows { codes[row] = map[Int(codes[row])] }
            }
        }
    }
}

extension Column {
    /// An empty column left in place of one whose values were handed on.
    static let released = Column(name: "", values: .bool([]))

    /// The rows of `parts` one after another (all of one type); category dictionaries are
    /// merged in order of first appearance, and null rows keep code 0. Text is kept as bytes
    /// when any part keeps it so. Each part is released as soon as its rows are copied: a
    /// caller that hands over the only references to the parts' values (`consume`) needs room
    /// for the joined column and one part, not for every part twice.
    init(concatenating parts: consuming [Column]) {
        if parts.count == 1 { self = parts[0]; return }
        let name = parts[0].name
        let validity = NullBitmap(concatenating: parts.map(\.validity))
        let values: ColumnValues
        func join<T>(_ extract: (ColumnValues) -> [T]?) -> [T] {
            var joined: [T] = []
            joined.reserveCapacity(validity.count)
            for i in parts.indices {
                joined += extract(parts[i].values) ?? []
                parts[i] = .released
            }
            return joined
        }
        switch parts[0].values {
        case .float64: values = .float64(join { (v: ColumnValues) -> [Double]? in if case .float64(let x) = v { return x }; return nil })
        case .float32: values = .float32(join { (v: ColumnValues) -> [Float]? in if case .float32(let x) = v { return x }; return nil })
        case .int64: values = .int64(join { (v: ColumnValues) -> [Int64]? in if case .int64(let x) = v { return x }; return nil })
        case .timestamp: values = .timestamp(join { (v: ColumnValues) -> [Int64]? in if case .timestamp(let x) = v { return x }; return nil })
        case .bool: values = .bool(join { (v: ColumnValues) -> [Bool]? in if case .bool(let x) = v { return x }; return nil })
        case .category, .text:
            guard parts.allSatisfy({ if case .category = $0.values { true } else { false } }) else {
                var text = TextValues()
                for i in parts.indices {
                    text.append(parts[i].textValues)
                    parts[i] = .released
                }
                values = .text(text)
                break
            }
            var encoder = CategoryEncoder()
            var codes: [Int32] = []
            codes.reserveCapacity(validity.count)
            for i in parts.indices {
                guard case .category(let partCodes, let dictionary) = parts[i].values else { continue }
                let map = dictionary.map { encoder.code(for: $0) }
                let partValidity = parts[i].validity
                codes += partCodes.indices.lazy.map { row in partValidity.isValid(row) ? map[Int(partCodes[row])] : 0 }
                parts[i] = .released
            }
            values = .category(codes: codes, dictionary: encoder.dictionary)
        }
        self.init(name: name, values: values, validity: validity)
    }

    /// The column as `type` where `ParquetReadOptions.schema` allows the conversion, else itself.
    func converted(to type: ColumnType) -> Column {
        guard type != self.type else { return self }
        switch (type, values) {
        case (.float64, .int64), (.float64, .float32), (.float64, .bool):
            return Column(name: name, values: .float64(numbersOrZero), validity: validity)
        case (.float32, .float64), (.float32, .int64):
            return Column(name: name, values: .float32(numbersOrZero.map { Float($0) }), validity: validity)
        case (.int64, .float64), (.int64, .float32):
            let numbers = numbersOrZero
            guard numbers.allSatisfy({ $0.rounded() == $0 && abs($0) < 0x1p63 }) else { return self }
            return Column(name: name, values: .int64(numbers.map { Int64($0) }), validity: validity)
        case (.category, _):
            var encoder = CategoryEncoder()
            let codes = (0..<count).map { text(at: $0).map { encoder.code(for: $0) } ?? 0 }
            return Column(name: name, values: .category(codes: codes, dictionary: encoder.dictionary), validity: validity)
        default:
            return self
        }
    }

    /// `number(at:) ?? 0` of every row, in one pass over the values.
    private var numbersOrZero: [Double] {
        let validity = validity
        func each<T>(_ values: [T], _ number: (T) -> Double) -> [Double] {
            validity.nullCount == 0 ? values.map(number) : values.indices.map { validity.isValid($0) ? number(values[$0]) : 0 }
        }
        switch values {
        case .float64(let v): return each(v) { $0 }
        case .float32(let v): return each(v) { Double($0) }
        case .int64(let v), .timestamp(let v): return each(v) { Double($0) }
        case .bool(let v): return each(v) { $0 ? 1 : 0 }
        case .category, .text: return Array(repeating: 0, count: count)
        }
    }

    /// A category column's values as text kept as bytes.
    private var textValues: TextValues {
        if case .text(let text) = values { return text }
        return TextValues((0..<count).map { text(at: $0) })
    }
}
