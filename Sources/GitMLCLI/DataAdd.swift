import ArgumentParser
import Foundation
import Records
import Workspace

/// `git ml data add`: store a file or directory as a new dataset version.
struct DataAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store a file or directory as a new version of a dataset.",
        discussion: """
            Creates refs/ml/datasets/<name>/v<N>, pins it in ml/lock.json and git-ignores the
            path. Content equal to the latest version creates no new version. The name defaults
            to the file name without its extension.

            Example: git ml data add data/train.csv --name train
            """)

    @Argument(help: "The file or directory to store.") var path: String
    @Option(help: "The dataset name (letters, digits, '.', '_', '-').") var name: String?
    @Flag(help: "Print the version record as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let relative = try project.relativePath(path, cwd: currentDirectory)
            let datasetName = name ?? DataAdd.defaultName(for: relative)
            let progress = ProgressLine("adding \(relative)")
            let result = try project.addDataset(relativePath: relative, name: datasetName) { progress.update($0, $1) }
            progress.finish()
            let record = result.version.record
            if json {
                printJSON(versionJSON(record))
            } else if result.created {
                let s = result.statistics
                print("\(record.label) \(record.digest) \(formatBytes(record.size)) in \(record.files.count) file\(record.files.count == 1 ? "" : "s"): " +
                      "\(s.newChunks) new chunks of \(s.chunks) (\(s.deltaChunks) as deltas), \(formatBytes(s.newStoredBytes)) stored")
            } else {
                print("\(record.label) unchanged (\(record.digest)); no new version")
            }
        }
    }

    /// `data/train.csv` → `train`.
    static func defaultName(for path: String) -> String {
        let base = (path as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        return stem.isEmpty ? base : stem
    }
}
