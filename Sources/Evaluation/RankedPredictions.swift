import Kernels

/// Binary predictions sorted once by descending score (a stable radix sort), so ranking
/// metrics, operating points and bootstrap resamples never sort again.
public struct RankedPredictions: Sendable {
    public let predictions: BinaryPredictions
    /// Row index at each sorted position.
    let order: [UInt32]
    /// Scores, labels and weights (nil when unweighted) in sorted order.
    let sortedScores: [Double]
    let sortedLabels: [Bool]
    /// The sorted labels as 1 and 0, for sums that multiply by them.
    let sortedLabelValues: [Double]
    let sortedWeights: [Double]?
    /// The sorted positions of each run of two or more equal scores, in order (ROC AUC needs
    /// no tie check on the rows between them).
    let tieGroups: [Range<Int>]

    /// Sorts `predictions` by descending score.
    public init(_ predictions: BinaryPredictions, threads: ParallelFor.Threads = .all) {
        self.predictions = predictions
        let sorted = RadixSort.sort(predictions.scores, descending: true, threads: threads)
        order = sorted.order
        sortedScores = RadixSort.values(of: sorted, descending: true)
        sortedLabels = sorted.order.map { predictions.labels[Int($0)] }
        sortedLabelValues = sortedLabels.map { $0 ? 1 : 0 }
        sortedWeights = predictions.weights.map { w in sorted.order.map { w[Int($0)] } }
        tieGroups = Self.tieGroups(sorted.keys)
    }

    /// The rows `rows` of `whole` (strictly ascending; `predictions` is `whole.predictions.subset(rows)`)
    /// ranked without sorting: `whole`'s order keeps the rows of `rows`, each renumbered as its
    /// place in `rows`. A stable sort of the subset gives exactly that order (equal scores keep
    /// row order in both, and renumbering keeps row order), so the result is the same.
    init(_ predictions: BinaryPredictions, rows: [Int], of whole: RankedPredictions) {
        self.predictions = predictions
        // The rows as bits, with the count of rows before each 64-row word: a row's place in
        // `rows` is that count plus the rows below it in its word. 1/8 + 1/16 byte a row, so
        // the lookups in `whole`'s (random) row order stay in cache where a place per row
        // (4 bytes) did not at 10^7 rows.
        var bits = [UInt64](repeating: 0, count: (whole.predictions.count + 63) / 64)
        for row in rows { bits[row >> 6] |= 1 << UInt64(row & 63) }
        var before = [UInt32](repeating: 0, count: bits.count), running: UInt32 = 0
        for word in bits.indices {
            before[word] = running
            running += UInt32(bits[word].nonzeroBitCount)
        }
        var order = [UInt32](), sortedScores = [Double]()
        order.reserveCapacity(rows.count)
        sortedScores.reserveCapacity(rows.count)
        for (position, row) in whole.order.enumerated() {
            let word = bits[Int(row >> 6)], bit: UInt64 = 1 << UInt64(row & 63)
            guard word & bit != 0 else { continue }
            order.append(before[Int(row >> 6)] + UInt32((word & (bit &- 1)).nonzeroBitCount))
            sortedScores.append(whole.sortedScores[position])
        }
        self.order = order
        self.sortedScores = sortedScores
        sortedLabels = order.map { predictions.labels[Int($0)] }
        sortedLabelValues = sortedLabels.map { $0 ? 1 : 0 }
        sortedWeights = predictions.weights.map { w in order.map { w[Int($0)] } }
        tieGroups = Self.tieGroups(sortedScores)  // sorted values come from keys: equal ⇔ equal keys
    }

    /// The sorted positions of each run of two or more equal keys (equal keys ⇔ equal scores).
    static func tieGroups<Key: Equatable>(_ sortedKeys: [Key]) -> [Range<Int>] {
        var groups: [Range<Int>] = [], start = 0
        let n = sortedKeys.count
        guard n > 0 else { return [] }
        sortedKeys.withUnsafeBufferPointer { keys in
            for p in 1...n where p == n || keys[p] != keys[p - 1] {
                if p - start > 1 { groups.append(start..<p) }
                start = p
            }
        }
        return groups
    }

    /// The cumulative weighted true/false positives at every distinct score (scikit-learn's
    /// `_binary_clf_curve`): rows of zero weight are dropped before tie groups are formed.
    /// `multiplicity`, indexed by row, scales each row's weight (a bootstrap resample).
    public func curve(multiplicity: [Double]? = nil) -> BinaryCurve {
        var thresholds = [Double](), tps = [Double](), fps = [Double]()
        // At most one point per distinct score: reserved, the three arrays never grow by copying
        // (at 10^7 distinct scores each doubling was a fresh 80 MB array and a copy).
        let distinctScores = sortedScores.count - tieGroups.reduce(0) { $0 + $1.count - 1 }
        thresholds.reserveCapacity(distinctScores)
        tps.reserveCapacity(distinctScores)
        fps.reserveCapacity(distinctScores)
        var truePositives = 0.0, falsePositives = 0.0
        var groupHasWeight = false
        let n = sortedScores.count
        sortedScores.withUnsafeBufferPointer { scores in
            sortedLabels.withUnsafeBufferPointer { labels in
                withOptionalBuffer(sortedWeights) { weights in
                    order.withUnsafeBufferPointer { order in
                        for p in 0..<n {
                            if p > 0 && scores[p] != scores[p - 1] && groupHasWeight {
                                thresholds.append(scores[p - 1])
                                tps.append(truePositives)
                                fps.append(falsePositives)
                                groupHasWeight = false
                            }
                            let base = weights?[p] ?? 1
                            let weight = multiplicity.map { base * $0[Int(order[p])] } ?? base
                            if weight == 0 { continue }
                            groupHasWeight = true
                            if labels[p] { truePositives += weight } else { falsePositives += weight }
                        }
                    }
                }
            }
        }
        if groupHasWeight {
            thresholds.append(sortedScores[n - 1])
            tps.append(truePositives)
            fps.append(falsePositives)
        }
        return BinaryCurve(thresholds: thresholds, truePositives: tps, falsePositives: fps)
    }

    /// ROC AUC in one pass without materializing the curve (the bootstrap's hot path):
    /// Σ_groups fp_g·(2·TP_before + tp_g) / (2·P·N), the same trapezoid as `BinaryCurve.rocAUC`
    /// summed in count space (equal to it within rounding, about 1e-15). Rows between tie groups
    /// are groups of one, summed without a tie check; the arithmetic is the same either way.
    public func rocAUC(multiplicity: [Double]? = nil) -> MetricValue {
        Self.rocAUC(sortedLabelValues: sortedLabelValues, sortedWeights: sortedWeights, order: order, tieGroups: tieGroups,
                    multiplicity: multiplicity)
    }

    /// `rocAUC(multiplicity:)` from the parts of a ranking: the labels (1 or 0) and weights in
    /// sorted order, the row at each sorted position and the tie groups.
    static func rocAUC(sortedLabelValues: [Double], sortedWeights: [Double]?, order: [UInt32], tieGroups: [Range<Int>],
                       multiplicity: [Double]?) -> MetricValue {
        var truePositives = 0.0, falsePositives = 0.0, twiceArea = 0.0
        let n = sortedLabelValues.count
        sortedLabelValues.withUnsafeBufferPointer { labels in
            withOptionalBuffer(sortedWeights) { weights in
                withOptionalBuffer(multiplicity) { multiplicity in
                    order.withUnsafeBufferPointer { order in
                        /// The weight at sorted position `p` and its positive part (the weight or an exact 0).
                        @inline(__always) func weight(_ p: Int) -> (all: Double, positive: Double) {
                            let base = weights?[p] ?? 1
                            let weight = multiplicity.map { base * $0[Int(order[p])] } ?? base
                            return (weight, weight * labels[p])
                        }
                        /// Positions `start..<end`, each a group of one: a negative row adds
                        /// w·(2·TP + 0), a positive one 0 (the same terms as a group's, fewer operations;
                        /// the bootstrap's case — multiplicities, no weights — has a loop of its own).
                        @inline(__always) func distinctRows(_ start: Int, _ end: Int) {
                            if weights == nil, let multiplicity {
                                for p in start..<end {
                                    let all = multiplicity[Int(order[p])], positive = all * labels[p]
                                    twiceArea += (all - positive) * (truePositives + truePositives)
                                    truePositives += positive
                                    falsePositives += all - positive
                                }
                                return
                            }
                            for p in start..<end {
                                let (all, positive) = weight(p)
                                twiceArea += (all - positive) * (truePositives + truePositives)
                                truePositives += positive
                                falsePositives += all - positive
                            }
                        }
                        var p = 0
                        for group in tieGroups {
                            distinctRows(p, group.lowerBound)
                            var groupPositives = 0.0, groupNegatives = 0.0
                            for q in group {
                                let (all, positive) = weight(q)
                                groupPositives += positive
                                groupNegatives += all - positive
                            }
                            twiceArea += groupNegatives * (2 * truePositives + groupPositives)
                            truePositives += groupPositives
                            falsePositives += groupNegatives
                            p = group.upperBound
                        }
                        distinctRows(p, n)
                    }
                }
            }
        }
        guard truePositives > 0 && falsePositives > 0 else { return MetricValue(.nan, warnings: [.singleClass]) }
        return MetricValue(twiceArea / (2 * truePositives * falsePositives))
    }
}

/// 1 for true, 0 for false, without a branch: labels are unpredictable, so summing
/// `weight × indicator(label)` (exactly the weight or an exact 0) beats a mispredicted branch.
@inline(__always)
func indicator(_ flag: Bool) -> Double { Double(unsafeBitCast(flag, to: UInt8.self)) }

/// Runs `body` with a buffer over `array`, or nil when there is no array.
@inline(__always)
func withOptionalBuffer<R>(_ array: [Double]?, _ body: (UnsafeBufferPointer<Double>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0) }
}
