/// Validated rows of a binary problem: a score per row (higher means more likely positive),
/// the true label, and optional non-negative sample weights (absent means all 1).
public struct BinaryPredictions: Sendable {
    public let scores: [Double]
    public let labels: [Bool]
    public let weights: [Double]?
    /// Every score is in [0, 1] (checked once here: probability metrics ask on every resample).
    let scoresAreProbabilities: Bool
    /// The rows of each of the pinned ECE's 15 uniform bins, when the scores are probabilities
    /// (computed once: the bootstrap evaluates ECE on every resample).
    let eceBins: RowGroups?

    /// Rejects empty input, mismatched lengths, non-finite scores or weights, negative weights
    /// and weights that sum to zero.
    public init(scores: [Double], labels: [Bool], weights: [Double]? = nil) throws(EvaluationError) {
        guard !scores.isEmpty else { throw .empty(what: "scores") }
        guard labels.count == scores.count else {
            throw .lengthMismatch(what: "labels", expected: scores.count, actual: labels.count)
        }
        for (row, score) in scores.enumerated() where !score.isFinite {
            throw .nonFinite(what: "score", row: row, value: score)
        }
        if let weights { try Self.validate(weights: weights, rows: scores.count) }
        self.scores = scores
        self.labels = labels
        self.weights = weights
        scoresAreProbabilities = scores.allSatisfy { $0 >= 0 && $0 <= 1 }
        if scoresAreProbabilities {
            let edges = Calibration.uniformEdges(Calibration.eceBins)
            eceBins = RowGroups(count: scores.count, groupCount: Calibration.eceBins) { Calibration.uniformBin(scores[$0], edges: edges) }
        } else {
            eceBins = nil
        }
    }

    /// Labels given as numbers must be exactly 0 or 1.
    public init(scores: [Double], labels: [Double], weights: [Double]? = nil) throws(EvaluationError) {
        var flags = [Bool]()
        flags.reserveCapacity(labels.count)
        for (row, label) in labels.enumerated() {
            guard label == 0 || label == 1 else { throw .labelNotBinary(row: row, value: label) }
            flags.append(label == 1)
        }
        try self.init(scores: scores, labels: flags, weights: weights)
    }

    /// Number of rows.
    public var count: Int { scores.count }

    /// The weight of `row` (1 when unweighted).
    @inline(__always) func weight(_ row: Int) -> Double { weights?[row] ?? 1 }

    /// The same rows restricted to `rows` (in that order).
    public func subset(_ rows: [Int]) throws(EvaluationError) -> BinaryPredictions {
        try BinaryPredictions(scores: rows.map { scores[$0] }, labels: rows.map { labels[$0] },
                              weights: weights.map { w in rows.map { w[$0] } })
    }

    /// Throws unless the scores are probabilities in [0, 1].
    func requireProbabilities() throws(EvaluationError) {
        if scoresAreProbabilities { return }
        for (row, score) in scores.enumerated() where score < 0 || score > 1 {
            throw .probabilityOutOfRange(row: row, value: score)
        }
    }

    static func validate(weights: [Double], rows: Int) throws(EvaluationError) {
        guard weights.count == rows else {
            throw .lengthMismatch(what: "weights", expected: rows, actual: weights.count)
        }
        var total = 0.0
        for (row, weight) in weights.enumerated() {
            guard weight.isFinite else { throw .nonFinite(what: "weight", row: row, value: weight) }
            guard weight >= 0 else { throw .negativeWeight(row: row, value: weight) }
            total += weight
        }
        guard total > 0 else { throw .empty(what: "rows with positive weight") }
    }
}
