import Evaluation

/// One model's evaluation predictions with, for a binary suite with an operating point, the
/// threshold chosen on its own validation rows, and a regression run's predicted quantiles.
struct ScoredModel: Sendable {
    let evaluation: TaskRows
    let operatingPoint: OperatingPoint?
    /// Quantile → predicted value per evaluation row (`ScoredRows.quantiles`).
    let quantiles: [Double: [Double]]
    /// A binary model's evaluation rows ranked once, as scored and (with an operating point)
    /// shifted by its threshold: every metric's input shares these instead of sorting again.
    /// The shifted rows keep their error for the metric that needs them.
    private let ranked: RankedPredictions?
    private let rankedAtThreshold: Result<RankedPredictions, EvaluationError>?

    /// Chooses the operating point for `rule` on `validation` (never on the evaluation rows);
    /// validation rows are needed only with a rule (binary suites alone have one).
    init(evaluation: TaskRows, validation: TaskRows?, rule: OperatingPointRule?,
         quantiles: [Double: [Double]] = [:]) throws(GateEvaluationError) {
        self.evaluation = evaluation
        self.quantiles = quantiles
        operatingPoint = try Self.operatingPoint(rule, validation: validation)
        guard case .binary(let rows) = evaluation else {
            (ranked, rankedAtThreshold) = (nil, nil)
            return
        }
        ranked = RankedPredictions(rows, threads: .one)
        rankedAtThreshold = operatingPoint.map { point in
            Result { () throws(EvaluationError) in RankedPredictions(try Self.shifted(rows, by: point.threshold), threads: .one) }
        }
    }

    /// The operating point `rule` chooses on `validation` (never on the evaluation rows); nil without a rule.
    private static func operatingPoint(_ rule: OperatingPointRule?, validation: TaskRows?) throws(GateEvaluationError) -> OperatingPoint? {
        guard let rule else { return nil }
        guard case .binary(let validation)? = validation else {
            throw .noPredictions(what: "validation (the operating point is chosen on it)")
        }
        do {
            return try OperatingPoint.choose(rule, validation: RankedPredictions(validation, threads: .one))
        } catch { throw .evaluation(error) }
    }

    /// The rows with scores s − t, so "s ≥ t" becomes "s − t ≥ 0" exactly (±∞ thresholds give
    /// every row −1 or 1).
    private static func shifted(_ rows: BinaryPredictions, by threshold: Double) throws(EvaluationError) -> BinaryPredictions {
        let scores: [Double]
        if threshold == .infinity {
            scores = [Double](repeating: -1, count: rows.count)
        } else if threshold == -.infinity {
            scores = [Double](repeating: 1, count: rows.count)
        } else {
            scores = rows.scores.map { $0 - threshold }
        }
        return try BinaryPredictions(scores: scores, labels: rows.labels, weights: rows.weights)
    }

    /// The predictions and Evaluation metric that compute `metric` for this model. A threshold
    /// metric sees the scores shifted by this model's threshold (s − t, so "s ≥ t" becomes
    /// "s − t ≥ 0" exactly) and decides at 0: models with different operating points then share
    /// one metric, which paired and two-level bootstraps need. Nil for latency, interval coverage
    /// and gaps between groups (none is one metric on resampled rows).
    func metricInput(_ metric: SuiteMetric, primary: Suite.Primary) throws(GateEvaluationError) -> MetricInput? {
        guard metric.groups == nil else { return nil }
        switch evaluation {
        case .regression(let rows):
            return metric.regressionMetric(costs: primary.regressionCosts).map { .regression($0, rows) }
        case .multiclass(let rows):
            return metric.multiclassMetric(costs: primary.multiclassCosts).map { .multiclass($0, rows) }
        case .binary:
            break
        }
        guard let binary = metric.binaryMetric(threshold: 0, costs: primary.costs), let ranked else { return nil }
        guard metric.name.needsThreshold, let rankedAtThreshold else { return .binary(binary, ranked) }
        do {
            return .binary(binary, try rankedAtThreshold.get())
        } catch { throw .evaluation(error) }
    }
}

/// A model's predictions over one or more seeds, checked to describe the same rows, with the
/// candidate artifact (seed ensemble or one seed) built from them.
struct SeededModel: Sendable {
    /// Row ids, labels and extra columns of the evaluation rows (identical across seeds).
    let ids: [String]
    let columns: [String: [String]]
    let seeds: [ScoredModel]
    let artifact: ScoredModel
    /// What the model is called in errors and evidence ("candidate", "champion").
    let what: String

    /// `what` names the model in errors ("candidate", "champion"); the suite's task says how
    /// labels and scores are read, its operating point (binary) or decision (multiclass) how
    /// rows are decided.
    init(_ what: String, suite: Suite, evaluation: [ScoredRows], validation: [ScoredRows],
         artifact: CandidateArtifact, requiredColumns: [String]) throws(GateEvaluationError) {
        let rule = suite.primary.operatingPoint
        let reading = Reading(suite)
        guard let first = evaluation.first else { throw .noPredictions(what: "\(what) evaluation") }
        // Validation rows choose the operating point; a suite without one may omit them.
        guard validation.count == evaluation.count || (rule == nil && validation.isEmpty) else {
            throw .seedCountMismatch(what: "\(what) validation", expected: evaluation.count, count: validation.count)
        }
        try Self.requireSameIDs(evaluation, what: "\(what) evaluation")
        for column in requiredColumns {
            guard let values = first.columns[column] else { throw .missingColumn(what: "\(what) evaluation", column: column) }
            guard values.count == first.ids.count else {
                throw .columnLength(what: "\(what) evaluation", column: column, expected: first.ids.count, actual: values.count)
            }
        }
        self.what = what
        ids = first.ids
        columns = first.columns
        var seeds = [ScoredModel]()
        for (seed, rows) in evaluation.enumerated() {
            let validationRows = validation.isEmpty ? nil : try reading.rows(validation[seed])
            seeds.append(try ScoredModel(evaluation: try reading.rows(rows), validation: validationRows, rule: rule, quantiles: rows.quantiles))
        }
        self.seeds = seeds
        switch artifact {
        case .seed(let index):
            guard seeds.indices.contains(index) else { throw .artifactSeedOutOfRange(seed: index, seeds: seeds.count) }
            self.artifact = seeds[index]
        case .ensemble where seeds.count == 1:
            self.artifact = seeds[0]
        case .ensemble:
            try Self.requireSameIDs(validation, what: "\(what) validation")
            let mean = Self.meanScores(evaluation)
            self.artifact = try ScoredModel(evaluation: try reading.rows(mean),
                                            validation: validation.isEmpty ? nil : try reading.rows(Self.meanScores(validation)),
                                            rule: rule, quantiles: mean.quantiles)
        }
    }

    /// Several seeds whose models scored every evaluation row identically (and chose the same
    /// operating point): the seeds changed nothing, so there is no seed variance to measure.
    var identicalSeeds: Bool {
        guard let first = seeds.first, seeds.count > 1 else { return false }
        return seeds.dropFirst().allSatisfy {
            $0.evaluation.scores == first.evaluation.scores && $0.operatingPoint?.threshold == first.operatingPoint?.threshold
        }
    }

    /// The seeds that differ: the first alone when every seed gave identical predictions.
    var distinctSeeds: [ScoredModel] { identicalSeeds ? [seeds[0]] : seeds }

    /// "seed variance not measured: the 3 seeds of the candidate gave identical predictions", or
    /// nil when the model has one seed or its seeds differ.
    var seedVarianceNote: String? {
        identicalSeeds ? "seed variance not measured: the \(seeds.count) seeds of the \(what) gave identical predictions" : nil
    }

    /// The entity key per row, when the suite names one.
    func clusters(entity: String?) -> [String]? { entity.flatMap { columns[$0] } }

    private static func requireSameIDs(_ sets: [ScoredRows], what: String) throws(GateEvaluationError) {
        guard let reference = sets.first?.ids else { return }
        for (seed, rows) in sets.enumerated().dropFirst() where rows.ids != reference {
            let row = (0..<min(rows.ids.count, reference.count)).first { rows.ids[$0] != reference[$0] }
                ?? min(rows.ids.count, reference.count)
            throw .seedRowsDiffer(what: what, seed: seed, row: row)
        }
    }

    /// Row-wise mean score over seeds (same rows, checked); labels, columns and quantiles (the
    /// candidate's, shared by its seeds) of the first.
    private static func meanScores(_ sets: [ScoredRows]) -> ScoredRows {
        var sum = sets[0].scores
        for rows in sets.dropFirst() {
            for row in sum.indices { sum[row] += rows.scores[row] }
        }
        let count = Double(sets.count)
        return ScoredRows(ids: sets[0].ids, labels: sets[0].labels, scores: sum.map { $0 / count }, scoresPerRow: sets[0].scoresPerRow,
                          columns: sets[0].columns, quantiles: sets[0].quantiles)
    }

    /// How a suite reads scored rows as its task's predictions.
    private struct Reading {
        let task: Suite.Task
        let classCount: Int
        let decision: MulticlassDecision

        init(_ suite: Suite) {
            task = suite.task
            classCount = suite.label.classes?.count ?? 1
            decision = suite.primary.decision ?? .argmax
        }

        func rows(_ rows: ScoredRows) throws(GateEvaluationError) -> TaskRows {
            guard rows.scoresPerRow == classCount else {
                throw .evaluation(.lengthMismatch(what: "scores per row (one per declared class)", expected: classCount, actual: rows.scoresPerRow))
            }
            guard rows.ids.count * classCount == rows.scores.count else {
                throw .evaluation(.lengthMismatch(what: "row ids", expected: rows.scores.count / classCount, actual: rows.ids.count))
            }
            do {
                return try TaskRows(task: task, labels: rows.labels, scores: rows.scores, classCount: classCount, decision: decision)
            } catch { throw .evaluation(error) }
        }
    }
}
