import Foundation
import Kernels

/// Multiclass metrics with scikit-learn 1.9.1 definitions (labels=None: macro averages run over
/// the classes that occur among the true or predicted classes).
public enum MulticlassMetrics {
    /// Weighted confusion counts: `[true][predicted]`, prediction = argmax.
    public static func confusion(_ data: MulticlassPredictions) -> [[Double]] {
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: data.classCount), count: data.classCount)
        for row in 0..<data.count { matrix[data.labels[row]][data.predicted(row)] += data.weight(row) }
        return matrix
    }

    /// Classes that occur as a true or a predicted class (scikit-learn's `unique_labels`).
    static func presentClasses(_ data: MulticlassPredictions) -> [Int] {
        var present = [Bool](repeating: false, count: data.classCount)
        for row in 0..<data.count {
            present[data.labels[row]] = true
            present[data.predicted(row)] = true
        }
        return present.indices.filter { present[$0] }
    }

    /// −Σw·log(clip(p_y, ε, 1 − ε)) / Σw, ε = 2.22e-16.
    public static func logLoss(_ data: MulticlassPredictions) -> MetricValue {
        let eps = Double.ulpOfOne
        return MetricValue(data.weightedMean { row in -log(min(max(data.probability(row, data.labels[row]), eps), 1 - eps)) })
    }

    /// Weighted share of rows whose argmax is the true class.
    public static func accuracy(_ data: MulticlassPredictions) -> MetricValue {
        MetricValue(data.weightedMean { data.predicted($0) == data.labels[$0] ? 1 : 0 })
    }

    /// Mean recall over the classes with true weight (others are left out with a warning).
    public static func balancedAccuracy(_ data: MulticlassPredictions) -> MetricValue {
        let matrix = confusion(data)
        var recalls = [Double]()
        var warnings = [MetricWarning]()
        for k in presentClasses(data) {
            let support = matrix[k].reduce(0, +)
            if support == 0 { warnings = [.zeroDivision]; continue }
            recalls.append(matrix[k][k] / support)
        }
        return MetricValue(recalls.reduce(0, +) / Double(recalls.count), warnings: warnings)
    }

    /// Precision, recall and F1 of one class with their supports (true weight).
    public struct ClassScores: Codable, Sendable, Hashable {
        public let classIndex: Int
        public let precision: MetricValue
        public let recall: MetricValue
        public let f1: MetricValue
        public let support: Double
    }

    /// Per-class scores for every class that occurs (zero division: 0 with a warning).
    public static func perClass(_ data: MulticlassPredictions) -> [ClassScores] {
        let matrix = confusion(data)
        return presentClasses(data).map { k in
            let tp = matrix[k][k]
            let predicted = (0..<data.classCount).reduce(0) { $0 + matrix[$1][k] }
            let support = matrix[k].reduce(0, +)
            let f1 = ZeroDivision.warn.divide(2 * tp, 2 * tp + (predicted - tp) + (support - tp))
            return ClassScores(classIndex: k, precision: ZeroDivision.warn.divide(tp, predicted),
                               recall: ZeroDivision.warn.divide(tp, support), f1: f1, support: support)
        }
    }

    public enum Average: String, Codable, Sendable, CaseIterable {
        case macro, micro, weighted
    }

    /// F1 averaged over classes: macro (plain mean), weighted (by support), micro (from the
    /// summed counts: the accuracy when every class counts).
    public static func f1(_ data: MulticlassPredictions, average: Average) -> MetricValue {
        let scores = perClass(data)
        switch average {
        case .macro:
            return MetricValue(scores.reduce(0) { $0 + $1.f1.value } / Double(scores.count))
        case .weighted:
            let total = scores.reduce(0) { $0 + $1.support }
            guard total > 0 else { return MetricValue(0, warnings: [.zeroDivision]) }
            return MetricValue(scores.reduce(0) { $0 + $1.f1.value * $1.support } / total)
        case .micro:
            let matrix = confusion(data)
            let tp = scores.reduce(0) { $0 + matrix[$1.classIndex][$1.classIndex] }
            let total = matrix.joined().reduce(0, +)
            return ZeroDivision.warn.divide(2 * tp, 2 * total)
        }
    }

    /// Weighted share of rows whose true class is among the k most probable (ties: the higher
    /// class index ranks first, as scikit-learn's reversed stable sort).
    public static func topKAccuracy(_ data: MulticlassPredictions, k: Int) throws(EvaluationError) -> MetricValue {
        guard k >= 1 else { throw .invalidParameter(name: "k", value: Double(k), expected: "at least 1") }
        return MetricValue(data.weightedMean { row in
            let truth = data.probability(row, data.labels[row])
            var above = 0
            for c in 0..<data.classCount where c != data.labels[row] {
                let p = data.probability(row, c)
                if p > truth || (p == truth && c > data.labels[row]) { above += 1 }
            }
            return above < k ? 1 : 0
        })
    }

    /// One-vs-rest ROC AUC per class (weighted binary AUC of "class k" against the rest on the
    /// class's probability); macro averages them (NaN when a class is absent), weighted by each
    /// class's true weight. Classes are ranked in parallel on `threads`; each class's AUC and
    /// their sum in class order do not depend on it. The rows were validated by
    /// `MulticlassPredictions` (probabilities in [0, 1], weights valid), so each class's column is
    /// ranked directly: no binary predictions are built and checked again.
    public static func rocAUCOneVsRest(_ data: MulticlassPredictions, average: Average,
                                       threads: ParallelFor.Threads = .all) throws(EvaluationError) -> MetricValue {
        guard average != .micro else { throw .invalidParameter(name: "average", value: .nan, expected: "macro or weighted") }
        var classWeights = [Double](repeating: 0, count: data.classCount)
        if average == .weighted {
            for row in 0..<data.count { classWeights[data.labels[row]] += data.weight(row) }
        }
        let weights = classWeights
        let perClass = ParallelFor.mapTasks(count: data.classCount, threads: threads) { k -> (weight: Double, auc: Double) in
            let weight = average == .macro ? 1 : weights[k]
            // weighted: an absent class counts nothing (macro: its AUC is NaN)
            guard weight > 0 else { return (0, 0) }
            return (weight, oneVsRestAUC(data, classIndex: k))
        }
        var sum = 0.0, total = 0.0
        for (weight, auc) in perClass where weight != 0 {
            sum += weight * auc
            total += weight
        }
        return MetricValue(sum / total)
    }

    /// The binary ROC AUC of class `k` against the rest on p_k, as `RankedPredictions.rocAUC`
    /// computes it: one strided gather of the column, a radix sort, the labels and weights in
    /// sorted order. The labels are gathered from one byte per row (a random read per row: 8×
    /// fewer cache lines than the class indices themselves).
    static func oneVsRestAUC(_ data: MulticlassPredictions, classIndex k: Int) -> Double {
        let column = (0..<data.count).map { data.probability($0, k) }
        let sorted = RadixSort.sort(column, descending: true, threads: .one)
        let positive = data.labels.map { $0 == k }
        let labelValues = sorted.order.map { indicator(positive[Int($0)]) }
        let sortedWeights = data.weights.map { w in sorted.order.map { w[Int($0)] } }
        return RankedPredictions.rocAUC(sortedLabelValues: labelValues, sortedWeights: sortedWeights, order: sorted.order,
                                        tieGroups: RankedPredictions.tieGroups(sorted.keys), multiplicity: nil).value
    }

    /// Hand & Till's one-vs-one AUC (unweighted): the mean over class pairs (a, b) of
    /// (AUC of a vs b on p_a + AUC of b vs a on p_b) / 2, each on the rows of class a or b.
    /// A bootstrap `multiplicity` counts each row that many times (the AUC of the resample).
    public static func rocAUCOneVsOne(_ data: MulticlassPredictions, multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        guard data.weights == nil else { throw .invalidParameter(name: "weights", value: .nan, expected: "none (scikit-learn's one-vs-one AUC is unweighted)") }
        var sum = 0.0, pairs = 0
        for a in 0..<data.classCount {
            for b in (a + 1)..<data.classCount {
                let rows = (0..<data.count).filter { (data.labels[$0] == a || data.labels[$0] == b) && (multiplicity?[$0] ?? 1) > 0 }
                func auc(_ positive: Int) throws(EvaluationError) -> Double {
                    let binary = try BinaryPredictions(scores: rows.map { data.probability($0, positive) },
                                                       labels: rows.map { data.labels[$0] == positive },
                                                       weights: multiplicity.map { m in rows.map { m[$0] } })
                    return RankedPredictions(binary, threads: .one).rocAUC().value
                }
                sum += (try auc(a) + (try auc(b))) / 2
                pairs += 1
            }
        }
        return MetricValue(sum / Double(pairs))
    }

    /// Multiclass Brier score Σw·Σ_k (1[y = k] − p_k)² / Σw (halved for two classes, as
    /// scikit-learn's `scale_by_half="auto"`).
    public static func brierScore(_ data: MulticlassPredictions) -> MetricValue {
        let value = data.weightedMean { row in
            (0..<data.classCount).reduce(0.0) { sum, k in
                let e = (data.labels[row] == k ? 1 : 0) - data.probability(row, k)
                return sum + e * e
            }
        }
        return MetricValue(data.classCount < 3 ? value / 2 : value)
    }

    /// Top-label ECE: confidence = the largest probability, correct = argmax is the true class;
    /// 15 uniform bins of confidence (edges i/15, a bin holds lower < c ≤ upper, the first also
    /// c = 0), Σ_bins (bin weight / total)·|mean correct − mean confidence|. No scikit-learn
    /// function; the golden is numpy.
    public static func topLabelCalibrationError(_ data: MulticlassPredictions) -> MetricValue {
        let bins = Calibration.eceBins, edges = Calibration.uniformEdges(bins)
        var weight = [Double](repeating: 0, count: bins), confidence = weight, correct = weight
        var total = 0.0
        for row in 0..<data.count {
            let predicted = data.mostProbable(row), p = data.probability(row, predicted), w = data.weight(row)
            let bin = Calibration.uniformBin(p, edges: edges)
            weight[bin] += w
            confidence[bin] += w * p
            correct[bin] += predicted == data.labels[row] ? w : 0
            total += w
        }
        var ece = 0.0
        for bin in 0..<bins where weight[bin] > 0 {
            ece += weight[bin] / total * abs(correct[bin] / weight[bin] - confidence[bin] / weight[bin])
        }
        return MetricValue(ece)
    }

    /// Classwise ECE (Kull et al. 2019): for each class k, 15 uniform bins of p_k (as the
    /// top-label ECE), Σ_bins (bin weight / total)·|weighted share of class k − mean p_k|; the
    /// mean over the K classes. No scikit-learn function; the golden is numpy.
    public static func classwiseCalibrationError(_ data: MulticlassPredictions) -> MetricValue {
        let bins = Calibration.eceBins, edges = Calibration.uniformEdges(bins)
        var sum = 0.0
        for k in 0..<data.classCount {
            var weight = [Double](repeating: 0, count: bins), confidence = weight, observed = weight
            var total = 0.0
            for row in 0..<data.count {
                let p = data.probability(row, k), w = data.weight(row)
                let bin = Calibration.uniformBin(p, edges: edges)
                weight[bin] += w
                confidence[bin] += w * p
                observed[bin] += data.labels[row] == k ? w : 0
                total += w
            }
            for bin in 0..<bins where weight[bin] > 0 {
                sum += weight[bin] / total * abs(observed[bin] / weight[bin] - confidence[bin] / weight[bin])
            }
        }
        return MetricValue(sum / Double(data.classCount))
    }

    /// Expected cost per unit weight of the rows' decisions: Σw·C[true][decided] / Σw.
    public static func expectedCost(_ data: MulticlassPredictions, costs: MulticlassCosts) throws(EvaluationError) -> MetricValue {
        guard costs.classCount == data.classCount else {
            throw .lengthMismatch(what: "cost matrix rows", expected: data.classCount, actual: costs.classCount)
        }
        return MetricValue(data.weightedMean { costs.costs[data.labels[$0]][data.predicted($0)] })
    }

    /// Recall of class `k` (its true weight decided as k); 0 with a warning when the class has no rows.
    public static func recall(_ data: MulticlassPredictions, classIndex k: Int) -> MetricValue {
        var hit = 0.0, support = 0.0
        for row in 0..<data.count where data.labels[row] == k {
            support += data.weight(row)
            if data.predicted(row) == k { hit += data.weight(row) }
        }
        return ZeroDivision.warn.divide(hit, support)
    }

    /// Precision of class `k` (of the weight decided as k, the share truly k); 0 with a warning
    /// when no row is decided as k.
    public static func precision(_ data: MulticlassPredictions, classIndex k: Int) -> MetricValue {
        var hit = 0.0, decided = 0.0
        for row in 0..<data.count where data.predicted(row) == k {
            decided += data.weight(row)
            if data.labels[row] == k { hit += data.weight(row) }
        }
        return ZeroDivision.warn.divide(hit, decided)
    }
}
