/// How a decision threshold is chosen on validation rows. A row is predicted positive when
/// its score ≥ the threshold; `.infinity` predicts nothing positive.
public enum OperatingPointRule: Codable, Sendable, Hashable {
    /// Use this threshold as given.
    case fixed(threshold: Double)
    /// The threshold of minimum expected cost; ties go to the higher threshold.
    case minimumCost(CostMatrix)
    /// The threshold of maximum recall among those with precision ≥ `minimumPrecision`;
    /// ties go to higher precision, then the higher threshold.
    case maximumRecall(minimumPrecision: Double)
    /// Flag at most ⌊fraction · rows⌋ rows: the lowest threshold whose flagged count stays
    /// within budget (a tie group is never split).
    case topFraction(Double)
    /// Flag at most `rows` rows, as `topFraction` with a fixed budget.
    case capacity(rows: Int)

    /// Encoded as one object named by `rule`: `{"rule": "fixed", "threshold": t}`,
    /// `{"rule": "minimum_cost", "costs": {…}}`, `{"rule": "maximum_recall", "minimum_precision": p}`,
    /// `{"rule": "top_fraction", "fraction": f}`, `{"rule": "capacity", "rows": n}`.
    private enum Keys: String, CodingKey {
        case rule, threshold, costs, fraction, rows
        case minimumPrecision = "minimum_precision"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .fixed(let threshold):
            try container.encode("fixed", forKey: .rule)
            try container.encode(threshold, forKey: .threshold)
        case .minimumCost(let costs):
            try container.encode("minimum_cost", forKey: .rule)
            try container.encode(costs, forKey: .costs)
        case .maximumRecall(let minimumPrecision):
            try container.encode("maximum_recall", forKey: .rule)
            try container.encode(minimumPrecision, forKey: .minimumPrecision)
        case .topFraction(let fraction):
            try container.encode("top_fraction", forKey: .rule)
            try container.encode(fraction, forKey: .fraction)
        case .capacity(let rows):
            try container.encode("capacity", forKey: .rule)
            try container.encode(rows, forKey: .rows)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        switch try container.decode(String.self, forKey: .rule) {
        case "fixed": self = .fixed(threshold: try container.decode(Double.self, forKey: .threshold))
        case "minimum_cost": self = .minimumCost(try container.decode(CostMatrix.self, forKey: .costs))
        case "maximum_recall": self = .maximumRecall(minimumPrecision: try container.decode(Double.self, forKey: .minimumPrecision))
        case "top_fraction": self = .topFraction(try container.decode(Double.self, forKey: .fraction))
        case "capacity": self = .capacity(rows: try container.decode(Int.self, forKey: .rows))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .rule, in: container,
                                                   debugDescription: "'\(other)' is not fixed, minimum_cost, maximum_recall, top_fraction or capacity")
        }
    }
}

/// A threshold together with the rule that chose it and what it did on the validation rows.
/// Choosing happens only through `choose(_:validation:)`; applying only through `evaluate(on:)`,
/// so a threshold is never tuned on the rows it is evaluated on.
public struct OperatingPoint: Codable, Sendable, Hashable {
    public let rule: OperatingPointRule
    public let threshold: Double
    /// Counts at `threshold` on the validation rows.
    public let validation: ConfusionMatrix

    /// Chooses the threshold for `rule` on `validation` rows.
    public static func choose(_ rule: OperatingPointRule, validation: RankedPredictions) throws(EvaluationError) -> OperatingPoint {
        let threshold = try chooseThreshold(rule, validation)
        return OperatingPoint(rule: rule, threshold: threshold,
                              validation: ConfusionMatrix(validation.predictions, threshold: threshold))
    }

    /// The threshold applied to held-out evaluation rows.
    public func evaluate(on evaluation: BinaryPredictions, costs: CostMatrix? = nil) -> ThresholdMetrics {
        ThresholdMetrics(ConfusionMatrix(evaluation, threshold: threshold), costs: costs)
    }

    private static func chooseThreshold(_ rule: OperatingPointRule, _ ranked: RankedPredictions) throws(EvaluationError) -> Double {
        let curve = ranked.curve()
        switch rule {
        case .fixed(let threshold):
            guard !threshold.isNaN else { throw .invalidParameter(name: "threshold", value: threshold, expected: "a number") }
            return threshold
        case .minimumCost(let costs):
            // Start from "nothing positive", then each lower threshold in turn.
            var best = (cost: costs.expectedCost(matrix(curve, nil)).value, threshold: Double.infinity)
            for k in curve.thresholds.indices {
                let cost = costs.expectedCost(matrix(curve, k)).value
                if cost < best.cost { best = (cost, curve.thresholds[k]) }
            }
            return best.threshold
        case .maximumRecall(let minimumPrecision):
            guard minimumPrecision >= 0 && minimumPrecision <= 1 else {
                throw .invalidParameter(name: "minimumPrecision", value: minimumPrecision, expected: "in [0, 1]")
            }
            var best: (recall: Double, precision: Double, threshold: Double)?
            for k in curve.thresholds.indices {
                let m = matrix(curve, k)
                let precision = m.precision(zeroDivision: .zero).value
                let recall = m.recall(zeroDivision: .zero).value
                guard precision >= minimumPrecision else { continue }
                if best == nil || recall > best!.recall || (recall == best!.recall && precision > best!.precision) {
                    best = (recall, precision, curve.thresholds[k])
                }
            }
            guard let best else { throw .noFeasibleThreshold(rule: "maximum recall with precision ≥ \(minimumPrecision)") }
            return best.threshold
        case .topFraction(let fraction):
            guard fraction >= 0 && fraction <= 1 else {
                throw .invalidParameter(name: "topFraction", value: fraction, expected: "in [0, 1]")
            }
            return capacityThreshold(ranked, budget: Int((fraction * Double(ranked.predictions.count)).rounded(.down)))
        case .capacity(let rows):
            guard rows >= 0 else { throw .invalidParameter(name: "capacity", value: Double(rows), expected: "≥ 0") }
            return capacityThreshold(ranked, budget: rows)
        }
    }

    /// Confusion counts at curve point `k` (nil: nothing predicted positive).
    private static func matrix(_ curve: BinaryCurve, _ k: Int?) -> ConfusionMatrix {
        let tp = k.map { curve.truePositives[$0] } ?? 0
        let fp = k.map { curve.falsePositives[$0] } ?? 0
        return ConfusionMatrix(truePositives: tp, falsePositives: fp,
                               trueNegatives: curve.negatives - fp, falseNegatives: curve.positives - tp)
    }

    /// The lowest score whose tie group still ends within the first `budget` sorted rows.
    private static func capacityThreshold(_ ranked: RankedPredictions, budget: Int) -> Double {
        let scores = ranked.sortedScores
        var threshold = Double.infinity
        var end = 0
        while end < scores.count {
            var groupEnd = end + 1
            while groupEnd < scores.count && scores[groupEnd] == scores[end] { groupEnd += 1 }
            if groupEnd > budget { break }
            threshold = scores[end]
            end = groupEnd
        }
        return threshold
    }
}

/// Every threshold metric for one confusion matrix.
public struct ThresholdMetrics: Codable, Sendable, Hashable {
    public let confusion: ConfusionMatrix
    public let accuracy: MetricValue
    public let precision: MetricValue
    public let recall: MetricValue
    public let f1: MetricValue
    public let falsePositiveRate: MetricValue
    public let specificity: MetricValue
    public let matthewsCorrelation: MetricValue
    /// Present when a cost matrix was given.
    public let expectedCost: MetricValue?

    public init(_ confusion: ConfusionMatrix, costs: CostMatrix? = nil, zeroDivision: ZeroDivision = .warn) {
        self.confusion = confusion
        accuracy = confusion.accuracy
        precision = confusion.precision(zeroDivision: zeroDivision)
        recall = confusion.recall(zeroDivision: zeroDivision)
        f1 = confusion.f1(zeroDivision: zeroDivision)
        falsePositiveRate = confusion.falsePositiveRate(zeroDivision: zeroDivision)
        specificity = confusion.specificity(zeroDivision: zeroDivision)
        matthewsCorrelation = confusion.matthewsCorrelation
        expectedCost = costs.map { $0.expectedCost(confusion) }
    }
}
