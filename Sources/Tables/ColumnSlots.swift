/// Raw storage for one column while parallel blocks parse it: `width` bytes per row, sized once
/// for all rows, each block writing only its own rows through `pointer`. A value is stored as
/// the type its block parsed it as; `values` reads the rows back once into the column's final
/// array. The storage is freed with the object, or as soon as `releasingValues` read it.
///
/// Safety of the unchecked `Sendable`: blocks write disjoint row ranges, and `values` runs
/// after every block has finished.
final class ColumnSlots: @unchecked Sendable {
    /// The storage, for the parse loops (a plain pointer: no reference counting per value).
    let pointer: SlotPointer

    /// Storage for `count` rows of `width` bytes (8, 4 or 1), uninitialized.
    init(count: Int, width: Int) {
        pointer = SlotPointer(base: .allocate(byteCount: max(1, count * width), alignment: 8), width: width)
    }

    /// Whether `releasingValues` freed the storage already.
    private var released = false

    deinit { if !released { pointer.base.deallocate() } }

    /// The slot width that holds values of `type`.
    static func width(of type: ColumnType) -> Int {
        switch type {
        case .float64, .int64, .timestamp: 8
        case .float32, .category: 4
        case .bool: 1
        }
    }

    /// `values(_:runs:validity:codeMaps:dictionary:)`, then frees the storage at once: for a
    /// reader that finishes columns in parallel, each column's slots gone as soon as it holds
    /// its final array. The slots must not be used again.
    func releasingValues(_ type: ColumnType, runs: [Range<Int>], validity: NullBitmap, codeMaps: [[Int32]],
                         dictionary: [String]) -> ColumnValues {
        let values = values(type, runs: runs, validity: validity, codeMaps: codeMaps, dictionary: dictionary)
        pointer.base.deallocate()
        released = true
        return values
    }

    /// The rows of `runs`, concatenated in order, as values of `type`. For categories,
    /// `codeMaps[k]` maps the codes stored in run `k` to the column's dictionary codes, and
    /// rows that `validity` (of the concatenated rows) marks null get code 0.
    func values(_ type: ColumnType, runs: [Range<Int>], validity: NullBitmap, codeMaps: [[Int32]] = [],
                dictionary: [String] = []) -> ColumnValues {
        let total = runs.reduce(0) { $0 + $1.count }
        func gather<V>(_: V.Type, _ convert: (_ row: Int, _ run: Int, _ index: Int) -> V) -> [V] {
            [V](unsafeUninitializedCapacity: total) { buffer, initialized in
                var next = 0
                for (k, run) in runs.enumerated() {
                    for row in run { buffer[next] = convert(row, k, next); next += 1 }
                }
                initialized = next
            }
        }
        switch type {
        case .float64: return .float64(gather(Double.self) { row, _, _ in pointer.load(row, as: Double.self) })
        case .float32: return .float32(gather(Float.self) { row, _, _ in pointer.load(row, as: Float.self) })
        case .int64: return .int64(gather(Int64.self) { row, _, _ in pointer.load(row, as: Int64.self) })
        case .timestamp: return .timestamp(gather(Int64.self) { row, _, _ in pointer.load(row, as: Int64.self) })
        case .bool: return .bool(gather(Bool.self) { row, _, _ in pointer.load(row, as: Bool.self) })
        case .category:
            let codes = gather(Int32.self) { row, k, index in validity.isValid(index) ? codeMaps[k][Int(pointer.load(row, as: Int32.self))] : 0 }
            return .category(codes: codes, dictionary: dictionary)
        }
    }
}

/// Stores and loads the rows of a `ColumnSlots` storage, which must outlive it. Blocks write
/// disjoint rows (see `ColumnSlots`).
struct SlotPointer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let width: Int

    /// Stores `cell` at `row` as a value of `type` (integers also fit `float64`); text goes
    /// through `encoder` and is stored as its code.
    @inline(__always)
    func store<Coder: TextCoder>(_ cell: CellValue, as type: ColumnType, at row: Int, encoder: inout Coder) {
        switch (type, cell) {
        case (.float64, .float(let x)): store(x, at: row)
        case (.float64, .integer(let x)): store(Double(x), at: row)
        case (.float32, .float32(let x)): store(x, at: row)
        case (.int64, .integer(let x)), (.timestamp, .timestamp(let x)): store(x, at: row)
        case (.bool, .bool(let x)): store(x, at: row)
        case (.category, .text(let s)): store(encoder.code(for: s), at: row)
        default: preconditionFailure("value does not match column type \(type)")
        }
    }

    /// Parses `value` as a value of `type` (not a category: text is coded, not parsed), as
    /// `CellValue.parse` does, and stores it at `row`; false, storing nothing, when it does not parse.
    @inline(__always)
    func parse(_ value: UnsafeRawBufferPointer, as type: ColumnType, at row: Int) -> Bool {
        func put<V>(_ parsed: V?) -> Bool {
            guard let parsed else { return false }
            store(parsed, at: row)
            return true
        }
        switch type {
        case .float64: return put(FloatParser.parse(value))
        case .float32: return put(FloatParser.parseFloat32(value))
        case .int64: return put(FieldParsers.int64(value))
        case .bool: return put(FieldParsers.bool(value, acceptDigits: true))
        case .timestamp: return put(Timestamp.parse(value))
        case .category: preconditionFailure("a category value is coded, not parsed")
        }
    }

    /// Stores the null placeholder (all zero bytes: 0, 0.0, `false`, code 0) at `row`.
    @inline(__always)
    func storeNull(at row: Int) {
        switch width {
        case 8: store(UInt64(0), at: row)
        case 4: store(UInt32(0), at: row)
        default: store(UInt8(0), at: row)
        }
    }

    /// Stores `value` (at most `width` bytes) at `row`.
    @inline(__always)
    func store<V>(_ value: V, at row: Int) {
        base.storeBytes(of: value, toByteOffset: row * width, as: V.self)
    }

    /// The value of `type` stored at `row`.
    @inline(__always)
    func load<V>(_ row: Int, as type: V.Type) -> V {
        base.load(fromByteOffset: row * width, as: V.self)
    }

    /// Rewrites the int64 values of `rows` as float64 (`Double(Int64)` rounds the integer as
    /// the float parser rounds its text); the slots must be 8 bytes wide.
    func convertIntegersToFloats(_ rows: Range<Int>) {
        for row in rows { store(Double(load(row, as: Int64.self)), at: row) }
    }
}
