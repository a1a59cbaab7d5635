import BlobStore
import GitRepo
import Records

/// One version of a dataset as found in git: the record and the commit the ref points at.
public struct DatasetVersion: Sendable, Equatable {
    public let record: DatasetRecord
    public let commit: ObjectID
    public var ref: String { DatasetVersion.ref(name: record.name, version: record.version) }

    /// `refs/ml/datasets/<name>/v<N>`.
    public static func ref(name: String, version: Int) -> String { "refs/ml/datasets/\(name)/v\(version)" }
    /// The record's file name in the tree of a version commit.
    static let recordFile = "dataset.json"
}

extension Project {
    /// The record stored in a version commit.
    public func datasetRecord(commit: ObjectID) throws -> DatasetRecord {
        try wrapping {
            guard let bytes = try repository.fileContents(inCommit: commit, path: DatasetVersion.recordFile) else {
                throw RecordError(record: "commit \(commit)", reason: "has no \(DatasetVersion.recordFile)")
            }
            do {
                return try DatasetRecord(json: try CanonicalJSON.parse(bytes: bytes))
            } catch let e as JSONSyntaxError {
                throw RecordError(record: "dataset record in commit \(commit)", reason: "\(e)")
            }
        }
    }

    /// Every version of `name`, oldest first, read from `refPrefix` (local refs by default). A ref
    /// whose record is another version (`refs/ml/datasets/d/v7` holding d@v1's record: a forged
    /// or mistaken ref) is not a version of `name` and is left out; `git ml fsck` names it.
    public func versions(of name: String, refPrefix: String = "refs/ml/datasets/") throws -> [DatasetVersion] {
        let refs = try wrapping { try repository.refs(withPrefix: "\(refPrefix)\(name)/v") }
        var out: [DatasetVersion] = []
        for (refName, commit) in refs {
            guard Int(refName.dropFirst("\(refPrefix)\(name)/v".count)) != nil else { continue }
            let version = DatasetVersion(record: try datasetRecord(commit: commit), commit: commit)
            // The ref the record names, under this prefix, must be the ref read.
            guard refPrefix + version.ref.dropFirst("refs/ml/datasets/".count) == refName else { continue }
            out.append(version)
        }
        return out.sorted { $0.record.version < $1.record.version }
    }

    /// The highest-numbered version of `name` whose ref and record agree, reading records from
    /// the highest ref down; nil when there is none.
    public func latestVersion(of name: String) throws -> DatasetVersion? {
        let prefix = "refs/ml/datasets/\(name)/v"
        let refs = try wrapping { try repository.refs(withPrefix: prefix) }
        let numbered = refs.compactMap { r in Int(r.name.dropFirst(prefix.count)).map { (number: $0, ref: r) } }
        for candidate in numbered.sorted(by: { $0.number > $1.number }) {
            let version = DatasetVersion(record: try datasetRecord(commit: candidate.ref.target), commit: candidate.ref.target)
            if version.ref == candidate.ref.name { return version }
        }
        return nil
    }

    /// Version `number` of `name`, reading only that ref's record; nil when absent. A ref whose
    /// record is another version is refused: the version asked for is not what it holds.
    public func version(of name: String, number: Int) throws -> DatasetVersion? {
        let ref = DatasetVersion.ref(name: name, version: number)
        guard let commit = try wrapping({ try repository.readRef(ref) }) else { return nil }
        let version = DatasetVersion(record: try datasetRecord(commit: commit), commit: commit)
        guard version.ref == ref else {
            throw RecordError(record: ref, reason: "holds the record of \(version.record.label), not \(name)@v\(number): refused "
                + "(`git ml fsck` lists every such ref; remove it with `git update-ref -d \(ref)`)")
        }
        return version
    }

    /// The version the lock pins for `name`; nil when its record is not here (not fetched).
    /// Throws `WorkspaceError.lockEntryDisagrees` when the entry contradicts the records here
    /// (see `compare(lockEntry:named:with:)`): nothing is read or written for such an entry.
    public func lockedVersion(of name: String, _ locked: Lock.LockedDataset) throws -> DatasetVersion? {
        // The usual case reads one record; anything else compares the entry with every record.
        if let v = try version(of: name, number: locked.version), case .agrees = try compare(lockEntry: locked, named: name, with: [v]) { return v }
        switch try compare(lockEntry: locked, named: name, with: try allVersions()) {
        case .agrees(let v): return v
        case .notHere: return nil
        case .disagrees(let reason): throw WorkspaceError.lockEntryDisagrees(name: name, reason: reason)
        }
    }

    /// The names of all datasets with at least one version.
    public func datasetNames() throws -> [String] {
        let refs = try wrapping { try repository.refs(withPrefix: "refs/ml/datasets/") }
        return Array(Set(refs.compactMap { ref -> String? in
            let rest = ref.name.dropFirst("refs/ml/datasets/".count)
            guard let slash = rest.lastIndex(of: "/") else { return nil }
            return String(rest[..<slash])
        })).sorted()
    }

    /// Resolves `name@vN`, `name@sha256:<prefix>`, or `name` (the lock's version, else the latest).
    public func resolveDataset(_ spec: String) throws -> DatasetVersion {
        let (name, selector) = Project.splitSpec(spec)
        guard DatasetRecord.isValidName(name) else { throw WorkspaceError.invalidName(name) }
        if let selector, selector.hasPrefix("v"), let n = Int(selector.dropFirst()) {
            if let v = try version(of: name, number: n) { return v }
            if try datasetNames().contains(name) { throw WorkspaceError.unknownVersion(spec) }
            throw WorkspaceError.unknownDataset(name)
        }
        if selector == nil, let locked = try readLock().datasets[name], let v = try lockedVersion(of: name, locked) {
            return v
        }
        guard let selector else {
            guard let latest = try latestVersion(of: name) else { throw WorkspaceError.unknownDataset(name) }
            return latest
        }
        let all = try versions(of: name)
        guard !all.isEmpty else { throw WorkspaceError.unknownDataset(name) }
        let prefix = selector.hasPrefix("sha256:") ? selector : "sha256:" + selector
        let matches = all.filter { $0.record.digest.hasPrefix(prefix) }
        guard prefix.count >= 11 else { throw WorkspaceError.ambiguousDigest(spec) }
        guard matches.count <= 1 else { throw WorkspaceError.ambiguousDigest(spec) }
        guard let v = matches.first else { throw WorkspaceError.unknownVersion(spec) }
        return v
    }

    static func splitSpec(_ spec: String) -> (String, String?) {
        guard let at = spec.lastIndex(of: "@") else { return (spec, nil) }
        return (String(spec[..<at]), String(spec[spec.index(after: at)...]))
    }

    /// The stored form of a record's file.
    public static func storedFile(_ file: DatasetRecord.File) throws -> StoredFile {
        guard let digest = Digest(parsing: file.digest) else {
            throw WorkspaceError.record(RecordError(record: "dataset record", reason: "bad digest \(file.digest)"))
        }
        var manifest: Digest? = nil
        if let m = file.manifest {
            guard let d = Digest(parsing: m) else {
                throw WorkspaceError.record(RecordError(record: "dataset record", reason: "bad manifest digest \(m)"))
            }
            manifest = d
        }
        return StoredFile(digest: digest, size: file.size, manifest: manifest)
    }
}
