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
        var sums = [Double](repeating: 0, count: 8)
        for stratum in 0..<2 {
            codes[stratum].withUnsafeBufferPointer { members in
                let count = members.count
                if let weights = memberWeights?[stratum] {
                    for _ in 0..<count {
                        let member = rng.index(below: count)
                        sums[stratum * 4 + Int(members[member])] += weights[member]
                    }
                } else {
                    for _ in 0..<count { sums[stratum * 4 + Int(members[rng.index(below: count)])] += 1 }
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
}
