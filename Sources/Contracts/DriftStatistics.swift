import Kernels
import Foundation

/// Drift statistics between a reference and a current sample; definitions are pinned in
/// docs/STATISTICS.md.
public enum DriftStatistics {
    /// The floor applied to bin proportions in PSI.
    public static let proportionFloor = 1e-4

    /// Columns with at most this many distinct values (reference ∪ current) get one bin per value.
    public static let discreteLimit = 20
    /// A value holding at least this share of the reference is a point mass with a bin of its own.
    public static let pointMassShare = 0.1

    /// PSI bin edges for two sorted samples (NaN excluded). Value v falls in bin i = number of
    /// edges ≤ v, so there are edges + 1 bins.
    /// - Discrete (at most `discreteLimit` distinct values in reference ∪ current): every
    ///   distinct value but the smallest is an edge, so each value is a bin of its own.
    /// - Otherwise: the reference deciles (numpy linear quantiles at 0.1 … 0.9), plus v and the
    ///   next larger double after v for every reference value v holding at least
    ///   `pointMassShare` of the reference (its own bin), sorted with duplicates merged.
    public static func binEdges(reference sortedReference: [Double],
                                current sortedCurrent: [Double]) -> (edges: [Double], discrete: Bool) {
        if let values = distinctValues(sortedReference, sortedCurrent, limit: discreteLimit) {
            return (Array(values.dropFirst()), true)
        }
        var edges = (1...9).map { Quantiles.linear(sortedReference, Double($0) / 10) }
        let massCount = pointMassShare * Double(sortedReference.count)
        var i = 0
        while i < sortedReference.count {
            var j = i
            while j < sortedReference.count && sortedReference[j] == sortedReference[i] { j += 1 }
            if Double(j - i) >= massCount { edges += [sortedReference[i], sortedReference[i].nextUp] }
            i = j
        }
        edges.sort()
        var merged: [Double] = []
        for edge in edges where merged.last != edge { merged.append(edge) }
        return (merged, false)
    }

    /// The distinct values of two sorted samples, ascending; nil when there are more than `limit`.
    static func distinctValues(_ a: [Double], _ b: [Double], limit: Int) -> [Double]? {
        var values: [Double] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let next = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            if values.last != next {
                if values.count == limit { return nil }
                values.append(next)
            }
            if i < a.count && a[i] == next { i += 1 } else { j += 1 }
        }
        return values
    }

    /// How many of `values` fall in each bin of `edges`.
    public static func binCounts(_ values: [Double], edges: [Double]) -> [Double] {
        var counts = [Double](repeating: 0, count: edges.count + 1)
        for v in values {
            var low = 0, high = edges.count
            while low < high {
                let mid = (low + high) / 2
                if edges[mid] <= v { low = mid + 1 } else { high = mid }
            }
            counts[low] += 1
        }
        return counts
    }

    /// Population stability index Σ (c − r)·ln(c / r) over proportions floored at 1e-4.
    public static func psi(reference: [Double], current: [Double]) -> Double {
        var total = 0.0
        for (r, c) in zip(reference, current) {
            let rf = max(r, proportionFloor), cf = max(c, proportionFloor)
            total += (cf - rf) * log(cf / rf)
        }
        return total
    }

    /// Jensen–Shannon divergence in bits (base 2, in [0, 1]) between two distributions over
    /// the same bins (unfloored; 0·log 0 = 0).
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        func relativeEntropy(_ a: Double, _ b: Double) -> Double { a > 0 ? a * log(a / b) : 0 }
        var left = 0.0, right = 0.0
        for (a, b) in zip(p, q) {
            let m = (a + b) / 2
            left += relativeEntropy(a, m)
            right += relativeEntropy(b, m)
        }
        return (left + right) / 2 / log(2.0)
    }

    /// L∞ distance max |p − q| between two distributions over the same categories.
    public static func lInfinity(_ p: [Double], _ q: [Double]) -> Double {
        zip(p, q).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// Drift of a numeric column: PSI, JS and chi-square on the bins of `binEdges`, and the KS test.
    public static func numeric(reference: [Double], current: [Double]) -> NumericDrift? {
        let r = RadixSort.sortedValues(reference.filter { !$0.isNaN }), c = RadixSort.sortedValues(current.filter { !$0.isNaN })
        guard !r.isEmpty, !c.isEmpty else { return nil }
        let (edges, discrete) = binEdges(reference: r, current: c)
        let rc = binCounts(r, edges: edges), cc = binCounts(c, edges: edges)
        let p = rc.map { $0 / Double(r.count) }, q = cc.map { $0 / Double(c.count) }
        let occupied = rc.indices.filter { rc[$0] + cc[$0] > 0 }
        return NumericDrift(psi: psi(reference: p, current: q), jensenShannon: jensenShannon(p, q),
                            chiSquare: ChiSquare.test(reference: occupied.map { rc[$0] }, current: occupied.map { cc[$0] }),
                            ks: KolmogorovSmirnov.testSorted(r, c), binEdges: edges, discrete: discrete)
    }

    /// A null-share change past its limit fails only when the two-proportion test's p-value is
    /// below this (so a handful of rows does not flap); otherwise it warns.
    public static let nullShareAlpha = 0.01

    /// Change of a column's null share: the shares, and the two-proportion test (Pearson's
    /// chi-square on the 2 × 2 table of null and non-null counts, equal to the pooled z-test:
    /// χ² = z²); nil when either sample has no rows.
    public static func nullShare(referenceNulls: Int, referenceRows: Int, currentNulls: Int, currentRows: Int) -> NullShareDrift? {
        guard referenceRows > 0, currentRows > 0 else { return nil }
        let r = [Double(referenceNulls), Double(referenceRows - referenceNulls)]
        let c = [Double(currentNulls), Double(currentRows - currentNulls)]
        let occupied = [0, 1].filter { r[$0] + c[$0] > 0 }
        return NullShareDrift(reference: r[0] / Double(referenceRows), current: c[0] / Double(currentRows),
                              test: ChiSquare.test(reference: occupied.map { r[$0] }, current: occupied.map { c[$0] }))
    }

    /// Drift of a categorical column from value counts: chi-square, L∞ and new categories.
    public static func categorical(reference: [String: Int], current: [String: Int]) -> CategoricalDrift? {
        let referenceTotal = reference.values.reduce(0, +), currentTotal = current.values.reduce(0, +)
        guard referenceTotal > 0, currentTotal > 0 else { return nil }
        let categories = Set(reference.keys).union(current.keys)
            .filter { (reference[$0] ?? 0) + (current[$0] ?? 0) > 0 }.sorted()
        let r = categories.map { Double(reference[$0] ?? 0) }, c = categories.map { Double(current[$0] ?? 0) }
        let p = r.map { $0 / Double(referenceTotal) }, q = c.map { $0 / Double(currentTotal) }
        return CategoricalDrift(chiSquare: ChiSquare.test(reference: r, current: c), lInfinity: lInfinity(p, q),
                                newCategories: categories.filter { (reference[$0] ?? 0) == 0 })
    }
}

/// Drift of a numeric column.
public struct NumericDrift: Sendable, Equatable, Codable {
    public let psi: Double
    public let jensenShannon: Double
    /// Chi-square of homogeneity on the bin counts (bins empty in both samples left out).
    public let chiSquare: ChiSquare
    public let ks: KolmogorovSmirnov
    /// The bin edges (`DriftStatistics.binEdges`).
    public let binEdges: [Double]
    /// True when the bins are the distinct values (a discrete or low-cardinality column).
    public let discrete: Bool
}

/// Change of a column's null share (nulls / rows) from the reference to the current sample.
public struct NullShareDrift: Sendable, Equatable, Codable {
    public let reference: Double
    public let current: Double
    /// The two-proportion test of equal shares (1 degree of freedom; p = 1 when no row is null).
    public let test: ChiSquare
    /// |current − reference|.
    public var change: Double { abs(current - reference) }
}

/// Drift of a categorical column.
public struct CategoricalDrift: Sendable, Equatable, Codable {
    public let chiSquare: ChiSquare
    public let lInfinity: Double
    /// Categories present now and absent from the reference, sorted.
    public let newCategories: [String]
}
