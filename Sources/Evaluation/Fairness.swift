/// Group fairness of the decision "score ≥ threshold" across values of a sensitive attribute,
/// with fairlearn's definitions (weighted rates; differences are max − min over groups).
public struct FairnessReport: Codable, Sendable, Hashable {
    /// Per group: weighted selection rate P(ŷ=1), true positive rate and false positive rate
    /// (NaN when the group has no positives / negatives; NaN rates are left out of differences).
    public struct Group: Codable, Sendable, Hashable {
        public let value: String
        public let rows: Int
        public let selectionRate: Double
        public let truePositiveRate: Double
        public let falsePositiveRate: Double
    }
    public let threshold: Double
    public let groups: [Group]
    /// max − min selection rate.
    public let demographicParityDifference: Double
    /// max − min true positive rate.
    public let equalOpportunityDifference: Double
    /// max(TPR difference, FPR difference).
    public let equalizedOddsDifference: Double

    /// Rates per group of `groups` (one value per row) at `threshold`.
    public init(_ data: BinaryPredictions, groups values: [String], threshold: Double) throws(EvaluationError) {
        guard values.count == data.count else {
            throw .lengthMismatch(what: "group column", expected: data.count, actual: values.count)
        }
        var rowsByValue = [String: [Int]]()
        var firstSeen = [String]()
        for (row, value) in values.enumerated() {
            if rowsByValue[value] == nil { firstSeen.append(value) }
            rowsByValue[value, default: []].append(row)
        }
        groups = firstSeen.map { value in
            var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0
            for row in rowsByValue[value]! {
                let w = data.weight(row)
                switch (data.scores[row] >= threshold, data.labels[row]) {
                case (true, true): tp += w
                case (true, false): fp += w
                case (false, false): tn += w
                case (false, true): fn += w
                }
            }
            return Group(value: value, rows: rowsByValue[value]!.count, selectionRate: (tp + fp) / (tp + fp + tn + fn),
                         truePositiveRate: tp + fn > 0 ? tp / (tp + fn) : .nan,
                         falsePositiveRate: fp + tn > 0 ? fp / (fp + tn) : .nan)
        }
        self.threshold = threshold
        demographicParityDifference = Self.spread(groups.map(\.selectionRate))
        equalOpportunityDifference = Self.spread(groups.map(\.truePositiveRate))
        equalizedOddsDifference = max(equalOpportunityDifference, Self.spread(groups.map(\.falsePositiveRate)))
    }

    /// max − min of the non-NaN values (0 when fewer than one).
    private static func spread(_ values: [Double]) -> Double {
        let defined = values.filter { !$0.isNaN }
        guard let low = defined.min(), let high = defined.max() else { return 0 }
        return high - low
    }
}
