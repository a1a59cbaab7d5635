import GitRepo
import Records

/// How an entry of the working tree's `ml/lock.json` agrees with the dataset records here.
/// The lock is a plain file nothing protects (committed locks are covered by git's hashes), so
/// every reader compares the entry with the record it names before trusting it: a changed byte
/// that still parses must not make a command read or write another version than the one pinned.
public enum LockEntryVerdict: Sendable, Equatable {
    /// The entry names this version: its digest, its label (or the label it had before `git ml
    /// push` relabeled it), its size and its path.
    case agrees(DatasetVersion)
    /// No record here has the entry's digest or its label: the version was not fetched.
    case notHere
    /// The entry contradicts a record here (a damaged or hand-edited lock); says how.
    case disagrees(String)
}

extension Project {
    /// Compares the lock entry `entry` of dataset `name` with `records` (every version record
    /// the caller knows; the entry's digest is looked up among all of them, so an entry whose
    /// name was changed is found out too).
    public func compare(lockEntry entry: Lock.LockedDataset, named name: String, with records: [DatasetVersion]) throws -> LockEntryVerdict {
        let sameData = records.filter { $0.record.digest == entry.digest }
        guard !sameData.isEmpty else {
            if let other = records.first(where: { $0.record.name == name && $0.record.version == entry.version }) {
                return .disagrees("pins \(Self.short(entry.digest)) as v\(entry.version), but \(other.record.label) here is \(Self.short(other.record.digest))")
            }
            return .notHere
        }
        let ofName = sameData.filter { $0.record.name == name }
        guard let first = ofName.first else {
            return .disagrees("pins \(Self.short(entry.digest)), which is the data of \(sameData[0].record.label), not a version of \(name)")
        }
        guard let version = try ofName.first(where: { $0.record.version == entry.version })
                ?? ofName.first(where: { try relabeled($0, from: entry.version) }) else {
            return .disagrees("says v\(entry.version), but its digest \(Self.short(entry.digest)) is \(first.record.label)'s")
        }
        let record = version.record
        if record.size != entry.size { return .disagrees("says \(entry.size) bytes, but the record of \(record.label) says \(record.size)") }
        if record.path != entry.path { return .disagrees("says path \(entry.path), but the record of \(record.label) says \(record.path)") }
        return .agrees(version)
    }

    /// Whether `version` was moved from label `vN` by `git ml push` (its commit says so).
    private func relabeled(_ version: DatasetVersion, from number: Int) throws -> Bool {
        try wrapping { try repository.message(ofCommit: version.commit) }.contains(Self.relabelNote(from: number))
    }

    /// What the commit of a version relabeled from `vN` says.
    static func relabelNote(from number: Int) -> String { "(relabeled from v\(number))" }

    /// Every dataset version record under local refs.
    func allVersions() throws -> [DatasetVersion] {
        try datasetNames().flatMap { try versions(of: $0) }
    }

    /// `sha256:` and the first 12 hex digits.
    static func short(_ digest: String) -> String { String(digest.prefix(19)) + (digest.count > 19 ? "…" : "") }
}
