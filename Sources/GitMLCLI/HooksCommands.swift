import ArgumentParser
import Foundation
import GitRepo
import Runner
import Workspace

/// `git ml hooks install`: install GitML's git hooks in this repository.
struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install GitML's git hooks.",
        subcommands: [Install.self])

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install the pre-push and pre-merge-commit hooks, or with --server the server's receive hooks.",
            discussion: """
                The pre-push hook uploads the bytes of the datasets and candidate runs that pushed
                commits pin and publishes their refs/ml/* first, so a plain `git push` never
                shares a lock that points at data or models nobody else can fetch; a push that
                moves a protected branch and changes a candidate is gated first (the server's and
                CI's gate; a reject stops the push). It returns at once when nothing ML changed.
                The pre-merge-commit hook gates a merge into a protected branch that brings a new
                candidate before git writes it. Both are advisory (--no-verify skips them): CI
                and server hooks enforce the gate.

                --server, in a self-hosted bare repository: pre-receive refuses rewrites and
                deletions of refs/ml/* and any push to refs/ml/promotions/*; refuses deleting
                or force-pushing a protected branch; refuses policy changes (ml/gate.yaml,
                suites, contracts, config, allowed_signers) on a protected branch unless the new
                tip is signed by an allowed signer; and gates creations and updates of protected
                branches that change a suite's candidate, within GITML_GATE_TIMEOUT seconds
                (default 300; under reproduce_in_gate the server re-trains a built-in candidate
                from its record within that budget). post-receive appends the decisions to the
                promotion chains.
                Which branches are protected and who may sign are kept in the server's git
                config (gitml.protected, gitml.allowedSignersFile), out of reach of a push.
                The server needs git-ml on PATH and the blob remote's credentials in its
                environment. An existing hook is kept and chained.

                Examples: git ml hooks install
                          git ml hooks install --server --protect main --protect 'release/*' \\
                              --allowed-signers /etc/gitml/allowed_signers   (in the bare repository)
                """)

        @Flag(help: "Install the server hooks (pre-receive, post-receive) in a bare repository.") var server = false
        @Option(help: ArgumentHelp("With --server: a protected branch glob (repeatable; default: the default branch).", valueName: "glob"))
        var protect: [String] = []
        @Option(help: ArgumentHelp("With --server: the ssh allowed-signers file whose keys may sign policy changes and overrides.", valueName: "file"))
        var allowedSigners: String?
        @Option(help: ArgumentHelp("With --server: the SSH private key post-receive signs promotion entries with.", valueName: "file"))
        var signingKey: String?

        func validate() throws {
            if !server, !protect.isEmpty || allowedSigners != nil || signingKey != nil {
                throw ValidationError("--protect, --allowed-signers and --signing-key go with --server")
            }
        }

        func run() throws {
            try reportingErrors {
                let changes: [String]
                if server {
                    let repository = try Repository(discoveringFrom: currentDirectory)
                    changes = try Project.installServerHooks(in: repository)
                        + ServerTrust.configure(repository, protect: protect, allowedSigners: allowedSigners, signingKey: signingKey)
                } else {
                    changes = try openProject().installHooks()
                }
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
        subcommands: [PrePush.self, PreMergeCommit.self, PreReceive.self, PostReceive.self])

    struct PreMergeCommit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-merge-commit",
            abstract: "git's pre-merge-commit hook: gate a merge into a protected branch before it is written (advisory).")

        func run() throws {
            try reportingErrors {
                let project = try openProject()
                let (messages, refuse) = try MergeGate(project: project, reproducer: experimentRunner(project)).check()
                for message in messages { FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8)) }
                if refuse { throw Exit.checkFailed }
            }
        }
    }

    /// Opens the bare repository a receive hook runs in, as a server project whose gate can
    /// re-train candidates (in a worker of this binary) within the hook's time budget.
    static func serverGate() throws -> ServerGate {
        let project = try Project(serverRepository: try Repository(discoveringFrom: currentDirectory))
        return ServerGate(project: project, reproducer: experimentRunner(project),
                          deadline: ServerGate.deadline(timeout: ServerGate.timeout(environment: ProcessInfo.processInfo.environment)))
    }

    struct PreReceive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-receive",
            abstract: "git's pre-receive hook on a server: protect refs/ml/* and gate protected branches.",
            discussion: "git runs it with `<old> <new> <ref>` lines on standard input; a non-zero exit refuses the whole push.")

        func run() throws {
            let updates = ServerGate.updates(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self))
            try reportingErrors {
                let outcome = try HookCommand.serverGate().preReceive(updates)
                for message in outcome.messages { FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8)) }
                if !outcome.accepted {
                    FileHandle.standardError.write(Data("GitML: push refused\n".utf8))
                    throw Exit.checkFailed
                }
            }
        }
    }

    struct PostReceive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "post-receive",
            abstract: "git's post-receive hook on a server: record gate decisions in the promotion chains.")

        func run() throws {
            let updates = ServerGate.updates(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self))
            try reportingErrors {
                for line in try HookCommand.serverGate().postReceive(updates) { FileHandle.standardError.write(Data("GitML: \(line)\n".utf8)) }
            }
        }
    }

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
                    let project = try openProject()
                    // Gate first: a rejected push publishes nothing.
                    let gate = try PushGate(project: project, reproducer: experimentRunner(project)).check(updates: updates)
                    for line in gate.messages { FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8)) }
                    if gate.refuse { throw Exit.checkFailed }
                    let outcome = try project.prePush(gitRemote: remote, updates: updates)
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
