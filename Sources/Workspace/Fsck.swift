import BlobStore
import Records

/// The result of `git ml fsck`: every problem, each naming its object, file or ref.
public struct FsckReport: Sendable {
    public var store: StoreCheckReport
    public var datasetVersions = 0
    /// Problems with records, refs and locks, as (subject, message).
    public var problems: [StoreProblem] = []
    public var allProblems: [StoreProblem] { store.problems + problems }
    public var isClean: Bool { allProblems.isEmpty }
}

extension Project {
    /// Checks the store (packs, indexes, every object and delta base) and every record: refs
    /// name the version their record holds, records parse, every file's manifest and chunks are
    /// present and cover the recorded size, and every lock names a known version.
    public func fsck() throws -> FsckReport {
        let roots = try gcRoots()
        var report = FsckReport(store: store.check())
        report.datasetVersions = roots.records.count
        for (ref, reason) in roots.unreadable { report.problems.append(StoreProblem(subject: ref, message: reason)) }
        for (place, name, digest) in roots.danglingLockEntries {
            report.problems.append(StoreProblem(subject: place, message: "dataset \(name) pins \(digest), which has no version record here (fetch it with `git ml pull`)"))
        }
        let localRefs = try wrapping { try repository.refs(withPrefix: "refs/ml/datasets/") }
        for (ref, commit) in localRefs {
            guard let version = roots.records.first(where: { $0.commit == commit }) else { continue }
            if ref != version.ref {
                report.problems.append(StoreProblem(subject: ref, message: "holds the record of \(version.record.label)"))
            }
        }
        for version in roots.records where version.record.purged == nil {
            let record = version.record
            for file in record.files {
                let owner = record.label + (file.path.isEmpty ? "" : "/" + file.path)
                do {
                    let stored = try Project.storedFile(file)
                    let chunks = try store.chunkList(of: stored)
                    if chunks.totalBytes != stored.size {
                        report.problems.append(StoreProblem(subject: owner, message: "manifest covers \(chunks.totalBytes) bytes, the record says \(stored.size)"))
                    }
                } catch {
                    report.problems.append(StoreProblem(subject: owner, message: "\(error)"))
                }
            }
        }
        for (object, owner) in store.reachable(from: roots.liveFiles).missing {
            report.problems.append(StoreProblem(subject: owner, message: "needs object \(object), which is missing"))
        }
        return report
    }
}
