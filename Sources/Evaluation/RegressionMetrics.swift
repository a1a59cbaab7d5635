import Foundation
import Kernels

/// Validated regression rows: targets, predictions and optional non-negative weights.
public struct RegressionPredictions: Sendable {
    public let targets: [Double]
    public let predictions: [Double]
    public let weights: [Double]?

    public init(targets: [Double], predictions: [Double], weights: [Double]? = nil) throws(EvaluationError) {
        guard !targets.isEmpty else { throw .empty(what: "targets") }
        guard predictions.count == targets.count else {
            throw .lengthMismatch(what: "predictions", expected: targets.count, actual: predictions.count)
        }
        for (row, value) in targets.enumerated() where !value.isFinite { throw .nonFinite(what: "target", row: row, value: value) }
        for (row, value) in predictions.enumerated() where !value.isFinite { throw .nonFinite(what: "prediction", row: row, value: value) }
        if let weights { try BinaryPredictions.validate(weights: weights, rows: targets.count) }
        self.targets = targets
        self.predictions = predictions
        self.weights = weights
    }

    public var count: Int { targets.count }

    /// Residual y − ŷ of `row`.
    @inline(__always) func residual(_ row: Int) -> Double { targets[row] - predictions[row] }

    /// The weight of `row` scaled by its multiplicity.
    @inline(__always) func weight(_ row: Int, _ multiplicity: [Double]?) -> Double {
        (weights?[row] ?? 1) * (multiplicity?[row] ?? 1)
    }

    /// Σ wᵢ·f(i) / Σ wᵢ over rows of positive weight (NaN when no weight remains).
    func weightedMean(_ multiplicity: [Double]?, _ f: (Int) -> Double) -> Double {
        var sum = 0.0, total = 0.0
        for row in 0..<count {
            let weight = weight(row, multiplicity)
            if weight == 0 { continue }
            sum += weight * f(row)
            total += weight
        }
        return sum / total
    }
}

extension RegressionPredictions: ResampledRows {
    public var strata: [Bool]? { nil }

    public func requireSameRows(as other: RegressionPredictions) throws(EvaluationError) {
        guard other.count == count else { throw .lengthMismatch(what: "paired predictions", expected: count, actual: other.count) }
        for row in 0..<count {
            if other.targets[row] != targets[row] { throw .rowsDiffer(what: "targets", row: row) }
            if other.weight(row, nil) != weight(row, nil) { throw .rowsDiffer(what: "weights", row: row) }
        }
    }

    public func subset(_ rows: [Int]) throws(EvaluationError) -> RegressionPredictions {
        try RegressionPredictions(targets: rows.map { targets[$0] }, predictions: rows.map { predictions[$0] },
                                  weights: weights.map { w in rows.map { w[$0] } })
    }

    public func positives(in rows: [Int]) -> Int? { nil }

    public func totalWeight(_ rows: [Int]) -> Double { rows.reduce(0.0) { $0 + weight($1, nil) } }
}

/// Regression metrics with scikit-learn 1.9.1 definitions (weighted means throughout); every
/// function takes an optional row `multiplicity` (a bootstrap resample) that scales the weights.
public enum RegressionMetrics {
    /// Mean absolute error Σw|y − ŷ| / Σw.
    public static func meanAbsoluteError(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        RegressionMoments(data, multiplicity: multiplicity).meanAbsoluteError
    }

    /// Root mean squared error √(Σw(y − ŷ)² / Σw).
    public static func rootMeanSquaredError(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        RegressionMoments(data, multiplicity: multiplicity).rootMeanSquaredError
    }

    /// R² = 1 − Σw(y − ŷ)² / Σw(y − ȳ_w)² (rules in `RegressionMoments.r2`).
    public static func r2(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        RegressionMoments(data, multiplicity: multiplicity).r2
    }

    /// Explained variance 1 − Var_w(y − ŷ) / Var_w(y) (rules in `RegressionMoments.explainedVariance`).
    public static func explainedVariance(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        RegressionMoments(data, multiplicity: multiplicity).explainedVariance
    }

    /// Mean absolute percentage error Σw·|y − ŷ| / max(|y|, ε) / Σw with ε = 2.22e-16
    /// (a fraction, not a percentage, as scikit-learn).
    public static func meanAbsolutePercentageError(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        MetricValue(data.weightedMean(multiplicity) { abs(data.residual($0)) / max(abs(data.targets[$0]), Double.ulpOfOne) })
    }

    /// Symmetric MAPE Σw·2|y − ŷ| / max(|y| + |ŷ|, ε) / Σw (a fraction in [0, 2]; a row with
    /// y = ŷ = 0 counts 0). scikit-learn has no sMAPE; this is its MAPE's ε rule applied to the
    /// symmetric denominator.
    public static func symmetricMeanAbsolutePercentageError(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        MetricValue(data.weightedMean(multiplicity) {
            2 * abs(data.residual($0)) / max(abs(data.targets[$0]) + abs(data.predictions[$0]), Double.ulpOfOne)
        })
    }

    /// Median absolute error: the weighted median of |y − ŷ| by scikit-learn's
    /// `_weighted_percentile(average=True)` ("averaged inverted CDF": where the cumulative weight
    /// reaches exactly half, the mean of that value and the next; equals numpy's median unweighted).
    public static func medianAbsoluteError(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        var pairs = [(error: Double, weight: Double)]()
        pairs.reserveCapacity(data.count)
        for row in 0..<data.count {
            let weight = data.weight(row, multiplicity)
            if weight > 0 { pairs.append((abs(data.residual(row)), weight)) }
        }
        guard !pairs.isEmpty else { return MetricValue(.nan) }
        pairs.sort { $0.error < $1.error }
        let half = 0.5 * pairs.reduce(0) { $0 + $1.weight }
        var cumulative = 0.0
        for (index, pair) in pairs.enumerated() {
            cumulative += pair.weight
            guard cumulative >= half else { continue }
            if cumulative - half > Double.ulpOfOne || index == pairs.count - 1 { return MetricValue(pair.error) }
            return MetricValue((pair.error + pairs[index + 1].error) / 2)
        }
        return MetricValue(pairs[pairs.count - 1].error)
    }

    /// Mean Tweedie deviance of power p (scikit-learn's `mean_tweedie_deviance`): p = 0 squared
    /// error, p = 1 Poisson, p = 2 Gamma; p in (0, 1) is undefined. Targets and predictions must
    /// lie in the power's domain (p < 0: ŷ > 0; 1 ≤ p < 2: y ≥ 0, ŷ > 0; p ≥ 2: y > 0, ŷ > 0).
    public static func tweedieDeviance(_ data: RegressionPredictions, power p: Double,
                                       multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        try requireTweedieDomain(data, power: p)
        return MetricValue(data.weightedMean(multiplicity) { row in
            let y = data.targets[row], mu = data.predictions[row]
            switch p {
            case 0: return (y - mu) * (y - mu)
            case 1: return 2 * ((y == 0 ? 0 : y * log(y / mu)) - y + mu)
            case 2: return 2 * (log(mu / y) + y / mu - 1)
            default:
                return 2 * (pow(max(y, 0), 2 - p) / ((1 - p) * (2 - p)) - y * pow(mu, 1 - p) / (1 - p) + pow(mu, 2 - p) / (2 - p))
            }
        })
    }

    static func requireTweedieDomain(_ data: RegressionPredictions, power p: Double) throws(EvaluationError) {
        guard p.isFinite, !(p > 0 && p < 1) else {
            throw .invalidParameter(name: "Tweedie power", value: p, expected: "≤ 0 or ≥ 1 (no distribution exists in (0, 1))")
        }
        if p == 0 { return }
        let targetRule: (Double) -> Bool = p < 1 ? { _ in true } : p < 2 ? { $0 >= 0 } : { $0 > 0 }
        for row in 0..<data.count {
            guard data.predictions[row] > 0 else {
                throw .outOfDomain(what: "prediction", row: row, value: data.predictions[row], expected: "> 0 for Tweedie power \(p)")
            }
            guard targetRule(data.targets[row]) else {
                throw .outOfDomain(what: "target", row: row, value: data.targets[row],
                                   expected: "\(p < 2 ? "≥ 0" : "> 0") for Tweedie power \(p)")
            }
        }
    }

    /// Mean pinball (quantile) loss at quantile α: Σw·(α·max(y − ŷ, 0) + (1 − α)·max(ŷ − y, 0)) / Σw.
    public static func pinballLoss(_ data: RegressionPredictions, quantile alpha: Double,
                                   multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        guard alpha >= 0 && alpha <= 1 else { throw .invalidParameter(name: "quantile", value: alpha, expected: "in [0, 1]") }
        return MetricValue(data.weightedMean(multiplicity) { row in
            let e = data.residual(row)
            return e >= 0 ? alpha * e : (alpha - 1) * e
        })
    }

    /// Mean residual Σw(y − ŷ) / Σw: calibration in the large (positive: the model under-predicts).
    public static func meanResidual(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        RegressionMoments(data, multiplicity: multiplicity).meanResidual
    }

    /// Calibration by decile of the prediction: rows in ascending prediction order (ties by row)
    /// are cut by position into tenths (rows ⌊d·n/10⌋ ..< ⌊(d+1)·n/10⌋, the review's deciles), and
    /// the value is the largest |Σw(y − ŷ)/Σw| over the deciles with weight (0 when calibrated in
    /// every tenth). A resample keeps each row in its decile and scales its weight.
    public static func maxDecileResidual(_ data: RegressionPredictions, multiplicity: [Double]? = nil) -> MetricValue {
        let order = RadixSort.sort(data.predictions, threads: .one).order
        let n = order.count
        var worst = -Double.infinity
        for decile in 0..<10 {
            var sum = 0.0, total = 0.0
            for position in (decile * n / 10)..<((decile + 1) * n / 10) {
                let row = Int(order[position]), weight = data.weight(row, multiplicity)
                if weight == 0 { continue }
                sum += weight * data.residual(row)
                total += weight
            }
            if total > 0 { worst = max(worst, abs(sum / total)) }
        }
        return MetricValue(worst == -.infinity ? .nan : worst)
    }

    /// Expected cost per row under an asymmetric loss: `costs.cost(residual:)` of each row's
    /// residual y − ŷ (per-unit rates, or tiered rates: a piecewise linear loss). With one rate
    /// per side it equals (under + over) × the pinball loss at α = under / (under + over).
    public static func expectedCost(_ data: RegressionPredictions, costs: RegressionCosts, multiplicity: [Double]? = nil) -> MetricValue {
        MetricValue(data.weightedMean(multiplicity) { costs.cost(residual: data.residual($0)) })
    }
}

/// The business cost of a regression error, per side: under-prediction (ŷ < y, e.g. a lost
/// sale) and over-prediction (ŷ > y, e.g. unsold stock). Each side is a list of tiers of
/// marginal cost: the first `upTo` units of error cost `perUnit` each, the next units the next
/// tier's rate, and the last tier (no `upTo`) every unit beyond — a piecewise linear loss that
/// is 0 at no error. One tier per side is a plain cost per unit.
public struct RegressionCosts: Codable, Sendable, Hashable {
    /// One band of marginal cost: units of error up to `upTo` (cumulative from 0; nil for the
    /// last, unbounded tier) cost `perUnit` each.
    public struct Tier: Codable, Sendable, Hashable {
        public let upTo: Double?
        public let perUnit: Double

        public init(upTo: Double?, perUnit: Double) {
            self.upTo = upTo
            self.perUnit = perUnit
        }
    }

    public let under: [Tier]
    public let over: [Tier]

    /// A constant cost per unit of under- and over-prediction.
    public init(underPrediction: Double, overPrediction: Double) {
        under = [Tier(upTo: nil, perUnit: underPrediction)]
        over = [Tier(upTo: nil, perUnit: overPrediction)]
    }

    /// Tiered costs. Each side needs at least one tier; every tier but the last has an `upTo`
    /// greater than the previous one's (the first greater than 0), the last has none; rates are
    /// finite and ≥ 0.
    public init(under: [Tier], over: [Tier]) throws(EvaluationError) {
        for (side, tiers) in [("under", under), ("over", over)] {
            guard !tiers.isEmpty else { throw .empty(what: "\(side)-prediction cost tiers") }
            var previous = 0.0
            for (index, tier) in tiers.enumerated() {
                guard tier.perUnit.isFinite, tier.perUnit >= 0 else {
                    throw .invalidParameter(name: "\(side) cost per unit", value: tier.perUnit, expected: "finite and ≥ 0")
                }
                let last = index == tiers.count - 1
                switch (tier.upTo, last) {
                case (nil, true): break
                case (let limit?, false) where limit.isFinite && limit > previous: previous = limit
                case (let limit?, false):
                    throw .invalidParameter(name: "\(side) tier \(index + 1) up_to", value: limit,
                                            expected: "finite and greater than \(previous)")
                case (let limit?, true):
                    throw .invalidParameter(name: "\(side) last tier up_to", value: limit, expected: "none: the last tier has no limit")
                case (nil, false):
                    throw .invalidParameter(name: "\(side) tier \(index + 1) up_to", value: .nan, expected: "a limit (only the last tier has none)")
                }
            }
        }
        self.under = under
        self.over = over
    }

    /// The cost of a row whose residual y − ŷ is `residual` (> 0: under-prediction).
    public func cost(residual: Double) -> Double {
        residual >= 0 ? Self.cost(of: residual, tiers: under) : Self.cost(of: -residual, tiers: over)
    }

    /// Σ over tiers of rate × the part of `error` units within the tier.
    private static func cost(of error: Double, tiers: [Tier]) -> Double {
        var total = 0.0, start = 0.0
        for tier in tiers {
            guard let limit = tier.upTo, limit < error else { return total + tier.perUnit * (error - start) }
            total += tier.perUnit * (limit - start)
            start = limit
        }
        return total
    }
}
