import Foundation
import Records
import Tables

/// What the training worker process does, written by `ExperimentRunner` as `job.json` in the
/// run's scratch directory and read by `git ml run --worker DIR`. Training runs in its own
/// process so that the cost meter can measure it and a budget can stop it without losing the
/// run record the parent then writes. The job is complete in itself: the datasets' records and
/// read schemas come with it, so the worker needs the blob store and nothing else — no work
/// tree, no contracts, no dataset refs (a server's bare repository re-trains with it inside
/// pre-receive, where the pushed refs are not yet applied).
public struct TrainingJob: Codable, Sendable, Equatable {
    /// The experiment file's text and name (parsed again by the worker: the same text gives
    /// the same experiment).
    public var experimentName: String
    public var experimentYAML: String
    /// The suite file's text and name.
    public var suiteName: String
    public var suiteYAML: String
    /// The training and evaluation data, resolved by the parent. No evaluation data: a sweep
    /// trial, trained and scored on the validation rows only (the pinned evaluation set is
    /// never read, so a sweep does not spend the suite's evaluations).
    public var train: Dataset
    public var eval: Dataset?
    /// Label column and positive class.
    public var labelColumn: String
    public var positive: String?
    /// Columns never used as features: the label, the suite's entity, the experiment's excludes.
    public var excluded: [String]
    /// Threads the learner may use (nil: every core). A sweep running several trials at once
    /// gives each its share so they do not oversubscribe the cores; results never depend on it.
    public var threads: Int?

    /// A dataset version as the worker reads it: its record (whose files the store holds) and
    /// the column types its contract declares (empty: inferred).
    public struct Dataset: Codable, Sendable, Equatable {
        /// The record's canonical JSON.
        public var record: String
        public var schema: [String: ColumnType]

        public init(record: DatasetRecord, schema: [String: ColumnType]) {
            self.record = CanonicalJSON.encode(record.json)
            self.schema = schema
        }

        /// The record, parsed (and checked) again.
        public func parsed() throws -> DatasetRecord {
            try DatasetRecord(json: try CanonicalJSON.parse(record))
        }
    }

    /// The files a finished worker leaves in its directory.
    public enum Output {
        public static let job = "job.json"
        public static let encoder = "encoder.json"
        public static let validationPredictions = "validation.csv"
        /// Absent for a validation-only job (no evaluation data).
        public static let evaluationPredictions = "evaluation.csv"
        public static let report = "report.json"
        public static let timings = "timings.json"
        /// Written last: its presence means every other output is complete.
        public static let done = "done"
        public static func model(seed: UInt64) -> String { "model-seed-\(seed).gmlm" }
        /// A cross-validated trial's model of fold `fold`.
        public static func model(seed: UInt64, fold: Int) -> String { "model-seed-\(seed)-fold-\(fold).gmlm" }
        /// The quantile model of an interval quantile.
        public static func model(seed: UInt64, quantile: Double) -> String { "model-seed-\(seed)-q_\(quantile).gmlm" }
    }

    public init(experimentName: String, experimentYAML: String, suiteName: String, suiteYAML: String, train: Dataset,
                eval: Dataset?, labelColumn: String, positive: String?, excluded: [String]) {
        self.experimentName = experimentName
        self.experimentYAML = experimentYAML
        self.suiteName = suiteName
        self.suiteYAML = suiteYAML
        self.train = train
        self.eval = eval
        self.labelColumn = labelColumn
        self.positive = positive
        self.excluded = excluded
    }

    public func write(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: URL(fileURLWithPath: directory + "/" + Output.job))
    }

    public static func read(from directory: String) throws -> TrainingJob {
        let path = directory + "/" + Output.job
        guard let data = FileManager.default.contents(atPath: path) else { throw RunnerError.missingFile(path: path, hint: "the worker needs its job file") }
        return try JSONDecoder().decode(TrainingJob.self, from: data)
    }
}
