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
            the object, file or ref concerned).

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
                    "warnings": .array(report.store.warnings.map { ["subject": .string($0.subject), "message": .string($0.message)] }),
                ])
            } else {
                for w in report.store.warnings { print("warning: \(w)") }
                for p in report.allProblems { print("error: \(p)") }
                print("checked \(report.store.packs) packs, \(report.store.objects) objects (\(formatBytes(report.store.storedBytes)) stored), \(report.datasetVersions) dataset versions: " +
                      (report.isClean ? "no problems" : "\(report.allProblems.count) problems"))
            }
            if !report.isClean { throw Exit.checkFailed }
        }
    }
}
