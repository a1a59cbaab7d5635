/// The final value arrays of a read's columns, allocated uninitialized before the decode so
/// that the parallel chunk decoders write each value once, straight into place (no per-chunk
/// arrays to join afterwards).
enum ParquetColumnArrays {
    /// One column's values, in the element type its conversion stores.
    enum Values {
        case float64([Double]), float32([Float]), int64([Int64]), bool([Bool]), codes([Int32])
    }

    /// Allocates `count` elements for each of `columns` and calls `fill` with the arrays'
    /// addresses (in `columns`' order). `fill` writes every element of every array and returns
    /// true, or returns false to give up; the arrays are returned when it returned true.
    static func allocate(_ columns: [ParquetConversion], count: Int,
                         fill: ([UnsafeMutableRawPointer]) -> Bool) -> [Values]? {
        allocate(columns[...], count: count, addresses: [], fill: fill)
    }

    /// One level per column: each array's initializer holds the next column's, so all are
    /// open, at stable addresses, when `fill` runs at the innermost level.
    private static func allocate(_ columns: ArraySlice<ParquetConversion>, count: Int, addresses: [UnsafeMutableRawPointer],
                                 fill: ([UnsafeMutableRawPointer]) -> Bool) -> [Values]? {
        guard let column = columns.first else { return fill(addresses) ? [] : nil }
        var rest: [Values]?
        func array<T>(_: T.Type) -> [T] {
            // At least one element of capacity, so that even an empty column has an address.
            [T](unsafeUninitializedCapacity: max(1, count)) { buffer, initialized in
                rest = allocate(columns.dropFirst(), count: count, addresses: addresses + [UnsafeMutableRawPointer(buffer.baseAddress!)],
                                fill: fill)
                initialized = rest == nil ? 0 : count
            }
        }
        let values: Values = switch column.columnType {
        case .float64: .float64(array(Double.self))
        case .float32: .float32(array(Float.self))
        case .int64, .timestamp: .int64(array(Int64.self))
        case .bool: .bool(array(Bool.self))
        case .category: .codes(array(Int32.self))
        }
        return rest.map { [values] + $0 }
    }
}
