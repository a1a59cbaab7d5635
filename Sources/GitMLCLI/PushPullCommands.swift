import ArgumentParser
import Foundation
import Workspace

/// `git ml push`: publish dataset bytes to a blob remote, then refs to the git remote.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload dataset bytes the blob remote lacks, then push the branch and refs/ml/* atomically.",
        discussion: """
            Bytes go first (packed, delta bases included, resumable), so the git remote never
            names data nobody can fetch. The git push uses the git binary: your ssh config and
            credential helpers apply.

            Example: git ml push shared --git-remote origin
            """)

    @Argument(help: "The blob remote (default: the default remote).") var remote: String?
    @Option(help: "The git remote for the branch and refs/ml/* (default: origin when it exists).") var gitRemote: String?

    func run() throws {
        try reportingErrors {
            let progress = ProgressLine("uploading")
            let r = try openProject().push(remote: remote, gitRemote: gitRemote) { progress.update($0, $1) }
            progress.finish()
            for (from, to) in r.relabeled {
                print("\(from) is taken on the remote by other data: your version is now \(to)")
            }
            // The server's gate speaks on accepted pushes too (a shadow verdict): pass it on, as git would.
            for line in r.serverMessages { FileHandle.standardError.write(Data("remote: \(line)\n".utf8)) }
            print("\(r.remote): \(r.blobs.objectsUploaded) of \(r.blobs.objectsNeeded) objects uploaded (\(formatBytes(r.blobs.bytesUploaded)) in \(r.blobs.packsUploaded) packs)" +
                  (r.gitRemote.map { "; \(r.refsPublished) refs pushed to \($0)" } ?? "; no git remote, refs not pushed"))
        }
    }
}

/// `git ml pull`: fetch dataset refs and download the bytes the lock needs.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch refs/ml/* and download (and verify) the bytes of the pinned datasets.",
        discussion: """
            Run after `git pull` or `git clone`, then `git ml data checkout`. Fetched refs go to
            refs/ml/remotes/<remote>/* and are never forced: a version label that means other
            data here is an error naming both digests.

            --runs also downloads the artifacts (predictions, models) of the runs a gate may
            judge — the suites' candidates in the lock at HEAD and at the remote branches, and
            the promotion chains' entries (what CI runs before `git ml gate`) — and of every run
            committed on the checked-out branch. A run id (prefix) downloads that run's
            artifacts; `predict`, `export` and `reproduce` download what they need themselves.

            Examples: git ml pull
                      git ml pull shared train@v3
                      git ml pull shared 3f2a9c1b
                      git ml pull --runs
            """)

    @Argument(help: "The blob remote (default: the default remote).") var remote: String?
    @Argument(help: "Only these dataset versions (name@vN) and runs (id prefixes) (default: what ml/lock.json pins).") var datasets: [String] = []
    @Option(help: "The git remote to fetch refs/ml/* from (default: origin when it exists).") var gitRemote: String?
    @Flag(help: "Also download the artifacts of candidate and champion runs.") var runs = false
    @Option(help: ArgumentHelp("Read the blob remote from ml/config.yaml at this revision (a CI gate: the base branch, never the pull request).",
                               valueName: "revision"))
    var configFrom: String?

    func run() throws {
        try reportingErrors {
            let progress = ProgressLine("downloading")
            let r = try openProject().pull(remote: remote, gitRemote: gitRemote, only: datasets, runs: runs, configAt: configFrom) { progress.update($0, $1) }
            progress.finish()
            if !r.versionsAdded.isEmpty { print("new versions: \(r.versionsAdded.joined(separator: ", "))") }
            print("\(r.remote): \(r.blobs.objectsFetched) objects downloaded (\(formatBytes(r.blobs.bytesDownloaded))), every digest verified")
        }
    }
}

/// `git ml fetch`: learn the remote's dataset versions without downloading their bytes.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch refs/ml/* from the git remote and record its dataset versions (no bytes).",
        discussion: """
            Refs go to refs/ml/remotes/<remote>/* and are never forced; versions new to this
            clone are recorded under refs/ml/datasets. `git ml pull` also downloads the bytes.

            Example: git ml fetch origin
            """)

    @Argument(help: "The git remote (default: origin).") var gitRemote: String?

    func run() throws {
        try reportingErrors {
            let added = try openProject().fetchVersions(gitRemote: gitRemote)
            print(added.isEmpty ? "no new dataset versions" : "new versions: \(added.joined(separator: ", "))")
        }
    }
}
