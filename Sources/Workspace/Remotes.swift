import BlobStore
import Foundation
import GitRepo
import Records

/// Where a blob remote's definition came from.
public enum RemoteSource: Sendable, Equatable, CustomStringConvertible {
    /// The checked-out `ml/config.yaml`.
    case checkedOut
    /// `ml/config.yaml` committed at a revision (a gate's base, or the default branch's).
    case committed(revision: String)
    /// The local git config (`gitml.remote.<name>.*`).
    case gitConfig

    public var description: String {
        switch self {
        case .checkedOut: "ml/config.yaml (checked out)"
        case .committed(let revision): "ml/config.yaml at \(revision)"
        case .gitConfig: "the local git config (gitml.remote.*)"
        }
    }
}

/// What `git ml push` did.
public struct PushResult: Sendable {
    public let remote: String
    public let blobs: PushReport
    /// Local versions renumbered because the remote already used their label for other data,
    /// as ("name@vOld", "name@vNew").
    public let relabeled: [(from: String, to: String)]
    /// The git remote the branch and `refs/ml/*` went to, if any.
    public let gitRemote: String?
    public let refsPublished: Int
    /// What the git server's hooks said about an accepted push (e.g. a shadow verdict), without
    /// git's `remote: ` prefix.
    public let serverMessages: [String]
}

/// What `git ml pull` did.
public struct PullResult: Sendable {
    public let remote: String
    public let blobs: PullReport
    public let gitRemote: String?
    /// Dataset versions that became known locally through the fetch.
    public let versionsAdded: [String]
}

extension Project {
    /// `ml/config.yaml` as it is now.
    public func config() throws -> ProjectConfig { try ProjectConfig.load(path: mlDirectory + "/config.yaml") }

    /// `ml/config.yaml` as committed at `revision`.
    public func committedConfig(at revision: String) throws -> ProjectConfig {
        guard let bytes = try wrapping({ try repository.fileContents(at: revision, path: "ml/config.yaml") }) else {
            throw WorkspaceError.noDefaultRemote
        }
        return try ProjectConfig.parse(text: String(decoding: bytes, as: UTF8.self), path: "ml/config.yaml (at \(revision))")
    }

    /// Adds or replaces a blob remote in `ml/config.yaml`.
    public func setRemote(_ spec: RemoteSpec, makeDefault: Bool) throws {
        var current = try config()
        current.remotes[spec.name] = spec
        let defaultRemote = makeDefault || current.remotes.count == 1 ? spec.name : current.defaultRemote
        try writeRemotes(current.remotes, defaultRemote: defaultRemote)
    }

    /// Removes a blob remote from `ml/config.yaml`.
    public func removeRemote(_ name: String) throws {
        var current = try config()
        guard current.remotes.removeValue(forKey: name) != nil else { throw WorkspaceError.unknownRemote(name) }
        try writeRemotes(current.remotes, defaultRemote: current.defaultRemote == name ? nil : current.defaultRemote)
    }

    private func writeRemotes(_ remotes: [String: RemoteSpec], defaultRemote: String?) throws {
        let path = mlDirectory + "/config.yaml"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ProjectConfig.template
        let updated = ProjectConfig.replacingRemotes(in: text, with: remotes, defaultRemote: defaultRemote)
        try wrapping { try FileIO.writeAtomically(Array(updated.utf8), to: path, temporaryDirectory: layout.tmp) }
    }

    /// The named blob remote, or the default one.
    ///
    /// `revision`: read `ml/config.yaml` at this revision instead of the working tree — where a
    /// gate sends credentials must come from the reviewed base, never from the change it judges.
    /// Without it, the checked-out `ml/config.yaml` decides; when it does not define the remote
    /// (a branch made before `git ml remote add`), the default branch's committed one (see
    /// `defaultBranchConfigRevisions`); else the local git config (`gitml.remote.<name>.url`, …).
    public func remoteSpec(_ name: String?, configAt revision: String? = nil) throws -> RemoteSpec {
        try resolveRemote(name, configAt: revision).spec
    }

    /// `remoteSpec` with where the definition came from, for `git ml remote` to say.
    public func resolveRemote(_ name: String?, configAt revision: String? = nil) throws -> (spec: RemoteSpec, source: RemoteSource) {
        func lookup(_ config: ProjectConfig) -> RemoteSpec? { (name ?? config.defaultRemote).flatMap { config.remotes[$0] } }
        if let revision {
            let pinned = try committedConfig(at: revision)
            guard let spec = lookup(pinned) else { throw name.map(WorkspaceError.unknownRemote) ?? .noDefaultRemote }
            return (spec, .committed(revision: revision))
        }
        if let spec = lookup(try config()) { return (spec, .checkedOut) }
        if let (revision, committed) = defaultBranchConfig(), let spec = lookup(committed) {
            return (spec, .committed(revision: revision))
        }
        let local = try gitConfigRemotes()
        let localDefault = try wrapping { try repository.configString("gitml.defaultRemote") }
        if let spec = (name ?? localDefault).flatMap({ local[$0] }) {
            return (spec, .gitConfig)
        }
        throw name.map(WorkspaceError.unknownRemote) ?? .noDefaultRemote
    }

    /// Every blob remote this clone can name, with its source and whether it is the default:
    /// the checked-out `ml/config.yaml`'s, else the default branch's; then those only the local
    /// git config defines.
    public func listRemotes() throws -> [(spec: RemoteSpec, source: RemoteSource, isDefault: Bool)] {
        var config = try config(), source = RemoteSource.checkedOut
        if config.remotes.isEmpty, let (revision, committed) = defaultBranchConfig() {
            config = committed
            source = .committed(revision: revision)
        }
        var out = config.remotes.values.map { ($0, source, $0.name == config.defaultRemote) }
        let localDefault = config.defaultRemote == nil ? try wrapping { try repository.configString("gitml.defaultRemote") } : nil
        for (name, spec) in try gitConfigRemotes() where config.remotes[name] == nil {
            out.append((spec, .gitConfig, name == localDefault))
        }
        return out.sorted { $0.0.name < $1.0.name }
    }

    /// The first default-branch revision with a committed `ml/config.yaml` defining remotes.
    private func defaultBranchConfig() -> (String, ProjectConfig)? {
        for candidate in defaultBranchConfigRevisions() {
            if let committed = try? committedConfig(at: candidate), !committed.remotes.isEmpty { return (candidate, committed) }
        }
        return nil
    }

    /// Blob remotes of the local git config: `gitml.remote.<name>.url` (required), `.endpoint`,
    /// `.region` and `.pathStyle` (true/false); `gitml.defaultRemote` names the default.
    func gitConfigRemotes() throws -> [String: RemoteSpec] {
        let listing = (try? GitCommand.run(["config", "--get-regexp", #"^gitml\.remote\..*\.url$"#], in: root)) ?? ""
        var out: [String: RemoteSpec] = [:]
        for line in listing.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let key = line[..<space], name = String(key.dropFirst("gitml.remote.".count).dropLast(".url".count))
            guard DatasetRecord.isValidName(name) else { continue }
            func value(_ field: String) throws -> String? { try wrapping { try repository.configString("gitml.remote.\(name).\(field)") } }
            out[name] = RemoteSpec(name: name, url: String(line[line.index(after: space)...]), endpoint: try value("endpoint"),
                                   region: try value("region"), pathStyle: try value("pathStyle").map { $0 == "true" })
        }
        return out
    }

    /// Where the default branch's `ml/config.yaml` may be: the branch `origin/HEAD` names, then
    /// local `main` and `master`.
    func defaultBranchConfigRevisions() -> [String] {
        var revisions: [String] = []
        if let target = try? GitCommand.run(["symbolic-ref", "-q", "refs/remotes/origin/HEAD"], in: root)
            .trimmingCharacters(in: .whitespacesAndNewlines), !target.isEmpty {
            revisions.append(target)
        }
        return revisions + ["refs/heads/main", "refs/heads/master"]
    }

    /// The git remote to publish refs to: the given one, else `origin` when it exists.
    func gitRemote(_ name: String?) throws -> String? {
        let names = try wrapping { try repository.remoteNames() }
        if let name {
            guard names.contains(name) else { throw WorkspaceError.unknownGitRemote(name) }
            return name
        }
        return names.contains("origin") ? "origin" : nil
    }

    /// Uploads the bytes of every local dataset version the remote lacks (packed; delta bases
    /// included), then publishes the current branch and `refs/ml/datasets/*` in one
    /// `git push --atomic`, so the git remote never names bytes the blob remote lacks.
    public func push(remote name: String?, gitRemote gitName: String?, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> PushResult {
        let spec = try remoteSpec(name)
        let git = try gitRemote(gitName)
        let relabeled = try git.map { try relabelConflictingVersions(gitRemote: $0) } ?? []
        // Versions the git remote already holds (same ref, same commit) are there with their
        // bytes; everything else that is stored here goes up.
        let published: Set<String> = try git.map { g in
            let prefix = Project.fetchedPrefix(remote: g, kind: "datasets")
            return Set(try wrapping { try repository.refs(withPrefix: prefix) }.map { "refs/ml/datasets/" + $0.name.dropFirst(prefix.count) + " " + $0.target.hex })
        } ?? []
        var files: [StoredFile] = []
        for (ref, commit) in try wrapping({ try repository.refs(withPrefix: "refs/ml/datasets/") }) where !published.contains(ref + " " + commit.hex) {
            let record = try datasetRecord(commit: commit)
            guard record.purged == nil else { continue }
            files += try record.files.map(Project.storedFile)
        }
        // Runs go up with their artifacts (models, encoders, predictions: the gate reads them).
        let publishedRuns = try git.map { g in
            Set(try wrapping { try repository.refs(withPrefix: Project.fetchedPrefix(remote: g, kind: "runs")) }.map { String($0.name.split(separator: "/").last!) })
        } ?? []
        let localRuns = try recordedRuns().runs.filter { $0.ref.hasPrefix("refs/ml/runs/") }
        for run in localRuns where !publishedRuns.contains(String(run.id.dropFirst(7))) {
            files += try run.record.artifacts.values.map(Project.storedFile)
        }
        let backend = try wrapping { try spec.open() }
        let remoteLock = try wrapping { try RemoteLock.acquire(backend, kind: .shared, holder: "\(actor()) push") }
        defer { try? remoteLock.release() }
        var sync = RemoteSync(store: store, remote: backend)
        sync.progress = progress
        let report = try withStoreLock(.shared) { try sync.push(files) }
        FaultPoint.reach("push.blobs-before-refs")
        var publishedRefs = 0, serverMessages: [String] = []
        if let git {
            // Datasets and runs are immutable (create-only on the remote); sweeps only move forward. Promotion chains are
            // not pushed: a server's post-receive or the CI job after a merge appends them; a
            // signed manual decision made here goes as a request the server checks and appends.
            // A sweep's ref moves forward as the sweep runs: pushed as a fast-forward.
            // Named by globs, not one refspec per ref: `git push`'s arguments are limited to 2 MB
            // (ARG_MAX), which 20,000 versions of a dataset with a long name exceed. A run ref
            // whose record cannot be read stays here, excluded by a negative refspec.
            let (refs, unpushedRuns) = try refsToPublish(runs: localRuns)
            let requests = try promotionRequests(gitRemote: git)
            var branchPushed = false
            var refspecs = (refs.isEmpty ? [] : ["refs/ml/datasets/*:refs/ml/datasets/*", "refs/ml/sweeps/*:refs/ml/sweeps/*", "refs/ml/runs/*:refs/ml/runs/*"]
                + unpushedRuns.map { "^" + $0 })
                + requests.map { "\($0.entry.commit.hex):\(Project.promotionRequestRef(suite: $0.suite, entry: $0.entry.commit))" }
            if let branch = try? GitCommand.run(["symbolic-ref", "--short", "-q", "HEAD"], in: root).trimmingCharacters(in: .whitespacesAndNewlines),
               !branch.isEmpty {
                refspecs.insert(branch, at: 0)
                branchPushed = true
            }
            if !refspecs.isEmpty {
                // The pre-push hook would publish the same refs in a nested push before this
                // atomic one, which would then fail on refs that "already exist": it is told to
                // skip its own publishing (the user's chained hook still runs).
                let messages = try wrapping {
                    do {
                        return try GitCommand.runWithMessages(["push", "--atomic", "--quiet", git] + refspecs, in: root,
                                                              environment: Project.hookGuardEnvironment).messages
                    } catch let GitError.command(_, _, stderr) where Project.lostAPushRace(stderr) {
                        throw WorkspaceError.pushRaced(gitRemote: git, detail: stderr.trimmingCharacters(in: .whitespacesAndNewlines))
                    }
                }
                serverMessages = messages.split(separator: "\n").compactMap { line in
                    line.hasPrefix("remote: ") ? line.dropFirst("remote: ".count).trimmingCharacters(in: .whitespaces) : nil
                }
            }
            publishedRefs = refs.count + requests.count + (branchPushed ? 1 : 0)
            if !requests.isEmpty { try settleRequests(requests, gitRemote: git) }
        }
        return PushResult(remote: spec.name, blobs: report, relabeled: relabeled, gitRemote: git, refsPublished: publishedRefs,
                          serverMessages: serverMessages)
    }

    /// Whether `git push` failed because the remote's refs moved while it ran or since the last
    /// fetch (another clone pushed): git's words for a lost race or a non-fast-forward.
    static func lostAPushRace(_ stderr: String) -> Bool {
        ["cannot lock ref", "fetch first", "non-fast-forward", "failed to update ref", "incorrect old value",
         "but expected", "Unable to create", "stale info"].contains { stderr.contains($0) }
    }

    /// The signed manual decisions of local promotion chains that the git remote's chain lacks.
    func promotionRequests(gitRemote git: String) throws -> [(suite: String, entry: PromotionEntry)] {
        var out: [(String, PromotionEntry)] = []
        for (ref, tip) in try wrapping({ try repository.refs(withPrefix: "refs/ml/promotions/") }) {
            let suite = String(ref.dropFirst("refs/ml/promotions/".count))
            let published = try wrapping { try repository.readRef(Project.fetchedPrefix(remote: git, kind: "promotions") + suite) }
            var next: ObjectID? = tip
            while let commit = next, try published.map({ published in try wrapping { try repository.isAncestor(commit, of: published) } }) != true {
                let entry = try promotionEntry(commit)
                if entry.signature != nil, entry.promotion.verdictDigest == nil { out.append((suite, entry)) }
                next = try wrapping { try repository.parents(of: commit) }.first
            }
        }
        return out
    }

    /// After pushing requests: once the remote's chain holds each sent decision (a server
    /// appended it), the local chain that diverged from it is dropped, so the clone follows the
    /// remote's chain again. A remote that did not append them (no server hooks) keeps them local.
    private func settleRequests(_ requests: [(suite: String, entry: PromotionEntry)], gitRemote git: String) throws {
        try wrapping { _ = try GitCommand.run(["fetch", "--quiet", git, "refs/ml/promotions/*:" + Project.fetchedPrefix(remote: git, kind: "promotions") + "*"], in: root) }
        for suite in Set(requests.map(\.suite)) {
            guard let remoteTip = try wrapping({ try repository.readRef(Project.fetchedPrefix(remote: git, kind: "promotions") + suite) }),
                  let local = try wrapping({ try repository.readRef(Project.promotionRef(suite: suite)) }) else { continue }
            var published = Set<[UInt8]>()
            var next: ObjectID? = remoteTip
            while let commit = next {
                published.insert(try promotionEntry(commit).bytes)
                next = try wrapping { try repository.parents(of: commit) }.first
            }
            if requests.filter({ $0.suite == suite }).allSatisfy({ published.contains($0.entry.bytes) }) {
                try wrapping { try repository.deleteRef(Project.promotionRef(suite: suite), expected: local) }
            }
        }
    }

    /// The GitML refs a push publishes — every dataset version and sweep, and the local runs
    /// whose records can be read (`runs`) — and the local run refs it leaves out.
    private func refsToPublish(runs: [RecordedRun]) throws -> (publish: [String], unpushedRuns: [String]) {
        let readable = Set(runs.map(\.ref))
        let runRefs = try wrapping { try repository.refs(withPrefix: "refs/ml/runs/") }.map(\.name)
        let others = try wrapping { try repository.refs(withPrefix: "refs/ml/datasets/") + repository.refs(withPrefix: "refs/ml/sweeps/") }.map(\.name)
        return (others + runRefs.filter(readable.contains), runRefs.filter { !readable.contains($0) })
    }

    /// Fetches `refs/ml/*` from a git remote into `refs/ml/remotes/<remote>/*` (never forced) and
    /// records the fetched dataset versions locally; a label that already means other content
    /// here is an error naming both digests. Returns the versions that became known. Downloads
    /// no bytes (that is `pull`).
    public func fetchVersions(gitRemote name: String?) throws -> [String] {
        guard let git = try gitRemote(name) else { throw WorkspaceError.unknownGitRemote(name ?? "origin") }
        try fetchMLRefs(from: git)
        let prefix = Project.fetchedPrefix(remote: git, kind: "datasets")
        var added: [String] = []
        for (ref, commit) in try wrapping({ try repository.refs(withPrefix: prefix) }) {
            let local = "refs/ml/datasets/" + ref.dropFirst(prefix.count)
            if let existing = try wrapping({ try repository.readRef(local) }) {
                guard existing != commit else { continue }
                let mine = try datasetRecord(commit: existing), theirs = try datasetRecord(commit: commit)
                if mine.digest != theirs.digest {
                    throw WorkspaceError.conflictingVersion(label: mine.label, local: mine.digest, remote: theirs.digest)
                }
                continue
            }
            // Read (and so check) the record before adopting it: a refused record, or one that is
            // another version than its ref names, gets no local ref.
            let record = try datasetRecord(commit: commit)
            guard local == DatasetVersion.ref(name: record.name, version: record.version) else {
                throw RecordError(record: "\(local) on \(git)", reason: "holds the record of \(record.label), not the version its name says: "
                    + "not fetched (ask whoever pushed it to remove the ref)")
            }
            try wrapping { try repository.createRef(local, target: commit, message: "git ml fetch from \(git)") }
            added.append(record.label)
        }
        return added
    }

    /// `git fetch <git> refs/ml/<kind>/*:refs/ml/remotes/<git>/<kind>/*` for datasets, runs,
    /// sweeps and promotions (see `FetchedRefs`): never forced, so an immutable ref that differs is git's
    /// error, not an overwrite (a purge is a fast-forward). Refs an older GitML fetched under
    /// `refs/remotes/` move first.
    func fetchMLRefs(from git: String, extraRefspecs: [String] = []) throws {
        _ = try Project.migrateFetchedRefs(in: repository)
        try wrapping { try GitCommand.run(["fetch", "--quiet", git] + Project.fetchRefspecs(remote: git) + extraRefspecs, in: root) }
    }

    /// Identity is the digest; `vN` is a label that becomes final when published. Fetches the
    /// remote's dataset refs and, for every local version whose label the remote already uses
    /// for other content, moves the local version to the next free number (a new version commit,
    /// the lock updated) and adopts the remote's version under the old label.
    func relabelConflictingVersions(gitRemote git: String) throws -> [(from: String, to: String)] {
        try fetchMLRefs(from: git)
        let remotePrefix = Project.fetchedPrefix(remote: git, kind: "datasets")
        let remoteRefs = Dictionary(try wrapping { try repository.refs(withPrefix: remotePrefix) }.map {
            ("refs/ml/datasets/" + $0.name.dropFirst(remotePrefix.count), $0.target)
        }, uniquingKeysWith: { a, _ in a })
        var renamed: [(from: String, to: String)] = []
        for (ref, commit) in try wrapping({ try repository.refs(withPrefix: "refs/ml/datasets/") }) {
            guard let theirs = remoteRefs[ref], theirs != commit else { continue }
            let mine = try datasetRecord(commit: commit)
            guard try datasetRecord(commit: theirs).digest != mine.digest else { continue }
            let numbers = (try versions(of: mine.name).map(\.record.version))
                + remoteRefs.keys.filter { $0.hasPrefix("refs/ml/datasets/\(mine.name)/v") }.compactMap { Int($0.split(separator: "v").last ?? "") }
            var moved = mine
            moved.version = (numbers.max() ?? mine.version) + 1
            let parents = try wrapping { try repository.parents(of: commit) }
            let newCommit = try writeVersionCommit(moved, parent: parents.first, message: "dataset \(moved.label) \(Project.relabelNote(from: mine.version))\n", time: Date())
            try wrapping {
                try repository.createRef(DatasetVersion.ref(name: moved.name, version: moved.version), target: newCommit, message: "git ml push: relabel")
                try repository.deleteRef(ref, expected: commit)
                try repository.createRef(ref, target: theirs, message: "git ml push: adopt the remote's \(mine.label)")
            }
            try updateLock { lock in
                if lock.datasets[mine.name]?.digest == mine.digest { lock.datasets[mine.name]?.version = moved.version }
            }
            renamed.append((mine.label, moved.label))
        }
        return renamed
    }

    /// Fetches `refs/ml/*` from the git remote into `refs/ml/remotes/<remote>/*` (never forced),
    /// records fetched dataset versions locally (a version number that already means other
    /// content here is an error naming both digests), then downloads and verifies the bytes of
    /// the datasets the lock pins (or of `only`).
    /// With `runs`, also downloads the artifacts of the runs the gate may judge — the suites'
    /// candidates in the lock at HEAD and at every remote-tracking branch, every entry of the
    /// promotion chains (champions) — and of every run committed on the checked-out branch.
    /// Entries of `only` without `@` name runs (by id prefix) whose artifacts to download.
    public func pull(remote name: String?, gitRemote gitName: String?, only: [String] = [], runs: Bool = false, configAt revision: String? = nil,
                     progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> PullResult {
        let spec = try remoteSpec(name, configAt: revision)
        let git = try gitRemote(gitName)
        let added = try git.map { try fetchVersions(gitRemote: $0) } ?? []
        var versions: [DatasetVersion] = []
        // Dataset versions are `name@…`; anything else names a run by id prefix.
        let onlyRuns = try only.filter { !$0.contains("@") }.map { try recordedRun($0).record }
        if only.isEmpty {
            for (dataset, locked) in try readLock().datasets.sorted(by: { $0.key < $1.key }) {
                guard let v = try lockedVersion(of: dataset, locked) else { throw WorkspaceError.unknownVersion("\(dataset)@v\(locked.version)") }
                versions.append(v)
            }
        } else {
            versions = try only.filter { $0.contains("@") }.map { try resolveDataset($0) }
        }
        var files = try versions.filter { $0.record.purged == nil }.flatMap { try $0.record.files.map(Project.storedFile) }
        files += try onlyRuns.flatMap { try $0.artifacts.values.map(Project.storedFile) }
        if runs { files += try gateRunArtifacts() + branchRunArtifacts() }
        let backend = try wrapping { try spec.open() }
        var sync = RemoteSync(store: store, remote: backend)
        sync.progress = progress
        let report = try withStoreLock(.shared) { try sync.pull(files) }
        return PullResult(remote: spec.name, blobs: report, gitRemote: git, versionsAdded: added)
    }

    /// The artifacts of every run committed (`ml/runs/*.json`) on the checked-out branch.
    private func branchRunArtifacts() throws -> [StoredFile] {
        guard let head = try wrapping({ try repository.readRef("HEAD") }) else { return [] }
        return try committedRuns(inCommit: head, skipping: []).records.flatMap { try $0.artifacts.values.map(Project.storedFile) }
    }

    /// Downloads the artifacts of `record` that this clone lacks from the default blob remote
    /// (resolved as `remoteSpec` does: the checked-out config, else the default branch's), so a
    /// command that reads a teammate's run works without a separate pull. Returns how many
    /// objects came down (0 when everything was here; no remote is contacted then).
    @discardableResult
    public func fetchMissingArtifacts(of record: RunRecord, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> Int {
        let files = try record.artifacts.values.map(Project.storedFile).filter { !store.contains($0.manifest ?? $0.digest) }
        guard !files.isEmpty else { return 0 }
        let spec = try remoteSpec(nil)
        var sync = RemoteSync(store: store, remote: try wrapping { try spec.open() })
        sync.progress = progress
        return try withStoreLock(.shared) { try sync.pull(files) }.objectsFetched
    }

    /// `recordedRun(prefix)`; when no run here matches, first fetches `refs/ml/*` from the git
    /// remote (`origin`) once, so a teammate's run pushed since the last fetch is found.
    public func recordedRunFetchingRefs(_ prefix: String) throws -> RecordedRun {
        do {
            return try recordedRun(prefix)
        } catch WorkspaceError.unknownRun(_) {
            guard let git = try gitRemote(nil) else { throw WorkspaceError.unknownRun(prefix) }
            try fetchMLRefs(from: git)
            return try recordedRun(prefix)
        }
    }

    /// The artifacts of the runs `pull --runs` downloads (see `pull`).
    private func gateRunArtifacts() throws -> [StoredFile] {
        var ids = Set<String>()
        var locks = [try readLock()]
        for (_, commit) in try wrapping({ try repository.refs(withPrefix: "refs/remotes/") }) {  // remote-tracking branches
            if let bytes = try? repository.fileContents(inCommit: commit, path: "ml/lock.json"),
               let lock = try? Lock(text: String(decoding: bytes, as: UTF8.self)) { locks.append(lock) }
        }
        for lock in locks { ids.formUnion(lock.suites.values.map(\.run)) }
        let suites = Set(try wrapping { try repository.refs(withPrefix: "refs/ml/promotions/") }.map { String($0.name.dropFirst("refs/ml/promotions/".count)) }
            + fetchedRefs(kind: "promotions").map(\.name))
        for suite in suites { ids.formUnion(try promotions(suite: suite).map(\.candidate)) }
        let known = Dictionary(try recordedRuns().runs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return try ids.sorted().compactMap { known[$0] }.flatMap { try $0.record.artifacts.values.map(Project.storedFile) }
    }
}
