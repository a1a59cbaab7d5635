import Kernels

/// The stratified bootstrap of a threshold metric (and of a paired difference) counted per
/// decision instead of per row: each draw adds its weight to the drawn row's decision code (one
/// bit per model: predicted positive), with no per-row multiplicity vector and no pass over all
/// rows. It draws exactly what `ResamplingUnits.draw` draws (same stream, same order), so
/// replicates equal the generic path's (bit-identical when unweighted). One or two models.
struct StratifiedConfusionResampler: Sendable {
    private let metric: BinaryMetric
    private let modelCount: Int
    /// [stratum][member]: bit m set when model m predicts the member positive.
    private let codes: [[UInt8]]
    /// [stratum][member] weights; nil when unweighted.
    private let memberWeights: [[Double]]?

    /// Nil unless `metric` decides at a threshold.
    init?(metric: BinaryMetric, models: [RankedPredictions], strata: [[Int]]) {
        guard let threshold = metric.threshold else { return nil }
        precondition(models.count == 1 || models.count == 2, "one model or a pair")
        self.metric = metric
        modelCount = models.count
        codes = strata.map { members in
            members.map { row in
                var code: UInt8 = 0
                for (m, model) in models.enumerated() where model.predictions.scores[row] >= threshold { code |= 1 << m }
                return code
            }
        }
        memberWeights = models[0].predictions.weights.map { weights in strata.map { members in members.map { weights[$0] } } }
    }

    /// Each model's metric on one stratified resample drawn from `rng` (stratum 0 holds the
    /// negatives, stratum 1 the positives, as `ResamplingUnits` orders them).
    func replicate(_ rng: inout SplitMix64) -> [Double] {
        // sums[stratum * 4 + code]: drawn weight of each decision code.
        var sums: [Double] = []
        for stratum in 0..<2 {
            codes[stratum].withUnsafeBufferPointer { members in
                if let weights = memberWeights?[stratum] {
                    sums += weights.withUnsafeBufferPointer { Self.drawnWeights(members, $0, &rng) }
                } else {
                    sums += Self.drawnCounts(members, &rng)
                }
            }
        }
        return (0..<modelCount).map { m in
            let bit = 1 << m
            var flagged = [0.0, 0.0], total = [0.0, 0.0]
            for stratum in 0..<2 {
                for code in 0..<4 {
                    total[stratum] += sums[stratum * 4 + code]
                    if code & bit != 0 { flagged[stratum] += sums[stratum * 4 + code] }
                }
            }
            let confusion = ConfusionMatrix(truePositives: flagged[1], falsePositives: flagged[0],
                                            trueNegatives: total[0] - flagged[0], falseNegatives: total[1] - flagged[1])
            return metric.evaluate(confusion)?.value ?? .nan
        }
    }

    // The two draws below gather a block of draws at a time after prefetching it
    // (`SplitMix64.draws`), and keep their four running sums in registers. One draw at a time,
    // with the sums in memory (`sums[code] += w`), each add waited for the one before it and for
    // its drawn byte: one cache miss after another once a stratum's codes outgrew the caches
    // (10^7 rows). Both add in the order of the draws, as before.

    /// The draw count of each code over `members.count` uniform draws (integer counts, exact).
    private static func drawnCounts(_ members: UnsafeBufferPointer<UInt8>, _ rng: inout SplitMix64) -> [Double] {
        let count = members.count
        var counts = [0, 0, 0, 0]
        var left = count
        while left > 0 {
            let draws = min(left, Int(UInt16.max))
            var lanes: UInt64 = 0  // four 16-bit counters, one per code
            rng.draws(draws, below: count, prefetch: { Prefetch.element(members, $0) }) { member in
                lanes &+= 1 &<< (UInt64(members[member]) &* 16)
            }
            for code in 0..<4 { counts[code] += Int(truncatingIfNeeded: lanes >> (16 * UInt64(code)) & 0xFFFF) }
            left -= draws
        }
        return counts.map(Double.init)
    }

    /// The drawn weight of each code over `members.count` uniform draws. A draw adds +0.0 to the
    /// three other sums, which leaves them as they were (weights are ≥ 0, so no sum is -0.0).
    private static func drawnWeights(_ members: UnsafeBufferPointer<UInt8>, _ weights: UnsafeBufferPointer<Double>,
                                     _ rng: inout SplitMix64) -> [Double] {
        let count = members.count
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        rng.draws(count, below: count, prefetch: { Prefetch.element(members, $0); Prefetch.element(weights, $0) }) { member in
            let code = members[member], weight = weights[member]
            s0 += code == 0 ? weight : 0
            s1 += code == 1 ? weight : 0
            s2 += code == 2 ? weight : 0
            s3 += code == 3 ? weight : 0
        }
        return [s0, s1, s2, s3]
    }
}
