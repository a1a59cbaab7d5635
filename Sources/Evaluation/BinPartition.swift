/// Rows grouped by bin: the rows of bin b, in row order, are `rows[starts[b]..<starts[b + 1]]`.
/// Summing a bin over its own rows adds them in the same order as one pass over all rows
/// would, so sums are bit-identical to that pass while each bin's sums stay in registers
/// (the bootstrap sums the pinned ECE's bins on every resample).
struct BinPartition: Sendable {
    let rows: [UInt32]
    let starts: [Int]

    /// A stable counting sort of the rows by `binOfRow` (each below `binCount`).
    init(binOfRow: [Int], binCount: Int) {
        var starts = [Int](repeating: 0, count: binCount + 1)
        for bin in binOfRow { starts[bin + 1] += 1 }
        for bin in 0..<binCount { starts[bin + 1] += starts[bin] }
        var next = starts
        var rows = [UInt32](repeating: 0, count: binOfRow.count)
        for (row, bin) in binOfRow.enumerated() {
            rows[next[bin]] = UInt32(row)
            next[bin] += 1
        }
        self.rows = rows
        self.starts = starts
    }

    var binCount: Int { starts.count - 1 }
}
