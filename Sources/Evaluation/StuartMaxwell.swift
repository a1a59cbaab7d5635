import Kernels

/// The Stuart–Maxwell test of marginal homogeneity for two models' decided classes on the same
/// rows (statsmodels `SquareTable(table).homogeneity()`): n_ij counts rows the baseline decides
/// i and the candidate j; d = column margins − row margins and V (V_ii = n_i· + n_·i − 2n_ii,
/// V_ij = −(n_ij + n_ji)) over the first K' − 1 classes; χ² = dᵀV⁻¹d with K' − 1 degrees of
/// freedom. Classes neither model decides are left out first (K' classes remain), so a class
/// nobody predicts does not make V singular; a singular V (e.g. identical decisions) gives NaN.
/// Unweighted: it counts rows.
public struct StuartMaxwellTest: Codable, Sendable, Hashable {
    /// `[baseline class][candidate class]` counts over the declared classes.
    public let table: [[Int]]
    public let statistic: Double
    public let degreesOfFreedom: Int
    /// P(χ²_df ≥ statistic); NaN with the statistic.
    public let pValue: Double

    public init(baseline: [Int], candidate: [Int], classCount: Int) throws(EvaluationError) {
        guard candidate.count == baseline.count else {
            throw .lengthMismatch(what: "candidate decisions", expected: baseline.count, actual: candidate.count)
        }
        guard !baseline.isEmpty else { throw .empty(what: "paired decisions") }
        var table = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (row, (a, b)) in zip(baseline, candidate).enumerated() {
            guard (0..<classCount).contains(a), (0..<classCount).contains(b) else {
                throw .outOfDomain(what: "decided class", row: row, value: Double(max(a, b)), expected: "one of the \(classCount) classes")
            }
            table[a][b] += 1
        }
        self.table = table
        let used = (0..<classCount).filter { k in table[k].reduce(0, +) + table.reduce(0) { $0 + $1[k] } > 0 }
        let kept = Array(used.dropLast())
        degreesOfFreedom = kept.count
        guard !kept.isEmpty else {
            statistic = 0
            pValue = 1
            return
        }
        let n = Double(baseline.count)
        let p = kept.map { i in kept.map { j in Double(table[i][j]) / n } }
        let rows = kept.map { i in Double(table[i].reduce(0, +)) / n }
        let columns = kept.map { j in Double(table.reduce(0) { $0 + $1[j] }) / n }
        let d = zip(columns, rows).map { $0 - $1 }
        var v = [[Double]](repeating: [Double](repeating: 0, count: kept.count), count: kept.count)
        for i in kept.indices {
            for j in kept.indices { v[i][j] = i == j ? rows[i] + columns[i] - 2 * p[i][i] : -(p[i][j] + p[j][i]) }
        }
        if let solved = Self.solve(v, d) {
            statistic = n * zip(d, solved).reduce(0) { $0 + $1.0 * $1.1 }
            pValue = RegularizedGamma.upper(a: Double(degreesOfFreedom) / 2, x: statistic / 2)
        } else {
            statistic = .nan
            pValue = .nan
        }
    }

    /// x with a·x = b by Gaussian elimination with partial pivoting; nil when a is singular
    /// (a pivot below 1e-12 of the largest entry).
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        var m = a, x = b
        let count = b.count
        let scale = a.joined().map(abs).max() ?? 0
        guard scale > 0 else { return nil }
        for column in 0..<count {
            let pivot = (column..<count).max { abs(m[$0][column]) < abs(m[$1][column]) }!
            guard abs(m[pivot][column]) > 1e-12 * scale else { return nil }
            m.swapAt(column, pivot)
            x.swapAt(column, pivot)
            for row in (column + 1)..<count {
                let factor = m[row][column] / m[column][column]
                if factor == 0 { continue }
                for k in column..<count { m[row][k] -= factor * m[column][k] }
                x[row] -= factor * x[column]
            }
        }
        for row in stride(from: count - 1, through: 0, by: -1) {
            var sum = x[row]
            for k in (row + 1)..<count { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x
    }
}
