import BlobStore
import Foundation
import GitRepo
import Records

extension Project {
    /// The pre-push hook GitML installs (the text of hooks/pre-push in GitML's repository).
    public static let prePushHook = """
        #!/bin/sh
        # GitML pre-push hook: publishes the dataset bytes and refs/ml/* that the pushed commits'
        # ml/lock.json pins, so a push never shares a lock that points at data nobody can fetch.
        # Installed by `git ml hooks install`; a hook that was here before runs after it (pre-push.local).
        exec git ml hook pre-push "$@"

        """

    /// Installs the pre-push hook; an existing hook that is not GitML's is kept as
    /// `pre-push.local` and chained (it gets the same arguments and standard input).
    /// Returns what changed.
    public func installHooks() throws -> [String] {
        let hooksDirectory = Project.hooksDirectory(of: repository)
        try wrapping { try FileIO.makeDirectory(hooksDirectory) }
        let hook = hooksDirectory + "/pre-push"
        var changes: [String] = []
        if let existing = try? String(contentsOfFile: hook, encoding: .utf8) {
            if existing == Project.prePushHook { return [] }
            if !existing.contains("git ml hook pre-push") {
                try wrapping { try FileIO.rename(hook, to: hook + ".local") }
                changes.append("kept the existing pre-push hook as pre-push.local; it runs after GitML's")
            }
        }
        try wrapping { try FileIO.writeAtomically(Array(Project.prePushHook.utf8), to: hook, temporaryDirectory: layout.tmp) }
        guard chmod(hook, 0o755) == 0 else { throw WorkspaceError.store(.io(path: hook, operation: "chmod", message: String(cString: strerror(errno)))) }
        changes.append("installed \(hook)")
        return changes
    }

    /// What the pre-push hook did.
    public struct PrePushOutcome: Sendable {
        /// Dataset versions whose bytes and refs were published.
        public let published: [String]
        public let blobs: PushReport?
    }

    /// The pre-push hook: for each pushed commit (git's standard input lines
    /// `<local ref> <local sha> <remote ref> <remote sha>`), the datasets its ml/lock.json pins
    /// that the remote side's lock did not; uploads their bytes to the default blob remote and
    /// pushes their refs/ml/datasets refs (a nested `git push --no-verify`, guarded against
    /// re-entry). Nothing ML changed: returns at once without touching the network.
    public func prePush(gitRemote: String, updates: String) throws -> PrePushOutcome {
        var needed: [String: Lock.LockedDataset] = [:]
        for line in updates.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, let local = ObjectID(hex: fields[1]) else { continue }  // a deletion has a zero local sha
            guard let lock = try lockFile(inCommit: local) else { continue }
            let before = ObjectID(hex: fields[3]).flatMap { try? lockFile(inCommit: $0) } ?? Lock()
            for (name, entry) in lock.datasets where before.datasets[name]?.digest != entry.digest { needed[name] = entry }
        }
        guard !needed.isEmpty else { return PrePushOutcome(published: [], blobs: nil) }
        var versions: [DatasetVersion] = []
        for (name, entry) in needed.sorted(by: { $0.key < $1.key }) {
            guard let v = try lockedVersion(of: name, entry) else { throw WorkspaceError.unknownVersion("\(name)@v\(entry.version)") }
            versions.append(v)
        }
        let spec = try remoteSpec(nil)
        let storeLock = try wrapping { try StoreLock(layout: layout, mode: .shared) }
        defer { _ = storeLock }
        let backend = try wrapping { try spec.open() }
        let remoteLock = try wrapping { try RemoteLock.acquire(backend, kind: .shared, holder: "\(actor()) pre-push at \(timestamp(Date()))") }
        defer { try? remoteLock.release() }
        let files = try versions.filter { $0.record.purged == nil }.flatMap { try $0.record.files.map(Project.storedFile) }
        let report = try wrapping { try RemoteSync(store: store, remote: backend).push(files) }
        var environment = ProcessInfo.processInfo.environment
        environment[Project.hookGuard] = "1"
        let refspecs = versions.map { "\($0.ref):\($0.ref)" }
        try wrapping { try GitCommand.run(["push", "--no-verify", "--quiet", gitRemote] + refspecs, in: root, environment: environment) }
        return PrePushOutcome(published: versions.map(\.record.label), blobs: report)
    }

    /// Where git looks for hooks: `core.hooksPath` (relative to the working tree) or the
    /// common git directory's `hooks/`.
    public static func hooksDirectory(of repository: Repository) -> String {
        guard let configured = (try? repository.configString("core.hooksPath")) ?? nil else { return repository.commonDir + "/hooks" }
        return configured.hasPrefix("/") ? configured : (repository.workdir ?? repository.commonDir) + "/" + configured
    }

    /// Whether any pushed commit's ml/lock.json differs from the remote side's: a comparison of
    /// blob ids through libgit2 alone, so a push that changes nothing ML costs no more than
    /// opening the repository.
    public static func prePushNeedsWork(from directory: String, updates: String) throws -> Bool {
        let repository = try wrapping { try Repository(discoveringFrom: directory) }
        for line in updates.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, let local = ObjectID(hex: fields[1]),
                  let lock = try wrapping({ try repository.blobID(inCommit: local, path: "ml/lock.json") }) else { continue }
            let remote = ObjectID(hex: fields[3])
            let before = remote.flatMap { try? repository.blobID(inCommit: $0, path: "ml/lock.json") } ?? nil
            if before != lock { return true }
        }
        return false
    }

    /// Set in the environment of the hook's own nested push, which must not run the hook again.
    public static let hookGuard = "GITML_IN_PRE_PUSH"

    private func lockFile(inCommit commit: ObjectID) throws -> Lock? {
        try wrapping {
            guard let bytes = try repository.fileContents(inCommit: commit, path: "ml/lock.json") else { return nil }
            return try Lock(text: String(decoding: bytes, as: UTF8.self))
        }
    }
}
