/// Validated rows of a multiclass problem: the true class of each row (an index into the
/// declared classes), one probability per class per row, optional non-negative weights, and
/// the decided class of each row (the argmax unless a cost matrix decides, see `deciding`).
public struct MulticlassPredictions: Sendable {
    public let classCount: Int
    /// True class index per row, in 0..<classCount.
    public let labels: [Int]
    /// Row-major probabilities: `probabilities[row * classCount + k]` is P(class k | row).
    public let probabilities: [Double]
    public let weights: [Double]?
    /// The decided class per row (accuracy, F1, confusion, recall, expected cost read it).
    public let decisions: [Int]
    /// How `decisions` were made.
    public let decision: MulticlassDecision

    /// Rejects fewer than two classes, mismatched lengths, labels outside the classes,
    /// probabilities outside [0, 1] or not finite, and invalid weights. Decides by argmax.
    public init(classCount: Int, labels: [Int], probabilities: [Double], weights: [Double]? = nil) throws(EvaluationError) {
        guard classCount >= 2 else { throw .invalidParameter(name: "classes", value: Double(classCount), expected: "at least 2") }
        guard !labels.isEmpty else { throw .empty(what: "labels") }
        guard probabilities.count == labels.count * classCount else {
            throw .lengthMismatch(what: "probabilities", expected: labels.count * classCount, actual: probabilities.count)
        }
        for (row, label) in labels.enumerated() where !(0..<classCount).contains(label) {
            throw .outOfDomain(what: "class index", row: row, value: Double(label), expected: "one of the \(classCount) declared classes")
        }
        for (index, p) in probabilities.enumerated() where !(p >= 0 && p <= 1) {
            throw .probabilityOutOfRange(row: index / classCount, value: p)
        }
        if let weights { try BinaryPredictions.validate(weights: weights, rows: labels.count) }
        self.init(checked: classCount, labels: labels, probabilities: probabilities, weights: weights, decision: .argmax)
    }

    /// Already validated parts (subsets and reweighted copies of validated rows).
    private init(checked classCount: Int, labels: [Int], probabilities: [Double], weights: [Double]?,
                 decision: MulticlassDecision, decisions: [Int]? = nil) {
        self.classCount = classCount
        self.labels = labels
        self.probabilities = probabilities
        self.weights = weights
        self.decision = decision
        self.decisions = decisions ?? (0..<labels.count).map { row in
            decision.decide(probabilities[(row * classCount)..<((row + 1) * classCount)])
        }
    }

    /// The same rows decided by `decision` (a cost matrix must be K × K).
    public func deciding(_ decision: MulticlassDecision) throws(EvaluationError) -> MulticlassPredictions {
        if case .bayes(let costs) = decision, costs.classCount != classCount {
            throw .lengthMismatch(what: "cost matrix rows", expected: classCount, actual: costs.classCount)
        }
        return MulticlassPredictions(checked: classCount, labels: labels, probabilities: probabilities, weights: weights, decision: decision)
    }

    public var count: Int { labels.count }

    @inline(__always) func weight(_ row: Int) -> Double { weights?[row] ?? 1 }
    @inline(__always) func probability(_ row: Int, _ k: Int) -> Double { probabilities[row * classCount + k] }

    /// The decided class of `row`.
    @inline(__always) func predicted(_ row: Int) -> Int { decisions[row] }

    /// The most probable class of `row`, the first on ties (numpy's argmax): the top label of
    /// calibration, whatever decides.
    func mostProbable(_ row: Int) -> Int {
        var best = 0
        for k in 1..<classCount where probability(row, k) > probability(row, best) { best = k }
        return best
    }

    /// Σw·f(row) / Σw.
    func weightedMean(_ f: (Int) -> Double) -> Double {
        var sum = 0.0, total = 0.0
        for row in 0..<count {
            let w = weight(row)
            if w == 0 { continue }
            sum += w * f(row)
            total += w
        }
        return sum / total
    }

    /// These rows with each weight scaled by `multiplicity[row]` (a bootstrap resample).
    func reweighted(_ multiplicity: [Double]?) -> MulticlassPredictions {
        guard let multiplicity else { return self }
        let scaled = (0..<count).map { weight($0) * multiplicity[$0] }
        return MulticlassPredictions(checked: classCount, labels: labels, probabilities: probabilities, weights: scaled,
                                     decision: decision, decisions: decisions)
    }
}

extension MulticlassPredictions: ResampledRows {
    /// Rows are drawn without strata (as regression): keeping K class counts fixed would leave
    /// rare classes' uncertainty out.
    public var strata: [Bool]? { nil }

    public func requireSameRows(as other: MulticlassPredictions) throws(EvaluationError) {
        guard other.count == count else { throw .lengthMismatch(what: "paired predictions", expected: count, actual: other.count) }
        guard other.classCount == classCount else { throw .lengthMismatch(what: "paired classes", expected: classCount, actual: other.classCount) }
        for row in 0..<count {
            if other.labels[row] != labels[row] { throw .rowsDiffer(what: "labels", row: row) }
            if other.weight(row) != weight(row) { throw .rowsDiffer(what: "weights", row: row) }
        }
    }

    public func subset(_ rows: [Int]) throws(EvaluationError) -> MulticlassPredictions {
        guard !rows.isEmpty else { throw .empty(what: "rows") }
        var probabilities = [Double]()
        probabilities.reserveCapacity(rows.count * classCount)
        for row in rows { probabilities += self.probabilities[(row * classCount)..<((row + 1) * classCount)] }
        return MulticlassPredictions(checked: classCount, labels: rows.map { labels[$0] }, probabilities: probabilities,
                                     weights: weights.map { w in rows.map { w[$0] } }, decision: decision,
                                     decisions: rows.map { decisions[$0] })
    }

    public func positives(in rows: [Int]) -> Int? { nil }

    public func totalWeight(_ rows: [Int]) -> Double { rows.reduce(0.0) { $0 + weight($1) } }
}
