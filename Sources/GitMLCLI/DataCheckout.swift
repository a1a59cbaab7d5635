import ArgumentParser
import Workspace

/// `git ml data checkout`: materialize dataset versions in the working tree.
struct DataCheckout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout",
        abstract: "Write the exact bytes of dataset versions to their paths.",
        discussion: """
            Without arguments, every dataset pinned in ml/lock.json at its pinned version.
            With name@vN (or name@sha256:<prefix>), that version, and the lock is moved to it.
            Every chunk is verified; a damaged one fails the checkout and leaves the file as it was.

            Examples: git ml data checkout
                      git ml data checkout train@v1
            """)

    @Argument(help: "Datasets to check out (name, name@vN, name@sha256:<prefix>).", completion: Complete.datasetVersions) var datasets: [String] = []

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            var specs = datasets
            if specs.isEmpty { specs = try project.readLock().datasets.keys.sorted() }
            if specs.isEmpty { print("ml/lock.json pins no datasets; add one with `git ml data add`") }
            // Every spec is resolved (and every lock entry checked) before anything is written.
            for version in try specs.map(project.resolveDataset) {
                let progress = ProgressLine("checking out \(version.record.label)")
                let written = try project.checkoutDataset(version) { progress.update($0, $1) }
                progress.finish()
                print("\(version.record.label) → \(version.record.path)" + (written == 0 ? " (already up to date)" : ""))
            }
        }
    }
}
