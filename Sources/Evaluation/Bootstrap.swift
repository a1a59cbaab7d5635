import Kernels

/// How bootstrap resamples are drawn and summarized.
public struct BootstrapPlan: Codable, Sendable, Hashable {
    /// Number of resamples (default 2,000; at most `maxResamples`).
    public var resamples: Int
    /// The most resamples a plan may ask for: 100,000 resamples bound a one-sided 95% interval's
    /// Monte Carlo error far below any effect a gate decides on, and cost minutes, not days.
    public static let maxResamples = 100_000
    /// Seed of the resampling streams; the same seed gives the same replicates on any thread count.
    public var seed: UInt64
    /// Two-sided confidence level of the intervals.
    public var confidence: Double
    /// Also compute the BCa interval (needs a jackknife of up to `jackknifeGroups` evaluations).
    public var bca: Bool
    /// The jackknife leaves out one of at most this many contiguous groups of resampling units.
    public var jackknifeGroups: Int

    public init(resamples: Int = 2000, seed: UInt64 = 0, confidence: Double = 0.95, bca: Bool = true,
                jackknifeGroups: Int = 1000) {
        self.resamples = resamples
        self.seed = seed
        self.confidence = confidence
        self.bca = bca
        self.jackknifeGroups = jackknifeGroups
    }
}

/// A closed interval [lower, upper].
public struct ConfidenceInterval: Codable, Sendable, Hashable {
    public let lower: Double
    public let upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
}

/// What one resample draws.
public enum ResamplingDesign: Codable, Sendable, Hashable {
    /// Rows with replacement within each class, keeping the class counts.
    case stratifiedRows(positives: Int, negatives: Int)
    /// Whole entities (all rows sharing a key) with replacement.
    case clusters(count: Int)
    /// Rows with replacement, no strata (regression: there are no classes to keep).
    case rows(count: Int)
}

/// The bootstrap distribution of a statistic and its intervals.
public struct BootstrapResult: Codable, Sendable, Hashable {
    /// The statistic on the original rows (for two-level: averaged over all seeds).
    public let estimate: Double
    /// Finite replicates in resample order.
    public let replicates: [Double]
    /// Replicates that were NaN (e.g. a cluster resample with one class) and were left out.
    public let undefinedReplicates: Int
    /// Sample standard deviation of the replicates.
    public let standardError: Double
    public let percentile: ConfidenceInterval
    /// Nil when not requested or degenerate (no jackknife spread).
    public let bca: ConfidenceInterval?
    public let design: ResamplingDesign
    /// Seeds per model drawn at the first level (1 when each model has one prediction set).
    public let seedsPerModel: Int
    public let plan: BootstrapPlan
}

/// Bootstrap confidence intervals for any resampled metric (binary or regression) and for
/// paired differences.
public enum Bootstrap {
    /// The metric's bootstrap distribution on one model's predictions. With `clusters` (one key
    /// per row) whole entities are resampled; otherwise rows are resampled within each class
    /// (binary) or among all rows (regression).
    public static func metric<Metric: ResampledMetric>(_ metric: Metric, _ data: Metric.Rows, clusters: [String]? = nil,
                              plan: BootstrapPlan = BootstrapPlan()) throws(EvaluationError) -> BootstrapResult {
        try resample(metric, candidate: [data], baseline: [], clusters: clusters, plan: plan)
    }

    /// Paired bootstrap of `metric(candidate) − metric(baseline)`: both models are evaluated on
    /// the same resampled rows, which must carry the same labels and weights.
    public static func difference<Metric: ResampledMetric>(_ metric: Metric, baseline: Metric.Rows, candidate: Metric.Rows,
                                  clusters: [String]? = nil, plan: BootstrapPlan = BootstrapPlan()) throws(EvaluationError) -> BootstrapResult {
        try resample(metric, candidate: [candidate], baseline: [baseline], clusters: clusters, plan: plan)
    }

    /// Two-level bootstrap when each model was trained with several seeds: every resample first
    /// draws seeds with replacement (per model), then rows; the statistic is the mean metric over
    /// the drawn candidate seeds minus that over the drawn baseline seeds (no baseline: just the mean).
    public static func twoLevel<Metric: ResampledMetric>(_ metric: Metric, candidate: [Metric.Rows], baseline: [Metric.Rows] = [],
                                clusters: [String]? = nil, plan: BootstrapPlan = BootstrapPlan()) throws(EvaluationError) -> BootstrapResult {
        try resample(metric, candidate: candidate, baseline: baseline, clusters: clusters, plan: plan)
    }

    /// The binary forms, so a metric written `.rocAUC` needs no type annotation.
    public static func metric(_ metric: BinaryMetric, _ data: RankedPredictions, clusters: [String]? = nil,
                              plan: BootstrapPlan = BootstrapPlan()) throws(EvaluationError) -> BootstrapResult {
        try resample(metric, candidate: [data], baseline: [], clusters: clusters, plan: plan)
    }

    public static func difference(_ metric: BinaryMetric, baseline: RankedPredictions, candidate: RankedPredictions,
                                  clusters: [String]? = nil, plan: BootstrapPlan = BootstrapPlan()) throws(EvaluationError) -> BootstrapResult {
        try resample(metric, candidate: [candidate], baseline: [baseline], clusters: clusters, plan: plan)
    }

    public static func twoLevel(_ metric: BinaryMetric, candidate: [RankedPredictions], baseline: [RankedPredictions] = [],
                                clusters: [String]? = nil, plan: BootstrapPlan = BootstrapPlan()) throws(EvaluationError) -> BootstrapResult {
        try resample(metric, candidate: candidate, baseline: baseline, clusters: clusters, plan: plan)
    }

    private static func resample<Metric: ResampledMetric>(_ metric: Metric, candidate: [Metric.Rows], baseline: [Metric.Rows],
                                                          clusters: [String]?, plan: BootstrapPlan) throws(EvaluationError) -> BootstrapResult {
        guard let reference = candidate.first else { throw .empty(what: "candidate predictions") }
        guard (2...BootstrapPlan.maxResamples).contains(plan.resamples) else {
            throw .invalidParameter(name: "resamples", value: Double(plan.resamples), expected: "2 to \(BootstrapPlan.maxResamples)")
        }
        guard plan.confidence > 0 && plan.confidence < 1 else {
            throw .invalidParameter(name: "confidence", value: plan.confidence, expected: "in (0, 1)")
        }
        for model in candidate + baseline { try reference.requireSameRows(as: model) }
        let units = try ResamplingUnits(rows: reference.count, strata: reference.strata, clusters: clusters)
        let statistic = PairedStatistic(metric: metric, candidate: candidate, baseline: baseline)
        let estimate = try statistic.fullValue(multiplicity: nil)

        let rows = reference.count
        let partials: [[Double]]
        let binary = metric as? BinaryMetric, ranked = (candidate + baseline) as? [RankedPredictions]
        if binary == .rocAUC, let ranked, let strata = units.strata, candidate.count == 1, baseline.count <= 1 {
            // Fast path: counts per tie group, same draws as the generic path.
            let resampler = StratifiedAUCResampler(models: ranked, strata: strata)
            partials = ParallelFor.map(count: plan.resamples, blockSize: 8) { range in
                var scratch = resampler.makeScratch()
                return range.map { replicate in
                    var rng = SplitMix64(seed: plan.seed, stream: UInt64(replicate))
                    let aucs = resampler.replicate(&rng, scratch: &scratch)
                    return aucs.count == 2 ? aucs[0] - aucs[1] : aucs[0]
                }
            }
        } else if let binary, let ranked, let strata = units.strata, candidate.count == 1, baseline.count <= 1,
                  let resampler = StratifiedConfusionResampler(metric: binary, models: ranked, strata: strata) {
            // Fast path for threshold metrics: confusion counts per draw, same draws as the generic path.
            partials = ParallelFor.map(count: plan.resamples, blockSize: 8) { range in
                range.map { replicate in
                    var rng = SplitMix64(seed: plan.seed, stream: UInt64(replicate))
                    let values = resampler.replicate(&rng)
                    return values.count == 2 ? values[0] - values[1] : values[0]
                }
            }
        } else {
            partials = ParallelFor.map(count: plan.resamples, blockSize: 8) { range in
                var multiplicity = [Double](repeating: 0, count: rows)
                return range.map { replicate in
                    var rng = SplitMix64(seed: plan.seed, stream: UInt64(replicate))
                    let candidateSeeds = statistic.drawSeeds(candidate.count, &rng)
                    let baselineSeeds = statistic.drawSeeds(baseline.count, &rng)
                    units.draw(into: &multiplicity, &rng)
                    return statistic.value(multiplicity: multiplicity, candidateSeeds: candidateSeeds, baselineSeeds: baselineSeeds)
                }
            }
        }
        let all = partials.flatMap { $0 }
        let replicates = all.filter { !$0.isNaN }
        guard replicates.count >= 2 else { throw .empty(what: "defined bootstrap replicates") }
        let sorted = replicates.sorted()
        let alpha = (1 - plan.confidence) / 2
        let percentile = ConfidenceInterval(lower: Quantile.linear(sorted: sorted, alpha),
                                            upper: Quantile.linear(sorted: sorted, 1 - alpha))
        var bca: ConfidenceInterval?
        if plan.bca {
            let jackknife = units.jackknife(groups: plan.jackknifeGroups) { multiplicity in
                (try? statistic.fullValue(multiplicity: multiplicity)) ?? .nan
            }
            bca = BootstrapIntervals.bca(sortedReplicates: sorted, estimate: estimate,
                                         jackknife: jackknife.filter { !$0.isNaN }, confidence: plan.confidence)
        }
        return BootstrapResult(estimate: estimate, replicates: replicates, undefinedReplicates: all.count - replicates.count,
                               standardError: BootstrapIntervals.standardDeviation(replicates), percentile: percentile,
                               bca: bca, design: units.design, seedsPerModel: candidate.count, plan: plan)
    }

    /// Paired comparisons need identical labels and weights row by row.
    static func requireSameRows(_ reference: BinaryPredictions, _ other: BinaryPredictions) throws(EvaluationError) {
        guard other.count == reference.count else {
            throw .lengthMismatch(what: "paired predictions", expected: reference.count, actual: other.count)
        }
        for row in 0..<reference.count {
            if other.labels[row] != reference.labels[row] { throw .rowsDiffer(what: "labels", row: row) }
            if other.weight(row) != reference.weight(row) { throw .rowsDiffer(what: "weights", row: row) }
        }
    }
}

/// Mean metric over chosen candidate seeds minus mean over chosen baseline seeds.
private struct PairedStatistic<Metric: ResampledMetric>: Sendable {
    let metric: Metric
    let candidate: [Metric.Rows]
    let baseline: [Metric.Rows]

    /// Seeds drawn with replacement; a single seed is always itself (no draw).
    func drawSeeds(_ count: Int, _ rng: inout SplitMix64) -> [Int] {
        count <= 1 ? Array(0..<count) : (0..<count).map { _ in rng.index(below: count) }
    }

    func fullValue(multiplicity: [Double]?) throws(EvaluationError) -> Double {
        try mean(candidate, Array(candidate.indices), multiplicity) - mean(baseline, Array(baseline.indices), multiplicity)
    }

    func value(multiplicity: [Double], candidateSeeds: [Int], baselineSeeds: [Int]) -> Double {
        do {
            return try mean(candidate, candidateSeeds, multiplicity) - mean(baseline, baselineSeeds, multiplicity)
        } catch {
            return .nan
        }
    }

    private func mean(_ models: [Metric.Rows], _ seeds: [Int], _ multiplicity: [Double]?) throws(EvaluationError) -> Double {
        guard !seeds.isEmpty else { return 0 }
        // A seed drawn k times counts k times but is evaluated once.
        var draws = [Int](repeating: 0, count: models.count)
        for seed in seeds { draws[seed] += 1 }
        var sum = 0.0
        for (seed, count) in draws.enumerated() where count > 0 {
            sum += Double(count) * (try metric.evaluate(models[seed], multiplicity: multiplicity).value)
        }
        return sum / Double(seeds.count)
    }
}
