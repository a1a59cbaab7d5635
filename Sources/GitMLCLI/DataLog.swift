import ArgumentParser
import Records
import Workspace

/// `git ml data log <name>`: the versions of a dataset.
struct DataLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the versions of a dataset, newest first.",
        discussion: "Example: git ml data log train")

    @Argument(help: "The dataset name.", completion: Complete.datasets) var name: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let versions = try project.versions(of: name).reversed()
            guard !versions.isEmpty else { throw WorkspaceError.unknownDataset(name) }
            let locked = try project.readLock().datasets[name]?.digest
            if json {
                printJSON(.array(versions.map { versionJSON($0.record) }))
                return
            }
            for v in versions {
                let r = v.record
                let mark = r.digest == locked ? " (locked)" : ""
                let purged = r.purged.map { " PURGED \($0.at) by \($0.by): \($0.reason)" } ?? ""
                print("\(r.label)\(mark)  \(r.createdAt)  \(formatBytes(r.size))  \(r.digest.prefix(19))…  \(r.createdBy)\(purged)")
            }
        }
    }
}
