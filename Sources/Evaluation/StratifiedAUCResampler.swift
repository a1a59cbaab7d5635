/// The stratified bootstrap of ROC AUC (and of a paired ΔAUC) counted per tie group instead of
/// per row: each resample only adds drawn weights into small per-group accumulators, then sums
/// the trapezoid over groups. It draws exactly what `ResamplingUnits.draw` draws (same stream,
/// same order), so replicates equal the generic path's (bit-identical when unweighted).
struct StratifiedAUCResampler: Sendable {
    /// [model][stratum][member]: the tie group (in descending score order) of each stratum member.
    private let memberGroups: [[[Int32]]]
    /// [stratum][member] weights; nil when unweighted.
    private let memberWeights: [[Double]]?
    private let groupCounts: [Int]

    init(models: [RankedPredictions], strata: [[Int]]) {
        var groupCounts = [Int]()
        memberGroups = models.map { model in
            var groupOfRow = [Int32](repeating: 0, count: model.predictions.count)
            var group: Int32 = 0
            for p in 0..<model.sortedScores.count {
                if p > 0 && model.sortedScores[p] != model.sortedScores[p - 1] { group += 1 }
                groupOfRow[Int(model.order[p])] = group
            }
            groupCounts.append(Int(group) + 1)
            return strata.map { members in members.map { groupOfRow[$0] } }
        }
        self.groupCounts = groupCounts
        let reference = models[0].predictions
        memberWeights = reference.weights.map { weights in strata.map { members in members.map { weights[$0] } } }
    }

    /// Scratch accumulators for `replicate`: per model, (negative, positive) weight per group.
    func makeScratch() -> [[Double]] { groupCounts.map { [Double](repeating: 0, count: 2 * $0) } }

    /// Each model's ROC AUC on one stratified resample drawn from `rng`.
    func replicate(_ rng: inout SplitMix64, scratch: inout [[Double]]) -> [Double] {
        for m in scratch.indices { scratch[m].withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        for stratum in 0..<2 {
            let count = memberGroups[0][stratum].count
            let weights = memberWeights?[stratum]
            for m in memberGroups.indices {
                // One model per pass keeps its accumulator in cache; a fresh copy of the
                // stream gives every model the same draws.
                var stream = rng
                memberGroups[m][stratum].withUnsafeBufferPointer { groups in
                    scratch[m].withUnsafeMutableBufferPointer { accumulators in
                        for _ in 0..<count {
                            let member = stream.index(below: count)
                            accumulators[2 * Int(groups[member]) + stratum] += weights?[member] ?? 1
                        }
                    }
                }
                if m == memberGroups.count - 1 { rng = stream }
            }
        }
        return scratch.map { accumulators in
            var truePositives = 0.0, falsePositives = 0.0, twiceArea = 0.0
            for g in 0..<(accumulators.count / 2) {
                let negatives = accumulators[2 * g], positives = accumulators[2 * g + 1]
                twiceArea += negatives * (2 * truePositives + positives)
                truePositives += positives
                falsePositives += negatives
            }
            return truePositives > 0 && falsePositives > 0 ? twiceArea / (2 * truePositives * falsePositives) : .nan
        }
    }
}
