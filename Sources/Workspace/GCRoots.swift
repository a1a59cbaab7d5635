import BlobStore
import GitRepo
import Records

/// Everything that keeps stored bytes alive (DESIGN §3): dataset records in `refs/ml/datasets`
/// (local and remote-tracking), the datasets named by every `ml/lock.json` in the working
/// tree and in every commit reachable from a branch, tag, reflog entry, worktree HEAD or stash,
/// and the artifacts of every run in `refs/ml/runs` or committed as `ml/runs/<id>.json`.
/// gc, purge and fsck all call `gcRoots()`, so they never disagree about what is alive.
public struct GCRoots: Sendable {
    /// Every dataset version record found (purged ones included, flagged in the record).
    public var records: [DatasetVersion] = []
    /// Entries of committed locks that name a dataset digest with no record here, and where
    /// they were found.
    public var danglingLockEntries: [(lock: String, dataset: String, digest: String)] = []
    /// The working tree's `ml/lock.json` when it could be read (fsck compares every entry with
    /// the records: see `Project.compare(lockEntry:named:with:)`).
    public var workingTreeLock: Lock?
    /// Records and lock files that could not be read (gc refuses to run while there are any;
    /// fsck reports each).
    public var unreadable: [(ref: String, reason: String)] = []
    /// Every suite entry of the working tree's lock and of each distinct committed lock, with the
    /// commit whose `ml/runs/` lies beside it (nil: the working tree). Fsck compares each with the
    /// run record it names (`Project.suiteEntryProblems`).
    public var suiteEntries: [SuiteEntry] = []
    /// The artifacts of every recorded run (`refs/ml/runs`, local and remote-tracking): models,
    /// encoders and predictions the gate and `git ml reproduce` read.
    public var runArtifacts: [(file: StoredFile, owner: String)] = []

    /// A lock's candidate for one suite, and where the lock was found.
    public struct SuiteEntry: Sendable {
        public var place: String
        public var commit: ObjectID?
        public var suite: String
        public var candidate: Lock.SuiteCandidate
    }

    /// The stored files of every record that is not purged, with the record as owner.
    public var liveFiles: [(file: StoredFile, owner: String)] {
        records.filter { $0.record.purged == nil }.flatMap { v in
            // Every record here was checked to parse when the roots were computed.
            v.record.files.compactMap { f in (try? Project.storedFile(f)).map { ($0, v.record.label + (f.path.isEmpty ? "" : "/" + f.path)) } }
        } + runArtifacts
    }
}

extension Project {
    /// Computes the GC roots; see `GCRoots`.
    public func gcRoots() throws -> GCRoots {
        var roots = GCRoots()
        var seenCommits = Set<ObjectID>()
        let datasetRefs = try wrapping { try repository.refs(withPrefix: "refs/ml/datasets/") } + fetchedRefs(kind: "datasets").map { ($0.ref, $0.target) }
        for (ref, commit) in datasetRefs where seenCommits.insert(commit).inserted {
            do {
                let record = try datasetRecord(commit: commit)
                _ = try record.files.map(Project.storedFile)  // an unparsable digest makes the record unreadable
                roots.records.append(DatasetVersion(record: record, commit: commit))
            } catch {
                roots.unreadable.append((ref, "\(error)"))
            }
        }
        let (runs, unreadableRuns) = try recordedRuns()
        roots.unreadable += unreadableRuns
        var seenRuns = Set<String>()
        func addRun(_ record: RunRecord, place: String) {
            guard seenRuns.insert(record.id).inserted else { return }
            for (name, artifact) in record.artifacts.sorted(by: { $0.key < $1.key }) {
                do {
                    roots.runArtifacts.append((try Project.storedFile(artifact), "run \(shortID(record.id)) \(name)"))
                } catch {
                    roots.unreadable.append((place, "\(error)"))
                }
            }
        }
        for run in runs { addRun(run.record, place: run.ref) }
        let known = Set(roots.records.map(\.record.digest))
        func scan(_ lock: Lock, where place: String, commit: ObjectID) {
            for (name, entry) in lock.datasets where !known.contains(entry.digest) {
                roots.danglingLockEntries.append((place, name, entry.digest))
            }
            roots.suiteEntries += lock.suites.map { GCRoots.SuiteEntry(place: place, commit: commit, suite: $0.key, candidate: $0.value) }
        }
        do {
            let lock = try readLock()
            roots.workingTreeLock = lock
            roots.suiteEntries += lock.suites.map { GCRoots.SuiteEntry(place: "working tree ml/lock.json", commit: nil, suite: $0.key, candidate: $0.value) }
        } catch {
            roots.unreadable.append(("working tree ml/lock.json", "\(error)"))
        }
        let walked = try wrapping { repository.reachable(from: try repository.rootCommits()) }
        roots.unreadable += walked.damaged.map { ("commit \($0.id.hex)", "\($0.error)") }
        let commits = walked.commits
        var seenLocks = Set<[UInt8]>()
        for commit in commits {
            // Run records committed by `git mlcommit` keep their artifacts alive like refs do.
            let committed = committedRuns(inCommit: commit, skipping: seenRuns)
            for record in committed.records { addRun(record, place: "ml/runs/\(record.id.dropFirst(7)).json in commit \(commit.hex.prefix(12))") }
            roots.unreadable += committed.invalid.map { ($0, "not a valid run record") }
            guard let bytes = try? repository.fileContents(inCommit: commit, path: "ml/lock.json"),
                  seenLocks.insert(bytes).inserted else { continue }
            if let lock = try? Lock(bytes: bytes) {
                scan(lock, where: "ml/lock.json in commit \(commit.hex.prefix(12))", commit: commit)
            } else {
                roots.unreadable.append(("ml/lock.json in commit \(commit.hex.prefix(12))", "not a valid lock file"))
            }
        }
        return roots
    }
}
