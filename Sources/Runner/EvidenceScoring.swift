import Foundation
import Kernels
import Learners
import Records
import Tables
import Workspace

/// The gate's check that a built-in run's stored predictions are what its recorded models
/// score: the models and encoder are loaded from the store and the rows the predictions name are
/// scored again. Under the numeric profile the run recorded (`environment.numeric_profile`) the
/// scores must be bit-identical; under another profile each may differ by at most
/// `crossProfileTolerance`. A regression run's `q_<quantile>` columns are re-scored the same way
/// with its recorded quantile models (the candidate rule of `score`), so a forged interval is
/// caught as a forged score is. Anything else — a model or encoder missing, other scores, interval
/// columns the run has no models for — makes the evidence invalid. `exec` runs have no model GitML can run: their predictions are joined with
/// the data (labels and rows) but not re-scored.
struct EvidenceScoring {
    /// Largest absolute difference allowed between a stored score and the re-scored one when
    /// the run was made under another numeric profile (DESIGN §1: within a stated tolerance).
    static let crossProfileTolerance = 1e-9

    let run: RunRecord
    /// Every seed's model, in the record's seed order; nil for `exec` runs.
    let model: RecordedModel?
    /// Every seed's quantile model per interval quantile (`RecordedModel.intervalModels`).
    let intervalModels: [(quantile: Double, models: [any Model])]
    /// The run's numeric profile is this build's: scores must be bit-identical.
    let sameProfile: Bool

    init(run: RunRecord, project: Project) throws {
        self.run = run
        sameProfile = run.environment["numeric_profile"]?.stringValue == NumericProfile.id
        guard run.kind != "exec" else {
            model = nil
            intervalModels = []
            return
        }
        do {
            let model = try RecordedModel(record: run, project: project, seeds: run.seeds)
            self.model = model
            intervalModels = try model.intervalModels(project: project)
        } catch {
            throw RunnerError.invalidPredictions(file: "run \(shortID(run.id))",
                                                 problem: "a built-in run is judged on its recorded models, which cannot be loaded (\(error)): it is not promotable")
        }
    }

    /// Throws `invalidPredictions` unless `stored` (joined by row to `table`) holds what the
    /// recorded models score on its rows, seed by seed and for the candidate. With
    /// `validationOfTraining`, the rows must also be those the run's split rule (its recorded
    /// experiment file) holds out of the training table `table`.
    func verify(_ stored: PredictionsTable, table: Table, name: String, validationOfTraining: Bool) throws {
        func invalid(_ problem: String) -> RunnerError {
            .invalidPredictions(file: name, problem: "the predictions do not match the recorded model: \(problem); the evidence is invalid")
        }
        // The gate evaluates every seed column: a run of one seed (or an exec run) has none.
        let seedColumns = run.seeds.count > 1 ? run.seeds : []
        if stored.seeds != seedColumns {
            throw invalid("they hold score columns of seeds [\(stored.seeds.map(String.init).joined(separator: ", "))], the run's are [\(seedColumns.map(String.init).joined(separator: ", "))]")
        }
        // An `exec` run writes no intervals (it has no quantile models): any `q_` column is forged.
        let recordedQuantiles = intervalModels.map { "q_\($0.quantile)" }
        guard stored.intervals.map(\.name) == recordedQuantiles else {
            throw invalid("they hold interval columns [\(stored.intervals.map(\.name).joined(separator: ", "))], the run's quantile models are [\(recordedQuantiles.joined(separator: ", "))]")
        }
        guard let model else { return }
        if validationOfTraining {
            guard let text = run.config["experiment_file"]?.stringValue else { throw invalid("the record holds no experiment file to split the training rows with") }
            let experiment = try Experiment.parse(yaml: text, file: "the experiment file of run \(shortID(run.id))", name: run.experiment)
            let split = try TrainingSession(experiment: experiment, labelColumn: "", positive: nil, excluded: []).splitValidationRows(table)
            guard split == stored.rows else {
                throw invalid("they score \(stored.rows.count) training rows, not the \(split.count) validation rows the experiment's split rule holds out")
            }
        }
        let rows = stored.rows.count == table.rowCount ? table : table.selecting(rows: stored.rows)
        let candidate = run.candidateSeed.flatMap { run.seeds.firstIndex(of: $0) }
        let expected = PredictionsTable(rows: stored.rows, labels: stored.labels, seeds: run.seeds, scores: try model.scoresByModel(rows),
                                        candidate: candidate)
        let expectedColumns = run.seeds.count > 1 ? expected.scores : [expected.candidateScores]
        try requireMatch(stored.scores + [stored.candidateScores], expectedColumns + [expected.candidateScores], what: "scores",
                         of: "the recorded model's", invalid: invalid)
        guard !intervalModels.isEmpty else { return }
        let matrix = try model.encoding.matrix(rows)
        for (column, (quantile, models)) in zip(stored.intervals, intervalModels) {
            let expected = PredictionsTable.candidate(try models.map { try $0.predict(matrix, threads: .all) }, candidate)
            try requireMatch([column.values], [expected], what: "values of \(column.name)", of: "its recorded q_\(quantile) quantile model's",
                             invalid: invalid)
        }
    }

    /// Throws `invalid` naming how many of `what` differ from `of` beyond what is allowed (see `mismatches`).
    private func requireMatch(_ stored: [[Double]], _ expected: [[Double]], what: String, of source: String,
                              invalid: (String) -> RunnerError) throws {
        let (differing, largest) = EvidenceScoring.mismatches(stored, expected, sameProfile: sameProfile)
        guard differing > 0 else { return }
        let rule = sameProfile ? "bit-identical under numeric profile \(NumericProfile.id)"
            : "within \(EvidenceScoring.crossProfileTolerance) across numeric profiles"
        throw invalid("\(differing) \(what) differ from \(source) (largest difference \(String(format: "%.3g", largest)); required: \(rule))")
    }

    /// How many scores of `stored` differ from `expected` (same shape: columns of rows) beyond
    /// what is allowed — nothing under the same profile, `crossProfileTolerance` otherwise — and
    /// the largest absolute difference (infinite where one is NaN and the other is not).
    static func mismatches(_ stored: [[Double]], _ expected: [[Double]], sameProfile: Bool) -> (count: Int, largest: Double) {
        var count = 0, largest = 0.0
        for (got, want) in zip(stored, expected) {
            count += abs(got.count - want.count)
            for (a, b) in zip(got, want) where !(a == b || (a.isNaN && b.isNaN)) {
                let delta = abs(a - b)
                if sameProfile || !(delta <= crossProfileTolerance) { count += 1 }
                largest = max(largest, delta.isNaN ? .infinity : delta)
            }
        }
        return (count + abs(stored.count - expected.count), largest)
    }
}
