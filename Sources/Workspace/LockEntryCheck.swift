import BlobStore
import Foundation
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

extension Project {
    /// Problems with the suite entries of every lock in `roots`: an entry naming a run no record
    /// here describes (no run ref, local or fetched, and no `ml/runs/<hex>.json` beside the lock),
    /// or one that disagrees with its record (`Lock.SuiteCandidate.disagreement`).
    /// `runs`: the recorded runs (`recordedRuns()`).
    func suiteEntryProblems(_ roots: GCRoots, runs: [RecordedRun]) -> [StoreProblem] {
        let byID = Dictionary(runs.map { ($0.id, $0.record) }, uniquingKeysWith: { a, _ in a })
        var problems: [StoreProblem] = []
        for entry in roots.suiteEntries.sorted(by: { ($0.place, $0.suite) < ($1.place, $1.suite) }) {
            let subject = "\(entry.place) entry suite \(entry.suite)"
            let run = entry.candidate.run
            let file = "ml/runs/\(run.dropFirst("sha256:".count)).json"
            let hint = entry.commit == nil ? " (restore the lock with `git checkout -- ml/lock.json`, or commit the run again with `git mlcommit`)" : ""
            let record: RunRecord
            do {
                guard let found = try byID[run] ?? committedRun(file, in: entry.commit) else {
                    problems.append(StoreProblem(subject: subject, message: "names run \(shortID(run)), which no record here describes (no run ref, no \(file))\(hint)"))
                    continue
                }
                record = found
            } catch {
                problems.append(StoreProblem(subject: subject, message: "\(file): \(error)"))
                continue
            }
            if record.id != run {
                problems.append(StoreProblem(subject: subject, message: "\(file) holds run \(shortID(record.id)), not \(shortID(run))"))
            } else if let why = entry.candidate.disagreement(with: record, suite: entry.suite) {
                problems.append(StoreProblem(subject: subject, message: why + hint))
            }
        }
        return problems
    }

    /// The run record at `file` in `commit`, or in the working tree when `commit` is nil (nil
    /// when there is no such file).
    private func committedRun(_ file: String, in commit: ObjectID?) throws -> RunRecord? {
        let bytes: [UInt8]?
        if let commit {
            bytes = try wrapping { try repository.fileContents(inCommit: commit, path: file) }
        } else {
            bytes = FileManager.default.contents(atPath: root + "/" + file).map { Array($0) }
        }
        return try bytes.map { try RunRecord(text: String(decoding: $0, as: UTF8.self)) }
    }
}
