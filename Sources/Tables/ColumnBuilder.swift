/// One parsed, non-null value.
enum CellValue {
    case float(Double), float32(Float), integer(Int64), bool(Bool), timestamp(Int64), text(String)

    /// Reads `bytes` as a value of `type`; `nil` when they are not one. Booleans also accept
    /// `1`/`0` here, since the type was asked for explicitly or inferred from words.
    static func parse(_ bytes: UnsafeRawBufferPointer, as type: ColumnType) -> CellValue? {
        switch type {
        case .float64: FloatParser.parse(bytes).map(CellValue.float)
        case .float32: FloatParser.parseFloat32(bytes).map(CellValue.float32)
        case .int64: FieldParsers.int64(bytes).map(CellValue.integer)
        case .bool: FieldParsers.bool(bytes, acceptDigits: true).map(CellValue.bool)
        case .timestamp: Timestamp.parse(bytes).map(CellValue.timestamp)
        case .category: .text(String(decoding: bytes, as: UTF8.self))
        }
    }
}

/// Accumulates one column's values row by row (JSON Lines), then becomes a `Column`.
final class ColumnBuilder {
    let type: ColumnType
    private let slots: ColumnSlots
    private var encoder = CategoryEncoder()
    private var validity = NullBitmap(count: 0)

    /// A builder for at most `capacity` rows.
    init(type: ColumnType, capacity: Int) {
        self.type = type
        slots = ColumnSlots(count: capacity, width: ColumnSlots.width(of: type))
    }

    func appendNull() {
        slots.pointer.storeNull(at: validity.count)
        validity.append(false)
    }

    /// Appends a value; it must match the builder's type (`integer` also fits `float64`).
    func append(_ value: CellValue) {
        slots.pointer.store(value, as: type, at: validity.count, encoder: &encoder)
        validity.append(true)
    }

    /// The column of the rows appended so far.
    func column(name: String) -> Column {
        Column(name: name, values: slots.values(type, runs: [0..<validity.count], validity: validity,
                                                codeMaps: [encoder.dictionary.indices.map(Int32.init)], dictionary: encoder.dictionary),
               validity: validity)
    }
}
