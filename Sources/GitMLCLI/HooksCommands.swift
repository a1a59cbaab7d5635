import ArgumentParser
import Foundation
import GitRepo
import Workspace

/// `git ml hooks install`: install GitML's git hooks in this repository.
struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install GitML's git hooks.",
        subcommands: [Install.self])

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the pre-push hook (an existing hook is kept and chained).",
            discussion: """
                The pre-push hook uploads the bytes of the datasets that pushed commits pin and
                publishes their refs/ml/* first, so a plain `git push` never shares a lock that
                points at data nobody else can fetch. It returns at once when nothing ML changed.

                Example: git ml hooks install
                """)

        func run() throws {
            try reportingErrors {
                let changes = try openProject().installHooks()
                if changes.isEmpty { print("hooks already installed; nothing changed") }
                changes.forEach { print($0) }
            }
        }
    }
}

/// `git ml hook <name>`: what the installed hook scripts run.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run a GitML git hook (called by the scripts `git ml hooks install` writes).",
        subcommands: [PrePush.self])

    struct PrePush: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-push",
            abstract: "git's pre-push hook: publish the pinned datasets' bytes and refs before the push.",
            discussion: "git runs it as: git ml hook pre-push <remote> <url>, with the pushed refs on standard input.")

        @Argument(help: "The git remote's name.") var remote: String
        @Argument(help: "The git remote's URL.") var url: String

        func run() throws {
            let updates = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if ProcessInfo.processInfo.environment[Project.hookGuard] == nil {
                try reportingErrors {
                    guard try Project.prePushNeedsWork(from: currentDirectory, updates: updates) else { return }
                    let outcome = try openProject().prePush(gitRemote: remote, updates: updates)
                    if let blobs = outcome.blobs {
                        FileHandle.standardError.write(Data("git-ml: published \(outcome.published.joined(separator: ", ")) (\(blobs.objectsUploaded) objects, \(formatBytes(blobs.bytesUploaded)))\n".utf8))
                    }
                }
            }
            try chainLocalHook(updates: updates)
        }

        /// Runs the hook that was installed before GitML's (pre-push.local), with the same input.
        private func chainLocalHook(updates: String) throws {
            guard let repository = try? Repository(discoveringFrom: currentDirectory) else { return }
            let local = Project.hooksDirectory(of: repository) + "/pre-push.local"
            guard FileManager.default.isExecutableFile(atPath: local) else { return }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: local)
            process.arguments = [remote, url]
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(updates.utf8))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
        }
    }
}
