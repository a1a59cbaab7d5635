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
            let ourLock = try load(ours), theirLock = try load(theirs)
            let (merged, conflicts) = Lock.merge(base: try load(base), ours: ourLock, theirs: theirLock)
            let directory = (ours as NSString).deletingLastPathComponent
            try FileIO.writeAtomically(Array(merged.text.utf8), to: ours, temporaryDirectory: directory.isEmpty ? "." : directory)
            if !conflicts.isEmpty {
                let lines = conflicts.map { Self.describe($0, ours: ourLock, theirs: theirLock) }
                FileHandle.standardError.write(Data(("ml/lock.json: both branches changed the same entries (ours is kept in the file):\n"
                    + lines.map { "  \($0)\n" }.joined()
                    + "choose: keep ours and `git add ml/lock.json`; or take theirs — a dataset with `git ml data checkout NAME@vN`, "
                    + "a candidate with `git mlcommit --run ID` after the merge — or edit the file, then `git add ml/lock.json`\n").utf8))
                throw Exit.checkFailed
            }
        }
    }

    /// One conflicting entry with both sides' values: "dataset churn-train: ours v3 (sha256:ab12…), theirs v4 (sha256:cd34…)".
    static func describe(_ key: String, ours: Lock, theirs: Lock) -> String {
        func side(_ lock: Lock) -> String {
            if key.hasPrefix("datasets.") {
                guard let d = lock.datasets[String(key.dropFirst("datasets.".count))] else { return "removed" }
                return "v\(d.version) (\(d.digest.prefix(19))…)"
            }
            if key.hasPrefix("suites.") {
                guard let c = lock.suites[String(key.dropFirst("suites.".count))] else { return "removed" }
                return "run \(shortID(c.run)) (\(c.experiment), \(c.metric) \(String(format: "%.6g", c.value)))"
            }
            return "changed"
        }
        let what = key.hasPrefix("datasets.") ? "dataset " + key.dropFirst("datasets.".count)
            : key.hasPrefix("suites.") ? "candidate of suite " + key.dropFirst("suites.".count) : key
        return "\(what): ours \(side(ours)), theirs \(side(theirs))"
    }
}
