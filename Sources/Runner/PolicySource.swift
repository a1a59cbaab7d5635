import BlobStore
import Contracts
import Foundation
import Tables
import Workspace

/// Where a re-training reads the project files it depends on — the datasets' contracts (their
/// read schemas decide the column types, hence the features) and `ml/config.yaml` (cost rates):
/// the work tree's `ml/` (`git ml run`, `git ml reproduce`), or the files committed in a
/// revision (a gate: its base, the reviewed policy; a server has no work tree at all).
public enum PolicySource: Sendable, Equatable {
    case workTree
    case revision(String)

    /// The contract of dataset `name` with the digest of its text, or nil when there is none.
    func contract(_ name: String, project: Project) throws -> (Contract, String)? {
        switch self {
        case .workTree:
            return try project.contract(for: name)
        case .revision(let revision):
            let path = "ml/contracts/\(name).yaml"
            guard let bytes = try project.repository.fileContents(at: revision, path: path) else { return nil }
            return (try Contract.load(yaml: String(decoding: bytes, as: UTF8.self), file: "\(path) (at \(revision))", dataset: name),
                    Digest.of(bytes).description)
        }
    }

    /// The read schema of dataset `name`'s contract (empty without one: types inferred).
    func schema(_ name: String, project: Project) throws -> [String: ColumnType] {
        try contract(name, project: project)?.0.readSchema ?? [:]
    }

    /// The cost rates and budget of `ml/config.yaml`.
    func settings(project: Project) throws -> RunSettings {
        switch self {
        case .workTree:
            return try RunSettings.load(path: project.mlDirectory + "/config.yaml")
        case .revision(let revision):
            guard let bytes = try project.repository.fileContents(at: revision, path: "ml/config.yaml") else { return RunSettings() }
            return try RunSettings.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "ml/config.yaml (at \(revision))")
        }
    }
}
