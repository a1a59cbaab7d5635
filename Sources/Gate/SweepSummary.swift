/// The sweep a candidate came from, as a review shows it: every job's validation metric and
/// cost as its trial run recorded them (never the sweep record's own figures), the budget the
/// sweep file declared, and which job the candidate is. Pure: the Runner's `SweepReview`
/// gathers and checks it; `Review` renders it.
public struct SweepSummary: Sendable, Equatable {
    /// One job: a trial trained at one rung, in the order the sweep recorded results.
    public struct Job: Sendable, Equatable {
        public var trial: Int
        public var rung: Int
        public var status: String
        /// The validation metric (cross-validated: the mean fold score); nil when it has none.
        public var metric: Double?
        /// Its standard error over the folds, when cross-validated.
        public var standardError: Double?
        public var usd: Double
        public var cpuSeconds: Double

        public init(trial: Int, rung: Int, status: String, metric: Double?, standardError: Double?, usd: Double, cpuSeconds: Double) {
            self.trial = trial
            self.rung = rung
            self.status = status
            self.metric = metric
            self.standardError = standardError
            self.usd = usd
            self.cpuSeconds = cpuSeconds
        }
    }

    public var name: String
    /// `finished`, `stopped` or `interrupted`, with the reason it stopped.
    public var status: String
    public var stopReason: String?
    /// The metric trials were compared on, and whether higher is better.
    public var metric: String
    public var higherIsBetter: Bool
    /// The declared envelope (`max_trials 4, max_usd 0.5`); nil when the sweep file the
    /// sweep ran could not be read back (the review says so).
    public var budget: String?
    /// Folds of a cross-validated sweep; nil when trials were scored on validation rows.
    public var crossValidationFolds: Int?
    public var jobs: [Job]
    /// The job the candidate trained again (index into `jobs`).
    public var chosenJob: Int

    public init(name: String, status: String, stopReason: String?, metric: String, higherIsBetter: Bool, budget: String?,
                crossValidationFolds: Int?, jobs: [Job], chosenJob: Int) {
        self.name = name
        self.status = status
        self.stopReason = stopReason
        self.metric = metric
        self.higherIsBetter = higherIsBetter
        self.budget = budget
        self.crossValidationFolds = crossValidationFolds
        self.jobs = jobs
        self.chosenJob = chosenJob
    }

    /// Distinct trials that ran at least one job.
    public var trialCount: Int { Set(jobs.map(\.trial)).count }
    public var spentUSD: Double { jobs.reduce(0) { $0 + $1.usd } }
    public var spentCPUSeconds: Double { jobs.reduce(0) { $0 + $1.cpuSeconds } }

    /// The search after each job: what it had spent so far and its best metric so far.
    public struct Point: Sendable, Equatable {
        public var job: Int
        public var usd: Double
        public var cpuSeconds: Double
        public var best: Double?
    }

    /// The best-so-far curve, one point per job.
    public var curve: [Point] {
        var usd = 0.0, cpu = 0.0
        var best: Double?
        return jobs.enumerated().map { index, job in
            usd += job.usd
            cpu += job.cpuSeconds
            if let metric = job.metric, metric.isFinite, best.map({ isBetter(metric, than: $0) }) ?? true { best = metric }
            return Point(job: index, usd: usd, cpuSeconds: cpu, best: best)
        }
    }

    func isBetter(_ a: Double, than b: Double) -> Bool { higherIsBetter ? a > b : a < b }

    /// What the search spent to improve on a baseline value.
    public enum Improvement: Sendable, Equatable {
        /// The search reached the baseline after job `from` and its best after job `to`, spending
        /// `usd` and `cpuSeconds` between them for `gain` (best − baseline, in the metric's
        /// better direction, above 0).
        case improved(from: Int, to: Int, best: Double, gain: Double, usd: Double, cpuSeconds: Double)
        /// The search's best is no better than the baseline (nil: no job has a metric).
        case notImproved(best: Double?)

        /// Dollars per unit of the metric gained (nil unless improved with a positive gain).
        public var usdPerUnit: Double? {
            guard case let .improved(_, _, _, gain, usd, _) = self, gain > 0 else { return nil }
            return usd / gain
        }
    }

    /// The cost of improving on `baseline`: spent after the job whose result first matched it
    /// until the job that reached the sweep's best.
    public func improvement(over baseline: Double) -> Improvement {
        let curve = self.curve
        guard let best = curve.last?.best else { return .notImproved(best: nil) }
        guard isBetter(best, than: baseline),
              let from = curve.firstIndex(where: { $0.best.map { !isBetter(baseline, than: $0) } ?? false }),
              let to = curve.firstIndex(where: { $0.best == best }) else { return .notImproved(best: best) }
        return .improved(from: from, to: to, best: best, gain: abs(best - baseline), usd: curve[to].usd - curve[from].usd,
                         cpuSeconds: curve[to].cpuSeconds - curve[from].cpuSeconds)
    }

    /// The baseline a review measures improvement from: the champion's primary metric when
    /// there is one, else the sweep's first result.
    public func baseline(champion: Double?) -> (value: Double, label: String)? {
        if let champion, champion.isFinite { return (champion, "the champion's \(metric) on the evaluation set") }
        guard let first = jobs.first(where: { $0.metric?.isFinite ?? false })?.metric else { return nil }
        return (first, "the sweep's first result")
    }
}

/// What a review says of the sweep behind a candidate.
public enum SweepSection: Sendable, Equatable {
    /// The candidate is the chosen configuration of a sweep whose record holds together with its runs.
    case shown(SweepSummary)
    /// The candidate came from sweep `sweep`, but its figures cannot be shown: `reason`.
    case notShown(sweep: String, reason: String)
}
