import Foundation

/// Collects a column chunk's non-null values in their GitML type (`ParquetConversion`) and
/// spreads them over the rows at the end.
struct ParquetValueSink {
    enum Dense {
        case float64([Double]), float32([Float]), int64([Int64]), bool([Bool]), timestamp([Int64]), codes([Int32])
    }

    let conversion: ParquetConversion
    private(set) var values: Dense
    private var encoder = CategoryEncoder()
    /// For text columns: the current dictionary page's strings and their codes (−1 until seen).
    private var dictionaryStrings: [String] = []
    private var dictionaryCodes: [Int32] = []

    init(_ conversion: ParquetConversion) {
        self.conversion = conversion
        switch conversion {
        case .boolean: values = .bool([])
        case .integer, .time: values = .int64([])
        case .float32: values = .float32([])
        case .float64, .decimal: values = .float64([])
        case .date, .timestamp, .int96Timestamp: values = .timestamp([])
        case .string, .uuid: values = .codes([])
        }
    }

    private var isText: Bool { conversion == .string || conversion == .uuid }

    /// Starts a new dictionary (a chunk has at most one, but each is checked on its own).
    mutating func setDictionary(_ dictionary: PhysicalValues) throws(ParquetProblem) {
        guard isText else { return }
        dictionaryStrings = try texts(dictionary)
        dictionaryCodes = Array(repeating: -1, count: dictionaryStrings.count)
    }

    /// Appends dictionary-encoded values.
    mutating func append(indices: [UInt32], dictionary: PhysicalValues) throws(ParquetProblem) {
        guard isText, case .codes(var codes) = values else { return try append(dictionary.gather(indices)) }
        let size = dictionaryStrings.count
        values = .codes([])
        codes.reserveCapacity(codes.count + indices.count)
        for index in indices {
            let i = Int(index)
            guard i < size else { values = .codes(codes); throw .dictionaryIndexOutOfRange(index: i, dictionarySize: size) }
            if dictionaryCodes[i] < 0 { dictionaryCodes[i] = encoder.code(for: dictionaryStrings[i]) }
            codes.append(dictionaryCodes[i])
        }
        values = .codes(codes)
    }

    /// Appends plainly decoded values. Each case moves the array out of `values` before
    /// appending so that it is not copied.
    mutating func append(_ physical: PhysicalValues) throws(ParquetProblem) {
        let empty = Dense.bool([])
        switch values {
        case .bool(var a):
            guard case .bool(let b) = physical else { throw mismatch(physical) }
            values = empty; a += b; values = .bool(a)
        case .float32(var a):
            guard case .float(let b) = physical else { throw mismatch(physical) }
            values = empty; a += b; values = .float32(a)
        case .float64(var a):
            let b: [Double]
            if case .double(let d) = physical { b = d } else { b = try decimals(physical) }
            values = empty; a += b; values = .float64(a)
        case .int64(var a):
            let b = try integers(physical)
            values = empty; a += b; values = .int64(a)
        case .timestamp(var a):
            let b = try timestamps(physical)
            values = empty; a += b; values = .timestamp(a)
        case .codes(var codes):
            let texts = try texts(physical)
            values = empty
            for text in texts { codes.append(encoder.code(for: text)) }
            values = .codes(codes)
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

    private func texts(_ physical: PhysicalValues) throws(ParquetProblem) -> [String] {
        guard case .bytes(let v) = physical else { throw mismatch(physical) }
        if conversion == .uuid {
            return (0..<v.count).map { i in
                let hex = v[i].map { String(format: "%02x", $0) }
                return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
            }
        }
        return try v.data.withTypedBytes { raw throws(ParquetProblem) in
            try (0..<v.count).map { i throws(ParquetProblem) in
                let range = v.offsets[i]..<v.offsets[i + 1]
                if UTF8Validation.firstInvalid(raw, range.lowerBound, range.upperBound) != nil {
                    throw .unsupported("binary values that are not UTF-8 text")
                }
                return String(decoding: raw[range], as: UTF8.self)
            }
        }
    }

    /// The column over `rowCount` rows: values where `validity` is set (all rows when nil),
    /// placeholders elsewhere.
    func column(named name: String, rowCount: Int, validity: NullBitmap?) -> Column {
        func spread<T>(_ dense: [T], _ placeholder: T) -> [T] {
            guard let validity, dense.count != rowCount else { return dense }
            var out = [T](repeating: placeholder, count: rowCount)
            var k = 0
            for row in 0..<rowCount where validity.isValid(row) { out[row] = dense[k]; k += 1 }
            return out
        }
        let spreadValues: ColumnValues = switch values {
        case .float64(let v): .float64(spread(v, 0))
        case .float32(let v): .float32(spread(v, 0))
        case .int64(let v): .int64(spread(v, 0))
        case .bool(let v): .bool(spread(v, false))
        case .timestamp(let v): .timestamp(spread(v, 0))
        case .codes(let v): .category(codes: spread(v, 0), dictionary: encoder.dictionary)
        }
        return Column(name: name, values: spreadValues, validity: validity)
    }
}
