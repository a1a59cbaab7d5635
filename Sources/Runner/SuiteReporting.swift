import Foundation
import Gate
import Learners
import Records
import Sweeps
import Tables

extension Suite {
    /// What the suite's models predict, in the learners' terms.
    var predictionTask: PredictionTask {
        switch task {
        case .binary: .binaryClassification
        case .regression: .regression
        case .multiclass: .multiclass
        }
    }

    /// The label column of `table` as the suite reads it: 0/1 with `label.positive` as 1
    /// (binary), the numeric target (regression), or the index of the class among the
    /// declared classes (multiclass; an undeclared value is an error naming it and its row).
    func labels(of table: Table) throws -> [Double] {
        try TableEncoding.labels(table, column: label.column, task: predictionTask, positive: label.positive, classes: label.classes)
    }
}

/// How every run — built-in or external — is judged: the suite's evaluation of its predictions,
/// stored in the run record as the suite report plus a `headline` block (primary metric,
/// value, interval, direction) that `git ml log`, `git mlcommit` and the cost ledger read.
enum SuiteReporting {
    /// Predictions of `rows` of `table` as the suite evaluates them, one per seed's `scores`: ids
    /// are the row numbers, and the suite's entity and slice columns come from the table as
    /// text (built once and shared by every seed's rows); `quantiles` are the candidate's
    /// predicted quantiles per row (a regression run with intervals), given to every seed's rows.
    static func rows(suite: Suite, table: Table, rows: [Int], labels: [Double], scores: [[Double]],
                     quantiles: [(quantile: Double, values: [Double])] = []) -> [ScoredRows] {
        var columns: [String: [String]] = [:]
        for name in suite.requiredColumns {
            guard let column = table.column(named: name) else { continue }
            columns[name] = rows.map { column.text(at: $0) ?? "" }
        }
        let ids = rows.map(String.init)
        let width = suite.label.classes?.count ?? 1
        let byQuantile = Dictionary(quantiles.map { ($0.quantile, $0.values) }, uniquingKeysWith: { first, _ in first })
        return scores.map { ScoredRows(ids: ids, labels: labels, scores: $0, scoresPerRow: width, columns: columns, quantiles: byQuantile) }
    }

    /// Stored predictions already joined to the data they score (`PredictionsTable.joined`), as
    /// the suite evaluates them: every seed's scores and the candidate's predicted quantiles.
    static func rows(suite: Suite, table: Table, predictions stored: PredictionsTable) -> [ScoredRows] {
        rows(suite: suite, table: table, rows: stored.rows, labels: stored.labels, scores: stored.scores,
             quantiles: stored.intervals.map { ($0.quantile, $0.values) })
    }

    static func report(suite: Suite, evaluation: [ScoredRows], validation: [ScoredRows], artifact: CandidateArtifact,
                       latencyP99: Double?) throws -> JSONValue {
        let report = try SuiteEvaluation.evaluate(suite, evaluation: evaluation, validation: validation, artifact: artifact,
                                                  latencyP99Microseconds: latencyP99)
        guard case .object(var fields) = try JSONValueEncoder().encode(report) else { return .null }
        var headline: [String: JSONValue] = [
            "metric": .string(suite.primary.metric.description),
            "value": .number(report.primary.value),
            "direction": .string(suite.primary.direction.rawValue),
        ]
        if let interval = report.primary.interval {
            headline["interval"] = ["lower": .number(interval.lower), "upper": .number(interval.upper),
                                    "confidence": .number(suite.significance.confidence)]
        }
        fields["headline"] = .object(headline)
        return .object(fields)
    }

    /// A cross-validated trial's report (`fields`, the suite's report on the out-of-fold scores)
    /// gets a `cross_validation` block — folds, how they were made, the suite's primary metric
    /// on each fold's rows, their mean and its standard error — and the mean as its headline
    /// value, with the standard error in place of the pooled interval: the sweep compares
    /// trials on the mean fold score.
    static func crossValidate(_ fields: inout [String: JSONValue], suite: Suite, table: Table, result: TrainingSession.Result,
                              folds: CrossValidationFolds, artifact: CandidateArtifact) throws {
        let width = result.outputCount
        let scores = try (0..<folds.count).map { fold -> Double in
            let rows = folds.rows(in: fold)
            let scored = self.rows(suite: suite, table: table, rows: rows, labels: rows.map { result.validationLabels[$0] },
                                   scores: result.validationScores.map { seed in rows.flatMap { seed[$0 * width..<($0 + 1) * width] } })
            do {
                return try SuiteEvaluation.primaryValue(suite, rows: scored, artifact: artifact)
            } catch {
                throw RunnerError.invalidExperiment(
                    "cross-validation fold \(fold + 1) of \(folds.count) (\(rows.count) rows): \(error); use fewer folds")
            }
        }
        let (mean, standardError) = CrossValidationFolds.summary(scores)
        fields["scored_on"] = "cross_validation"
        fields["cross_validation"] = ["folds": .number(Double(folds.count)), "scheme": .string(folds.scheme.rawValue),
                                      "scores": .array(scores.map(JSONValue.number)), "mean": .number(mean),
                                      "standard_error": .number(standardError)]
        guard case .object(var headline) = fields["headline"] ?? .null else { return }
        headline["value"] = .number(mean)
        headline["interval"] = nil
        headline["standard_error"] = .number(standardError)
        headline["cross_validation_folds"] = .number(Double(folds.count))
        fields["headline"] = .object(headline)
    }
}
