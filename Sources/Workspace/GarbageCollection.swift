import BlobStore
import Foundation
import GitRepo
import Records

extension Project {
    /// Removes stored objects that no GC root reaches, from packs older than `grace` (so an add
    /// running in another process is never collected), and stale temp files. Holds the store
    /// lock exclusively; refuses to run while any record or lock cannot be read, since then it
    /// cannot know what is alive.
    public func collectGarbage(grace: TimeInterval) throws -> RepackReport {
        return try withStoreLock(.exclusive, wait: false) {
            let roots = try gcRoots()
            if let first = roots.unreadable.first {
                throw WorkspaceError.record(RecordError(record: first.ref, reason: "\(first.reason); gc needs every record readable (run `git ml fsck`)"))
            }
            let live = store.reachable(from: roots.liveFiles)
            return try wrapping { try store.repack(keep: live.objects, olderThan: Date().addingTimeInterval(-grace)) }
        }
    }

    /// The outcome of a purge.
    public struct PurgeResult: Sendable {
        public let version: DatasetVersion
        public let repack: RepackReport
        /// Chunks of the purged version that other live versions also contain (kept).
        public let sharedChunksKept: Int
    }

    /// Deliberately removes a version's bytes (a deletion request, leaked personal data): marks
    /// the record purged (a new commit on its ref, so the history says who, when and why),
    /// re-stores any live delta that decodes against the purged bytes as a full frame, and
    /// deletes the purged objects now, without the gc grace period. Chunks that another live
    /// version also contains stay, and are counted in the result.
    public func purgeDataset(_ spec: String, reason: String) throws -> PurgeResult {
        return try withStoreLock(.exclusive, wait: false) {
            let target = try resolveDataset(spec)
            guard target.record.purged == nil else { throw WorkspaceError.purged(target.record.label) }
            let before = try gcRoots()
            if let first = before.unreadable.first {
                throw WorkspaceError.record(RecordError(record: first.ref, reason: first.reason))
            }
            let purgedFiles = try target.record.files.map { (try Project.storedFile($0), target.record.label) }
            let purgedObjects = store.reachable(from: purgedFiles).direct

            var record = target.record
            let now = Date()
            record.purged = DatasetRecord.Purge(at: timestamp(now), by: actor(), reason: reason)
            let commit = try writeVersionCommit(record, parent: target.commit, message: "purge \(record.label)\n\n\(reason)\n", time: now)
            try wrapping { try repository.updateRef(target.ref, to: commit, expected: target.commit, message: "git ml data purge") }

            let after = try gcRoots()
            let live = store.reachable(from: after.liveFiles)
            // Live deltas whose chain passes through a purged object that nothing else names directly.
            let doomed = purgedObjects.subtracting(live.direct)
            var expand = Set<Digest>()
            for digest in live.direct {
                var base = store.entry(digest)?.base
                while let b = base {
                    if doomed.contains(b) { expand.insert(digest); break }
                    base = store.entry(b)?.base
                }
            }
            var keep = live.objects.subtracting(doomed)
            keep.formUnion(expand)
            let report = try wrapping { try store.repack(keep: keep, expand: expand, olderThan: Date.distantFuture) }
            return PurgeResult(version: DatasetVersion(record: record, commit: commit), repack: report,
                               sharedChunksKept: purgedObjects.intersection(live.direct).count)
        }
    }
}

extension Project {
    /// Merges small packs into large ones and writes a multi-pack index over every pack
    /// (`ObjectStore.consolidate`). Holds the store lock exclusively; fails, changing nothing,
    /// while another GitML process uses the store.
    public func repack() throws -> ConsolidationReport {
        try withStoreLock(.exclusive, wait: false) { try wrapping { try store.consolidate() } }
    }
}
