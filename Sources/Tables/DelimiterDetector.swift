/// Chooses the field delimiter of delimited text from its first lines.
enum DelimiterDetector {
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]
    static let sampleLines = 20
    static let sampleBytes = 1 << 16

    /// The candidate that occurs (outside quotes) the same non-zero number of times on every
    /// sampled complete line, preferring the highest count, then the order `, \t ; |`. Falls
    /// back to the candidate most frequent on the first line, then to a comma.
    static func detect(_ data: UnsafeRawBufferPointer, from origin: Int) -> UInt8 {
        var counts: [[Int]] = []  // per line, per candidate
        var current = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var i = origin
        let limit = min(data.count, origin + sampleBytes)
        while i < limit && counts.count < sampleLines {
            let b = data[i]
            if b == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes {
                if b == UInt8(ascii: "\n") {
                    counts.append(current)
                    current = [Int](repeating: 0, count: candidates.count)
                } else if let k = candidates.firstIndex(of: b) {
                    current[k] += 1
                }
            }
            i += 1
        }
        if counts.isEmpty || (i == data.count && current.contains { $0 > 0 }) { counts.append(current) }
        let consistent = candidates.indices.filter { k in counts[0][k] > 0 && counts.allSatisfy { $0[k] == counts[0][k] } }
        if let best = consistent.max(by: { counts[0][$0] < counts[0][$1] || (counts[0][$0] == counts[0][$1] && $0 > $1) }) {
            return candidates[best]
        }
        if let best = candidates.indices.max(by: { counts[0][$0] < counts[0][$1] || (counts[0][$0] == counts[0][$1] && $0 > $1) }),
           counts[0][best] > 0 {
            return candidates[best]
        }
        return candidates[0]
    }
}
