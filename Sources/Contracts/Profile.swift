import Kernels
import Foundation
import Tables

/// A summary of a table, stored with every dataset version.
public struct TableProfile: Codable, Sendable, Equatable {
    public let rowCount: Int
    public let columns: [ColumnProfile]

    /// A table's profile from its columns' (`Profiler.profile(_:)` of each column, in order).
    public init(rowCount: Int, columns: [ColumnProfile]) {
        self.rowCount = rowCount
        self.columns = columns
    }
}

/// A summary of one column.
public struct ColumnProfile: Codable, Sendable, Equatable {
    public let name: String
    public let type: ColumnType
    /// Rows, nulls included.
    public let count: Int
    public let nullCount: Int
    /// For float64, int64, timestamp (microseconds) and bool (0/1) columns with a value.
    public let numeric: NumericProfile?
    /// For category columns.
    public let categorical: CategoricalProfile?
}

/// Moments, quantiles and a histogram of a column's non-null, non-NaN values.
public struct NumericProfile: Codable, Sendable, Equatable {
    public let min: Double
    public let max: Double
    public let mean: Double
    /// Sample standard deviation (n − 1 denominator); 0 for one value.
    public let standardDeviation: Double
    /// Quantiles at `Profiler.quantileLevels` (numpy linear interpolation).
    public let quantiles: [Double]
    /// Largest error of a reported quantile, as a fraction of rank: 0 (quantiles are exact,
    /// computed from all sorted values).
    public let quantileRankError: Double
    /// Equal-width bins from min to max; the last bin includes max.
    public let histogramEdges: [Double]
    public let histogramCounts: [Int]
}

/// Distinct count and most frequent categories.
public struct CategoricalProfile: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public let value: String
        public let count: Int
    }
    public let distinctCount: Int
    /// The most frequent categories, by count descending then value ascending.
    public let top: [Entry]
}

/// Computes profiles.
public enum Profiler {
    public static let quantileLevels: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]

    /// Profiles every column of `table`.
    public static func profile(_ table: Table, topK: Int = 10, histogramBins: Int = 20) -> TableProfile {
        TableProfile(rowCount: table.rowCount, columns: table.columns.map { profile($0, topK: topK, histogramBins: histogramBins) })
    }

    /// Profiles one column.
    public static func profile(_ column: Column, topK: Int = 10, histogramBins: Int = 20) -> ColumnProfile {
        var numeric: NumericProfile?
        var categorical: CategoricalProfile?
        if let values = column.numericValues, !values.isEmpty {
            numeric = numericProfile(RadixSort.sortedValues(values), bins: histogramBins)
        } else if column.type == .category {
            let counts = column.valueCounts
            let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(topK)
            categorical = CategoricalProfile(distinctCount: counts.count, top: top.map { .init(value: $0.key, count: $0.value) })
        }
        return ColumnProfile(name: column.name, type: column.type, count: column.count, nullCount: column.nullCount,
                             numeric: numeric, categorical: categorical)
    }

    static func numericProfile(_ sorted: [Double], bins: Int) -> NumericProfile {
        let n = Double(sorted.count)
        let mean = sorted.reduce(0, +) / n
        let squares = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let low = sorted[0], high = sorted[sorted.count - 1]
        // Halves keep the span finite for finite extremes (1e308 − (−1e308) overflows); an
        // infinite extreme makes every finite value's position 0 or NaN, both the first bin.
        let halfSpan = high / 2 - low / 2
        let halfWidth = halfSpan / Double(bins)
        let edges = (0...bins).map { (i: Int) -> Double in
            if i == 0 { return low }
            if i == bins { return high }
            return 2 * (low / 2 + Double(i) * halfWidth)
        }
        var counts = [Int](repeating: 0, count: bins)
        for x in sorted {
            let position = halfSpan > 0 ? (x / 2 - low / 2) / halfWidth : 0
            counts[Int(clamping: position, to: 0...(bins - 1))] += 1
        }
        return NumericProfile(min: low, max: high, mean: mean,
                              standardDeviation: sorted.count > 1 ? (squares / (n - 1)).squareRoot() : 0,
                              quantiles: quantileLevels.map { Quantiles.linear(sorted, $0) }, quantileRankError: 0,
                              histogramEdges: edges, histogramCounts: counts)
    }
}
