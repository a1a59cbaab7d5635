import Kernels
import Foundation

/// Drift statistics between a reference and a current sample; definitions are pinned in
/// docs/STATISTICS.md.
public enum DriftStatistics {
    /// The floor applied to bin proportions in PSI.
    public static let proportionFloor = 1e-4

    /// PSI bin edges: the reference deciles (numpy linear quantiles at 0.1 … 0.9) with
    /// duplicates merged. Value v falls in bin i = number of edges ≤ v, so there are
    /// edges + 1 bins.
    public static func binEdges(reference sortedReference: [Double]) -> [Double] {
        var edges: [Double] = []
        for k in 1...9 {
            let edge = Quantiles.linear(sortedReference, Double(k) / 10)
            if edges.last != edge { edges.append(edge) }
        }
        return edges
    }

    /// Proportion of `values` in each bin of `edges`.
    public static func binProportions(_ values: [Double], edges: [Double]) -> [Double] {
        var counts = [Double](repeating: 0, count: edges.count + 1)
        for v in values {
            var low = 0, high = edges.count
            while low < high {
                let mid = (low + high) / 2
                if edges[mid] <= v { low = mid + 1 } else { high = mid }
            }
            counts[low] += 1
        }
        return counts.map { $0 / Double(values.count) }
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

    /// Drift of a numeric column: PSI and JS on the reference-decile bins, and the KS test.
    public static func numeric(reference: [Double], current: [Double]) -> NumericDrift? {
        let r = RadixSort.sortedValues(reference.filter { !$0.isNaN }), c = RadixSort.sortedValues(current.filter { !$0.isNaN })
        guard !r.isEmpty, !c.isEmpty else { return nil }
        let edges = binEdges(reference: r)
        let p = binProportions(r, edges: edges), q = binProportions(c, edges: edges)
        return NumericDrift(psi: psi(reference: p, current: q), jensenShannon: jensenShannon(p, q),
                            ks: KolmogorovSmirnov.testSorted(r, c), binEdges: edges)
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
    public let ks: KolmogorovSmirnov
    /// The merged reference deciles used as bin edges.
    public let binEdges: [Double]
}

/// Drift of a categorical column.
public struct CategoricalDrift: Sendable, Equatable, Codable {
    public let chiSquare: ChiSquare
    public let lInfinity: Double
    /// Categories present now and absent from the reference, sorted.
    public let newCategories: [String]
}
