import Foundation
import Kernels
import Records
import Tables
import Workspace

/// The gate's check that a built-in run's stored predictions are what its recorded models
/// score: the models and encoder are loaded from the store and the rows the predictions name are
/// scored again. Under the numeric profile the run recorded (`environment.numeric_profile`) the
/// scores must be bit-identical; under another profile each may differ by at most
/// `crossProfileTolerance`. Anything else — a model or encoder missing, other scores — makes the
/// evidence invalid. `exec` runs have no model GitML can run: their predictions are joined with
/// the data (labels and rows) but not re-scored.
struct EvidenceScoring {
    /// Largest absolute difference allowed between a stored score and the re-scored one when
    /// the run was made under another numeric profile (DESIGN §1: within a stated tolerance).
    static let crossProfileTolerance = 1e-9

    let run: RunRecord
    /// Every seed's model, in the record's seed order; nil for `exec` runs.
    let model: RecordedModel?
    /// The run's numeric profile is this build's: scores must be bit-identical.
    let sameProfile: Bool

    init(run: RunRecord, project: Project) throws {
        self.run = run
        sameProfile = run.environment["numeric_profile"]?.stringValue == NumericProfile.id
        guard run.kind != "exec" else {
            model = nil
            return
        }
        do {
            model = try RecordedModel(record: run, project: project, seeds: run.seeds)
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
        guard let model else { return }
        func invalid(_ problem: String) -> RunnerError {
            .invalidPredictions(file: name, problem: "the predictions do not match the recorded model: \(problem); the evidence is invalid")
        }
        if validationOfTraining {
            guard let text = run.config["experiment_file"]?.stringValue else { throw invalid("the record holds no experiment file to split the training rows with") }
            let experiment = try Experiment.parse(yaml: text, file: "the experiment file of run \(shortID(run.id))", name: run.experiment)
            let split = try TrainingSession(experiment: experiment, labelColumn: "", positive: nil, excluded: []).splitValidationRows(table)
            guard split == stored.rows else {
                throw invalid("they score \(stored.rows.count) training rows, not the \(split.count) validation rows the experiment's split rule holds out")
            }
        }
        if run.seeds.count > 1, stored.seeds != run.seeds {
            throw invalid("they hold seeds \(stored.seeds.map(String.init).joined(separator: ", ")), the run trained \(run.seeds.map(String.init).joined(separator: ", "))")
        }
        let rows = stored.rows.count == table.rowCount ? table : table.selecting(rows: stored.rows)
        let bySeed = try model.scoresByModel(rows)
        let expected = PredictionsTable(rows: stored.rows, labels: stored.labels, seeds: run.seeds, scores: bySeed,
                                        candidate: run.candidateSeed.flatMap { run.seeds.firstIndex(of: $0) })
        let expectedColumns = run.seeds.count > 1 ? expected.scores : [expected.candidateScores]
        var differing = 0, largest = 0.0
        for (got, want) in zip(stored.scores + [stored.candidateScores], expectedColumns + [expected.candidateScores]) {
            for (a, b) in zip(got, want) where !(a == b || (a.isNaN && b.isNaN)) {
                let delta = abs(a - b)
                if sameProfile || !(delta <= EvidenceScoring.crossProfileTolerance) { differing += 1 }
                largest = max(largest, delta.isNaN ? .infinity : delta)
            }
        }
        guard differing > 0 else { return }
        let rule = sameProfile ? "bit-identical under numeric profile \(NumericProfile.id)"
            : "within \(EvidenceScoring.crossProfileTolerance) across numeric profiles"
        throw invalid("\(differing) scores differ from the recorded model's (largest difference \(String(format: "%.3g", largest)); required: \(rule))")
    }
}
