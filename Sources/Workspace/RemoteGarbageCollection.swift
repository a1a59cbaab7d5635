import BlobStore
import Foundation
import GitRepo
import Records

/// What `git ml gc --remote` did.
public struct RemoteGCResult: Sendable {
    public let remote: String
    /// The git remote whose refs were fetched to find the roots, if any.
    public let gitRemote: String?
    /// Objects the roots need on the remote (delta bases included).
    public let objectsLive: Int
    /// Stale locks removed first (with `breakStaleLocks`).
    public let locksBroken: [RemoteLockInfo]
    /// Live holds whose files were kept (`RemoteHold`: a cluster job in flight).
    public let holdsHonoured: [RemoteLockInfo]
    /// Stale holds (their job is gone) deleted, or in a dry run found.
    public let staleHoldsRemoved: [RemoteLockInfo]
    public let report: RemoteCollectReport
}

extension Project {
    /// Garbage-collects a blob remote. Takes the remote's exclusive lock (a push in flight holds
    /// it shared, so either the push or the gc backs off; a dry run takes no lock), then fetches
    /// `refs/ml/*` and the branches of the git remote, and keeps everything the GC roots reach —
    /// the fetched records, every locally known one and the files of every live `RemoteHold`
    /// (the code and data of a cluster job in flight), delta bases included — deleting or
    /// repacking only packs older than `grace`; stale holds are deleted. Refuses while any
    /// record or hold cannot be read.
    /// With `breakStaleLocks`, first removes the remote's stale locks (left by crashed clients:
    /// not refreshed for `RemoteLock.staleAfter`, or of a dead process on this host), as
    /// `restic unlock` does; fresh locks are never removed. That happens in a dry run too.
    public func collectRemoteGarbage(remote name: String?, gitRemote gitName: String?, grace: TimeInterval,
                                     dryRun: Bool, breakStaleLocks: Bool = false) throws -> RemoteGCResult {
        let spec = try remoteSpec(name)
        let git = try gitRemote(gitName)
        let backend = try wrapping { try spec.open() }
        let broken = breakStaleLocks ? try wrapping { try RemoteLock.removeStale(on: backend) } : []
        let remoteLock = dryRun ? nil : try wrapping {
            try RemoteLock.acquire(backend, kind: .exclusive, holder: "\(actor()) gc")
        }
        defer { try? remoteLock?.release() }
        let cutoff = Date().addingTimeInterval(-grace)
        if let git { try fetchMLRefs(from: git, extraRefspecs: ["+refs/heads/*:refs/remotes/\(git)/*"]) }
        let roots = try gcRoots()
        if let first = roots.unreadable.first {
            throw WorkspaceError.record(RecordError(record: first.ref, reason: "\(first.reason); gc needs every record readable (run `git ml fsck`)"))
        }
        // Read after the lock is taken: a job writes its hold before it uploads (`RemoteHold`).
        let holds = try wrapping { try RemoteHold.held(on: backend) }
        let (live, stale) = (holds.filter { !$0.info.isStale() }, holds.filter { $0.info.isStale() })
        let sync = RemoteSync(store: store, remote: backend)
        let (keep, report) = try withStoreLock(.shared) {
            let keep = try sync.remoteReachable(from: roots.liveFiles.map(\.file) + live.flatMap(\.files))
            return (keep, try sync.collectGarbage(keep: keep, olderThan: cutoff, holding: remoteLock, dryRun: dryRun))
        }
        if let remoteLock {
            for hold in stale {
                try wrapping { try remoteLock.confirm(); try backend.delete(hold.info.key) }
            }
        }
        return RemoteGCResult(remote: spec.name, gitRemote: git, objectsLive: keep.count, locksBroken: broken,
                              holdsHonoured: live.map(\.info), staleHoldsRemoved: stale.map(\.info), report: report)
    }
}
