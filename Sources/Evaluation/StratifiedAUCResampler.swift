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

    /// Accumulators for `replicate`, one per (model, stratum, group): the drawn weight, or for
    /// unweighted predictions the draw count as a 4-byte integer. A count of draws equals the
    /// double its sum of ones would be (exact below 2^53), and half the bytes keep more of the
    /// randomly hit accumulators in cache.
    struct Scratch {
        fileprivate var weights: [Double]
        fileprivate var counts: [UInt32]
    }

    func makeScratch() -> Scratch {
        let size = 2 * groupCounts.reduce(0, +)
        return memberWeights == nil ? Scratch(weights: [], counts: [UInt32](repeating: 0, count: size))
            : Scratch(weights: [Double](repeating: 0, count: size), counts: [])
    }

    /// Start of (model, stratum) in the scratch layout.
    private func offset(_ model: Int, _ stratum: Int) -> Int {
        2 * groupCounts[..<model].reduce(0, +) + stratum * groupCounts[model]
    }

    /// Each model's ROC AUC on one stratified resample drawn from `rng`.
    func replicate(_ rng: inout SplitMix64, scratch: inout Scratch) -> [Double] {
        if let memberWeights {
            return scratch.weights.withUnsafeMutableBufferPointer { sums in
                replicate(&rng, sums, value: { $0 }) { stratum, member in memberWeights[stratum][member] }
            }
        }
        return scratch.counts.withUnsafeMutableBufferPointer { counts in
            replicate(&rng, counts, value: Double.init) { _, _ in 1 }
        }
    }

    /// `replicate` over accumulators of type `A`: `weight(stratum, member)` is what a draw adds,
    /// `value` an accumulator as a double. Clears the accumulators before returning.
    @inline(__always)
    private func replicate<A: AdditiveArithmetic>(_ rng: inout SplitMix64, _ sums: UnsafeMutableBufferPointer<A>,
                                                  value: (A) -> Double, weight: (Int, Int) -> A) -> [Double] {
        let pair = memberGroups.count == 2
        let base = sums.baseAddress!
        for stratum in 0..<2 {
            let count = memberGroups[0][stratum].count
            let first = base + offset(0, stratum)
            let second = base + offset(pair ? 1 : 0, stratum)
            memberGroups[0][stratum].withUnsafeBufferPointer { firstGroups in
                memberGroups[pair ? 1 : 0][stratum].withUnsafeBufferPointer { secondGroups in
                    // Draws a block at a time, each member's groups prefetched (`SplitMix64.draws`).
                    if pair {
                        rng.draws(count, below: count, prefetch: { Prefetch.element(firstGroups, $0); Prefetch.element(secondGroups, $0) }) { member in
                            let added = weight(stratum, member)
                            first[Int(firstGroups[member])] += added
                            second[Int(secondGroups[member])] += added
                        }
                    } else {
                        rng.draws(count, below: count, prefetch: { Prefetch.element(firstGroups, $0) }) { member in
                            first[Int(firstGroups[member])] += weight(stratum, member)
                        }
                    }
                }
            }
        }
        let aucs = memberGroups.indices.map { m in
            let negatives = base + offset(m, 0), positives = base + offset(m, 1)
            var truePositives = 0.0, falsePositives = 0.0, twiceArea = 0.0
            for g in 0..<groupCounts[m] {
                let negative = value(negatives[g]), positive = value(positives[g])
                twiceArea += negative * (2 * truePositives + positive)
                truePositives += positive
                falsePositives += negative
            }
            return truePositives > 0 && falsePositives > 0 ? twiceArea / (2 * truePositives * falsePositives) : .nan
        }
        sums.update(repeating: .zero)
        return aucs
    }
}
