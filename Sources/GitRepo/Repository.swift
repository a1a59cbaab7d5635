import CGit2
import CLazyLibraries
import Foundation

/// A git repository opened through libgit2: the only place GitML touches libgit2.
///
/// Not thread-safe: libgit2 handles must not be shared across threads, so a `Repository` is
/// used from one task at a time (open another one for another thread).
public final class Repository {
    let handle: OpaquePointer

    /// The working tree, or nil for a bare repository. Ends without a slash.
    public let workdir: String?
    /// The repository's own git directory (`.git`, or `.git/worktrees/<name>` in a worktree).
    public let gitDir: String
    /// The git directory shared by all worktrees: where GitML keeps its store.
    public let commonDir: String

    /// Ref updates being received (a pre-receive hook's standard input): `readRef` and
    /// `refs(withPrefix:)` see them as if git had already applied them; nil deletes a ref.
    public var pendingRefUpdates: [String: ObjectID?] = [:]

    /// Opens the repository that contains `path`, searching parent directories like `git` does.
    public init(discoveringFrom path: String) throws(GitError) {
        try Repository.initialize()
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        if git_repository_discover(&buffer, path, 0, nil) < 0 {
            throw .notARepository(path: path)
        }
        var repo: OpaquePointer?
        try check(git_repository_open(&repo, buffer.ptr), "open repository")
        handle = repo!
        // Inside a pre-receive hook the pushed objects are in a quarantine directory that git
        // names in the environment; reading them needs it as an alternate object directory.
        if let quarantine = ProcessInfo.processInfo.environment["GIT_QUARANTINE_PATH"] {
            var odb: OpaquePointer?
            if git_repository_odb(&odb, handle) == 0 {
                _ = git_odb_add_disk_alternate(odb, quarantine)
                git_odb_free(odb)
            }
        }
        workdir = git_repository_workdir(handle).map { Repository.trimSlash(String(cString: $0)) }
        gitDir = Repository.trimSlash(String(cString: git_repository_path(handle)))
        commonDir = Repository.trimSlash(String(cString: git_repository_commondir(handle)))
    }

    deinit { git_repository_free(handle) }

    private static let once: Void = { git_libgit2_init(); return () }()

    /// Opens libgit2 (loaded on first use, Sources/CLazyLibraries) and initialises it, once per
    /// process; throws what to install when it cannot be loaded.
    static func initialize() throws(GitError) {
        if let problem = libgit2Problem { throw .libraryMissing(problem: problem) }
        _ = once
    }

    /// Why libgit2 cannot be loaded (loading it now), or nil when it is loaded.
    public static var libgit2Problem: String? { gitml_git2_load_problem().map { String(cString: $0) } }

    /// What to install when libgit2 cannot be loaded: the release GitML was built against.
    public static let installLibgit2 = "install libgit2 \(LIBGIT2_SOVERSION) (Debian 12: apt-get install libgit2-\(LIBGIT2_SOVERSION))"

    static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The libgit2 version, e.g. "1.5.1", loading it; nil when it cannot be loaded (`libgit2Problem`
    /// says why).
    public static var libgit2Version: String? {
        guard libgit2Problem == nil else { return nil }
        var major: Int32 = 0, minor: Int32 = 0, rev: Int32 = 0
        git_libgit2_version(&major, &minor, &rev)
        return "\(major).\(minor).\(rev)"
    }
}
