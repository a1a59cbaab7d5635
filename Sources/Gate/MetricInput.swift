import Evaluation

/// One model's evaluation rows as its suite's task evaluates them.
enum TaskRows: Sendable {
    case binary(BinaryPredictions)
    case regression(RegressionPredictions)
    case multiclass(MulticlassPredictions)

    /// Scores (binary), predictions (regression) or row-major class probabilities (multiclass).
    var scores: [Double] {
        switch self {
        case .binary(let data): return data.scores
        case .regression(let data): return data.predictions
        case .multiclass(let data): return data.probabilities
        }
    }

    var count: Int {
        switch self {
        case .binary(let data): return data.count
        case .regression(let data): return data.count
        case .multiclass(let data): return data.count
        }
    }

    /// Positive rows of a binary task; 0 for regression.
    var positives: Int {
        guard case .binary(let data) = self else { return 0 }
        return data.labels.reduce(0) { $0 + ($1 ? 1 : 0) }
    }

    /// Validated rows of `task` from labels (0/1 for binary, targets for regression, class
    /// indexes for multiclass) and scores (multiclass: `classCount` probabilities per row, row-major,
    /// decided by `decision`).
    init(task: Suite.Task, labels: [Double], scores: [Double], classCount: Int = 1,
         decision: MulticlassDecision = .argmax) throws(EvaluationError) {
        switch task {
        case .binary: self = .binary(try BinaryPredictions(scores: scores, labels: labels))
        case .regression: self = .regression(try RegressionPredictions(targets: labels, predictions: scores))
        case .multiclass:
            var classes = [Int]()
            classes.reserveCapacity(labels.count)
            for (row, label) in labels.enumerated() {
                guard label >= 0, label < Double(classCount), label == label.rounded() else {
                    throw .outOfDomain(what: "class index", row: row, value: label, expected: "one of the \(classCount) declared classes")
                }
                classes.append(Int(label))
            }
            self = .multiclass(try MulticlassPredictions(classCount: classCount, labels: classes, probabilities: scores).deciding(decision))
        }
    }
}

/// A suite metric ready to evaluate on one model's rows: the Evaluation metric of the suite's
/// task with the rows it reads. Paired operations (differences, two-level bootstraps, slice
/// tests) take inputs of the same task and metric.
enum MetricInput: Sendable {
    case binary(BinaryMetric, RankedPredictions)
    case regression(RegressionMetric, RegressionPredictions)
    case multiclass(MulticlassMetric, MulticlassPredictions)

    var higherIsBetter: Bool {
        switch self {
        case .binary(let metric, _): return metric.higherIsBetter
        case .regression(let metric, _): return metric.higherIsBetter
        case .multiclass(let metric, _): return metric.higherIsBetter
        }
    }

    func evaluate() throws(EvaluationError) -> MetricValue {
        switch self {
        case .binary(let metric, let rows): return try metric.evaluate(rows)
        case .regression(let metric, let rows): return try metric.evaluate(rows)
        case .multiclass(let metric, let rows): return try metric.evaluate(rows)
        }
    }

    /// The metric's bootstrap distribution on these rows.
    func bootstrap(clusters: [String]?, plan: BootstrapPlan) throws(EvaluationError) -> BootstrapResult {
        try Self.twoLevel(candidate: [self], baseline: [], clusters: clusters, plan: plan)
    }

    /// Paired bootstrap of metric(self) − metric(baseline).
    func difference(baseline: MetricInput, clusters: [String]?, plan: BootstrapPlan) throws(EvaluationError) -> BootstrapResult {
        try Self.twoLevel(candidate: [self], baseline: [baseline], clusters: clusters, plan: plan)
    }

    /// `Bootstrap.twoLevel` over seeds of one task (every input of the first's task and metric).
    static func twoLevel(candidate: [MetricInput], baseline: [MetricInput], clusters: [String]?,
                         plan: BootstrapPlan) throws(EvaluationError) -> BootstrapResult {
        switch candidate.first {
        case .binary(let metric, _)?:
            return try Bootstrap.twoLevel(metric, candidate: try candidate.map { input throws(EvaluationError) in try input.ranked },
                                          baseline: try baseline.map { input throws(EvaluationError) in try input.ranked },
                                          clusters: clusters, plan: plan)
        case .regression(let metric, _)?:
            return try Bootstrap.twoLevel(metric, candidate: try candidate.map { input throws(EvaluationError) in try input.regressionRows },
                                          baseline: try baseline.map { input throws(EvaluationError) in try input.regressionRows },
                                          clusters: clusters, plan: plan)
        case .multiclass(let metric, _)?:
            return try Bootstrap.twoLevel(metric, candidate: try candidate.map { input throws(EvaluationError) in try input.multiclassRows },
                                          baseline: try baseline.map { input throws(EvaluationError) in try input.multiclassRows },
                                          clusters: clusters, plan: plan)
        case nil:
            throw .empty(what: "candidate predictions")
        }
    }

    /// The metric per value of `categories`.
    func slices(categories: [String], minimumRows: Int) throws(EvaluationError) -> [SliceResult] {
        switch self {
        case .binary(let metric, let rows): return try Slices.byCategory(rows, categories: categories, metric: metric, minimumRows: minimumRows)
        case .regression(let metric, let rows):
            return try Slices.byCategory(rows, categories: categories, metric: metric, minimumRows: minimumRows)
        case .multiclass(let metric, let rows):
            return try Slices.byCategory(rows, categories: categories, metric: metric, minimumRows: minimumRows)
        }
    }

    /// The metric per group of `groups` and the gap between groups (`GroupGap`).
    func groupGap(groups: [String], minimumRows: Int, clusters: [String]?, plan: BootstrapPlan?) throws(EvaluationError) -> GroupGap {
        switch self {
        case .binary(let metric, let rows):
            return try GroupGap(metric, rows, groups: groups, minimumRows: minimumRows, clusters: clusters, plan: plan)
        case .regression(let metric, let rows):
            return try GroupGap(metric, rows, groups: groups, minimumRows: minimumRows, clusters: clusters, plan: plan)
        case .multiclass(let metric, let rows):
            return try GroupGap(metric, rows, groups: groups, minimumRows: minimumRows, clusters: clusters, plan: plan)
        }
    }

    /// One slice's non-inferiority test (nil when the slice is too small, or one class, to apply).
    struct SliceTest {
        let value: String
        let rows: Int
        let positives: Int
        let test: MarginTest?
        let difference: ConfidenceInterval?
    }

    /// `SliceNonInferiority` of self (candidate) against `baseline` on the slices of `sliceValues`.
    func sliceNonInferiority(baseline: MetricInput, sliceValues: [String], margin: Double, alpha: Double, minimumRows: Int,
                             minimumPositives: Int, plan: BootstrapPlan) throws(EvaluationError) -> [SliceTest] {
        switch self {
        case .binary(let metric, let rows):
            return try SliceNonInferiority(metric, baseline: baseline.ranked, candidate: rows, sliceValues: sliceValues, margin: margin,
                                           alpha: alpha, minimumRows: minimumRows, minimumPositives: minimumPositives, plan: plan)
                .slices.map { SliceTest(value: $0.value, rows: $0.rows, positives: $0.positives, test: $0.test, difference: $0.difference) }
        case .regression(let metric, let rows):
            return try SliceNonInferiority(metric, baseline: baseline.regressionRows, candidate: rows, sliceValues: sliceValues,
                                           margin: margin, alpha: alpha, minimumRows: minimumRows, minimumPositives: minimumPositives,
                                           plan: plan)
                .slices.map { SliceTest(value: $0.value, rows: $0.rows, positives: $0.positives, test: $0.test, difference: $0.difference) }
        case .multiclass(let metric, let rows):
            return try SliceNonInferiority(metric, baseline: baseline.multiclassRows, candidate: rows, sliceValues: sliceValues,
                                           margin: margin, alpha: alpha, minimumRows: minimumRows, minimumPositives: minimumPositives,
                                           plan: plan)
                .slices.map { SliceTest(value: $0.value, rows: $0.rows, positives: $0.positives, test: $0.test, difference: $0.difference) }
        }
    }

    /// The same metric on the rows at `rows` (in that order).
    func subset(_ rows: [Int]) throws(EvaluationError) -> MetricInput {
        switch self {
        case .binary(let metric, let data): return .binary(metric, try data.subset(rows))
        case .regression(let metric, let data): return .regression(metric, try data.subset(rows))
        case .multiclass(let metric, let data): return .multiclass(metric, try data.subset(rows))
        }
    }

    /// The metric per value of `categories`, each applicable slice with the percentile interval
    /// of its own bootstrap (the slice's rows resampled, whole entities when `clusters` are given).
    func slicesWithIntervals(categories: [String], minimumRows: Int, clusters: [String]?,
                             plan: BootstrapPlan) throws(EvaluationError) -> [SliceResult] {
        var members: [String: [Int]] = [:]
        for (row, value) in categories.enumerated() { members[value, default: []].append(row) }
        return try slices(categories: categories, minimumRows: minimumRows).map { slice throws(EvaluationError) in
            guard slice.value != nil, case .category(let value) = slice.key, let rows = members[value] else { return slice }
            var result = slice
            result.interval = try? subset(rows).bootstrap(clusters: clusters.map { all in rows.map { all[$0] } }, plan: plan).percentile
            return result
        }
    }

    /// The binary rows (a regression input here is a programming error reported as such).
    var ranked: RankedPredictions {
        get throws(EvaluationError) {
            guard case .binary(_, let rows) = self else { throw Self.mixedTasks }
            return rows
        }
    }

    private var regressionRows: RegressionPredictions {
        get throws(EvaluationError) {
            guard case .regression(_, let rows) = self else { throw Self.mixedTasks }
            return rows
        }
    }

    /// The multiclass rows (another task's input here is a programming error reported as such).
    var multiclassRows: MulticlassPredictions {
        get throws(EvaluationError) {
            guard case .multiclass(_, let rows) = self else { throw Self.mixedTasks }
            return rows
        }
    }

    private static let mixedTasks = EvaluationError.invalidParameter(name: "paired predictions", value: .nan,
                                                                     expected: "both models evaluated for the same task")
}
