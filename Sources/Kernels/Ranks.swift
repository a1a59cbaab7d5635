/// Ranks with ties, computed from one radix sort.
public enum Ranks {
    /// Midranks: 1-based ascending ranks where each group of equal values gets the mean of the
    /// positions it occupies (scipy.stats.rankdata with method "average"). NaN not allowed.
    public static func midranks(_ values: [Double], threads: ParallelFor.Threads = .all) -> [Double] {
        let sorted = RadixSort.sort(values, threads: threads)
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < values.count {
            var end = start + 1
            while end < values.count && sorted.keys[end] == sorted.keys[start] { end += 1 }
            // Positions start..<end hold 1-based ranks start+1 ... end; their mean:
            let midrank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[Int(sorted.order[position])] = midrank }
            start = end
        }
        return ranks
    }
}
