/// Rows grouped by a small integer key (a calibration bin, a cluster, a class): the rows of
/// group g, in row order, are `rows[starts[g]..<starts[g + 1]]`. Summing a group over its own
/// rows adds them in the same order as one pass over all rows would, so sums are bit-identical
/// to that pass while each group's sums stay in registers (the bootstrap sums the pinned ECE's
/// bins on every resample and draws clusters by their rows).
struct RowGroups: Sendable {
    let rows: [UInt32]
    let starts: [Int]

    /// A stable counting sort of rows `0..<count` by `groupOf(row)` (each below `groupCount`),
    /// called twice a row so that no per-row key array is made (at 10^8 rows one of `Int`s
    /// would be 800 MB of fresh pages).
    init(count: Int, groupCount: Int, groupOf: (Int) -> Int) {
        var starts = [Int](repeating: 0, count: groupCount + 1)
        for row in 0..<count { starts[groupOf(row) + 1] += 1 }
        for group in 0..<groupCount { starts[group + 1] += starts[group] }
        var next = starts
        let rows = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for row in 0..<count {
                let group = groupOf(row)
                buffer[next[group]] = UInt32(row)
                next[group] += 1
            }
            initialized = count
        }
        self.rows = rows
        self.starts = starts
    }

    var groupCount: Int { starts.count - 1 }

    /// The rows of group `group`, in row order.
    func rows(of group: Int) -> ArraySlice<UInt32> { rows[starts[group]..<starts[group + 1]] }
}
