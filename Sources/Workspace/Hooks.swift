import BlobStore
import Foundation
import GitRepo
import Records

extension Project {
    /// The pre-push hook GitML installs (the text of hooks/pre-push in GitML's repository).
    public static let prePushHook = """
        #!/bin/sh
        # GitML pre-push hook: publishes the dataset bytes, candidate runs and refs/ml/* that the pushed
        # commits' ml/lock.json pins, so a push never shares a lock that points at data nobody can fetch,
        # after gating a push that moves a protected branch and changes a candidate (advisory: --no-verify).
        # Installed by `git ml hooks install`; a hook that was here before runs after it (pre-push.local).
        # Fast path: when no pushed commit changes ml/lock.json and no hook is chained, git-ml is not
        # started, and a push that changes nothing ML costs one `git rev-list` per pushed ref and no other
        # process (the updates are read with the shell's own `read`). The pushed commits are those the
        # remote's ref lacks, or for a new ref those no branch of the remote has.
        zero=0000000000000000000000000000000000000000
        updates=
        ml=
        while read -r local_ref local remote_ref remote; do
          updates="$updates$local_ref $local $remote_ref $remote
        "
          if [ -n "$ml" ] || [ -z "$local" ] || [ "$local" = "$zero" ]; then continue; fi
          if [ "$remote" = "$zero" ]; then known="--remotes=$1"; else known=$remote; fi
          if [ -n "$(git rev-list -n 1 --full-history "$local" --not "$known" -- ml/lock.json 2>/dev/null || echo unknown)" ]; then
            ml=1
          fi
        done
        if [ -z "$ml" ] && [ ! -x "${0%/*}/pre-push.local" ]; then exit 0; fi
        printf '%s' "$updates" | git ml hook pre-push "$@"

        """

    /// The server hooks GitML installs in a bare repository (the texts of hooks/pre-receive and
    /// hooks/post-receive in GitML's repository).
    public static let serverHooks: [(name: String, text: String)] = [
        ("pre-receive", """
        #!/bin/sh
        # GitML pre-receive hook for a self-hosted bare repository (git ml hooks install --server):
        # refuses rewrites and deletions of refs/ml/* and pushes to promotion chains; refuses deleting,
        # force-pushing or changing the policy of a protected branch without an allowed signer's
        # signature; gates creations and updates of protected branches (gitml.protected in this
        # repository's config) that change a suite's candidate, under the base's policy. The gate has
        # GITML_GATE_TIMEOUT seconds (default 300). A hook that was here before runs first
        # (pre-receive.local) with the same input.
        updates=$(cat)
        if [ -x "$(dirname "$0")/pre-receive.local" ]; then
          printf '%s\\n' "$updates" | "$(dirname "$0")/pre-receive.local" || exit $?
        fi
        printf '%s\\n' "$updates" | timeout "${GITML_GATE_TIMEOUT:-300}" git ml hook pre-receive
        status=$?
        if [ $status -eq 124 ]; then
          echo "GitML: the gate did not finish within ${GITML_GATE_TIMEOUT:-300} s; the push is refused" >&2
        fi
        exit $status

        """),
        ("post-receive", """
        #!/bin/sh
        # GitML post-receive hook (git ml hooks install --server): appends the gate's decisions for
        # accepted updates of protected branches to refs/ml/promotions/<suite>. A hook that was here
        # before runs first (post-receive.local) with the same input.
        updates=$(cat)
        if [ -x "$(dirname "$0")/post-receive.local" ]; then
          printf '%s\\n' "$updates" | "$(dirname "$0")/post-receive.local"
        fi
        printf '%s\\n' "$updates" | git ml hook post-receive

        """),
    ]

    /// Installs the server hooks in the bare repository `repository`; an existing hook that is
    /// not GitML's is kept as `<name>.local` and runs first. Returns what changed.
    public static func installServerHooks(in repository: Repository) throws -> [String] {
        try serverHooks.flatMap { try installHook($0.name, text: $0.text, in: repository, localRuns: "before") }
    }

    /// The client pre-merge-commit hook (the text of hooks/pre-merge-commit in GitML's repository).
    public static let preMergeCommitHook = """
        #!/bin/sh
        # GitML pre-merge-commit hook (git ml hooks install): early, advisory feedback. A merge into a
        # protected branch (ml/gate.yaml) that changes a suite's candidate is gated on this machine
        # before git writes the merge commit; a reject stops it. CI or the server's hooks enforce the
        # gate; `git merge --no-verify` skips this one. A hook that was here before runs first
        # (pre-merge-commit.local).
        if [ -x "$(dirname "$0")/pre-merge-commit.local" ]; then
          "$(dirname "$0")/pre-merge-commit.local" || exit $?
        fi
        exec git ml hook pre-merge-commit

        """

    /// Writes hook `name` with `text`; an existing hook that is not GitML's (it does not call
    /// `git ml hook <name>`) is kept as `<name>.local`, which GitML's runs `localRuns` itself.
    private static func installHook(_ name: String, text: String, in repository: Repository, localRuns: String) throws -> [String] {
        let directory = hooksDirectory(of: repository)
        try wrapping { try FileIO.makeDirectory(directory) }
        let path = directory + "/" + name
        var changes: [String] = []
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            if existing == text { return [] }
            if !existing.contains("git ml hook \(name)") {
                try wrapping { try FileIO.rename(path, to: path + ".local") }
                changes.append("kept the existing \(name) hook as \(name).local; it runs \(localRuns) GitML's")
            }
        }
        try wrapping { try FileIO.writeAtomically(Array(text.utf8), to: path, temporaryDirectory: directory) }
        guard chmod(path, 0o755) == 0 else { throw WorkspaceError.store(.io(path: path, operation: "chmod", message: String(cString: strerror(errno)))) }
        changes.append("installed \(path)")
        return changes
    }

    /// The state of one of GitML's hooks in a repository (`git ml doctor`).
    public enum HookState: Equatable, Sendable {
        /// GitML's current text; `chained` when a previous hook runs as `<name>.local`.
        case installed(chained: Bool)
        /// GitML's hook from another release: reinstall it.
        case outdated
        /// Another hook that does not call GitML.
        case foreign
        case missing
    }

    /// The state of the client hooks (pre-push, pre-merge-commit), or with `server` the receive
    /// hooks, in `repository`.
    public static func hookStates(in repository: Repository, server: Bool) -> [(name: String, state: HookState)] {
        let hooks = server ? serverHooks : [("pre-push", prePushHook), ("pre-merge-commit", preMergeCommitHook)]
        let directory = hooksDirectory(of: repository)
        return hooks.map { name, text in
            let path = directory + "/" + name
            guard let existing = try? String(contentsOfFile: path, encoding: .utf8) else { return (name, .missing) }
            if existing == text { return (name, .installed(chained: access(path + ".local", X_OK) == 0)) }
            return (name, existing.contains("git ml hook \(name)") ? .outdated : .foreign)
        }
    }

    /// Installs the client hooks: pre-push (publishes pinned data first) and pre-merge-commit
    /// (advisory gate). An existing hook that is not GitML's is kept as `<name>.local` and
    /// chained with the same arguments and standard input. Returns what changed.
    public func installHooks() throws -> [String] {
        try Project.installHook("pre-push", text: Project.prePushHook, in: repository, localRuns: "after")
            + Project.installHook("pre-merge-commit", text: Project.preMergeCommitHook, in: repository, localRuns: "before")
    }

    /// What the pre-push hook did.
    public struct PrePushOutcome: Sendable {
        /// Dataset versions whose bytes and refs were published.
        public let published: [String]
        public let blobs: PushReport?
    }

    /// The pre-push hook: the datasets pinned and the candidate runs named by the ml/lock.json
    /// of every commit being pushed (git's standard input lines `<local ref> <local sha>
    /// <remote ref> <remote sha>`; each range as `git rev-list <local> ^<remote>`) that the
    /// remote side's lock does not already name: uploads their bytes (data; models, encoders and
    /// predictions) to the default blob remote and pushes their refs/ml/datasets and
    /// refs/ml/runs refs (a nested `git push --no-verify`, guarded against re-entry), so a
    /// fresh clone and a gated server have everything the pushed commits refer to.
    public func prePush(gitRemote: String, updates: String) throws -> PrePushOutcome {
        var pinned: [String: (name: String, entry: Lock.LockedDataset)] = [:]
        var candidates = Set<String>()
        for blob in try Project.pushedLockBlobs(repository, updates: updates) {
            let lock = try wrapping { try Lock(text: String(decoding: try repository.blobContents(blob), as: UTF8.self)) }
            for (name, entry) in lock.datasets { pinned["\(name) \(entry.digest)"] = (name, entry) }
            candidates.formUnion(lock.suites.values.map(\.run))
        }
        // Runs made here (a fetched run is on the remote already).
        let runs = candidates.isEmpty ? [] : try recordedRuns().runs.filter { $0.ref.hasPrefix("refs/ml/runs/") && candidates.contains($0.id) }
        guard !pinned.isEmpty || !runs.isEmpty else { return PrePushOutcome(published: [], blobs: nil) }
        var versions: [DatasetVersion] = []
        for (_, (name, entry)) in pinned.sorted(by: { $0.key < $1.key }) {
            guard let v = try lockedVersion(of: name, entry) else { throw WorkspaceError.unknownVersion("\(name)@v\(entry.version)") }
            versions.append(v)
        }
        let spec = try remoteSpec(nil)
        let backend = try wrapping { try spec.open() }
        let remoteLock = try wrapping { try RemoteLock.acquire(backend, kind: .shared, holder: "\(actor()) pre-push") }
        defer { try? remoteLock.release() }
        let files = try versions.filter { $0.record.purged == nil }.flatMap { try $0.record.files.map(Project.storedFile) }
            + runs.flatMap { try $0.record.artifacts.values.map(Project.storedFile) }
        let report = try withStoreLock(.shared) { try RemoteSync(store: store, remote: backend).push(files) }
        let refspecs = (versions.map(\.ref) + runs.map(\.ref)).map { "\($0):\($0)" }
        try wrapping { try GitCommand.run(["push", "--no-verify", "--quiet", gitRemote] + refspecs, in: root, environment: Project.hookGuardEnvironment) }
        return PrePushOutcome(published: versions.map(\.record.label) + runs.map { "run \(shortID($0.id))" }, blobs: report)
    }

    /// This process's environment with `hookGuard` set: for pushes GitML makes itself, which
    /// publish what the pre-push hook would (the hook must not race them for the same refs).
    static var hookGuardEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment[hookGuard] = "1"
        return environment
    }

    /// Where git looks for hooks: `core.hooksPath` (relative to the working tree) or the
    /// common git directory's `hooks/`.
    public static func hooksDirectory(of repository: Repository) -> String {
        guard let configured = (try? repository.configString("core.hooksPath")) ?? nil else { return repository.commonDir + "/hooks" }
        return configured.hasPrefix("/") ? configured : (repository.workdir ?? repository.commonDir) + "/" + configured
    }

    /// Whether a push changes any ml/lock.json the remote side lacks: blob ids compared through
    /// libgit2 alone, so a push that changes nothing ML costs little more than opening the repository.
    public static func prePushNeedsWork(from directory: String, updates: String) throws -> Bool {
        let repository = try wrapping { try Repository(discoveringFrom: directory) }
        return try !pushedLockBlobs(repository, updates: updates).isEmpty
    }

    /// The distinct ml/lock.json blobs of the pushed commits that differ from the lock at the
    /// remote side's tip.
    static func pushedLockBlobs(_ repository: Repository, updates: String) throws -> Set<ObjectID> {
        let zero = String(repeating: "0", count: 40)
        var blobs = Set<ObjectID>()
        for line in updates.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, fields[1] != zero, let local = ObjectID(hex: fields[1]) else { continue }  // a deletion
            let remote = fields[3] == zero ? nil : ObjectID(hex: fields[3])
            let remoteLock = remote.flatMap { try? repository.blobID(inCommit: $0, path: "ml/lock.json") } ?? nil
            for commit in try wrapping({ try repository.walk(from: [local], hiding: remote.map { [$0] } ?? []) }) {
                if let blob = try wrapping({ try repository.blobID(inCommit: commit, path: "ml/lock.json") }), blob != remoteLock {
                    blobs.insert(blob)
                }
            }
        }
        return blobs
    }

    /// Set in the environment of the hook's own nested push, which must not run the hook again.
    public static let hookGuard = "GITML_IN_PRE_PUSH"
}
