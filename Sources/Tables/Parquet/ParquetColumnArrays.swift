/// The final value arrays of a read's columns, allocated uninitialized before the decode so
/// that the parallel chunk decoders write each value once, straight into place (no per-chunk
/// arrays to join afterwards).
enum ParquetColumnArrays {
    /// One column's values, in the element type its conversion stores.
    enum Values {
        case float64([Double]), float32([Float]), int64([Int64]), bool([Bool]), codes([Int32])
        /// Text kept as bytes: `count + 1` elements, the first 0 and each next one a row's
        /// byte length until `ParquetReader` turns them into offsets.
        case lengths([Int])
    }

    /// Allocates `count` elements for each of `columns` (`count + 1` for text kept as bytes:
    /// `Values.lengths`) and calls `fill` with the arrays'
    /// addresses (in `columns`' order). `fill` writes every element of every array and returns
    /// true, or returns false to give up; the arrays are returned when it returned true.
    static func allocate(_ columns: [ParquetLeaf], count: Int,
                         fill: ([UnsafeMutableRawPointer]) -> Bool) -> [Values]? {
        allocate(columns[...], count: count, addresses: [], fill: fill)
    }

    /// One level per column: each array's initializer holds the next column's, so all are
    /// open, at stable addresses, when `fill` runs at the innermost level.
    private static func allocate(_ columns: ArraySlice<ParquetLeaf>, count: Int, addresses: [UnsafeMutableRawPointer],
                                 fill: ([UnsafeMutableRawPointer]) -> Bool) -> [Values]? {
        guard let column = columns.first else { return fill(addresses) ? [] : nil }
        var rest: [Values]?
        func array<T>(_: T.Type, elements: Int = count) -> [T] {
            // At least one element of capacity, so that even an empty column has an address.
            [T](unsafeUninitializedCapacity: max(1, elements)) { buffer, initialized in
                rest = allocate(columns.dropFirst(), count: count, addresses: addresses + [UnsafeMutableRawPointer(buffer.baseAddress!)],
                                fill: fill)
                initialized = rest == nil ? 0 : elements
            }
        }
        if column.keepsText {
            let lengths = array(Int.self, elements: count + 1)
            return rest.map { [.lengths(lengths)] + $0 }
        }
        let values: Values = switch column.conversion.columnType {
        case .float64: .float64(array(Double.self))
        case .float32: .float32(array(Float.self))
        case .int64, .timestamp: .int64(array(Int64.self))
        case .bool: .bool(array(Bool.self))
        case .category: .codes(array(Int32.self))
        }
        return rest.map { [values] + $0 }
    }
}
