import Kernels
/// The stratified bootstrap of ROC AUC (and of a paired ΔAUC) counted per tie group instead of
/// per row: each draw adds its weight into small per-group accumulators of every model, then
/// the trapezoid is summed over groups. It draws exactly what `ResamplingUnits.draw` draws
/// (same stream, same order), so replicates equal the generic path's (bit-identical when
/// unweighted). Supports one or two models (single AUC or paired difference).
struct StratifiedAUCResampler: Sendable {
    /// [model][stratum][member]: the tie group (in descending score order) of each stratum member.
    private let memberGroups: [[[Int32]]]
    /// [stratum][member] weights; nil when unweighted.
    private let memberWeights: [[Double]]?
    private let groupCounts: [Int]

    init(models: [RankedPredictions], strata: [[Int]]) {
        precondition(models.count == 1 || models.count == 2, "one model or a pair")
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
        memberWeights = models[0].predictions.weights.map { weights in strata.map { members in members.map { weights[$0] } } }
    }

    /// Scratch accumulators for `replicate`: drawn weight per (model, stratum, group), flat.
    func makeScratch() -> [Double] { [Double](repeating: 0, count: 2 * groupCounts.reduce(0, +)) }

    /// Start of (model, stratum) in the scratch layout.
    private func offset(_ model: Int, _ stratum: Int) -> Int {
        2 * groupCounts[..<model].reduce(0, +) + stratum * groupCounts[model]
    }

    /// Each model's ROC AUC on one stratified resample drawn from `rng`.
    func replicate(_ rng: inout SplitMix64, scratch: inout [Double]) -> [Double] {
        let pair = memberGroups.count == 2
        return scratch.withUnsafeMutableBufferPointer { sums in
            let base = sums.baseAddress!
            for stratum in 0..<2 {
                let count = memberGroups[0][stratum].count
                let first = base + offset(0, stratum)
                let second = base + offset(pair ? 1 : 0, stratum)
                memberGroups[0][stratum].withUnsafeBufferPointer { firstGroups in
                    memberGroups[pair ? 1 : 0][stratum].withUnsafeBufferPointer { secondGroups in
                        if let weights = memberWeights?[stratum] {
                            for _ in 0..<count {
                                let member = rng.index(below: count)
                                first[Int(firstGroups[member])] += weights[member]
                                if pair { second[Int(secondGroups[member])] += weights[member] }
                            }
                        } else if pair {
                            for _ in 0..<count {
                                let member = rng.index(below: count)
                                first[Int(firstGroups[member])] += 1
                                second[Int(secondGroups[member])] += 1
                            }
                        } else {
                            for _ in 0..<count { first[Int(firstGroups[rng.index(below: count)])] += 1 }
                        }
                    }
                }
            }
            let aucs = memberGroups.indices.map { m in
                let negatives = base + offset(m, 0), positives = base + offset(m, 1)
                var truePositives = 0.0, falsePositives = 0.0, twiceArea = 0.0
                for g in 0..<groupCounts[m] {
                    twiceArea += negatives[g] * (2 * truePositives + positives[g])
                    truePositives += positives[g]
                    falsePositives += negatives[g]
                }
                return truePositives > 0 && falsePositives > 0 ? twiceArea / (2 * truePositives * falsePositives) : .nan
            }
            sums.update(repeating: 0)
            return aucs
        }
    }
}
