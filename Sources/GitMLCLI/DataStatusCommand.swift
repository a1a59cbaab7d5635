import ArgumentParser
import Records
import Workspace

/// `git ml data status`: are the working-tree copies the pinned versions?
struct DataStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether each pinned dataset is up to date, modified or missing.",
        discussion: """
            Untouched files are recognized by their size, times and inode (the stat cache),
            so a clean status reads no data.

            Example: git ml data status --json
            """)

    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let statuses = try openProject().datasetStatus()
            if json {
                printJSON(.array(statuses.map {
                    ["name": .string($0.name), "version": .string("v\($0.version)"), "path": .string($0.path),
                     "state": .string($0.state.rawValue), "changed_files": .array($0.changedFiles.map(JSONValue.string))]
                }))
                return
            }
            if statuses.isEmpty { print("no datasets pinned in ml/lock.json") }
            for s in statuses {
                print("\(s.name)@v\(s.version)\t\(s.path)\t\(s.state.rawValue)")
                for f in s.changedFiles.prefix(20) where !f.isEmpty { print("\t\t\(f)") }
                if s.changedFiles.count > 20 { print("\t\t… and \(s.changedFiles.count - 20) more") }
            }
        }
    }
}
