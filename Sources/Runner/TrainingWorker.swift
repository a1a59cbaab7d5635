import Evaluation
import Foundation
import Gate
import Kernels
import Metering
import Records
import Tables
import Workspace

/// The worker process's body (`git ml run --worker DIR`): reads `job.json`, loads both
/// datasets, trains and scores, and writes the outputs the parent stores (see
/// `TrainingJob.Output`), `done` last.
public enum TrainingWorker {
    /// Dies with the parent `git ml run` (`ParentLink`): killed by SIGKILL, the parent cannot
    /// stop the worker, which would otherwise train on under init. `project` gives the blob store
    /// (a clone's, or a server's bare repository's): everything else comes with the job.
    public static func run(directory: String, project: Project) throws {
        ParentLink.dieWithParent(environment: ProcessInfo.processInfo.environment)
        let job = try TrainingJob.read(from: directory)
        let experiment = try Experiment.parse(yaml: job.experimentYAML, file: "ml/experiments/\(job.experimentName).yaml",
                                              name: job.experimentName)
        let suite = try Suite.parse(yaml: job.suiteYAML, file: "ml/suites/\(job.suiteName).yaml", name: job.suiteName)
        var session = TrainingSession(experiment: experiment, task: suite.predictionTask, labelColumn: job.labelColumn,
                                      positive: job.positive, classes: suite.label.classes, excluded: Set(job.excluded))
        session.groupColumn = suite.entity
        let columns = session.columnsRead(reported: suite.requiredColumns)
        let loadStart = Date()
        let train = try project.table(of: try job.train.parsed(), schema: job.train.schema, columns: columns)
        let eval = try job.eval.map { try project.table(of: try $0.parsed(), schema: $0.schema, columns: columns) }
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let result = try session.run(train: train, eval: eval, threads: job.threads.map(ParallelFor.Threads.init) ?? .all)
        for (model, output) in zip(result.models, experiment.modelOutputs) {
            try Data(model).write(to: URL(fileURLWithPath: directory + "/" + output.file))
        }
        for (index, seed) in experiment.seeds.enumerated() {
            for interval in result.intervals {
                try Data(interval.models[index]).write(
                    to: URL(fileURLWithPath: directory + "/" + TrainingJob.Output.model(seed: seed, quantile: interval.quantile)))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(result.encoding).write(to: URL(fileURLWithPath: directory + "/" + TrainingJob.Output.encoder))
        try Data(result.predictionsText(validation: true, seeds: experiment.seeds, candidate: experiment.candidateIndex).utf8)
            .write(to: URL(fileURLWithPath: directory + "/" + TrainingJob.Output.validationPredictions))
        if eval != nil {
            try Data(result.predictionsText(validation: false, seeds: experiment.seeds, candidate: experiment.candidateIndex).utf8)
                .write(to: URL(fileURLWithPath: directory + "/" + TrainingJob.Output.evaluationPredictions))
        }
        let evaluateStart = Date()
        let report = try evaluate(suite: suite, experiment: experiment, result: result, train: train, eval: eval)
        try Data(CanonicalJSON.pretty(report).utf8).write(to: URL(fileURLWithPath: directory + "/" + TrainingJob.Output.report))
        let timings = WorkerTimings(load: loadSeconds, fit: result.fitSeconds, predict: result.predictSeconds,
                                    evaluate: Date().timeIntervalSince(evaluateStart),
                                    rowLatenciesMicroseconds: result.rowLatenciesMicroseconds)
        try encoder.encode(timings).write(to: URL(fileURLWithPath: directory + "/" + TrainingJob.Output.timings))
        try Data().write(to: URL(fileURLWithPath: directory + "/" + TrainingJob.Output.done))
    }

    /// The suite's report on the candidate (see `SuiteReporting`). Without evaluation data (a
    /// sweep trial) the suite reports on the validation rows, marked `scored_on: validation`;
    /// a cross-validated trial's on its out-of-fold scores, with the folds' `cross_validation`
    /// block and the mean fold score as its headline.
    static func evaluate(suite: Suite, experiment: Experiment, result: TrainingSession.Result, train: Table, eval: Table?) throws -> JSONValue {
        let validation = SuiteReporting.rows(suite: suite, table: train, rows: result.validationRows, labels: result.validationLabels,
                                             scores: result.validationScores)
        guard let eval else {
            let artifact = experiment.candidateIndex.map(CandidateArtifact.seed) ?? .ensemble
            let report = try SuiteReporting.report(suite: suite, evaluation: validation, validation: validation, artifact: artifact,
                                                   latencyP99: nil)
            guard case .object(var fields) = report else { return report }
            fields["scored_on"] = "validation"
            if let folds = result.folds {
                try SuiteReporting.crossValidate(&fields, suite: suite, table: train, result: result, folds: folds, artifact: artifact)
            }
            return .object(fields)
        }
        let evaluation = SuiteReporting.rows(suite: suite, table: eval, rows: Array(0..<eval.rowCount), labels: result.evaluationLabels,
                                             scores: result.evaluationScores, quantiles: result.intervals.map {
                                                 ($0.quantile, PredictionsTable.candidate($0.evaluationScores, experiment.candidateIndex))
                                             })
        let latency = result.rowLatenciesMicroseconds.isEmpty ? nil
            : try LatencySummary(timings: result.rowLatenciesMicroseconds, machine: MachineDescription.current()).p99
        return try SuiteReporting.report(suite: suite, evaluation: evaluation, validation: validation,
                                         artifact: experiment.candidateIndex.map(CandidateArtifact.seed) ?? .ensemble, latencyP99: latency)
    }
}

extension TrainingSession.Result {
    /// The predictions file of the validation or evaluation rows (docs/FORMAT.md, "Predictions
    /// files"): multiclass probabilities per declared class, or scores with the candidate's
    /// `q_<quantile>` columns of a regression run with intervals.
    func predictionsText(validation: Bool, seeds: [UInt64], candidate: Int?) -> String {
        let rows = validation ? validationRows : Array(0..<evaluationLabels.count)
        let labels = validation ? validationLabels : evaluationLabels
        let scores = validation ? validationScores : evaluationScores
        if let classes = encoding.classes {
            return MulticlassPredictions(rows: rows, labels: labels.map { Int($0) }, classes: classes, seeds: seeds,
                                         probabilities: scores, candidate: candidate).text
        }
        var table = PredictionsTable(rows: rows, labels: labels, seeds: seeds, scores: scores, candidate: candidate)
        table.intervals = intervals.map {
            .init(quantile: $0.quantile, values: PredictionsTable.candidate(validation ? $0.validationScores : $0.evaluationScores, candidate))
        }
        return table.text
    }
}

/// Phase timings the worker measured itself.
public struct WorkerTimings: Codable, Sendable {
    public var load: Double
    public var fit: Double
    /// Scoring the validation and evaluation rows.
    public var predict: Double
    /// The suite's evaluation of those scores (metrics, bootstrap intervals, slices).
    public var evaluate: Double
    public var rowLatenciesMicroseconds: [Double]
}

extension Experiment {
    /// The models a run stores, in `TrainingSession.Result.models` order: each one's artifact
    /// name in the run record and the worker's output file — one per seed, or, cross-validated,
    /// one per seed and fold (`model/seed-<s>/fold-<f>`).
    var modelOutputs: [(artifact: String, file: String)] {
        seeds.flatMap { seed -> [(artifact: String, file: String)] in
            guard case .kfold(let folds) = validation else { return [("model/seed-\(seed)", TrainingJob.Output.model(seed: seed))] }
            return (0..<folds).map { ("model/seed-\(seed)/fold-\($0)", TrainingJob.Output.model(seed: seed, fold: $0)) }
        }
    }

    /// Index into `seeds` of the candidate's model, or nil for the seed ensemble.
    public var candidateIndex: Int? {
        switch candidate {
        case .ensemble: nil
        case .seed(let seed): seeds.firstIndex(of: seed)
        }
    }
}
