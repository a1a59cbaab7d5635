import BlobStore
import Foundation
import GitRepo
import Records

/// A recorded run: its record and the commit under `refs/ml/runs/<hex>` that holds it.
public struct RecordedRun: Sendable {
    public let record: RunRecord
    public let id: String
    public let ref: String

    /// `refs/ml/runs/<64 hex digits of the run id>`.
    public static func ref(id: String) -> String { "refs/ml/runs/" + id.replacingOccurrences(of: "sha256:", with: "") }
    /// The record's file name in the run commit's tree and under `ml/runs/` once committed.
    public static let recordFile = "run.json"

    init(record: RunRecord, id: String, ref: String) {
        self.record = record
        self.id = id
        self.ref = ref
    }

    /// A record as recorded under its own ref.
    public init(_ record: RunRecord) {
        self.init(record: record, id: record.id, ref: RecordedRun.ref(id: record.id))
    }
}

extension Project {
    /// Records a run: a commit whose tree holds `run.json` and whose parent is the commit the
    /// run trained on (so the code stays reachable through rebases and squash merges), under
    /// `refs/ml/runs/<id>`. Recording the same record twice is a no-op.
    @discardableResult
    public func recordRun(_ record: RunRecord) throws -> RecordedRun {
        let id = record.id
        let ref = RecordedRun.ref(id: id)
        try wrapping {
            if try repository.readRef(ref) != nil { return }
            let blob = try repository.writeBlob(CanonicalJSON.prettyBytes(record.json))
            let tree = try repository.writeTree([TreeFile(name: RecordedRun.recordFile, blob: blob)])
            let parents = ObjectID(hex: record.code.commit).map { [$0] } ?? []
            let commit = try repository.writeCommit(tree: tree, parents: parents, message: "run \(shortID(id)) \(record.experiment) \(record.status.rawValue)\n",
                                                    signature: signature(Date()))
            try repository.createRef(ref, target: commit, message: "git ml run")
        }
        return RecordedRun(record: record, id: id, ref: ref)
    }

    /// The run record held by a run commit (`run.json`), its id checked against its content.
    public func runRecord(commit: ObjectID) throws -> RunRecord {
        try wrapping {
            guard let bytes = try repository.fileContents(inCommit: commit, path: RecordedRun.recordFile) else {
                throw RecordError(record: "run commit \(commit.hex.prefix(12))", reason: "the commit has no \(RecordedRun.recordFile)")
            }
            return try RunRecord(text: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Every recorded run (local refs and remote-tracking ones), newest first. Records that
    /// cannot be read are returned in `unreadable` rather than hiding the others.
    public func recordedRuns() throws -> (runs: [RecordedRun], unreadable: [(ref: String, reason: String)]) {
        var runs: [RecordedRun] = [], unreadable: [(String, String)] = []
        var seen = Set<String>()
        let refs = try wrapping { try repository.refs(withPrefix: "refs/ml/runs/") } + fetchedRefs(kind: "runs").map { ($0.ref, $0.target) }
        for (ref, commit) in refs {
            do {
                let record = try runRecord(commit: commit)
                if seen.insert(record.id).inserted { runs.append(RecordedRun(record: record, id: record.id, ref: ref)) }
            } catch {
                unreadable.append((ref, "\(error)"))
            }
        }
        runs.sort { ($0.record.createdAt, $0.id) > ($1.record.createdAt, $1.id) }
        return (runs, unreadable)
    }

    /// The ledger's runs: every recorded run plus the run records committed (`ml/runs/*.json`)
    /// at the tip of every branch and remote-tracking branch, each once — the spend every clone
    /// that fetched the same branches agrees on.
    public func ledgerRuns() throws -> [RunRecord] {
        var byID: [String: RunRecord] = [:]
        for run in try recordedRuns().runs { byID[run.id] = run.record }
        let tips = try wrapping { try repository.refs(withPrefix: "refs/heads/") + repository.refs(withPrefix: "refs/remotes/") }
            .filter { !$0.name.contains("/ml/") }
        for (_, commit) in tips {
            for record in committedRuns(inCommit: commit, skipping: Set(byID.keys)).records { byID[record.id] = record }
        }
        return byID.values.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// The run records committed as `ml/runs/<hex>.json` in `commit`, except the ids in
    /// `known` (not read again), and where the files that are not valid records are.
    func committedRuns(inCommit commit: ObjectID, skipping known: Set<String>) -> (records: [RunRecord], invalid: [String]) {
        var records: [RunRecord] = [], invalid: [String] = []
        for name in (try? repository.fileNames(inCommit: commit, directory: "ml/runs")) ?? []
            where name.hasSuffix(".json") && !known.contains("sha256:" + name.dropLast(5)) {
            let place = "ml/runs/\(name) in commit \(commit.hex.prefix(12))"
            guard let bytes = try? repository.fileContents(inCommit: commit, path: "ml/runs/" + name),
                  let record = try? RunRecord(text: String(decoding: bytes, as: UTF8.self)) else {
                invalid.append(place)
                continue
            }
            records.append(record)
        }
        return (records, invalid)
    }

    /// The run whose id starts with `prefix` (with or without `sha256:`).
    public func recordedRun(_ prefix: String) throws -> RecordedRun {
        let hex = prefix.replacingOccurrences(of: "sha256:", with: "").lowercased()
        guard !hex.isEmpty else { throw WorkspaceError.unknownRun(prefix) }
        // A full id names its ref: read that one record instead of every run.
        if hex.count == 64, let commit = try wrapping({ try repository.readRef(RecordedRun.ref(id: hex)) }) {
            let record = try runRecord(commit: commit)
            return RecordedRun(record: record, id: record.id, ref: RecordedRun.ref(id: hex))
        }
        let matches = try recordedRuns().runs.filter { $0.id.dropFirst(7).hasPrefix(hex) }
        guard let first = matches.first else { throw WorkspaceError.unknownRun(prefix) }
        guard matches.count == 1 else { throw WorkspaceError.ambiguousRun(prefix, matches: matches.map { shortID($0.id) }) }
        return first
    }

    /// The stored form of a run artifact.
    public static func storedFile(_ artifact: RunRecord.Artifact) throws -> StoredFile {
        guard let digest = Digest(parsing: artifact.digest) else {
            throw WorkspaceError.record(RecordError(record: "run record", reason: "bad artifact digest \(artifact.digest)"))
        }
        var manifest: Digest?
        if let m = artifact.manifest {
            guard let d = Digest(parsing: m) else { throw WorkspaceError.record(RecordError(record: "run record", reason: "bad manifest digest \(m)")) }
            manifest = d
        }
        return StoredFile(digest: digest, size: artifact.size, manifest: manifest)
    }

    /// Stores the file at `path` as a run artifact.
    public func storeArtifact(path: String) throws -> RunRecord.Artifact {
        let (file, _) = try wrapping { try store.ingest(path: path) }
        try wrapping { try store.flush() }
        return RunRecord.Artifact(digest: file.digest.description, size: file.size, manifest: file.manifest?.description)
    }

    /// The bytes of a stored run artifact, verified.
    public func artifactBytes(_ artifact: RunRecord.Artifact) throws -> [UInt8] {
        let temp = layout.temporaryPath("artifact")
        defer { unlink(temp) }
        let file = try Project.storedFile(artifact)
        try wrapping { try store.restore(file, to: temp) }
        guard let data = FileManager.default.contents(atPath: temp) else { throw WorkspaceError.pathNotFound(temp) }
        return Array(data)
    }
}
