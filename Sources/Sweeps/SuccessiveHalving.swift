/// Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
/// Hyperparameter Tuning", MLSys 2020): trials start at the smallest resource (GBDT rounds,
/// MLP epochs); whenever a worker is free, the best not-yet-promoted trial of the highest rung
/// whose top 1/η it is in moves up one rung (trained again with η times the resource), else a
/// new trial starts. Weak trials therefore stop early without waiting for a whole bracket.
///
/// A value type driven by the sweep: it decides, the sweep runs the job and reports the
/// result. Given the same order of reported results it makes the same decisions.
public struct SuccessiveHalving: Sendable, Equatable {
    /// The resources of the rungs: min, min·η, min·η², … capped at max (the last rung is max).
    public let rungResources: [Int]
    public let eta: Int
    /// Higher metric values are better (AUC) or lower (log loss, RMSE).
    public let higherIsBetter: Bool

    /// `results[k][trial]`: the validation metric of `trial` at rung k.
    public private(set) var results: [[Int: Double]]
    /// Trials already promoted out of each rung.
    private var promoted: [Set<Int>]

    /// Rungs min, min·η, … up to max (2 ≤ η ≤ 10, 1 ≤ min < max).
    public init(minResource: Int, maxResource: Int, eta: Int, higherIsBetter: Bool) {
        precondition(minResource >= 1 && minResource < maxResource && eta >= 2, "invalid halving settings")
        var rungs = [minResource]
        while let last = rungs.last, last < maxResource {
            let (next, overflow) = last.multipliedReportingOverflow(by: eta)
            rungs.append(overflow ? maxResource : min(next, maxResource))
        }
        rungResources = rungs
        self.eta = eta
        self.higherIsBetter = higherIsBetter
        results = Array(repeating: [:], count: rungs.count)
        promoted = Array(repeating: [], count: rungs.count)
    }

    /// One rung and no promotions, for a sweep without `halving`: every trial trains once with
    /// the experiment's own settings (`rungResources == [0]`: no resource is set), `nextJob()`
    /// always starts a new trial and `best` is the best trial.
    public init(higherIsBetter: Bool) {
        rungResources = [0]
        eta = 2
        self.higherIsBetter = higherIsBetter
        results = [[:]]
        promoted = [[]]
    }

    /// What a free worker should do next.
    public enum Job: Sendable, Equatable {
        /// Train `trial` at rung `rung` (its resource is `rungResources[rung]`).
        case promote(trial: Int, rung: Int)
        /// Start a new trial at rung 0.
        case newTrial
    }

    /// The next job: a promotion from the highest rung that has one, else a new trial.
    /// Marks the promoted trial, so asking twice never promotes it twice.
    public mutating func nextJob() -> Job {
        for rung in stride(from: rungResources.count - 2, through: 0, by: -1) {
            let ranked = ranking(at: rung)
            let top = ranked.prefix(ranked.count / eta)
            if let trial = top.first(where: { !promoted[rung].contains($0) }) {
                promoted[rung].insert(trial)
                return .promote(trial: trial, rung: rung + 1)
            }
        }
        return .newTrial
    }

    /// Records `trial`'s validation metric at `rung`. A NaN (failed trial) ranks last.
    public mutating func report(trial: Int, rung: Int, metric: Double) {
        results[rung][trial] = metric
    }

    /// The trials of a rung, best first (ties: lower trial index first; NaN last).
    public func ranking(at rung: Int) -> [Int] {
        results[rung].sorted { a, b in
            switch (a.value.isNaN, b.value.isNaN) {
            case (false, true): return true
            case (true, false): return false
            case (true, true): return a.key < b.key
            case (false, false):
                if a.value == b.value { return a.key < b.key }
                return higherIsBetter ? a.value > b.value : a.value < b.value
            }
        }.map(\.key)
    }

    /// The chosen trial: the best of the highest rung any trial reached (nil before any result).
    public var best: (trial: Int, rung: Int, metric: Double)? {
        for rung in stride(from: rungResources.count - 1, through: 0, by: -1) {
            if let trial = ranking(at: rung).first, let metric = results[rung][trial], !metric.isNaN {
                return (trial, rung, metric)
            }
        }
        return nil
    }
}
