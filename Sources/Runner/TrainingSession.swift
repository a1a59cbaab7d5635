import Foundation
import Kernels
import Learners
import Sweeps
import Tables

/// The training half of a run, executed by the worker process: splits the training table into
/// fit and validation rows, fits one model per seed, and scores the validation and evaluation
/// rows with each. Pure with respect to its inputs: the same tables, experiment and seeds give
/// bit-identical models and scores on any number of threads (the learners guarantee it).
public struct TrainingSession {
    public let experiment: Experiment
    /// Binary classification (labels 0/1, `positive` naming the class counted as 1),
    /// regression (numeric targets) or multiclass (labels among `classes`).
    public let task: PredictionTask
    public let labelColumn: String
    public let positive: String?
    /// The declared classes of a multiclass task, in order (nil otherwise).
    public let classes: [String]?
    public let excluded: Set<String>
    /// The suite's entity column: cross-validation folds keep each entity's rows together.
    public var groupColumn: String?

    public init(experiment: Experiment, task: PredictionTask = .binaryClassification, labelColumn: String, positive: String?,
                classes: [String]? = nil, excluded: Set<String>) {
        self.experiment = experiment
        self.task = task
        self.labelColumn = labelColumn
        self.positive = positive
        self.classes = classes
        self.excluded = excluded
    }

    /// What training produced; scores are indexed `[seed][row]` — for multiclass
    /// `[seed][row·K + k]`, P(class k) of each row, row-major (`outputCount` = K values a row).
    public struct Result: Sendable {
        /// The encoding, with the declared classes for multiclass (`encoding.classes`).
        public var encoding: TableEncoding
        /// Serialized models, one per seed in the experiment's order.
        public var models: [[UInt8]]
        /// Scores per row: 1, or the class count.
        public var outputCount: Int
        /// Regression with `intervals`: per quantile (the experiment's order), one serialized
        /// quantile model per seed, and its predictions `[seed][row]` on validation and evaluation rows.
        public var intervals: [IntervalModels]
        /// Rows of the training table used for validation, ascending.
        public var validationRows: [Int]
        public var validationLabels: [Double]
        public var validationScores: [[Double]]
        public var evaluationLabels: [Double]
        public var evaluationScores: [[Double]]
        /// Per-row prediction latency of the candidate's first model, microseconds, on up to
        /// 1,000 evaluation rows scored one at a time on one thread.
        public var rowLatenciesMicroseconds: [Double]
        public var fitSeconds: Double
        public var predictSeconds: Double
        /// A cross-validated trial's folds (validation rows are then every training row, each
        /// scored out of fold, and `models` holds each seed's fold models, seed by seed); nil otherwise.
        public var folds: CrossValidationFolds? = nil
    }

    /// The quantile models of one prediction-interval quantile.
    public struct IntervalModels: Sendable {
        public var quantile: Double
        public var models: [[UInt8]]
        public var validationScores: [[Double]]
        public var evaluationScores: [[Double]]
    }

    /// Trains on `train`'s fit rows; scores its validation rows and, when given, every row of
    /// `eval` (nil: a validation-only sweep trial; the evaluation scores are then empty).
    public func run(train: Table, eval: Table?, threads: ParallelFor.Threads = .all) throws -> Result {
        if case .kfold(let folds) = experiment.validation {
            guard eval == nil else {
                throw RunnerError.invalidExperiment(
                    "a cross-validated experiment (validation split kfold) scores sweep trials only, never the evaluation data")
            }
            return try crossValidate(train, folds: folds, threads: threads)
        }
        let validationRows = try splitValidationRows(train)
        var isValidation = [Bool](repeating: false, count: train.rowCount)
        for row in validationRows { isValidation[row] = true }
        let fitRows = (0..<train.rowCount).filter { !isValidation[$0] }
        guard !fitRows.isEmpty else { throw RunnerError.invalidExperiment("the validation split leaves no rows to train on") }
        let fitTable = train.selecting(rows: fitRows)
        let validationTable = train.selecting(rows: validationRows)
        let encoding = try self.encoding(fitting: fitTable, featuresOf: train)
        guard experiment.intervals.isEmpty || task == .regression else {
            throw RunnerError.invalidExperiment("intervals (quantile models) are for regression suites only")
        }
        let fitMatrix = try encoding.matrix(fitTable)
        let fitLabels = try Self.locating(fitRows, in: "the training data") {
            try TableEncoding.labels(fitTable, column: labelColumn, task: task, positive: positive, classes: classes)
        }
        let validationLabels = try Self.locating(validationRows, in: "the training data") {
            try TableEncoding.labels(validationTable, column: labelColumn, task: task, positive: positive, classes: classes)
        }
        let evaluationLabels = try Self.locating(nil, in: "the evaluation data") {
            try eval.map { try TableEncoding.labels($0, column: labelColumn, task: task, positive: positive, classes: classes) } ?? []
        }
        let validationMatrix = try encoding.matrix(validationTable)
        let evaluationMatrix = try eval.map { try encoding.matrix($0) }
        let learner = try self.learner()
        let intervalLearners = try experiment.intervals.map { quantile in
            (quantile, try LearnerConfiguration.learner(kind: "gbdt", task: .regression,
                                                        hyperparameters: experiment.intervalHyperparameters(quantile)))
        }
        var intervals = intervalLearners.map { IntervalModels(quantile: $0.0, models: [], validationScores: [], evaluationScores: []) }
        var models: [[UInt8]] = []
        var validationScores: [[Double]] = []
        var evaluationScores: [[Double]] = []
        var fitSeconds = 0.0, predictSeconds = 0.0
        var latencies: [Double] = []
        for seed in experiment.seeds {
            let start = Date()
            let model = try Self.locating(fitRows, in: "the training data") {
                try learner.fit(fitMatrix, labels: fitLabels, seed: seed, threads: threads)
            }
            let fitted = Date()
            validationScores.append(try Self.locating(validationRows, in: "the training data") {
                try model.predict(validationMatrix, threads: threads)
            })
            evaluationScores.append(try Self.locating(nil, in: "the evaluation data") { try evaluationMatrix.map { try model.predict($0, threads: threads) } ?? [] })
            predictSeconds += Date().timeIntervalSince(fitted)
            fitSeconds += fitted.timeIntervalSince(start)
            models.append(model.serialized())
            if latencies.isEmpty, let evaluationMatrix { latencies = try rowLatencies(model, evaluationMatrix) }
            for (index, (_, intervalLearner)) in intervalLearners.enumerated() {
                let start = Date()
                let quantileModel = try Self.locating(fitRows, in: "the training data") {
                    try intervalLearner.fit(fitMatrix, labels: fitLabels, seed: seed, threads: threads)
                }
                let fitted = Date()
                intervals[index].models.append(quantileModel.serialized())
                intervals[index].validationScores.append(try quantileModel.predict(validationMatrix, threads: threads))
                intervals[index].evaluationScores.append(try evaluationMatrix.map { try quantileModel.predict($0, threads: threads) } ?? [])
                predictSeconds += Date().timeIntervalSince(fitted)
                fitSeconds += fitted.timeIntervalSince(start)
            }
        }
        return Result(encoding: encoding, models: models, outputCount: classes?.count ?? 1, intervals: intervals,
                      validationRows: validationRows, validationLabels: validationLabels,
                      validationScores: validationScores, evaluationLabels: evaluationLabels, evaluationScores: evaluationScores, rowLatenciesMicroseconds: latencies, fitSeconds: fitSeconds, predictSeconds: predictSeconds)
    }

    /// The encoding fitted on `table` (rows of `train`), with the declared classes of a multiclass task.
    func encoding(fitting table: Table, featuresOf train: Table) throws -> TableEncoding {
        var encoding = try TableEncoding(fitting: table, excluding: featureExclusions(train))
        if task == .multiclass {
            guard let classes, classes.count >= 2 else { throw RunnerError.invalidExperiment("a multiclass task declares two or more classes") }
            encoding.classes = classes
        }
        return encoding
    }

    /// The experiment's learner for the suite's task.
    func learner() throws -> any Learner {
        try LearnerConfiguration.learner(kind: experiment.modelKind, task: task, classCount: classes?.count ?? 2,
                                         hyperparameters: experiment.hyperparameters)
    }

    /// Runs `body` on a subset of a table's rows (`rows[i]` is the table row of the learner's
    /// row i; nil: all rows in order) and reports a learner's error about one row as an error
    /// about that row of `table`, counted from 1 as in the file.
    static func locating<T>(_ rows: [Int]?, in table: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LearnerError {
            let located = error.mappingRow { (rows?[$0] ?? $0) + 1 }
            throw located == error ? RunnerError.learner(error) : RunnerError.invalidRow(table: table, problem: located)
        }
    }

    /// The columns training reads (`ColumnSelection`, so a Parquet column it leaves out is never
    /// decoded): the features — `features.include`, else every column not excluded — the label,
    /// the validation split's time column and `reported` (the suite's entity and slice columns).
    public func columnsRead(reported: [String]) -> ColumnSelection {
        var needed = Set(reported + [labelColumn])
        if case let .time(name, _) = experiment.validation { needed.insert(name) }
        if let include = experiment.include { return .only(needed.union(include)) }
        return .allBut(excluded.union(experiment.exclude).subtracting(needed))
    }

    /// Columns that are not features: the excluded ones and, with `features.include`, every
    /// column not included.
    func featureExclusions(_ table: Table) throws -> Set<String> {
        var out = excluded.union(experiment.exclude)
        out.insert(labelColumn)
        if let include = experiment.include {
            for name in include where table.column(named: name) == nil {
                throw RunnerError.invalidExperiment("features.include names '\(name)', which the training data does not have")
            }
            out.formUnion(table.columnNames.filter { !include.contains($0) })
        }
        return out
    }

    /// The validation rows under the experiment's split rule.
    func splitValidationRows(_ table: Table) throws -> [Int] {
        switch experiment.validation {
        case .random(let fraction):
            var generator = SplitMix64(seed: experiment.seeds[0], stream: 0x5eed_0001)
            let count = max(1, Int((Double(table.rowCount) * fraction).rounded()))
            return generator.permutation(table.rowCount).prefix(count).sorted()
        case .kfold:
            throw RunnerError.invalidExperiment(
                "a cross-validated experiment (validation split kfold) holds no rows out: it scores sweep trials only")
        case let .time(name, fraction):
            guard let column = table.column(named: name) else {
                throw RunnerError.invalidExperiment("validation.column '\(name)' is not a column of the training data")
            }
            var keyed: [(Double, Int)] = []
            keyed.reserveCapacity(table.rowCount)
            for row in 0..<table.rowCount {
                guard let value = column.number(at: row) else {
                    throw RunnerError.invalidExperiment("validation.column '\(name)' is null or not a time/number at row \(row + 1)")
                }
                keyed.append((value, row))
            }
            keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            let count = max(1, Int((Double(table.rowCount) * fraction).rounded()))
            return keyed.suffix(count).map(\.1).sorted()
        }
    }

    private func rowLatencies(_ model: any Model, _ matrix: FeatureMatrix) throws -> [Double] {
        let rows = min(1000, matrix.rowCount)
        var out: [Double] = []
        out.reserveCapacity(rows)
        for row in 0..<rows {
            let single = try FeatureMatrix(schema: matrix.schema, columns: matrix.columns.map { [$0[row]] })
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try model.predict(single, threads: .one)
            out.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        return out
    }
}
