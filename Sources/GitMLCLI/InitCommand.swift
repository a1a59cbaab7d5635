import ArgumentParser
import Workspace

/// `git ml init`: set GitML up in the current repository.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Set GitML up in this git repository (safe to run again).",
        discussion: """
            Creates ml/config.yaml and the blob store in .git/ml, makes every remote fetch
            refs/ml/* into refs/ml/remotes/<remote>/* (never forced; not refs/remotes/, so
            `git branch -a` lists branches only), and registers the merge
            driver for ml/lock.json.

            Example: git init && git ml init
            """)

    func run() throws {
        try reportingErrors {
            let report = try Project.initialize(in: currentDirectory)
            if report.changes.isEmpty {
                print("GitML is already set up here; nothing changed.")
            } else {
                report.changes.forEach { print($0) }
            }
        }
    }
}
