import Kernels

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

    /// How many entries of `probes` occur in `reference`: each occurrence counted, or each
    /// distinct probe once when `distinct`.
    static func matchCount(_ probes: [RowDigest], in reference: [RowDigest], distinct: Bool = false) -> Int {
        let a = sorted(probes), b = sorted(reference)
        var matches = 0, j = 0
        for (i, digest) in a.enumerated() where !(distinct && i > 0 && a[i - 1] == digest) {
            while j < b.count && (b[j].high, b[j].low) < (digest.high, digest.low) { j += 1 }
            if j < b.count && b[j] == digest { matches += 1 }
        }
        return matches
    }
}
