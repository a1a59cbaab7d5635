/// One parsed, non-null value.
enum CellValue {
    case float(Double), integer(Int64), bool(Bool), timestamp(Int64), text(String)

    /// Reads `bytes` as a value of `type`; `nil` when they are not one. Booleans also accept
    /// `1`/`0` here, since the type was asked for explicitly or inferred from words.
    static func parse(_ bytes: UnsafeRawBufferPointer, as type: ColumnType) -> CellValue? {
        switch type {
        case .float64: FloatParser.parse(bytes).map(CellValue.float)
        case .int64: FieldParsers.int64(bytes).map(CellValue.integer)
        case .bool: FieldParsers.bool(bytes, acceptDigits: true).map(CellValue.bool)
        case .timestamp: Timestamp.parse(bytes).map(CellValue.timestamp)
        case .category: .text(String(decoding: bytes, as: UTF8.self))
        }
    }
}

/// Accumulates one column's values for a block of rows; blocks are joined in order by
/// `ColumnBuilder.join`.
struct ColumnBuilder: Sendable {
    let type: ColumnType
    private var doubles: [Double] = []
    private var integers: [Int64] = []
    private var bools: [Bool] = []
    private var codes: [Int32] = []
    private var encoder = CategoryEncoder()
    private(set) var validity: [Bool] = []

    init(type: ColumnType, capacity: Int = 0) {
        self.type = type
        validity.reserveCapacity(capacity)
        switch type {
        case .float64: doubles.reserveCapacity(capacity)
        case .int64, .timestamp: integers.reserveCapacity(capacity)
        case .bool: bools.reserveCapacity(capacity)
        case .category: codes.reserveCapacity(capacity)
        }
    }

    var count: Int { validity.count }

    /// A builder of `count` nulls.
    static func nulls(type: ColumnType, count: Int) -> ColumnBuilder {
        var builder = ColumnBuilder(type: type, capacity: count)
        for _ in 0..<count { builder.appendNull() }
        return builder
    }

    /// This block's values after its inferred kind widened from `old` to `new`: nulls carry
    /// over to any type, integers convert to floats (`Double(Int64)` rounds the integer as
    /// the float parser rounds its text); `nil` when the values must be parsed again.
    func widened(from old: FieldKind, to new: FieldKind) -> ColumnBuilder? {
        if old == .null { return .nulls(type: new.columnType, count: count) }
        guard old == .integer, new == .float else { return nil }
        var converted = ColumnBuilder(type: .float64)
        converted.doubles = integers.map { Double($0) }
        converted.validity = validity
        return converted
    }

    mutating func appendNull() {
        validity.append(false)
        switch type {
        case .float64: doubles.append(0)
        case .int64, .timestamp: integers.append(0)
        case .bool: bools.append(false)
        case .category: codes.append(0)
        }
    }

    /// Appends a value; it must match the builder's type (`integer` also fits `float64`).
    mutating func append(_ value: CellValue) {
        validity.append(true)
        switch (type, value) {
        case (.float64, .float(let x)): doubles.append(x)
        case (.float64, .integer(let x)): doubles.append(Double(x))
        case (.int64, .integer(let x)), (.timestamp, .timestamp(let x)): integers.append(x)
        case (.bool, .bool(let x)): bools.append(x)
        case (.category, .text(let s)): codes.append(encoder.code(for: s))
        default: preconditionFailure("value does not match column type \(type)")
        }
    }

    /// Joins block builders (in row order) into one column. Category dictionaries are merged
    /// in block order, so codes follow first appearance in the whole input.
    static func join(name: String, type: ColumnType, blocks: [ColumnBuilder]) -> Column {
        let total = blocks.reduce(0) { $0 + $1.count }
        let validity = NullBitmap(validity: blocks.lazy.flatMap(\.validity))
        let values: ColumnValues
        switch type {
        case .float64: values = .float64(concatenated(blocks.map(\.doubles), total))
        case .int64: values = .int64(concatenated(blocks.map(\.integers), total))
        case .timestamp: values = .timestamp(concatenated(blocks.map(\.integers), total))
        case .bool: values = .bool(concatenated(blocks.map(\.bools), total))
        case .category:
            var global = CategoryEncoder()
            var codes: [Int32] = []
            codes.reserveCapacity(total)
            for block in blocks {
                let remap = block.encoder.dictionary.map { global.code(for: $0) }
                codes.append(contentsOf: block.codes.lazy.map { remap.isEmpty ? 0 : remap[Int($0)] })
            }
            values = .category(codes: codes, dictionary: global.dictionary)
        }
        return Column(name: name, values: values, validity: validity)
    }

    private static func concatenated<T>(_ parts: [[T]], _ total: Int) -> [T] {
        var result: [T] = []
        result.reserveCapacity(total)
        for part in parts { result.append(contentsOf: part) }
        return result
    }
}
