import BlobStore
import Foundation
import GitRepo
import Records
import Tables

/// A git repository with GitML set up: the repository, its blob store and its `ml/` folder.
/// Open one per command; not shared across threads (it holds a libgit2 handle).
public final class Project {
    public let repository: Repository
    /// The working tree root (no trailing slash).
    public let root: String
    public let store: ObjectStore
    public var layout: StoreLayout { store.layout }

    /// `ml/` in the working tree.
    public var mlDirectory: String { root + "/ml" }
    public var lockPath: String { mlDirectory + "/lock.json" }
    /// The last tables read, by dataset digest and schema: checking a new version reads it for
    /// its contract and again for leakage. `releaseTables()` lets them go.
    var recentTables: [(key: String, table: Table)] = []

    /// Opens the GitML project containing `directory`; throws if GitML is not set up there.
    public init(discoveringFrom directory: String) throws {
        let repository = try wrapping { try Repository(discoveringFrom: directory) }
        guard let root = repository.workdir else { throw WorkspaceError.bareRepository }
        let layout = StoreLayout(root: repository.commonDir + "/ml")
        guard FileManager.default.fileExists(atPath: layout.packs) else { throw WorkspaceError.notInitialized(root: root) }
        self.repository = repository
        self.root = root
        let config = try ProjectConfig.load(path: root + "/ml/config.yaml")
        store = try wrapping { try ObjectStore(layout: layout, compressionLevel: config.compressionLevel) }
    }

    /// A bare repository on a git server (hooks): no working tree, so `root` is the git
    /// directory and the lock and config are read from revisions; the store (created if
    /// missing) holds what the server's gate downloads from the blob remote.
    public init(serverRepository repository: Repository) throws {
        let layout = StoreLayout(root: repository.commonDir + "/ml")
        try wrapping { try layout.create() }
        self.repository = repository
        root = repository.gitDir
        store = try wrapping { try ObjectStore(layout: layout) }
    }

    /// A path given on the command line (relative to `cwd`) as a path relative to the root.
    public func relativePath(_ path: String, cwd: String) throws -> String {
        let absolute = path.hasPrefix("/") ? path : cwd + "/" + path
        let standardized = (absolute as NSString).standardizingPath
        let realRoot = (root as NSString).resolvingSymlinksInPath
        let real = (standardized as NSString).resolvingSymlinksInPath
        for base in [root, realRoot] {
            if real == base || standardized == base { throw WorkspaceError.pathOutsideRepository(path) }
            for candidate in [standardized, real] where candidate.hasPrefix(base + "/") {
                let relative = String(candidate.dropFirst(base.count + 1))
                if relative == ".git" || relative.hasPrefix(".git/") { throw WorkspaceError.pathOutsideRepository(path) }
                return relative
            }
        }
        throw WorkspaceError.pathOutsideRepository(path)
    }

    /// The user, as git would sign a commit.
    public func actor() -> String {
        let name = (try? repository.configString("user.name")) ?? nil
        let email = (try? repository.configString("user.email")) ?? nil
        return [name, email.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ").nonEmpty ?? "unknown"
    }

    func signature(_ time: Date) -> Signature {
        let name = ((try? repository.configString("user.name")) ?? nil) ?? "GitML"
        let email = ((try? repository.configString("user.email")) ?? nil) ?? "gitml@localhost"
        return Signature(name: name, email: email, time: time)
    }

    // MARK: The lock file

    /// The working tree's lock (empty when the file does not exist yet).
    public func readLock() throws -> Lock {
        guard let bytes = try? FileIO.readAll(lockPath) else { return Lock() }
        return try wrapping { try Lock(bytes: bytes) }
    }

    /// Read-modify-write of the lock under an exclusive file lock, so concurrent commands in
    /// one repository never lose each other's entries.
    public func updateLock(_ change: (inout Lock) throws -> Void) throws {
        try wrapping {
            try FileLock.withLock(path: layout.locks + "/lock.json", mode: .exclusive) {
                var lock = try readLock()
                try change(&lock)
                try FileIO.writeAtomically(Array(lock.text.utf8), to: lockPath, temporaryDirectory: layout.tmp)
            }
        }
    }

    /// The lock as committed in `revision`, read through libgit2 without checkout.
    public func lock(at revision: String) throws -> Lock? {
        try wrapping {
            guard let bytes = try repository.fileContents(at: revision, path: "ml/lock.json") else { return nil }
            return try Lock(bytes: bytes)
        }
    }
}

extension Project {
    /// Runs `body` holding the store lock in `mode` (see `FileLock`); errors come as
    /// `WorkspaceError`.
    func withStoreLock<T>(_ mode: FileLock.Mode, wait: Bool = true, _ body: () throws -> T) throws -> T {
        try wrapping { try layout.withStoreLock(mode, wait: wait, body) }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// RFC 3339 UTC time with seconds, as records store it; with `milliseconds`, three fractional
/// digits (run records: runs made within one second still have an order, so "the newest run"
/// is well defined).
public func timestamp(_ date: Date, milliseconds: Bool = false) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = milliseconds ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: date)
}
