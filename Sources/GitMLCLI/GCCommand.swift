import ArgumentParser
import Workspace

/// `git ml gc`: remove stored bytes nothing refers to.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove stored objects that no branch, tag, reflog, lock or record reaches.",
        discussion: """
            Only packs older than the grace period are touched, so an add running at the same
            time is never collected. Fails, changing nothing, while another GitML process uses
            the store.

            Example: git ml gc --grace-seconds 0
            """)

    @Option(help: "Leave packs written in the last N seconds alone.") var graceSeconds: Int = 3600
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        try reportingErrors {
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
}
