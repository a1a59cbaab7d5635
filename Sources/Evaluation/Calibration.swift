import Kernels
/// How predicted probabilities are cut into bins (scikit-learn `calibration_curve` strategies).
public enum CalibrationBinning: Codable, Sendable, Hashable {
    /// Edges eᵢ = i · (1/n) for i < n and eₙ = 1 (numpy `linspace(0, 1, n + 1)`).
    case uniform(bins: Int)
    /// Edges at the linear-interpolated percentiles of the predictions (numpy `percentile`).
    case quantile(bins: Int)

    var binCount: Int {
        switch self { case .uniform(let n), .quantile(let n): return n }
    }
}

/// Observed frequency against mean prediction per non-empty bin.
public struct ReliabilityCurve: Codable, Sendable, Hashable {
    /// One non-empty bin: rows with `lowerEdge < p ≤ upperEdge` (the first bin also holds p = lowerEdge).
    public struct Bin: Codable, Sendable, Hashable {
        public let lowerEdge: Double
        public let upperEdge: Double
        /// Total weight of the rows in the bin (their count when unweighted).
        public let weight: Double
        /// Weighted mean predicted probability (scikit-learn's `prob_pred`).
        public let meanPredicted: Double
        /// Weighted fraction of positives (scikit-learn's `prob_true`).
        public let fractionPositive: Double
    }
    public let binning: CalibrationBinning
    /// All n + 1 bin edges, including empty bins' edges.
    public let edges: [Double]
    public let bins: [Bin]

    /// Expected calibration error of this curve: Σ_b (W_b / W) · |meanPredicted_b − fractionPositive_b|.
    public var expectedCalibrationError: Double {
        let total = bins.reduce(0) { $0 + $1.weight }
        return bins.reduce(0) { $0 + $1.weight / total * abs($1.meanPredicted - $1.fractionPositive) }
    }
}

/// Calibration of predicted positive-class probabilities.
public enum Calibration {
    /// The reliability curve. Rows fall into bin b when eᵦ < p ≤ eᵦ₊₁ (numpy `searchsorted`
    /// on the interior edges, side "left"), so a probability on an interior edge belongs to the
    /// lower bin. Unweighted, it equals scikit-learn 1.9.1 `calibration_curve`; weights replace counts.
    public static func reliabilityCurve(_ data: BinaryPredictions, binning: CalibrationBinning,
                                        multiplicity: [Double]? = nil) throws(EvaluationError) -> ReliabilityCurve {
        try data.requireProbabilities()
        let n = binning.binCount
        guard n >= 1, n <= Int(UInt16.max) else { throw .invalidParameter(name: "bins", value: Double(n), expected: "from 1 to 65535") }
        let edges: [Double]
        switch binning {
        case .uniform: edges = uniformEdges(n)
        case .quantile: edges = quantileEdges(data.scores, bins: n)
        }
        let interior = edges.dropFirst().dropLast()
        let uniform = if case .uniform = binning { true } else { false }
        let partition = binning == .uniform(bins: Calibration.eceBins) ? data.eceBins : nil
        let bins = partition ?? {
            let binOfRow = data.scores.map { uniform ? uniformBin($0, edges: edges) : countBelow($0, in: interior) }
            return RowGroups(count: binOfRow.count, groupCount: n) { binOfRow[$0] }
        }()
        // The bootstrap calls this once per resample: row weights (sample weight × multiplicity)
        // in one array, each bin summed over its own rows (bit-identical to one pass over all rows).
        let rowWeights: [Double]? = switch (data.weights, multiplicity) {
        case (nil, nil): nil
        case (let w?, nil): w
        case (nil, let m?): m
        case (let w?, let m?): zip(w, m).map { $0 * $1 }
        }
        var weight = [Double](repeating: 0, count: n)
        var predicted = [Double](repeating: 0, count: n)
        var positive = [Double](repeating: 0, count: n)
        data.scores.withUnsafeBufferPointer { scores in
            data.labels.withUnsafeBufferPointer { labels in
                bins.rows.withUnsafeBufferPointer { rows in
                    withOptionalBuffer(rowWeights) { weights in
                        for bin in 0..<n {
                            var binWeight = 0.0, binPredicted = 0.0, binPositive = 0.0
                            for position in bins.starts[bin]..<bins.starts[bin + 1] {
                                let row = Int(rows[position]), w = weights?[row] ?? 1
                                binWeight += w
                                binPredicted += w * scores[row]
                                binPositive += w * indicator(labels[row])
                            }
                            (weight[bin], predicted[bin], positive[bin]) = (binWeight, binPredicted, binPositive)
                        }
                    }
                }
            }
        }
        let curve = (0..<n).filter { weight[$0] != 0 }.map { b in
            ReliabilityCurve.Bin(lowerEdge: edges[b], upperEdge: edges[b + 1], weight: weight[b],
                                 meanPredicted: predicted[b] / weight[b], fractionPositive: positive[b] / weight[b])
        }
        return ReliabilityCurve(binning: binning, edges: edges, bins: curve)
    }

    /// The number of uniform bins of the pinned ECE.
    static let eceBins = 15

    /// ECE pinned for comparability: positive class, 15 uniform bins (edges i/15), L1 distance,
    /// bins weighted by their share of the total weight.
    public static func expectedCalibrationError(_ data: BinaryPredictions, multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        MetricValue(try reliabilityCurve(data, binning: .uniform(bins: eceBins), multiplicity: multiplicity).expectedCalibrationError)
    }

    static func uniformEdges(_ n: Int) -> [Double] {
        let step = 1.0 / Double(n)
        return (0...n).map { $0 == n ? 1.0 : Double($0) * step }
    }

    /// numpy `percentile(p, linspace(0, 1, n + 1) * 100)` with the default linear method,
    /// reproducing its arithmetic (q·100/100, virtual index (m−1)·q, numpy's two-sided lerp).
    static func quantileEdges(_ values: [Double], bins n: Int) -> [Double] {
        let sorted = values.sorted()
        return uniformEdges(n).map { Quantile.linear(sorted: sorted, ($0 * 100) / 100) }
    }

    /// Number of `edges` (ascending) strictly below `value`.
    /// `countBelow(value, in: edges[1..<n])` for uniform edges in O(1): a guess from the value,
    /// corrected against the actual edges so that the result is the same to the last bit (the
    /// bootstrap evaluates ECE thousands of times; the binary search was most of its cost).
    static func uniformBin(_ value: Double, edges: [Double]) -> Int {
        let n = edges.count - 1
        var bin = Int(clamping: value * Double(n), to: 0...(n - 1))
        while bin > 0 && !(edges[bin] < value) { bin -= 1 }
        while bin < n - 1 && edges[bin + 1] < value { bin += 1 }
        return bin
    }

    static func countBelow(_ value: Double, in edges: ArraySlice<Double>) -> Int {
        var low = edges.startIndex, high = edges.endIndex
        while low < high {
            let mid = (low + high) / 2
            if edges[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low - edges.startIndex
    }
}
