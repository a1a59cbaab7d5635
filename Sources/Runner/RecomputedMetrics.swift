import Gate
import Learners
import Records
import Tables
import Workspace

/// A run's suite metrics recomputed from prediction files in the store — the record's own or a
/// reproduction's — joined with the labels of the pinned datasets the record names (by digest),
/// never with the `label` column of the predictions file nor the record's metrics block, both of
/// which whoever wrote the record controls. Both sides of a reproduction are computed here, the
/// same way, so they differ only where the predictions do.
struct RecomputedMetrics {
    let project: Project
    let record: RunRecord
    let suite: Suite
    /// Where the datasets' read schemas come from (as for the re-training).
    let policy: PolicySource

    /// The suite report (with its headline) of the predictions in `artifacts`
    /// (`predictions/evaluation`, and `predictions/validation` when the suite chooses an
    /// operating point).
    func metrics(_ artifacts: [String: RunRecord.Artifact]) throws -> JSONValue {
        guard let evalUse = record.datasets["eval"], let evaluation = artifacts["predictions/evaluation"] else {
            throw RunnerError.invalidExperiment("run \(shortID(record.id)) has no evaluation predictions to compare")
        }
        var validation: [ScoredRows] = []
        if suite.primary.operatingPoint != nil, let artifact = artifacts["predictions/validation"], let trainUse = record.trainingData {
            validation = try rows(artifact, name: "validation predictions", data: trainUse, everyRow: false)
        }
        return try SuiteReporting.report(suite: suite, evaluation: try rows(evaluation, name: "evaluation predictions", data: evalUse, everyRow: true),
                                         validation: validation, artifact: record.candidateArtifact, latencyP99: nil)
    }

    /// The predictions joined by row to the data (`PredictionsTable.joined`: labels from the
    /// data; evaluation predictions must score every row once).
    private func rows(_ artifact: RunRecord.Artifact, name: String, data use: RunRecord.DatasetUse, everyRow: Bool) throws -> [ScoredRows] {
        let version = try project.resolveDataset("\(use.name)@\(use.digest)")
        let table = try project.table(of: version, schema: try policy.schema(use.name, project: project))
        let labels = try suite.labels(of: table)
        let stored = try PredictionsTable(bytes: try project.artifactBytes(artifact), name: name, classes: suite.label.classes)
            .joined(to: labels, everyRow: everyRow, name: name)
        return SuiteReporting.rows(suite: suite, table: table, predictions: stored)
    }
}

extension RunRecord {
    /// The declared classes of the suite the run was trained with (its recorded suite text), nil
    /// when that suite is not multiclass or the record holds no readable suite.
    var trainedClasses: [String]? {
        guard let text = config["suite_file"]?.stringValue else { return nil }
        return (try? Suite.parse(yaml: text, file: "the suite recorded by run \(shortID(id))", name: suite))?.label.classes
    }

    /// What the run's stored `score` column holds: the chosen seed's scores, the seeds' mean
    /// (`ensemble`), or an external command's only scores.
    var candidateArtifact: CandidateArtifact {
        if let seed = candidateSeed, let index = seeds.firstIndex(of: seed) { return .seed(index) }
        return candidate == "ensemble" ? .ensemble : .seed(0)
    }
}
