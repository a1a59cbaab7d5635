import Foundation
import Kernels

/// Pearson's chi-square test of homogeneity for category counts of two samples (a 2 × K
/// contingency table, no continuity correction), as `scipy.stats.chi2_contingency(…,
/// correction=False)` for K > 2 and K = 2 alike.
public struct ChiSquare: Sendable, Equatable, Codable {
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double

    /// Tests `reference` against `current` counts over the same categories; categories with
    /// zero count in both must be left out by the caller.
    public static func test(reference: [Double], current: [Double]) -> ChiSquare {
        precondition(reference.count == current.count)
        let k = reference.count
        guard k > 1 else { return ChiSquare(statistic: 0, degreesOfFreedom: 0, pValue: 1) }
        let rowTotals = [reference.reduce(0, +), current.reduce(0, +)]
        let total = rowTotals[0] + rowTotals[1]
        var statistic = 0.0
        for (r, row) in [reference, current].enumerated() {
            for c in 0..<k {
                let expected = rowTotals[r] * (reference[c] + current[c]) / total
                let difference = row[c] - expected
                statistic += difference * difference / expected
            }
        }
        let dof = k - 1
        return ChiSquare(statistic: statistic, degreesOfFreedom: dof,
                         pValue: RegularizedGamma.upper(a: Double(dof) / 2, x: statistic / 2))
    }
}
