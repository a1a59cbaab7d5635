import Foundation
import GitRepo
import Records

/// A recorded sweep: its record and the commit under `refs/ml/sweeps/<name>` that holds it.
public struct RecordedSweep: Sendable {
    public let record: SweepRecord
    public let commit: ObjectID

    /// `refs/ml/sweeps/<name>`.
    public static func ref(name: String) -> String { "refs/ml/sweeps/" + name }
    /// The record's file name in the sweep commit's tree.
    public static let recordFile = "sweep.json"
    /// A sweep's name is its file's (`ml/sweeps/<name>.yaml`): lower-case letters, digits, `-` and `_`.
    public static func isValidName(_ name: String) -> Bool {
        name.range(of: #"^[a-z0-9][a-z0-9_-]{0,99}$"#, options: .regularExpression) != nil
    }
}

extension Project {
    /// Records a sweep's state: a commit whose tree holds `sweep.json` and whose parent is the
    /// sweep's previous record — here, else the one fetched from a remote (so the ref only moves
    /// forward, and a push is a fast-forward) — under `refs/ml/sweeps/<name>`. Recording an
    /// unchanged record is a no-op.
    @discardableResult
    public func recordSweep(_ record: SweepRecord) throws -> RecordedSweep {
        guard RecordedSweep.isValidName(record.name) else { throw WorkspaceError.invalidName(record.name) }
        let ref = RecordedSweep.ref(name: record.name)
        return try wrapping {
            let previous = try repository.readRef(ref)
            if let previous, let current = try? sweepRecord(commit: previous), current == record {
                return RecordedSweep(record: record, commit: previous)
            }
            // A sweep fetched from a teammate and resumed here continues their chain.
            let parent = try previous ?? fetchedRefs(kind: "sweeps").first { $0.name == record.name }?.target
            let blob = try repository.writeBlob(CanonicalJSON.prettyBytes(record.json))
            let tree = try repository.writeTree([TreeFile(name: RecordedSweep.recordFile, blob: blob)])
            let commit = try repository.writeCommit(tree: tree, parents: parent.map { [$0] } ?? [],
                                                    message: "sweep \(record.name) \(record.status.rawValue): \(record.jobs.count) jobs\n",
                                                    signature: signature(Date()))
            if let previous {
                try repository.updateRef(ref, to: commit, expected: previous, message: "git ml sweep")
            } else {
                try repository.createRef(ref, target: commit, message: "git ml sweep")
            }
            return RecordedSweep(record: record, commit: commit)
        }
    }

    /// The sweep record held by a sweep commit, its id checked against its content.
    public func sweepRecord(commit: ObjectID) throws -> SweepRecord {
        try wrapping {
            guard let bytes = try repository.fileContents(inCommit: commit, path: RecordedSweep.recordFile) else {
                throw RecordError(record: "sweep commit \(commit.hex.prefix(12))", reason: "the commit has no \(RecordedSweep.recordFile)")
            }
            return try SweepRecord(text: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The sweep recorded here as `name`, else the one fetched from a remote (`git ml fetch`), or nil.
    public func recordedSweep(_ name: String) throws -> RecordedSweep? {
        guard RecordedSweep.isValidName(name) else { return nil }
        if let commit = try wrapping({ try repository.readRef(RecordedSweep.ref(name: name)) }) {
            return RecordedSweep(record: try sweepRecord(commit: commit), commit: commit)
        }
        guard let fetched = try fetchedRefs(kind: "sweeps").first(where: { $0.name == name }) else { return nil }
        return RecordedSweep(record: try sweepRecord(commit: fetched.target), commit: fetched.target)
    }

    /// Every sweep recorded here or fetched (a local one hides a fetched one of its name), most
    /// recently updated first; unreadable ones are skipped with their reason.
    public func recordedSweeps() throws -> (sweeps: [RecordedSweep], unreadable: [(ref: String, reason: String)]) {
        var sweeps: [RecordedSweep] = [], unreadable: [(String, String)] = []
        var seen = Set<String>()
        let local = try wrapping { try repository.refs(withPrefix: "refs/ml/sweeps/") }.map { ($0.name, String($0.name.dropFirst("refs/ml/sweeps/".count)), $0.target) }
        for (ref, name, commit) in local + (try fetchedRefs(kind: "sweeps").map { ($0.ref, $0.name, $0.target) }) where seen.insert(name).inserted {
            do {
                sweeps.append(RecordedSweep(record: try sweepRecord(commit: commit), commit: commit))
            } catch {
                unreadable.append((ref, "\(error)"))
            }
        }
        sweeps.sort { ($0.record.updatedAt, $0.record.name) > ($1.record.updatedAt, $1.record.name) }
        return (sweeps, unreadable)
    }
}
