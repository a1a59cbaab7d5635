/// Parquet physical types (`Type` in parquet.thrift).
enum ParquetPhysicalType: Int64, Sendable {
    case boolean = 0, int32, int64, int96, float, double, byteArray, fixedLenByteArray
}

/// Page compression codecs (`CompressionCodec` in parquet.thrift).
enum ParquetCodec: Int64, Sendable {
    case uncompressed = 0, snappy, gzip, lzo, brotli, lz4, zstd, lz4Raw

    var name: String {
        switch self {
        case .uncompressed: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .lzo: "LZO"
        case .brotli: "BROTLI"
        case .lz4: "LZ4 (Hadoop framing)"
        case .zstd: "ZSTD"
        case .lz4Raw: "LZ4_RAW"
        }
    }
}

/// How a flat column's physical values become a GitML column (see docs/FORMAT.md, "Parquet").
enum ParquetConversion: Equatable, Sendable {
    case boolean
    /// INT32 / INT64 → int64; unsigned 32-bit values are zero-extended, unsigned 64-bit
    /// values above `Int64.max` are an error.
    case integer(unsigned: Bool)
    case float32
    case float64
    /// INT32 days since the epoch → timestamp (midnight UTC).
    case date
    /// INT64 in units of 1/`perSecond` s since the epoch → timestamp (microseconds, rounded down).
    case timestamp(perSecond: Int64)
    /// INT96 (nanoseconds of the day, Julian day) → timestamp (microseconds, rounded down).
    case int96Timestamp
    /// TIME → int64 in the file's unit since midnight.
    case time
    /// DECIMAL → float64: the nearest double to unscaled × 10^−scale (ties to even).
    case decimal(scale: Int)
    /// BYTE_ARRAY (STRING, ENUM, JSON or no annotation) → category; the bytes must be UTF-8.
    case string
    /// FIXED_LEN_BYTE_ARRAY(16) UUID → category of the canonical lowercase text.
    case uuid
}

/// A top-level field of a Parquet schema, with the leaf columns (chunks) it spans.
struct ParquetField: Sendable {
    enum Shape: Sendable {
        case flat(ParquetLeaf)
        case nested(kind: String)
        case unsupported(String)
    }
    let name: String
    /// Positions of its leaf columns among the column chunks of each row group.
    let leaves: Range<Int>
    let shape: Shape
}

/// A flat column's physical layout and conversion.
struct ParquetLeaf: Sendable {
    let physical: ParquetPhysicalType
    /// Bytes per value of FIXED_LEN_BYTE_ARRAY.
    let typeLength: Int
    /// Whether the column is OPTIONAL (definition level 0 or 1) rather than REQUIRED.
    let optional: Bool
    let conversion: ParquetConversion
    /// Text read as bytes (`TextValues`) rather than as codes of a dictionary: decided per
    /// read (`ParquetReader`), not by the file's schema.
    private(set) var keepsText = false

    /// The leaf with its text read as bytes.
    func keepingText() -> ParquetLeaf {
        var leaf = self
        leaf.keepsText = true
        return leaf
    }

    /// Bytes per row in the column's array while chunks decode: the conversion's
    /// (`ParquetConversion.storageWidth`), or an `Int` length per row for text kept as bytes.
    var storageWidth: Int { keepsText ? MemoryLayout<Int>.stride : conversion.storageWidth }
}

/// Where one column chunk's pages lie and how they are compressed.
struct ParquetChunk: Sendable {
    let codec: Int64
    /// The byte range of all its pages (dictionary page first, when there is one).
    let range: Range<Int>
}

/// One row group: its row count and its column chunks, in leaf order.
struct ParquetRowGroup: Sendable {
    let rowCount: Int
    let chunks: [ParquetChunk]
}

/// The footer of a Parquet file (`FileMetaData`): the schema as fields and the row groups.
struct ParquetMetadata: Sendable {
    let rowCount: Int
    let fields: [ParquetField]
    let rowGroups: [ParquetRowGroup]

    static let magic: [UInt8] = Array("PAR1".utf8)

    /// Reads the footer at the end of `bytes` (a whole file), checking the magic bytes, the
    /// footer length, and that every column chunk lies inside the file.
    init(file bytes: UnsafeRawBufferPointer) throws(ParquetProblem) {
        let size = bytes.count
        guard size >= 12, bytes.starts(with: Self.magic) else { throw .notParquet }
        let tail = Array(bytes[(size - 4)...])
        if tail == Array("PARE".utf8) { throw .unsupported("an encrypted file (PARE footer)") }
        guard tail == Self.magic else { throw .notParquet }
        let length = Int(bytes.loadUnaligned(fromByteOffset: size - 8, as: UInt32.self).littleEndian)
        guard length <= size - 12 else { throw .truncated("footer length \(length) is larger than the file's \(size) bytes") }
        var reader = ThriftCompactReader(bytes, from: size - 8 - length, to: size - 8)
        let meta = try reader.readStruct()
        guard let schema = meta[2]?.list?.compactMap(\.fields), !schema.isEmpty else { throw .malformed("footer has no schema") }
        guard let rows = meta[3]?.int, rows >= 0 else { throw .malformed("footer has no row count") }
        fields = try Self.fields(schema)
        let leafCount = fields.last?.leaves.upperBound ?? 0
        var groups: [ParquetRowGroup] = []
        for (index, group) in (meta[4]?.list ?? []).enumerated() {
            guard let group = group.fields, let groupRows = group[3]?.int, groupRows >= 0,
                  let columns = group[1]?.list, columns.count == leafCount else {
                throw .malformed("row group \(index) does not list one column chunk per schema leaf")
            }
            groups.append(ParquetRowGroup(rowCount: Int(groupRows), chunks: try columns.map { c throws(ParquetProblem) in
                // An empty row group's chunks are never read (writers leave their offsets at 0).
                groupRows == 0 ? ParquetChunk(codec: 0, range: 0..<0) : try Self.chunk(c, fileSize: size - 8 - length, rowGroup: index, rows: groupRows)
            }))
        }
        // Claimed counts are untrusted: a sum past Int64 is refused, never trapped on.
        var total = 0
        for group in groups {
            let (sum, overflow) = total.addingReportingOverflow(group.rowCount)
            guard !overflow else { throw .malformed("row groups claim more than \(Int64.max) rows in all") }
            total = sum
        }
        guard total == rows else { throw .malformed("row groups' rows do not add up to the file's \(rows)") }
        rowCount = Int(rows)
        rowGroups = groups
    }

    private static func chunk(_ value: ThriftValue, fileSize: Int, rowGroup: Int, rows: Int64) throws(ParquetProblem) -> ParquetChunk {
        guard let chunk = value.fields else { throw .malformed("row group \(rowGroup): a column chunk is not a structure") }
        if chunk[1] != nil { throw .unsupported("column data in another file (ColumnChunk.file_path)") }
        guard let meta = chunk[3]?.fields, let codec = meta[4]?.int, let values = meta[5]?.int,
              let compressed = meta[7]?.int, let dataOffset = meta[9]?.int else {
            throw .malformed("row group \(rowGroup): a column chunk has no metadata")
        }
        // Flat columns hold one value (or null) per row; nested ones are refused before reading.
        guard values >= rows else { throw .malformed("row group \(rowGroup): a column chunk holds \(values) values for \(rows) rows") }
        var start = dataOffset
        if let dictionary = meta[11]?.int, dictionary > 0, dictionary < dataOffset { start = dictionary }
        guard start >= 4, compressed >= 0, start <= Int64(fileSize), compressed <= Int64(fileSize) - start else {
            throw .truncated("row group \(rowGroup): a column chunk at \(start)+\(compressed) lies outside the file's data")
        }
        return ParquetChunk(codec: codec, range: Int(start)..<Int(start + compressed))
    }

    /// The top-level fields of a depth-first schema list (element 0 is the root).
    private static func fields(_ schema: [[Int16: ThriftValue]]) throws(ParquetProblem) -> [ParquetField] {
        var position = 1, leaf = 0
        var result: [ParquetField] = []
        let rootChildren = Int(schema[0][5]?.int ?? 0)
        guard rootChildren >= 0, rootChildren < schema.count else { throw .malformed("schema root with \(rootChildren) children") }
        for _ in 0..<rootChildren {
            guard position < schema.count else { throw .malformed("schema lists fewer elements than its groups' children") }
            let element = schema[position]
            let name = element[4]?.string ?? ""
            let start = leaf
            let children = Int(element[5]?.int ?? 0)
            try skip(schema, at: &position, leaves: &leaf, depth: 0)
            let shape: ParquetField.Shape
            if children > 0 || element[1] == nil {
                shape = .nested(kind: groupKind(element))
            } else if element[3]?.int == 2 {
                shape = .nested(kind: "repeated")
            } else {
                shape = leafShape(element)
            }
            result.append(ParquetField(name: name, leaves: start..<leaf, shape: shape))
        }
        return result
    }

    /// Moves past the element at `position` and its descendants, counting leaves.
    private static func skip(_ schema: [[Int16: ThriftValue]], at position: inout Int, leaves: inout Int, depth: Int) throws(ParquetProblem) {
        guard position < schema.count, depth < 64 else { throw .malformed("schema children run past its elements") }
        let children = schema[position][5]?.int ?? 0
        position += 1
        guard children >= 0, children <= schema.count else { throw .malformed("schema group with \(children) children") }
        if children == 0 { leaves += 1 }
        for _ in 0..<children { try skip(schema, at: &position, leaves: &leaves, depth: depth + 1) }
    }

    private static func groupKind(_ element: [Int16: ThriftValue]) -> String {
        if let logical = element[10]?.fields {
            if logical[3] != nil { return "list" }
            if logical[2] != nil { return "map" }
        }
        switch element[6]?.int {
        case 3: return "list"
        case 1, 2: return "map"
        default: return "struct"
        }
    }

    private static func leafShape(_ element: [Int16: ThriftValue]) -> ParquetField.Shape {
        guard let raw = element[1]?.int, let physical = ParquetPhysicalType(rawValue: raw) else {
            return .unsupported("physical type \(element[1]?.int ?? -1)")
        }
        let typeLength = Int(element[2]?.int ?? 0)
        if physical == .fixedLenByteArray && (typeLength <= 0 || typeLength > 1 << 20) {
            return .unsupported("FIXED_LEN_BYTE_ARRAY of length \(typeLength)")
        }
        switch conversion(physical: physical, typeLength: typeLength, element: element) {
        case .success(let conversion):
            return .flat(ParquetLeaf(physical: physical, typeLength: typeLength, optional: element[3]?.int == 1, conversion: conversion))
        case .failure(let failure):
            return .unsupported(failure.reason)
        }
    }

    private struct Unsupported: Error { let reason: String }

    /// The conversion for a leaf's logical type (or, in older files, converted type).
    private static func conversion(physical: ParquetPhysicalType, typeLength: Int,
                                   element: [Int16: ThriftValue]) -> Result<ParquetConversion, Unsupported> {
        let logical = element[10]?.fields ?? [:]
        let converted = element[6]?.int
        let scale = Int(element[7]?.int ?? 0)
        func timeUnit(_ fields: [Int16: ThriftValue]?) -> Int64? {
            guard let unit = fields?[2]?.fields else { return nil }
            if unit[1] != nil { return 1_000 }
            if unit[2] != nil { return 1_000_000 }
            if unit[3] != nil { return 1_000_000_000 }
            return nil
        }
        let unsupported = Unsupported(reason: "\(physical) with logical type \(logical.keys.sorted()) / converted type \(converted.map(String.init) ?? "none")")
        let isDecimal = logical[5] != nil || converted == 5
        let decimalScale = Int(logical[5]?.fields?[1]?.int ?? Int64(scale))
        switch physical {
        case .boolean: return .success(.boolean)
        case .float: return logical.isEmpty ? .success(.float32) : .failure(unsupported)  // FLOAT16 is FLBA
        case .double: return .success(.float64)
        case .int96: return .success(.int96Timestamp)
        case .int32, .int64:
            if isDecimal { return .success(.decimal(scale: decimalScale)) }
            if logical[6] != nil || converted == 6 { return physical == .int32 ? .success(.date) : .failure(unsupported) }
            if logical[7] != nil || converted == 7 || converted == 8 { return .success(.time) }
            if let timestamp = logical[8]?.fields {
                guard physical == .int64, let unit = timeUnit(timestamp) else { return .failure(unsupported) }
                return .success(.timestamp(perSecond: unit))
            }
            if converted == 9 || converted == 10 {
                return physical == .int64 ? .success(.timestamp(perSecond: converted == 9 ? 1_000 : 1_000_000)) : .failure(unsupported)
            }
            if let integer = logical[10]?.fields { return .success(.integer(unsigned: integer[2]?.bool == false)) }
            if let converted, (11...14).contains(converted) { return .success(.integer(unsigned: true)) }
            if logical.isEmpty || logical[11] != nil { return .success(.integer(unsigned: false)) }
            return .failure(unsupported)
        case .byteArray:
            if isDecimal { return .success(.decimal(scale: decimalScale)) }
            if logical.isEmpty || logical[1] != nil || logical[4] != nil || logical[12] != nil { return .success(.string) }
            return .failure(unsupported)
        case .fixedLenByteArray:
            if isDecimal { return .success(.decimal(scale: decimalScale)) }
            if logical[14] != nil && typeLength == 16 { return .success(.uuid) }
            return .failure(unsupported)
        }
    }
}
