/// A page header (`PageHeader` in parquet.thrift), with the fields this reader uses.
struct ParquetPageHeader: Sendable {
    enum Kind: Sendable {
        /// A data page v1: values, definition and repetition levels all compressed together.
        case dataV1(valueCount: Int, encoding: Int64, definitionEncoding: Int64)
        /// A data page v2: levels first and never compressed, then (maybe compressed) values.
        case dataV2(valueCount: Int, nullCount: Int, encoding: Int64, definitionBytes: Int, repetitionBytes: Int, compressed: Bool)
        case dictionary(valueCount: Int, encoding: Int64)
        /// Index pages and page types this reader skips.
        case other

        /// The rows a data page holds (values and nulls); 0 for other pages.
        var valueCount: Int {
            switch self {
            case .dataV1(let count, _, _), .dataV2(let count, _, _, _, _, _): count
            case .dictionary, .other: 0
            }
        }
    }

    let kind: Kind
    let uncompressedSize: Int
    let compressedSize: Int
    /// CRC-32 of the page's bytes after the header, when the writer recorded one.
    let crc: UInt32?
    /// Bytes the header itself takes.
    let headerSize: Int

    /// Reads the header at `start`, not reading past `end`.
    init(_ bytes: UnsafeRawBufferPointer, at start: Int, end: Int) throws(ParquetProblem) {
        var reader = ThriftCompactReader(bytes, from: start, to: end)
        let fields = try reader.readStruct()
        headerSize = reader.position - start
        guard let type = fields[1]?.int, let uncompressed = fields[2]?.int, let compressed = fields[3]?.int,
              uncompressed >= 0, compressed >= 0, uncompressed <= Int64(Int32.max) else {
            throw .malformed("page header without type or sizes")
        }
        uncompressedSize = Int(uncompressed)
        compressedSize = Int(compressed)
        crc = fields[4]?.int.map { UInt32(truncatingIfNeeded: $0) }
        func count(_ value: ThriftValue?) throws(ParquetProblem) -> Int {
            guard let v = value?.int, v >= 0, v <= Int64(Int32.max) else { throw .malformed("page header with a bad count") }
            return Int(v)
        }
        switch type {
        case 0:
            guard let header = fields[5]?.fields else { throw .malformed("data page without its header") }
            kind = .dataV1(valueCount: try count(header[1]), encoding: header[2]?.int ?? 0, definitionEncoding: header[3]?.int ?? 3)
        case 2:
            guard let header = fields[7]?.fields else { throw .malformed("dictionary page without its header") }
            kind = .dictionary(valueCount: try count(header[1]), encoding: header[2]?.int ?? 0)
        case 3:
            guard let header = fields[8]?.fields else { throw .malformed("data page v2 without its header") }
            kind = .dataV2(valueCount: try count(header[1]), nullCount: try count(header[2]), encoding: header[4]?.int ?? 0,
                           definitionBytes: try count(header[5]), repetitionBytes: try count(header[6]),
                           compressed: header[7]?.bool ?? true)
        default:
            kind = .other
        }
    }
}
