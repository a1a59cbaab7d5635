/// The cost of deciding each class for each true class of a K-class problem:
/// `costs[true][decided]` (any units, e.g. currency per row). Rows and columns follow the
/// declared class order.
public struct MulticlassCosts: Codable, Sendable, Hashable {
    public let costs: [[Double]]

    /// Rejects a matrix that is not K × K with K ≥ 2 or holds a value that is not finite.
    public init(_ costs: [[Double]]) throws(EvaluationError) {
        guard costs.count >= 2 else { throw .invalidParameter(name: "cost matrix rows", value: Double(costs.count), expected: "at least 2") }
        for (row, values) in costs.enumerated() {
            guard values.count == costs.count else { throw .lengthMismatch(what: "cost matrix row \(row + 1)", expected: costs.count, actual: values.count) }
            for value in values where !value.isFinite { throw .nonFinite(what: "cost", row: row, value: value) }
        }
        self.costs = costs
    }

    public var classCount: Int { costs.count }

    /// Σ_k p_k·costs[k][decided]: the expected cost of deciding `decided` under `probabilities`.
    func expectedCost<P: Collection<Double>>(of decided: Int, probabilities: P) -> Double {
        var sum = 0.0
        for (k, p) in probabilities.enumerated() { sum += p * costs[k][decided] }
        return sum
    }
}

/// How a multiclass model's probabilities become one decided class per row.
public enum MulticlassDecision: Codable, Sendable, Hashable {
    /// The most probable class, the first in declared order on ties.
    case argmax
    /// The Bayes-optimal decision under the cost matrix: the class of least expected cost
    /// Σ_k p_k·C[k][j], the first in declared order on ties.
    case bayes(MulticlassCosts)

    func decide<P: Collection<Double>>(_ probabilities: P) -> Int {
        switch self {
        case .argmax:
            var best = 0, bestValue = -Double.infinity
            for (k, p) in probabilities.enumerated() where p > bestValue {
                best = k
                bestValue = p
            }
            return best
        case .bayes(let costs):
            var best = 0, bestCost = Double.infinity
            for j in 0..<costs.classCount {
                let cost = costs.expectedCost(of: j, probabilities: probabilities)
                if cost < bestCost {
                    best = j
                    bestCost = cost
                }
            }
            return best
        }
    }
}
