/// LSD radix sorts on 64-bit keys: eight 8-bit passes, skipping passes where every key has
/// the same byte. Stable.
enum RadixSort {
    /// `values` in ascending order (−0.0 before +0.0); NaN must be removed first.
    static func sorted(_ values: [Double]) -> [Double] {
        guard values.count > 64 else { return values.sorted() }
        // Order-preserving keys: flip all bits of negatives, the sign bit of the rest.
        let keys = values.map { value -> UInt64 in
            let bits = value.bitPattern
            return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        }
        return sorted(keys) { $0 }.map { key in
            Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
        }
    }

    /// `items` ordered by `key` ascending, equal keys in their original order.
    static func sorted<T>(_ items: [T], by key: (T) -> UInt64) -> [T] {
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

extension RowDigest {
    /// `digests` in ascending (high, low) order.
    static func sorted(_ digests: [RowDigest]) -> [RowDigest] {
        var result = RadixSort.sorted(digests) { $0.high }
        // Equal high words (true duplicates, or 2⁻⁶⁴-rare collisions): order those runs by low.
        var start = 0
        while start < result.count {
            var end = start + 1
            while end < result.count && result[end].high == result[start].high { end += 1 }
            if end - start > 1 { result[start..<end].sort { $0.low < $1.low } }
            start = end
        }
        return result
    }

    /// How many entries equal an earlier entry.
    static func duplicateCount(_ digests: [RowDigest]) -> Int {
        let ordered = sorted(digests)
        var duplicates = 0
        for i in ordered.indices.dropFirst() where ordered[i] == ordered[i - 1] { duplicates += 1 }
        return duplicates
    }

    /// How many entries of `probes` (each counted once per occurrence) occur in `reference`.
    static func matchCount(_ probes: [RowDigest], in reference: [RowDigest]) -> Int {
        let a = sorted(probes), b = sorted(reference)
        var matches = 0, j = 0
        for digest in a {
            while j < b.count && (b[j].high, b[j].low) < (digest.high, digest.low) { j += 1 }
            if j < b.count && b[j] == digest { matches += 1 }
        }
        return matches
    }
}
