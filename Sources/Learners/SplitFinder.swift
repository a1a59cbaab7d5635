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
    var categorical: CategoricalSplitting

    /// G² / (H + λ): the loss reduction of one leaf with gradient sum G and hessian sum H.
    func score(_ stats: Histogram.Bin) -> Double { score(stats, l2: lambdaL2) }

    func score(_ stats: Histogram.Bin, l2: Double) -> Double { stats[0] * stats[0] / (stats[1] + l2) }

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
    /// The L2 in the children's values: `lambda_l2`, plus `categorical_l2` after a split of
    /// ordered categories (as LightGBM's cat_l2 regularizes both the gain and the outputs).
    var childL2: Double
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
                              defaultLeft: bestDirection ?? (bestLeft[2] >= right[2]), childL2: rules.lambdaL2,
                              leftStats: bestLeft, rightStats: right)
    }

    /// A categorical split, as LightGBM makes it. A feature of at most `oneHotMaxCategories`
    /// categories sends one bin left and the rest right. Otherwise the bins (bin 0 included)
    /// holding at least `smoothing` of the leaf's rows are ordered by G / (H + smoothing), and
    /// prefixes of that order, scanned from either end and at most `maxThreshold` bins (and
    /// half the ordered ones) long, go left. The scan scores a prefix only once it has added
    /// `minDataPerGroup` rows since the last scored one, and stops when the other side holds
    /// fewer; these prefixes are scored, and their children valued, with `lambda_l2 + l2`.
    /// Bins left out of the order go right.
    private static func categorical(_ bins: UnsafePointer<Histogram.Bin>, binCount: Int, feature: Int, total: Histogram.Bin,
                                    parentScore: Double, rules: SplitRules) -> SplitCandidate? {
        let settings = rules.categorical
        var best: SplitCandidate?
        func consider(_ left: Histogram.Bin, _ leftSet: BinSet, l2: Double) {
            let right = total - left
            let gain = rules.score(left, l2: l2) + rules.score(right, l2: l2) - parentScore
            if gain > (best?.gain ?? -.infinity) {
                best = SplitCandidate(gain: gain, feature: feature, thresholdBin: 0, leftBins: leftSet,
                                      defaultLeft: leftSet.contains(0), childL2: l2, leftStats: left, rightStats: right)
            }
        }
        if binCount - 1 <= settings.oneHotMaxCategories {
            for bin in 0..<binCount where rules.admits(bins[bin]) && rules.admits(total - bins[bin]) {
                var leftSet = BinSet()
                leftSet.insert(bin)
                consider(bins[bin], leftSet, l2: rules.lambdaL2)
            }
            return best
        }
        let ordered = (0..<binCount).filter { bins[$0][2] > 0 && bins[$0][2] >= settings.smoothing }.sorted {
            let a = bins[$0][0] / (bins[$0][1] + settings.smoothing)
            let b = bins[$1][0] / (bins[$1][1] + settings.smoothing)
            return a != b ? a < b : $0 < $1
        }
        guard ordered.count > 1 else { return nil }
        let longest = min(settings.maxThreshold, (ordered.count + 1) / 2)
        let l2 = rules.lambdaL2 + settings.l2, minGroup = Double(settings.minDataPerGroup)
        for fromEnd in [false, true] {
            var left = Histogram.Bin(), leftSet = BinSet(), group = 0.0
            for step in 0..<longest {
                let bin = ordered[fromEnd ? ordered.count - 1 - step : step]
                left += bins[bin]
                leftSet.insert(bin)
                group += bins[bin][2]
                guard rules.admits(left) else { continue }
                let right = total - left
                if !rules.admits(right) || right[2] < minGroup { break }
                guard group >= minGroup else { continue }
                group = 0
                consider(left, leftSet, l2: l2)
            }
        }
        return best
    }
}
