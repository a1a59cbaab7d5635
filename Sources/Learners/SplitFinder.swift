import Kernels

/// A set of bins (0…255) as a 256-bit mask: the bins a categorical split sends left.
struct BinSet: Sendable, Equatable {
    private(set) var words = SIMD4<UInt64>()
    mutating func insert(_ bin: Int) { words[bin >> 6] |= 1 << UInt64(bin & 63) }
    func contains(_ bin: Int) -> Bool { (words[bin >> 6] >> UInt64(bin & 63)) & 1 == 1 }
}

/// Constraints and regularization shared by every split search.
struct SplitRules: Sendable {
    var minDataInLeaf: Int
    var minSumHessianInLeaf: Double
    var lambdaL2: Double
    var minGain: Double
    /// Added to the hessian when ordering categories by gradient/hessian (LightGBM's cat_smooth).
    var categoricalSmoothing: Double

    /// G² / (H + λ): the loss reduction of one leaf with gradient sum G and hessian sum H.
    func score(_ stats: Histogram.Bin) -> Double { stats[0] * stats[0] / (stats[1] + lambdaL2) }

    func admits(_ stats: Histogram.Bin) -> Bool {
        stats[2] >= Double(minDataInLeaf) && stats[1] >= minSumHessianInLeaf
    }
}

/// The best split found for a leaf.
struct SplitCandidate: Sendable {
    var gain: Double
    var feature: Int
    /// Numeric splits: bins 1…thresholdBin go left.
    var thresholdBin: Int
    /// Categorical splits: the bins that go left (nil for numeric splits).
    var leftBins: BinSet?
    /// Where bin 0 (missing, or an unbinned category) goes.
    var defaultLeft: Bool
    var leftStats: Histogram.Bin
    var rightStats: Histogram.Bin
}

/// Exhaustive split search over a leaf's histogram, in fixed feature and bin order so ties
/// resolve the same way every time (first best wins).
enum SplitFinder {
    static func best(histogram: UnsafePointer<Histogram.Bin>, total: Histogram.Bin, features: UnsafeBufferPointer<Int32>,
                     binners: [FeatureBinner], rules: SplitRules) -> SplitCandidate? {
        var best: SplitCandidate?
        let threshold = max(rules.minGain, 0)
        let parentScore = rules.score(total)
        func consider(_ candidate: SplitCandidate) {
            if candidate.gain > threshold, candidate.gain > (best?.gain ?? -.infinity) { best = candidate }
        }
        for index in features {
            let feature = Int(index)
            let bins = histogram + feature * Histogram.binsPerFeature
            let binCount = binners[feature].binCount
            if binners[feature].isCategorical {
                categorical(bins, binCount: binCount, feature: feature, total: total, parentScore: parentScore,
                            rules: rules).map(consider)
            } else {
                numeric(bins, binCount: binCount, feature: feature, total: total, parentScore: parentScore,
                        rules: rules).map(consider)
            }
        }
        return best
    }

    /// Thresholds between value bins, with missing values tried on each side (or, when the leaf
    /// has none, sent to the side with more rows). Counts are whole numbers, exact in a Double, so
    /// the right side's count only falls as the threshold rises: once it is below
    /// `minDataInLeaf`, no later threshold is admitted.
    private static func numeric(_ bins: UnsafePointer<Histogram.Bin>, binCount: Int, feature: Int, total: Histogram.Bin,
                                parentScore: Double, rules: SplitRules) -> SplitCandidate? {
        let missing = bins[0]
        let minData = Double(rules.minDataInLeaf)
        var bestGain = -Double.infinity, bestThreshold = 0, bestLeft = Histogram.Bin(), bestDirection: Bool?
        let hasMissing = missing[2] > 0
        for pass in 0..<(hasMissing ? 2 : 1) {
            let direction: Bool? = hasMissing ? pass == 1 : nil
            var left = direction == true ? missing : Histogram.Bin()
            for threshold in 1..<max(1, binCount - 1) {
                left += bins[threshold]
                let right = total - left
                if right[2] < minData { break }
                guard rules.admits(left), rules.admits(right) else { continue }
                let gain = rules.score(left) + rules.score(right) - parentScore
                if gain > bestGain {
                    (bestGain, bestThreshold, bestLeft, bestDirection) = (gain, threshold, left, direction)
                }
            }
        }
        guard bestThreshold > 0 else { return nil }
        let right = total - bestLeft
        return SplitCandidate(gain: bestGain, feature: feature, thresholdBin: bestThreshold, leftBins: nil,
                              defaultLeft: bestDirection ?? (bestLeft[2] >= right[2]), leftStats: bestLeft, rightStats: right)
    }

    /// Categories (bin 0 included) ordered by G / (H + smoothing); the best prefix goes left.
    private static func categorical(_ bins: UnsafePointer<Histogram.Bin>, binCount: Int, feature: Int, total: Histogram.Bin,
                                    parentScore: Double, rules: SplitRules) -> SplitCandidate? {
        let present = (0..<binCount).filter { bins[$0][2] > 0 }
        guard present.count > 1 else { return nil }
        let ordered = present.sorted {
            let a = bins[$0][0] / (bins[$0][1] + rules.categoricalSmoothing)
            let b = bins[$1][0] / (bins[$1][1] + rules.categoricalSmoothing)
            return a != b ? a < b : $0 < $1
        }
        var best: SplitCandidate?
        var left = Histogram.Bin(), leftSet = BinSet()
        for count in 1..<ordered.count {
            left += bins[ordered[count - 1]]
            leftSet.insert(ordered[count - 1])
            let right = total - left
            guard rules.admits(left), rules.admits(right) else { continue }
            let gain = rules.score(left) + rules.score(right) - parentScore
            if gain > (best?.gain ?? -.infinity) {
                best = SplitCandidate(gain: gain, feature: feature, thresholdBin: 0, leftBins: leftSet,
                                      defaultLeft: leftSet.contains(0), leftStats: left, rightStats: right)
            }
        }
        return best
    }
}
