extension RadixSort {
    /// `values` (no NaN) in ascending order: the sorted values themselves, for quantiles and
    /// two-sample statistics that need no input positions.
    public static func sortedValues(_ values: [Double]) -> [Double] {
        guard values.count > 64 else { return values.sorted() }
        return RadixSort.values(of: sort(values), descending: false)
    }

    /// `items` ordered by a 64-bit `key` ascending, equal keys in their original order: an LSD
    /// radix sort with 8-bit digits that skips passes where every key has the same digit.
    /// Inlinable, so that callers in other modules get it specialized for their element type
    /// and key (unspecialized, every element moves through value witnesses: measured as most of
    /// a contract validation's uniqueness and duplicate checks).
    @inlinable
    public static func sorted<T>(_ items: [T], by key: (T) -> UInt64) -> [T] {
        let n = items.count
        guard n > 1 else { return items }
        var current = items
        var counts = [Int](repeating: 0, count: 256 * 8)
        for item in items {
            let k = key(item)
            for pass in 0..<8 { counts[pass * 256 + Int((k >> UInt64(pass * 8)) & 0xFF)] += 1 }
        }
        var buffer = items
        for pass in 0..<8 {
            let shift = UInt64(pass * 8)
            if counts[pass * 256 + Int((key(current[0]) >> shift) & 0xFF)] == n { continue }  // one byte value
            var offsets = [Int](repeating: 0, count: 256)
            var total = 0
            for digit in 0..<256 {
                offsets[digit] = total
                total += counts[pass * 256 + digit]
            }
            current.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    for item in source {
                        let digit = Int((key(item) >> shift) & 0xFF)
                        target[offsets[digit]] = item
                        offsets[digit] += 1
                    }
                }
            }
            swap(&current, &buffer)
        }
        return current
    }
}
