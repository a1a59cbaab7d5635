import ArgumentParser
import BlobStore
import Records
import Workspace

/// `git ml fsck`: prove the store and the records are intact.
struct FsckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check every pack, object, delta base, manifest, record, ref and lock.",
        discussion: """
            Exits 0 when everything is intact, 1 when it found problems (each printed with
            the object, file or ref concerned). In a clone, data and run artifacts that were
            never downloaded are listed as "not fetched" and do not fail the check; the
            artifacts of runs made in this clone, and files partly present, must be whole.

            Each file of several chunks is reassembled from its chunks and hashed once: its
            bytes must have the SHA-256 its record names. A file this store added, restored or
            checked before is not hashed again (its chunks are each verified on every run).
            --read-data hashes every such file again, trusting no earlier check (it reads and
            decodes every stored byte once more).

            With --remote R: instead, check that blob remote R holds everything the refs need
            — every dataset version under refs/ml/datasets, every run's artifacts, and what
            each branch's ml/lock.json pins — reading only the remote's pack indexes. Prints
            what is missing (name@vN, run <id>) and exits 1, or 0 when the remote is complete.

            Examples: git ml fsck
                      git ml fsck --read-data
                      git ml fsck --remote shared
            """)

    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Reassemble and hash every stored file of several chunks, even those checked before.") var readData = false
    @Option(help: "Check that this blob remote holds everything the refs need (\"default\": the default remote).") var remote: String?

    func validate() throws {
        if readData, remote != nil {
            throw ValidationError("--read-data hashes this clone's files; --remote reads only a blob remote's indexes: use one or the other")
        }
    }

    func run() throws {
        try reportingErrors {
            if let remote {
                let report = try openProject().checkRemote(remote == "default" ? nil : remote)
                if json {
                    printJSON(["remote": .string(report.remote), "complete": .bool(report.isComplete), "checked": .number(Double(report.checked)),
                               "missing": .array(report.missing.map(JSONValue.string))])
                } else {
                    for subject in report.missing { print("missing on \(report.remote): \(subject)") }
                    print("checked \(report.checked) dataset versions and runs against remote \(report.remote): "
                          + (report.isComplete ? "complete" : "\(report.missing.count) missing (run `git ml push` from a clone that has them)"))
                }
                if !report.isComplete { throw Exit.checkFailed }
                return
            }
            let report = try openProject().fsck(content: readData ? .everyFile : .unverifiedOnly)
            if json {
                printJSON([
                    "clean": .bool(report.isClean),
                    "packs": .number(Double(report.store.packs)),
                    "objects": .number(Double(report.store.objects)),
                    "dataset_versions": .number(Double(report.datasetVersions)),
                    "hashed_files": .number(Double(report.hashedFiles)),
                    "hashed_bytes": .number(Double(report.hashedBytes)),
                    "problems": .array(report.allProblems.map { ["subject": .string($0.subject), "message": .string($0.message)] }),
                    "not_fetched": .array(report.notFetched.map { ["subject": .string($0.subject), "message": .string($0.message)] }),
                    "warnings": .array(report.store.warnings.map { ["subject": .string($0.subject), "message": .string($0.message)] }),
                ])
            } else {
                for w in report.store.warnings { print("warning: \(w)") }
                for p in report.allProblems { print("error: \(p)") }
                for n in report.notFetched { print("not fetched: \(n)") }
                print("checked \(report.store.packs) packs, \(report.store.objects) objects (\(formatBytes(report.store.storedBytes)) stored), \(report.datasetVersions) dataset versions"
                      + (report.hashedFiles == 0 ? "" : ", hashed \(report.hashedFiles) file\(report.hashedFiles == 1 ? "" : "s") (\(formatBytes(report.hashedBytes)))") + ": " +
                      (report.isClean ? "no problems" : "\(report.allProblems.count) problems")
                      + (report.notFetched.isEmpty ? "" : "; \(report.notFetched.count) not fetched here"))
            }
            if !report.isClean { throw Exit.checkFailed }
        }
    }
}
