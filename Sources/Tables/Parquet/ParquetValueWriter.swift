import Foundation

extension ParquetConversion {
    /// The column type values of this conversion get.
    var columnType: ColumnType {
        switch self {
        case .boolean: .bool
        case .integer, .time: .int64
        case .float32: .float32
        case .float64, .decimal: .float64
        case .date, .timestamp, .int96Timestamp: .timestamp
        case .string, .uuid: .category
        }
    }

    /// Bytes per stored value: 8 (float64, int64, timestamp), 4 (float32, category codes) or 1
    /// (bool). Text kept as bytes stores lengths instead (`ParquetLeaf.storageWidth`).
    var storageWidth: Int {
        switch columnType {
        case .float64, .int64, .timestamp: 8
        case .float32, .category: 4
        case .bool: 1
        }
    }
}

/// A column chunk's non-null values in their GitML type (`ParquetConversion`), as arrays.
enum StoredValues {
    case float64([Double]), float32([Float]), int64([Int64]), bool([Bool]), codes([Int32])
    /// Text kept as bytes: each value's length (the bytes are in `ParquetValueWriter.text`).
    case lengths([Int])

    /// Copies the values, one after another, to `destination`.
    func copy(to destination: UnsafeMutableRawPointer) {
        func copy<T>(_ values: [T]) {
            values.withUnsafeBytes { raw in
                if let base = raw.baseAddress { destination.copyMemory(from: base, byteCount: raw.count) }
            }
        }
        switch self {
        case .float64(let v): copy(v)
        case .float32(let v): copy(v)
        case .int64(let v): copy(v)
        case .bool(let v): copy(v)
        case .codes(let v): copy(v)
        case .lengths(let v): copy(v)
        }
    }
}

/// Converts a column chunk's non-null values to their GitML type (`ParquetConversion`) and
/// stores them at a destination, one after another (`ParquetColumnDecoder` spreads them over
/// the rows). Text is stored as codes of `strings`, the chunk's distinct values, or, for a leaf
/// that `keepsText`, as lengths of its values, whose bytes go to `text`.
struct ParquetValueWriter {
    let leaf: ParquetLeaf
    /// Text columns: the chunk's distinct values, coded in order of first appearance.
    private(set) var strings = StringTable()
    /// Text kept as bytes: the chunk's values end to end, in row order.
    private(set) var text: [UInt8] = []
    /// The dictionary page's values, converted (text: `dictionaryTexts` and `dictionaryCodes`).
    private var dictionary: StoredValues?
    private var dictionaryTexts = ByteArrays()
    /// For each dictionary text, its code in `strings` (−1 until a value uses it).
    private var dictionaryCodes: [Int32] = []

    init(_ leaf: ParquetLeaf) { self.leaf = leaf }

    /// What a text value that is not UTF-8 is (every text path refuses it alike).
    private static let notUTF8 = ParquetProblem.unsupported("binary values that are not UTF-8 text")

    private var conversion: ParquetConversion { leaf.conversion }
    private var isText: Bool { conversion == .string || conversion == .uuid }
    var hasDictionary: Bool { dictionary != nil }

    /// Takes a dictionary page's values (a chunk has at most one, but each is checked on its own).
    mutating func setDictionary(_ values: PhysicalValues) throws(ParquetProblem) {
        if isText {
            dictionaryTexts = try texts(values)
            dictionaryCodes = Array(repeating: -1, count: dictionaryTexts.count)
            dictionary = .codes([])
        } else {
            dictionary = try converted(values)
        }
    }

    /// Stores the dictionary values at `indices[0..<count]`.
    mutating func write(indices: UnsafePointer<UInt32>, count: Int, to destination: UnsafeMutableRawPointer) throws(ParquetProblem) {
        var bad: Int?
        func gather<T>(_ values: [T]) {
            values.withUnsafeBufferPointer { dictionary in
                for k in 0..<count {
                    let i = Int(indices[k])
                    guard i < dictionary.count else { bad = i; return }
                    destination.storeBytes(of: dictionary[i], toByteOffset: k * MemoryLayout<T>.stride, as: T.self)
                }
            }
        }
        switch dictionary {
        case nil, .lengths: throw .malformed("dictionary-encoded values without a dictionary page")
        case .codes where leaf.keepsText: textLengths(indices: indices, count: count, to: destination, bad: &bad)
        case .codes: textCodes(indices: indices, count: count, to: destination, bad: &bad)
        case .float64(let v): gather(v)
        case .float32(let v): gather(v)
        case .int64(let v): gather(v)
        case .bool(let v): gather(v)
        }
        if let bad { throw .dictionaryIndexOutOfRange(index: bad, dictionarySize: dictionaryCount) }
    }

    private var dictionaryCount: Int {
        switch dictionary {
        case .float64(let v): v.count
        case .float32(let v): v.count
        case .int64(let v): v.count
        case .bool(let v): v.count
        case .codes, .lengths, nil: dictionaryTexts.count
        }
    }

    private mutating func textLengths(indices: UnsafePointer<UInt32>, count: Int, to destination: UnsafeMutableRawPointer, bad: inout Int?) {
        let size = dictionaryTexts.count
        let offsets = dictionaryTexts.offsets
        StringTable.withAddress(dictionaryTexts.data) { base in
            for k in 0..<count {
                let i = Int(indices[k])
                guard i < size else { bad = i; return }
                let from = offsets[i], length = offsets[i + 1] - from
                text.append(contentsOf: UnsafeRawBufferPointer(start: base + from, count: length))
                destination.storeBytes(of: length, toByteOffset: 8 * k, as: Int.self)
            }
        }
    }

    private mutating func textCodes(indices: UnsafePointer<UInt32>, count: Int, to destination: UnsafeMutableRawPointer, bad: inout Int?) {
        let size = dictionaryCodes.count
        StringTable.withAddress(dictionaryTexts.data) { base in
            for k in 0..<count {
                let i = Int(indices[k])
                guard i < size else { bad = i; return }
                var code = dictionaryCodes[i]
                if code < 0 {
                    var isNew = false
                    let from = dictionaryTexts.offsets[i]
                    code = strings.code(of: base + from, length: dictionaryTexts.offsets[i + 1] - from, isNew: &isNew)
                    dictionaryCodes[i] = code
                }
                destination.storeBytes(of: code, toByteOffset: 4 * k, as: Int32.self)
            }
        }
    }

    /// Stores `count` PLAIN values read from `cursor`: fixed-width values the column keeps as
    /// they are in one copy, INT32 integers, booleans and text in one loop each, other types
    /// through `ParquetEncoding.plain`.
    mutating func writePlain(_ cursor: inout PageCursor, count: Int, to destination: UnsafeMutableRawPointer,
                             _ scratch: PageScratch) throws(ParquetProblem) {
        let bytes = cursor.bytes
        switch (leaf.physical, conversion) {
        case (.double, .float64), (.float, .float32), (.int64, .integer(unsigned: false)), (.int64, .time),
             (.int64, .timestamp(perSecond: 1_000_000)):
            #if _endian(little)
            let size = count * conversion.storageWidth
            let at = try cursor.take(size, leaf.physical == .float ? "FLOAT values" : leaf.physical == .double ? "DOUBLE values" : "INT64 values")
            if size > 0 { destination.copyMemory(from: bytes.baseAddress! + at, byteCount: size) }
            #else
            try write(ParquetEncoding.plain(&cursor, type: leaf.physical, typeLength: leaf.typeLength, count: count), to: destination)
            #endif
        case (.int32, .integer), (.int32, .time):
            let unsigned = conversion == .integer(unsigned: true)
            let at = try cursor.take(count * 4, "INT32 values")
            for k in 0..<count {
                let value = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4 * k, as: Int32.self))
                destination.storeBytes(of: unsigned ? Int64(UInt32(bitPattern: value)) : Int64(value), toByteOffset: 8 * k, as: Int64.self)
            }
        case (.boolean, .boolean):
            let at = try cursor.take((count + 7) / 8, "bit-packed values")
            for k in 0..<count {
                destination.storeBytes(of: bytes[at + k >> 3] >> UInt8(k & 7) & 1 != 0, toByteOffset: k, as: Bool.self)
            }
        case (.byteArray, .string) where leaf.keepsText:
            // The page's values are checked as UTF-8 together: their concatenation is valid and
            // each starts a character (not on a continuation byte) exactly when each is valid.
            let first = text.count
            for k in 0..<count {
                let length = Int(try cursor.uint32())
                let at = try cursor.take(length, "a byte array")
                if length > 0, bytes[at] & 0xC0 == 0x80 { throw Self.notUTF8 }
                text.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[at..<at + length]))
                destination.storeBytes(of: length, toByteOffset: 8 * k, as: Int.self)
            }
            if text.withUnsafeBytes({ UTF8Validation.firstInvalid($0, first, $0.count) }) != nil {
                throw Self.notUTF8
            }
        case (.byteArray, .string):
            // First where each value lies and its hash, then the lookups, each touching the
            // slot of the value `lookahead` later (see `StringTable.touch`).
            let values = scratch.values(count)
            for k in 0..<count {
                let length = Int(try cursor.uint32())
                let at = try cursor.take(length, "a byte array")
                values[k] = (at, length, StringTable.hash(bytes.baseAddress! + at, length))
            }
            let lookahead = StringTable.lookahead
            for k in 0..<count {
                if k + lookahead < count { strings.touch(values[k + lookahead].hash) }
                let (at, length, hash) = values[k]
                var isNew = false
                let code = strings.code(of: bytes.baseAddress! + at, length: length, hash: hash, isNew: &isNew)
                if isNew, UTF8Validation.firstInvalid(bytes, at, at + length) != nil { throw Self.notUTF8 }
                destination.storeBytes(of: code, toByteOffset: 4 * k, as: Int32.self)
            }
        default:
            try write(ParquetEncoding.plain(&cursor, type: leaf.physical, typeLength: leaf.typeLength, count: count), to: destination)
        }
    }

    /// Stores decoded values (any encoding).
    mutating func write(_ physical: PhysicalValues, to destination: UnsafeMutableRawPointer) throws(ParquetProblem) {
        try converted(physical).copy(to: destination)
    }

    private mutating func converted(_ physical: PhysicalValues) throws(ParquetProblem) -> StoredValues {
        switch (conversion, physical) {
        case (.boolean, .bool(let v)): return .bool(v)
        case (.float32, .float(let v)): return .float32(v)
        case (.float64, .double(let v)): return .float64(v)
        case (.decimal, _): return try .float64(decimals(physical))
        case (.integer, _), (.time, _): return try .int64(integers(physical))
        case (.date, _), (.timestamp, _), (.int96Timestamp, _): return try .int64(timestamps(physical))
        case (.string, _), (.uuid, _):
            let values = try texts(physical)
            guard leaf.keepsText else { return .codes(codes(of: values)) }
            text += values.data
            return .lengths((0..<values.count).map { values.offsets[$0 + 1] - values.offsets[$0] })
        default: throw mismatch(physical)
        }
    }

    private mutating func codes(of texts: ByteArrays) -> [Int32] {
        StringTable.withAddress(texts.data) { base in
            (0..<texts.count).map { i in
                var isNew = false
                return strings.code(of: base + texts.offsets[i], length: texts.offsets[i + 1] - texts.offsets[i], isNew: &isNew)
            }
        }
    }

    private func mismatch(_ physical: PhysicalValues) -> ParquetProblem {
        .malformed("values of another physical type in a \(conversion) column")
    }

    private func integers(_ physical: PhysicalValues) throws(ParquetProblem) -> [Int64] {
        let unsigned = conversion == .integer(unsigned: true)
        switch physical {
        case .int32(let v): return unsigned ? v.map { Int64(UInt32(bitPattern: $0)) } : v.map(Int64.init)
        case .int64(let v):
            if unsigned, let big = v.first(where: { $0 < 0 }) {
                throw .valueOutOfRange("unsigned value \(UInt64(bitPattern: big)) is larger than int64 holds")
            }
            return v
        default: throw mismatch(physical)
        }
    }

    private func timestamps(_ physical: PhysicalValues) throws(ParquetProblem) -> [Int64] {
        switch (conversion, physical) {
        case (.int96Timestamp, .int96(let v)): return v
        case (.date, .int32(let v)):
            return try v.map { days throws(ParquetProblem) in
                let (micros, overflow) = Int64(days).multipliedReportingOverflow(by: 86_400_000_000)
                if overflow { throw .valueOutOfRange("date \(days) days from 1970 is outside int64 microseconds") }
                return micros
            }
        case (.timestamp(let perSecond), .int64(let v)):
            if perSecond == 1_000_000 { return v }
            if perSecond == 1_000_000_000 { return v.map { ParquetEncoding.floorDivide($0, 1000) } }
            let factor = 1_000_000 / perSecond
            return try v.map { value throws(ParquetProblem) in
                let (micros, overflow) = value.multipliedReportingOverflow(by: factor)
                if overflow { throw .valueOutOfRange("timestamp \(value) (1/\(perSecond) s) is outside int64 microseconds") }
                return micros
            }
        default: throw mismatch(physical)
        }
    }

    private func decimals(_ physical: PhysicalValues) throws(ParquetProblem) -> [Double] {
        guard case .decimal(let scale) = conversion else { throw mismatch(physical) }
        switch physical {
        case .int32(let v): return v.map { Self.decimal(Int64($0), scale: scale) }
        case .int64(let v): return v.map { Self.decimal($0, scale: scale) }
        case .bytes(let v):
            if let long = (0..<v.count).first(where: { v[$0].count > 32 }) {
                throw .valueOutOfRange("a decimal of \(v[long].count) bytes (at most 32, 77 digits, are read)")
            }
            return (0..<v.count).map { Self.decimal(bigEndian: v[$0], scale: scale) }
        default: throw mismatch(physical)
        }
    }

    private static let exactPowersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The double nearest to `unscaled` × 10^−`scale`: one exact division when both operands
    /// are exact doubles, else the decimal text read by the correctly rounding `strtod`.
    static func decimal(_ unscaled: Int64, scale: Int) -> Double {
        if unscaled.magnitude <= 1 << 53, (0...22).contains(scale) { return Double(unscaled) / exactPowersOfTen[scale] }
        return Double("\(unscaled)e\(-scale)") ?? .nan
    }

    /// A big-endian two's complement unscaled value of any length.
    static func decimal(bigEndian bytes: ArraySlice<UInt8>, scale: Int) -> Double {
        guard let first = bytes.first else { return 0 }
        let negative = first & 0x80 != 0
        if bytes.count <= 8 {
            var value: Int64 = negative ? -1 : 0
            for b in bytes { value = value << 8 | Int64(b) }
            return decimal(value, scale: scale)
        }
        // Magnitude in base 256, then decimal digits by repeated division by 10.
        var magnitude = Array(bytes)
        if negative {
            var carry = 1
            for i in magnitude.indices.reversed() {
                let v = Int(~magnitude[i]) + carry
                magnitude[i] = UInt8(v & 0xFF)
                carry = v >> 8
            }
        }
        var digits: [UInt8] = []
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in magnitude.indices {
                let v = remainder << 8 | Int(magnitude[i])
                magnitude[i] = UInt8(v / 10)
                remainder = v % 10
            }
            digits.append(UInt8(remainder) + 48)
        }
        let text = (negative ? "-" : "") + String(decoding: digits.reversed(), as: UTF8.self) + "e\(-scale)"
        return digits.isEmpty ? 0 : Double(text) ?? .nan
    }

    /// Text values: UTF-8 checked, UUIDs as their canonical lowercase text.
    private func texts(_ physical: PhysicalValues) throws(ParquetProblem) -> ByteArrays {
        guard case .bytes(let v) = physical else { throw mismatch(physical) }
        if conversion == .uuid {
            var out = ByteArrays()
            for i in 0..<v.count {
                let hex = v[i].map { String(format: "%02x", $0) }
                out.append([0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-").utf8)
            }
            return out
        }
        let invalid = v.data.withUnsafeBytes { raw in
            (0..<v.count).contains { UTF8Validation.firstInvalid(raw, v.offsets[$0], v.offsets[$0 + 1]) != nil }
        }
        if invalid { throw Self.notUTF8 }
        return v
    }
}
