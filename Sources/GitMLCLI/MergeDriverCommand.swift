import ArgumentParser
import BlobStore
import Foundation
import Records

/// `git ml merge-driver %O %A %B`: git's merge driver for ml/lock.json.
struct MergeDriverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-driver",
        abstract: "Merge three versions of ml/lock.json (git calls this; `git ml init` registers it).",
        discussion: """
            Entries changed on one side take that side; entries changed differently on both
            sides are conflicts: the result keeps ours, the conflicting keys are printed and the
            exit status is 1, so git reports the merge as conflicted.

            Example (as git runs it): git ml merge-driver %O %A %B
            """)

    @Argument(help: "The common ancestor's version.") var base: String
    @Argument(help: "Ours; the merged result is written here.") var ours: String
    @Argument(help: "Theirs.") var theirs: String

    func run() throws {
        try reportingErrors {
            func load(_ path: String) throws -> Lock {
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                return text.isEmpty ? Lock() : try Lock(text: text)
            }
            let (merged, conflicts) = Lock.merge(base: try load(base), ours: try load(ours), theirs: try load(theirs))
            let directory = (ours as NSString).deletingLastPathComponent
            try FileIO.writeAtomically(Array(merged.text.utf8), to: ours, temporaryDirectory: directory.isEmpty ? "." : directory)
            if !conflicts.isEmpty {
                FileHandle.standardError.write(Data("ml/lock.json: both sides changed \(conflicts.joined(separator: ", ")); kept ours — edit the file and `git add` it\n".utf8))
                throw Exit.checkFailed
            }
        }
    }
}
