import Foundation
import Kernels
import Learners
import Sweeps
import Tables

extension TrainingSession {
    /// A cross-validated sweep trial (`validation: { split: kfold, folds: K }`): the training
    /// rows are split into K folds (`CrossValidationFolds`: grouped by the suite's entity,
    /// stratified by class, else random; seeded by the experiment's first seed), and for each
    /// seed and fold a model is fitted on the other folds and scores the fold's rows. The
    /// result's validation rows are every training row, each with its out-of-fold score; its
    /// models are each seed's K fold models. The encoding (feature columns and category
    /// vocabularies, no label information) is fitted once on every training row.
    func crossValidate(_ train: Table, folds count: Int, threads: ParallelFor.Threads) throws -> Result {
        let labels = try Self.locating(nil, in: "the training data") {
            try TableEncoding.labels(train, column: labelColumn, task: task, positive: positive, classes: classes)
        }
        var groups: [String]?
        if let groupColumn {
            guard let column = train.column(named: groupColumn) else {
                throw RunnerError.invalidExperiment(
                    "cross-validation groups rows by the suite's entity column '\(groupColumn)', which the training data does not have")
            }
            groups = (0..<train.rowCount).map { column.text(at: $0) ?? "" }
        }
        let folds: CrossValidationFolds
        do {
            folds = try CrossValidationFolds(rowCount: train.rowCount, folds: count, seed: experiment.seeds[0],
                                             classes: task == .regression ? nil : labels, groups: groups)
        } catch {
            throw RunnerError.invalidExperiment("cross-validation: \(error); use fewer folds (cv: in the sweep file)")
        }
        let encoding = try self.encoding(fitting: train, featuresOf: train)
        let learner = try self.learner()
        let width = classes?.count ?? 1
        let split = (0..<count).map { (fit: folds.rows(outside: $0), scored: folds.rows(in: $0)) }
        let matrices = try split.map { (fit: try encoding.matrix(train.selecting(rows: $0.fit)),
                                        scored: try encoding.matrix(train.selecting(rows: $0.scored))) }
        var models: [[UInt8]] = [], scores: [[Double]] = []
        var fitSeconds = 0.0, predictSeconds = 0.0
        for seed in experiment.seeds {
            var outOfFold = [Double](repeating: .nan, count: train.rowCount * width)
            for (fold, rows) in split.enumerated() {
                let start = Date()
                let model = try Self.locating(rows.fit, in: "the training data") {
                    try learner.fit(matrices[fold].fit, labels: rows.fit.map { labels[$0] }, seed: seed, threads: threads)
                }
                let fitted = Date()
                let predicted = try Self.locating(rows.scored, in: "the training data") {
                    try model.predict(matrices[fold].scored, threads: threads)
                }
                for (index, row) in rows.scored.enumerated() {
                    outOfFold.replaceSubrange(row * width..<(row + 1) * width, with: predicted[index * width..<(index + 1) * width])
                }
                predictSeconds += Date().timeIntervalSince(fitted)
                fitSeconds += fitted.timeIntervalSince(start)
                models.append(model.serialized())
            }
            scores.append(outOfFold)
        }
        return Result(encoding: encoding, models: models, outputCount: width, intervals: [], validationRows: Array(0..<train.rowCount),
                      validationLabels: labels, validationScores: scores, evaluationLabels: [], evaluationScores: [],
                      rowLatenciesMicroseconds: [], fitSeconds: fitSeconds, predictSeconds: predictSeconds, folds: folds)
    }
}
