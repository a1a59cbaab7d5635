import BlobStore
import Records

/// The result of `git ml fsck`: every problem, each naming its object, file or ref.
public struct FsckReport: Sendable {
    public var store: StoreCheckReport
    public var datasetVersions = 0
    /// Problems with records, refs and locks, as (subject, message).
    public var problems: [StoreProblem] = []
    /// Files and versions this clone has never downloaded (none of their objects or records are
    /// here): not damage — `git ml pull` fetches them — so they do not make the report unclean.
    public var notFetched: [StoreProblem] = []
    /// Files of several chunks whose chunks were reassembled and hashed against their records,
    /// and their bytes (each distinct file once).
    public var hashedFiles = 0
    public var hashedBytes: UInt64 = 0
    public var allProblems: [StoreProblem] { store.problems + problems }
    public var isClean: Bool { allProblems.isEmpty }
}

extension Project {
    /// Checks the store (packs, indexes, every object and delta base) and every record: refs
    /// name the version their record holds, records parse, every file's manifest and chunks are
    /// present and cover the recorded size, the chunks of each file of several chunks hash in
    /// order to its recorded digest (those `content` selects: by default the pairs this store has
    /// not verified before; `.everyFile` for `--read-data`), every committed lock names a known version, every
    /// entry of the working tree's lock agrees with the record it names (digest, label, size, path),
    /// and every suite entry of every lock agrees with its run record (suite, experiment, status,
    /// primary metric and value).
    ///
    /// A clone holds only what it pulled, so a file none of whose objects are here (and a lock
    /// entry whose version record is not here) is "not fetched", not a problem — except the
    /// artifacts of a run made in this clone (a local `refs/ml/runs/*` ref), which were stored
    /// here when it ran: their absence is loss. A file with some of its objects present and
    /// others absent or damaged is always a problem.
    public func fsck(content: ContentCheck = .unverifiedOnly) throws -> FsckReport {
        let roots = try gcRoots()
        var report = FsckReport(store: store.check())
        report.datasetVersions = roots.records.count
        for (ref, reason) in roots.unreadable { report.problems.append(StoreProblem(subject: ref, message: reason)) }
        for (place, name, digest) in roots.danglingLockEntries {
            report.notFetched.append(StoreProblem(subject: place, message: "dataset \(name) pins \(digest), whose version record is not here (fetch it with `git ml pull`)"))
        }
        for (name, entry) in (roots.workingTreeLock?.datasets ?? [:]).sorted(by: { $0.key < $1.key }) {
            let place = "working tree ml/lock.json"
            switch try compare(lockEntry: entry, named: name, with: roots.records) {
            case .agrees: break
            case .disagrees(let reason):
                report.problems.append(StoreProblem(subject: "\(place) entry \(name)", message: "\(reason) (restore the lock with `git checkout -- ml/lock.json`, or rewrite the entry with `git ml data checkout \(name)@vN`)"))
            case .notHere where roots.unreadable.contains(where: { $0.ref.hasSuffix("datasets/\(name)/v\(entry.version)") }):
                report.problems.append(StoreProblem(subject: "\(place) entry \(name)", message: "pins \(name)@v\(entry.version), whose record cannot be read (see above)"))
            case .notHere:
                report.notFetched.append(StoreProblem(subject: place, message: "dataset \(name) pins \(entry.digest), whose version record is not here (fetch it with `git ml pull`)"))
            }
        }
        let runs = try recordedRuns().runs
        report.problems += suiteEntryProblems(roots, runs: runs)
        let madeHere = Set(runs.filter { $0.ref.hasPrefix("refs/ml/runs/") }.map { "run \(shortID($0.id)) " })
        var present: [(file: StoredFile, owner: String)] = []
        for live in roots.liveFiles {
            if store.contains(live.file.manifest ?? live.file.digest) {
                present.append(live)
            } else if madeHere.contains(where: live.owner.hasPrefix) {
                report.problems.append(StoreProblem(subject: live.owner, message: "is missing from the store, though the run was made here (restore it from a blob remote with `git ml pull`)"))
            } else {
                report.notFetched.append(StoreProblem(subject: live.owner, message: "not downloaded here (fetch it with `git ml pull`)"))
            }
        }
        let localRefs = try wrapping { try repository.refs(withPrefix: "refs/ml/datasets/") }
        let versionByCommit = Dictionary(roots.records.map { ($0.commit, $0) }, uniquingKeysWith: { first, _ in first })
        for (ref, commit) in localRefs {
            guard let version = versionByCommit[commit] else { continue }
            if ref != version.ref {
                report.problems.append(StoreProblem(subject: ref, message: "holds the record of \(version.record.label)"))
            }
        }
        checkContents(of: present, content, into: &report)
        for (object, owner) in store.reachable(from: present).missing {
            report.problems.append(StoreProblem(subject: owner, message: "needs object \(object), which is missing"))
        }
        return report
    }

    /// Each present file against its record: its manifest covers the recorded size and, as
    /// `mode` selects, its chunks in order hash to the recorded digest. Each distinct file is
    /// checked once; a problem is named for every record or run that holds the file.
    private func checkContents(of present: [(file: StoredFile, owner: String)], _ mode: ContentCheck, into report: inout FsckReport) {
        var checked = Set<StoredFile>()
        var found: [StoredFile: String] = [:]
        for (file, owner) in present {
            if checked.insert(file).inserted, let problem = contentProblem(of: file, mode, counting: &report) { found[file] = problem }
            if let problem = found[file] { report.problems.append(StoreProblem(subject: owner, message: problem)) }
        }
    }

    /// Why `file`'s chunks are not the file its record names, or nil. A chunk missing while
    /// hashing is left to the reachability check, which names it.
    private func contentProblem(of file: StoredFile, _ mode: ContentCheck, counting report: inout FsckReport) -> String? {
        let chunks: ChunkList
        do { chunks = try store.chunkList(of: file) } catch { return "\(error)" }
        guard chunks.totalBytes == file.size else { return "manifest covers \(chunks.totalBytes) bytes, the record says \(file.size)" }
        do {
            if try store.checkContent(of: file, chunks: chunks, mode) {
                report.hashedFiles += 1
                report.hashedBytes += file.size
            }
        } catch StoreError.missingObject {
            // Named by the reachability check ("needs object …, which is missing").
        } catch {
            return "\(error)"
        }
        return nil
    }
}
