import ArgumentParser
import Workspace

/// `git ml data purge`: deliberately remove a version's bytes.
struct DataPurge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove a dataset version's bytes for good (deletion requests, leaked data).",
        discussion: """
            The version stays in the history, marked purged with who, when and why; its bytes
            are deleted now. Bytes that another version also contains are kept (and counted).
            Remotes keep their copy until their own purge.

            Example: git ml data purge customers@v3 --reason "GDPR erasure request #1234"
            """)

    @Argument(help: "name@vN or name@sha256:<prefix>.", completion: Complete.datasetVersions) var dataset: String
    @Option(help: "Why the data must go (recorded).") var reason: String

    func run() throws {
        try reportingErrors {
            let result = try openProject().purgeDataset(dataset, reason: reason)
            let r = result.repack
            print("purged \(result.version.record.label): removed \(r.objectsRemoved) objects (\(formatBytes(r.bytesFreed))), re-stored \(r.deltasExpanded) dependent deltas" +
                  (result.sharedChunksKept > 0 ? "; kept \(result.sharedChunksKept) chunks other versions also contain" : ""))
        }
    }
}
