import BlobStore
import Foundation
import Records
import Workspace

/// The model files an `exec` run's command wrote (`model*` files and directories in
/// `$GITML_OUTPUT`, stored as `model/<path>` artifacts), for `git ml export`: GitML cannot score
/// with a model it did not train, but it can hand the exact bytes back with what produced them.
public struct ExternalModel {
    public let record: RunRecord
    /// Each model file's path under the export directory (checked: relative, no `..`) and its
    /// stored artifact, by path.
    public let files: [(path: WorkTreePath, artifact: RunRecord.Artifact)]

    /// The model files of `run`; throws when it is not an `exec` run or its command wrote none.
    public init(_ run: RecordedRun) throws {
        guard run.record.kind == "exec" else {
            throw RunnerError.invalidExperiment("run \(shortID(run.id)) is a built-in run: its model exports with the encoder (git ml export)")
        }
        var files: [(WorkTreePath, RunRecord.Artifact)] = []
        for (name, artifact) in run.record.artifacts.sorted(by: { $0.key < $1.key }) where name.hasPrefix("model/") {
            // Names come from a record that may have been pushed by anyone: never a path outside the export.
            do {
                files.append((try WorkTreePath(validating: String(name.dropFirst("model/".count))), artifact))
            } catch {
                throw RunnerError.invalidExperiment("run \(shortID(run.id)) names model file '\(name)', which is not a plain relative path: \(error)")
            }
        }
        guard !files.isEmpty else {
            throw RunnerError.invalidExperiment("run \(shortID(run.id)) stored no model: its command wrote no model* file or directory to $GITML_OUTPUT")
        }
        record = run.record
        self.files = files
    }

    /// Writes the model files (confined to `directory`: no symbolic link is followed) and a
    /// `manifest.json` naming the run, the command, its inputs and each file's digest.
    public func export(to directory: String, project: Project) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let root = try ConfinedDirectory.open(root: directory, create: false)
        var entries: [JSONValue] = []
        for (path, artifact) in files {
            let folder = try root.subdirectory(path.components.dropLast(), create: true)
            try project.store.restore(try Project.storedFile(artifact), into: folder, name: path.components.last!)
            entries.append(["file": .string(path.string), "sha256": .string(artifact.digest), "size": .number(Double(artifact.size))])
        }
        let manifest: JSONValue = [
            "format_version": 1,
            "kind": "gitml-external-model-export",
            "run": .string(record.id),
            "experiment": .string(record.experiment),
            "suite": .string(record.suite),
            "command": record.config["command"] ?? .null,
            "image_digest": record.config["image_digest"] ?? .null,
            "inputs": record.config["inputs"] ?? .null,
            "code_commit": .string(record.code.commit),
            "files": .array(entries),
            "note": "written by the run's own command; GitML verified the bytes (sha256), not what they mean",
        ]
        try Data(CanonicalJSON.pretty(manifest).utf8).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
    }
}
