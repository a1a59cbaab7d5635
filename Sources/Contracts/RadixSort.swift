/// Sorting of doubles by LSD radix sort on order-preserving 64-bit keys: eight 8-bit passes,
/// skipping passes where every key has the same byte. NaN must be removed first.
enum RadixSort {
    /// `values` in ascending order (−0.0 before +0.0).
    static func sorted(_ values: [Double]) -> [Double] {
        let n = values.count
        guard n > 64 else { return values.sorted() }
        var keys = values.map { value -> UInt64 in
            let bits = value.bitPattern
            return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        }
        var buffer = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 256 * 8)
        for key in keys {
            for pass in 0..<8 { counts[pass * 256 + Int((key >> UInt64(pass * 8)) & 0xFF)] += 1 }
        }
        for pass in 0..<8 {
            let shift = UInt64(pass * 8)
            let first = Int((keys[0] >> shift) & 0xFF)
            if counts[pass * 256 + first] == n { continue }  // every key has this byte
            var offsets = [Int](repeating: 0, count: 256)
            var total = 0
            for digit in 0..<256 {
                offsets[digit] = total
                total += counts[pass * 256 + digit]
            }
            keys.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    for key in source {
                        let digit = Int((key >> shift) & 0xFF)
                        target[offsets[digit]] = key
                        offsets[digit] += 1
                    }
                }
            }
            swap(&keys, &buffer)
        }
        return keys.map { key in
            Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
        }
    }
}
