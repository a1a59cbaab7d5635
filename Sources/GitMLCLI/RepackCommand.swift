import ArgumentParser
import Workspace

/// `git ml repack`: merge small packs into large ones and index every pack in one file.
struct RepackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repack",
        abstract: "Merge small packs into large ones and write the multi-pack index.",
        discussion: """
            Packs under 32 MiB are merged into packs of about 64 MiB (stored frames are
            copied, not recompressed); each old pack is deleted only once the new ones are
            written and synced, so an interrupted repack loses nothing. Then one multi-pack
            index over every pack is written, so a lookup reads one index however many packs
            there are (commands also rewrite it on their own once more than 8 packs are
            outside it). Nothing is removed: `git ml gc` removes unreferenced objects. Fails,
            changing nothing, while another GitML process uses the store.

            Example: git ml repack
            """)

    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let r = try openProject().repack()
            if json {
                printJSON(["packs_before": .number(Double(r.packsBefore)), "packs_after": .number(Double(r.packsAfter)),
                           "packs_merged": .number(Double(r.packsMerged)), "packs_written": .number(Double(r.packsWritten)),
                           "objects_copied": .number(Double(r.objectsCopied)), "bytes_copied": .number(Double(r.bytesCopied))])
            } else {
                print("merged \(r.packsMerged) packs into \(r.packsWritten) (\(r.objectsCopied) objects, \(formatBytes(r.bytesCopied))); "
                      + "\(r.packsAfter) packs, all in the multi-pack index")
            }
        }
    }
}
