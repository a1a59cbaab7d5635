import BlobStore
import Foundation
import Kernels
import Learners
import Records
import Tables
import Workspace

/// A recorded run's models, loaded from the store: the encoder and the model of each seed the
/// candidate uses (one, or all of them for the seed ensemble, whose score is the mean) — or, for
/// the gate's re-scoring, every seed's.
public struct RecordedModel {
    public let record: RunRecord
    public let encoding: TableEncoding
    public let models: [(seed: UInt64, bytes: [UInt8], model: any Model)]

    /// The run id.
    public var id: String { record.id }

    /// The candidate's model(s) of `run`.
    public init(_ run: RecordedRun, project: Project) throws {
        try self.init(record: run.record, project: project, seeds: run.record.candidateSeed.map { [$0] } ?? run.record.seeds)
    }

    /// The models of `seeds` (in that order) and the encoder of a run that ended ok; throws,
    /// naming the artifact, when the record lacks one.
    public init(record: RunRecord, project: Project, seeds: [UInt64]) throws {
        guard record.status == .ok, let encoderArtifact = record.artifacts["encoder"] else {
            throw RunnerError.invalidExperiment("run \(shortID(record.id)) has no model (\(record.status == .ok ? "its record names no encoder" : "it ended \(record.status.rawValue)"))")
        }
        self.record = record
        encoding = try JSONDecoder().decode(TableEncoding.self, from: Data(try project.artifactBytes(encoderArtifact)))
        models = try seeds.map { seed in
            guard let artifact = record.artifacts["model/seed-\(seed)"] else {
                throw RunnerError.invalidExperiment("run \(shortID(record.id)) lacks the model of seed \(seed)")
            }
            let bytes = try project.artifactBytes(artifact)
            return (seed, bytes, try ModelCodec.decode(bytes))
        }
    }

    /// Each model's score for every row of `table`, `[model][row]`, on all cores.
    public func scoresByModel(_ table: Table) throws -> [[Double]] {
        let matrix = try encoding.matrix(table)
        return try models.map { try $0.model.predict(matrix, threads: .all) }
    }

    /// The prediction-interval models of a regression run trained with `intervals:` (the
    /// quantiles of its recorded experiment file, ascending), each quantile's models in the
    /// order of `models`' seeds (artifacts `model/seed-<s>/q_<q>`); empty for a run without
    /// intervals. Throws, naming the artifact, when the record lacks one.
    public func intervalModels(project: Project) throws -> [(quantile: Double, models: [any Model])] {
        guard let text = record.config["experiment_file"]?.stringValue else { return [] }
        let experiment = try Experiment.parse(yaml: text, file: "the experiment file of run \(shortID(id))", name: record.experiment)
        return try experiment.intervals.map { quantile in
            (quantile, try models.map { seed, _, _ in
                guard let artifact = record.artifacts["model/seed-\(seed)/q_\(quantile)"] else {
                    throw RunnerError.invalidExperiment("run \(shortID(id)) lacks the q_\(quantile) interval model of seed \(seed)")
                }
                return try ModelCodec.decode(try project.artifactBytes(artifact))
            })
        }
    }

    /// The candidate's score for every row of `table` (the mean over the ensemble's models),
    /// on all cores: one value per row, or for a multiclass model `outputCount` probabilities
    /// per row, row-major.
    public func scores(_ table: Table) throws -> [Double] {
        let byModel = try scoresByModel(table)
        var total = [Double](repeating: 0, count: table.rowCount * outputCount)
        for scores in byModel {
            for i in total.indices { total[i] += scores[i] }
        }
        let count = Double(models.count)
        return total.map { $0 / count }
    }

    /// Scores per row: 1, or the number of classes.
    public var outputCount: Int { models.first?.model.outputCount ?? 1 }

    /// The output columns' names: `score`, or `p_<class>` per declared class (docs/FORMAT.md).
    public var outputNames: [String] { encoding.classes.map { $0.map { "p_" + $0 } } ?? ["score"] }

    /// Writes the model, its encoder and a manifest (`manifest.json`) describing both, so the
    /// model can be used outside the repository: `model-seed-<s>.gmlm` per seed (format in
    /// docs/FORMAT.md, "Model files"), `encoder.json`.
    public func export(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var files: [JSONValue] = []
        for (seed, bytes, _) in models {
            let name = "model-seed-\(seed).gmlm"
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
            files.append(["file": .string(name), "seed": .number(Double(seed)), "sha256": .string(Digest.of(bytes).description)])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let encoderBytes = try encoder.encode(encoding)
        try encoderBytes.write(to: URL(fileURLWithPath: directory + "/encoder.json"))
        let manifest: JSONValue = [
            "format_version": 1,
            "kind": "gitml-model-export",
            "run": .string(id),
            "experiment": .string(record.experiment),
            "suite": .string(record.suite),
            "model_kind": record.config["model"]?["kind"] ?? .null,
            "candidate": .string(record.candidate),
            "score": .string(models.count > 1 ? "mean of the models' scores" : "the model's score"),
            "task": .string(encoding.classes.map { "multiclass: p_<class> = P(label = class), classes \($0.joined(separator: ", "))" }
                ?? (models.first?.model.task == .regression ? "regression: score = the predicted value"
                    : "binary classification: score = P(label = positive)")),
            "label": record.config["label"] ?? .null,
            "positive": record.config["positive"] ?? .null,
            "features": .array(encoding.features.map { f in
                ["name": .string(f.name), "kind": .string(f.vocabulary == nil ? "numeric" : "categorical")]
            }),
            "models": .array(files),
            "encoder": ["file": "encoder.json", "sha256": .string(Digest.of(Array(encoderBytes)).description)],
            "operating_point": record.metrics["operating_point"] ?? .null,
            "numeric_profile": record.environment["numeric_profile"] ?? .null,
            "trained_on": record.datasets["train"].map { .string("\($0.name)@v\($0.version) \($0.digest)") } ?? .null,
        ]
        try Data(CanonicalJSON.pretty(manifest).utf8).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
    }
}
