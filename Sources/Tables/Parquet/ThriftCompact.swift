/// A value of the Thrift compact protocol, decoded without a schema: Parquet's metadata
/// structures are read from these trees by field id (`ParquetMetadata`, `ParquetPageHeader`).
indirect enum ThriftValue: Sendable {
    case bool(Bool)
    /// i8, i16, i32 and i64 (zigzag varints; i8 a single byte).
    case int(Int64)
    case double(Double)
    /// binary and string.
    case binary([UInt8])
    /// list and set.
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    /// Fields by id.
    case structure([Int16: ThriftValue])

    var int: Int64? { if case .int(let v) = self { v } else { nil } }
    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    var list: [ThriftValue]? { if case .list(let v) = self { v } else { nil } }
    var fields: [Int16: ThriftValue]? { if case .structure(let v) = self { v } else { nil } }
    var string: String? { if case .binary(let v) = self { String(decoding: v, as: UTF8.self) } else { nil } }
}

/// Reads the Thrift compact protocol from bytes, checking every length against the bytes
/// that remain. Nesting is limited so that hostile input cannot exhaust the stack.
struct ThriftCompactReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private let end: Int
    private static let maxDepth = 64

    init(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    /// Reads one struct (up to and including its stop field).
    mutating func readStruct() throws(ParquetProblem) -> [Int16: ThriftValue] {
        try readStruct(depth: 0)
    }

    private mutating func byte() throws(ParquetProblem) -> UInt8 {
        guard position < end else { throw .truncated("Thrift structure runs past its bytes") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func varint() throws(ParquetProblem) -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let b = try byte()
            guard shift < 64 else { throw .malformed("Thrift varint longer than 10 bytes") }
            result |= UInt64(b & 0x7F) << UInt64(shift)
            if b & 0x80 == 0 { return result }
        }
        throw .malformed("Thrift varint longer than 10 bytes")
    }

    private mutating func zigzag() throws(ParquetProblem) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    private mutating func length() throws(ParquetProblem) -> Int {
        let n = try varint()
        guard n <= UInt64(end - position) else { throw .truncated("Thrift length \(n) past the \(end - position) bytes left") }
        return Int(n)
    }

    private mutating func readStruct(depth: Int) throws(ParquetProblem) -> [Int16: ThriftValue] {
        guard depth < Self.maxDepth else { throw .malformed("Thrift structures nested deeper than \(Self.maxDepth)") }
        var fields: [Int16: ThriftValue] = [:]
        var lastID: Int16 = 0
        while true {
            let header = try byte()
            let type = header & 0x0F
            if type == 0 { return fields }
            let delta = Int16(header >> 4)
            let id: Int16
            if delta == 0 {
                let raw = try zigzag()
                guard let value = Int16(exactly: raw) else { throw .malformed("Thrift field id \(raw)") }
                id = value
            } else {
                id = lastID &+ delta
            }
            lastID = id
            switch type {
            case 1: fields[id] = .bool(true)
            case 2: fields[id] = .bool(false)
            default: fields[id] = try value(ofType: type, depth: depth)
            }
        }
    }

    private mutating func value(ofType type: UInt8, depth: Int) throws(ParquetProblem) -> ThriftValue {
        guard depth < Self.maxDepth else { throw .malformed("Thrift values nested deeper than \(Self.maxDepth)") }
        switch type {
        case 1, 2: return .bool(try byte() == 1)  // booleans inside lists and maps
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 7:
            guard end - position >= 8 else { throw .truncated("Thrift double past its bytes") }
            defer { position += 8 }
            return .double(Double(bitPattern: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian))
        case 8:
            let n = try length()
            defer { position += n }
            return .binary(Array(bytes[position..<position + n]))
        case 9, 10:
            let header = try byte()
            let count = header >> 4 == 15 ? try length() : Int(header >> 4)
            let elementType = header & 0x0F
            var items: [ThriftValue] = []
            // Every element takes at least one byte.
            guard count <= end - position else { throw .truncated("Thrift list of \(count) past its bytes") }
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try value(ofType: elementType, depth: depth + 1)) }
            return .list(items)
        case 11:
            let count = try length()
            guard count > 0 else { return .map([]) }
            let types = try byte()
            var pairs: [(ThriftValue, ThriftValue)] = []
            for _ in 0..<count {
                let key = try value(ofType: types >> 4, depth: depth + 1)
                pairs.append((key, try value(ofType: types & 0x0F, depth: depth + 1)))
            }
            return .map(pairs)
        case 12: return .structure(try readStruct(depth: depth + 1))
        default: throw .malformed("Thrift type \(type)")
        }
    }
}
