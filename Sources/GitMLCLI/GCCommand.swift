import ArgumentParser
import Workspace

/// `git ml gc`: remove stored bytes nothing refers to, locally or on a blob remote.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove stored objects that no branch, tag, reflog, lock or record reaches.",
        discussion: """
            Only packs older than the grace period are touched, so an add running at the same
            time is never collected. Fails, changing nothing, while another GitML process uses
            the store.

            With --remote, collects the blob remote instead: fetches the git remote's refs
            first, holds the remote's exclusive lock (failing while a push holds it), keeps
            everything the fetched and local records need, deletes dead packs and repacks
            mostly dead ones. A lock left by a client that crashed (not refreshed for 30 min, or
            of a dead process on this host) blocks pushes and gcs until --break-lock removes it
            (fresh locks are never removed; with --dry-run, only the stale locks are removed).

            Example: git ml gc --grace-seconds 0
            Example: git ml gc --remote shared --dry-run
            Example: git ml gc --remote shared --break-lock
            """)

    @Option(help: "Leave packs written in the last N seconds alone.") var graceSeconds: Int = 3600
    @Option(help: "Collect this blob remote instead of the local store.") var remote: String?
    @Option(help: "The git remote whose refs are the roots (default: origin when it exists).") var gitRemote: String?
    @Flag(help: "With --remote: report what would be removed, changing nothing.") var dryRun = false
    @Flag(help: "With --remote: first remove stale locks left by crashed clients.") var breakLock = false
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            if let remote {
                try collectRemote(remote)
                return
            }
            guard !dryRun else { throw ValidationError("--dry-run needs --remote") }
            guard !breakLock else { throw ValidationError("--break-lock needs --remote") }
            let r = try openProject().collectGarbage(grace: Double(graceSeconds))
            if json {
                printJSON(["packs_deleted": .number(Double(r.packsDeleted)), "packs_rewritten": .number(Double(r.packsRewritten)),
                           "objects_removed": .number(Double(r.objectsRemoved)), "bytes_freed": .number(Double(r.bytesFreed)),
                           "temporary_files_removed": .number(Double(r.temporaryFilesRemoved))])
            } else {
                print("removed \(r.objectsRemoved) objects (\(formatBytes(r.bytesFreed))): \(r.packsDeleted) packs deleted, \(r.packsRewritten) rewritten, \(r.temporaryFilesRemoved) temporary files removed")
            }
        }
    }

    private func collectRemote(_ name: String) throws {
        let result = try openProject().collectRemoteGarbage(remote: name, gitRemote: gitRemote,
                                                            grace: Double(graceSeconds), dryRun: dryRun,
                                                            breakStaleLocks: breakLock)
        let r = result.report
        if !json {
            for lock in result.locksBroken { print("removed the stale lock \(lock.key) of \(lock.summary)") }
            for hold in result.holdsHonoured { print("kept the files held by \(hold.summary) (\(hold.key))") }
            for hold in result.staleHoldsRemoved { print("\(r.dryRun ? "would remove" : "removed") the stale hold \(hold.key) of \(hold.summary)") }
        }
        if json {
            printJSON(["remote": .string(result.remote), "dry_run": .bool(r.dryRun),
                       "objects_live": .number(Double(result.objectsLive)), "packs_examined": .number(Double(r.packsExamined)),
                       "packs_deleted": .number(Double(r.packsDeleted)), "packs_rewritten": .number(Double(r.packsRewritten)),
                       "packs_in_grace": .number(Double(r.packsInGrace)), "packs_consolidated": .number(Double(r.packsConsolidated)), "objects_removed": .number(Double(r.objectsRemoved)),
                       "bytes_freed": .number(Double(r.bytesFreed)), "stray_packs_removed": .number(Double(r.strayPacksRemoved)),
                       "uploads_aborted": .number(Double(r.uploadsAborted)),
                       "locks_broken": .array(result.locksBroken.map { .string($0.key) }),
                       "holds_honoured": .array(result.holdsHonoured.map { .string($0.key) }),
                       "stale_holds_removed": .array(result.staleHoldsRemoved.map { .string($0.key) }),
                       "temporary_files_removed": .number(Double(r.temporaryFilesRemoved))])
        } else {
            let verb = r.dryRun ? "would remove" : "removed"
            print("\(result.remote): \(verb) \(r.objectsRemoved) objects (\(formatBytes(r.bytesFreed))): "
                  + "\(r.packsDeleted) of \(r.packsExamined) packs deleted, \(r.packsRewritten) rewritten, "
                  + (r.packsConsolidated > 0 ? "\(r.packsConsolidated) small packs merged, " : "")
                  + "\(r.strayPacksRemoved) stray packs and \(r.temporaryFilesRemoved) temporary files removed; \(r.packsInGrace) packs left alone within the grace period")
        }
    }
}
