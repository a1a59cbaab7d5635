import CGit2

/// A failure from libgit2 or from a repository precondition, with what the user can do.
public enum GitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libgit2 cannot be loaded (it is opened on first use): why, from the dynamic loader.
    case libraryMissing(problem: String)
    /// The path is not inside a git repository.
    case notARepository(path: String)
    /// A ref, revision or path that does not exist.
    case notFound(String)
    /// A compare-and-swap ref update lost a race: the ref no longer holds the expected value.
    case refChanged(ref: String)
    /// A ref that must be created already exists.
    case refExists(ref: String)
    /// Any other libgit2 error: the operation and libgit2's message.
    case libgit2(operation: String, code: Int32, message: String)
    /// The `git` binary failed.
    case command(arguments: [String], status: Int32, stderr: String)
    /// An object the repository has cannot be read back as it was written: its zlib stream is
    /// broken, its header is invalid or its content no longer hashes to its id.
    case damagedObject(object: String, message: String)

    public var description: String {
        switch self {
        case .libraryMissing(let problem):
            return "reading the git repository needs libgit2, which could not be loaded (\(problem)): \(Repository.installLibgit2)"
        case .notARepository(let path):
            return "not a git repository: \(path) (run `git init` first, or cd into a repository)"
        case .notFound(let what): return "not found: \(what)"
        case .refChanged(let ref): return "\(ref) was changed by another process; retry"
        case .refExists(let ref): return "\(ref) already exists"
        case .libgit2(let op, let code, let message): return "libgit2 \(op) failed (\(code)): \(message)"
        case .command(let args, let status, let stderr):
            return "git \(args.joined(separator: " ")) exited with \(status): \(stderr)"
        case .damagedObject(let object, let message):
            return "git object \(object) is damaged (\(message)): copy it from a healthy clone or re-clone; `git fsck --full` lists every damaged object"
        }
    }
}

/// Like `check`, for a call that reads `object` (its id, or where it is) from the object database: a failure of the
/// zlib stream, the object header or the hash (libgit2 verifies every object it reads) is
/// `GitError.damagedObject`.
@discardableResult
func checkRead(_ code: Int32, _ object: @autoclosure () -> String, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
    guard code < 0 else { return code }
    if let error = git_error_last(),
       code == GIT_EMISMATCH.rawValue || [GIT_ERROR_ZLIB, GIT_ERROR_ODB, GIT_ERROR_OBJECT].map({ Int32($0.rawValue) }).contains(error.pointee.klass),
       code != GIT_ENOTFOUND.rawValue {
        throw .damagedObject(object: object(), message: String(cString: error.pointee.message))
    }
    return try check(code, operation())
}

/// Turns a libgit2 return code into a thrown `GitError`.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
    guard code < 0 else { return code }
    let message = git_error_last().map { String(cString: $0.pointee.message) } ?? "unknown error"
    if code == GIT_ENOTFOUND.rawValue { throw .notFound("\(operation()): \(message)") }
    throw .libgit2(operation: operation(), code: code, message: message)
}
