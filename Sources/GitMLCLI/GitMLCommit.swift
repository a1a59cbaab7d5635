import ArgumentParser
import BlobStore
import Platform
import Foundation
import GitRepo
import Records
import Runner
import Workspace

/// `git mlcommit`: commit the ML evidence of the working tree (ml/ and the files GitML edits) —
/// run records and the suites' candidates among them — with a message that says what changed,
/// e.g. "ml: churn: roc_auc 0.81 → 0.84 (+0.03), run 3f2a9c1b0d4e; train v1 → v2".
public struct GitMLCommit: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "git-mlcommit",
        abstract: "Commit runs and ml/ (lock, configs, records) with a message listing what changed.",
        discussion: """
            With RUN ids (or --run ID), writes ml/runs/<id>.json for each and makes each the
            candidate of its suite in ml/lock.json. Without, looks for each suite at the
            successful runs made on HEAD's code with a clean tree since its candidate (an older
            run never replaces it unless named): one is taken; among several, --best takes the best primary metric and
            --newest the newest; without either, a terminal session takes the newest and says
            so, and a script is refused with the list (nothing is chosen silently). The message
            names every run made a candidate. A run whose code was dirty, or is not HEAD's code
            (the tree outside ml/), is refused unless --allow-dirty, which the lock records.

            Then stages ml/, .gitignore and .gitattributes and runs `git commit` (so hooks,
            signing and the user's git settings apply). Nothing else in the working tree is staged.

            Example: git ml run churn-gbdt && git mlcommit -m "gbdt with 300 rounds"
            """,
        version: Release.version)

    @Option(name: .shortAndLong, help: "A subject line; the dataset changes follow it.") var message: String?
    @Argument(help: "Runs to commit (ids or unique prefixes).", completion: Complete.runs) var runs: [String] = []
    @Option(name: .customLong("run"), help: ArgumentHelp("A run to commit (repeatable; same as the arguments).", valueName: "id"))
    var namedRuns: [String] = []
    @Flag(help: "Among several runs on this code, take the one with the best primary metric.") var best = false
    @Flag(help: "Among several runs on this code, take the newest.") var newest = false
    @Flag(help: "Commit runs whose code was dirty or differs from HEAD's (recorded in the lock).") var allowDirty = false
    @Flag(help: "Print the message without committing.") var dryRun = false

    public init() {}

    public func run() throws {
        try reportingErrors {
            let project = try openProject()
            let evidence = EvidenceCommit(project: project)
            if best && newest { throw InputError("--best and --newest choose differently: give one") }
            let interactive = isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0
            let choice: EvidenceCommit.Choice = best ? .best : newest || interactive ? .newest : .unambiguous
            let entries = try evidence.plan(prefixes: runs + namedRuns, allowDirty: allowDirty, choice: choice)
            if !dryRun { try evidence.apply(entries) }
            let before = (try? project.lock(at: "HEAD")) ?? nil
            let after = try project.readLock()
            let changes = entries.map(EvidenceCommit.describe) + GitMLCommit.describe(from: before ?? Lock(), to: after)
                + (try evidence.newAttestations())
            let subject = message ?? (changes.isEmpty ? "ml: update" : "ml: " + changes.joined(separator: ", "))
            let body = message != nil && !changes.isEmpty ? "\n\n" + changes.map { "- \($0)" }.joined(separator: "\n") : ""
            let text = subject + body
            if dryRun { print(text); return }
            let paths = ["ml", ".gitignore", ".gitattributes"].filter { FileManager.default.fileExists(atPath: project.root + "/" + $0) }
            FaultPoint.reach("mlcommit.written-before-commit")
            try git(["add", "--"] + paths, in: project.root)
            if try git(["diff", "--cached", "--quiet", "--"] + paths, in: project.root, allowFailure: true) == 0 {
                print("nothing to commit in ml/")
                return
            }
            try git(["commit", "-m", text, "--"] + paths, in: project.root)
            if message != nil { changes.forEach { print("  \($0)") } }
            for entry in entries { print("candidate of \(entry.run.record.suite): run \(shortID(entry.run.id)) (\(entry.run.record.experiment))") }
        }
    }

    /// "name vA → vB" per changed dataset, "name vN (new)", "name removed".
    static func describe(from old: Lock, to new: Lock) -> [String] {
        var out: [String] = []
        for (name, entry) in new.datasets.sorted(by: { $0.key < $1.key }) {
            if let previous = old.datasets[name] {
                if previous.digest != entry.digest { out.append("\(name) v\(previous.version) → v\(entry.version)") }
            } else {
                out.append("\(name) v\(entry.version) (new)")
            }
        }
        for name in old.datasets.keys.sorted() where new.datasets[name] == nil { out.append("\(name) removed") }
        return out
    }

    /// Runs the git binary; its output goes to ours.
    @discardableResult
    private func git(_ arguments: [String], in directory: String, allowFailure: Bool = false) throws -> Int32 {
        let status = try GitCommand.passThrough(arguments, in: directory)
        if status != 0 && !allowFailure {
            throw WorkspaceError.git(.command(arguments: arguments, status: status, stderr: "see above"))
        }
        return status
    }
}
