import ArgumentParser
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

            Example: git ml fsck
            """)

    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let report = try openProject().fsck()
            if json {
                printJSON([
                    "clean": .bool(report.isClean),
                    "packs": .number(Double(report.store.packs)),
                    "objects": .number(Double(report.store.objects)),
                    "dataset_versions": .number(Double(report.datasetVersions)),
                    "problems": .array(report.allProblems.map { ["subject": .string($0.subject), "message": .string($0.message)] }),
                    "not_fetched": .array(report.notFetched.map { ["subject": .string($0.subject), "message": .string($0.message)] }),
                    "warnings": .array(report.store.warnings.map { ["subject": .string($0.subject), "message": .string($0.message)] }),
                ])
            } else {
                for w in report.store.warnings { print("warning: \(w)") }
                for p in report.allProblems { print("error: \(p)") }
                for n in report.notFetched { print("not fetched: \(n)") }
                print("checked \(report.store.packs) packs, \(report.store.objects) objects (\(formatBytes(report.store.storedBytes)) stored), \(report.datasetVersions) dataset versions: " +
                      (report.isClean ? "no problems" : "\(report.allProblems.count) problems")
                      + (report.notFetched.isEmpty ? "" : "; \(report.notFetched.count) not fetched here"))
            }
            if !report.isClean { throw Exit.checkFailed }
        }
    }
}
