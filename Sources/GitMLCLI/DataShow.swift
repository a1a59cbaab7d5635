import ArgumentParser
import Records
import Workspace

/// `git ml data show <name@vN>`: one version's record.
struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a dataset version's record: digest, size, files, parent, who and when.",
        discussion: "Example: git ml data show train@v2 --json")

    @Argument(help: "name, name@vN or name@sha256:<prefix>.") var dataset: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let version = try openProject().resolveDataset(dataset)
            let r = version.record
            if json { printJSON(versionJSON(r)); return }
            print("dataset   \(r.label)")
            print("digest    \(r.digest)")
            print("size      \(formatBytes(r.size)) (\(r.size) bytes)")
            print("path      \(r.path)\(r.isDirectory ? "/" : "")")
            print("parent    \(r.parent ?? "none")")
            print("created   \(r.createdAt) by \(r.createdBy)")
            print("ref       \(version.ref) (\(version.commit.hex.prefix(12)))")
            if let p = r.purged { print("PURGED    \(p.at) by \(p.by): \(p.reason)") }
            if r.isDirectory {
                print("files     \(r.files.count)")
                for f in r.files.prefix(50) { print("  \(f.path)  \(formatBytes(f.size))  \(f.digest.prefix(19))…") }
                if r.files.count > 50 { print("  … and \(r.files.count - 50) more") }
            }
        }
    }
}
