/// Adjusted p-values for reporting many exploratory comparisons (statsmodels `multipletests`).
public enum MultipleTesting {
    /// Holm's step-down family-wise adjustment: sorted ascending, p̃₍ᵢ₎ = min(1, maxⱼ≤ᵢ (m − j + 1)·p₍ⱼ₎).
    /// Returned in the input order; reject where p̃ ≤ α.
    public static func holm(_ pValues: [Double]) -> [Double] {
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 0, count: pValues.count)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, Double(pValues.count - rank) * pValues[index])
            adjusted[index] = min(1, running)
        }
        return adjusted
    }

    /// Benjamini–Hochberg false-discovery-rate adjustment: p̃₍ᵢ₎ = min(1, minⱼ≥ᵢ m·p₍ⱼ₎ / j).
    /// Returned in the input order; reject where p̃ ≤ q.
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 0, count: m)
        var running = Double.infinity
        for rank in stride(from: m - 1, through: 0, by: -1) {
            let index = order[rank]
            running = min(running, pValues[index] / (Double(rank + 1) / Double(m)))
            adjusted[index] = min(1, running)
        }
        return adjusted
    }
}
