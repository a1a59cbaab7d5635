import Foundation

/// Runs the `git` binary, for what libgit2 should not do: network transport (the user's ssh
/// config and credential helpers apply) and commits that hooks and signing must see.
/// Started through `Subprocess` (posix_spawnp + waitpid).
public enum GitCommand {
    /// Runs `git <arguments>` in `directory`; stdout and stderr are captured. Throws
    /// `GitError.command` with git's own message when it exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, environment: [String: String]? = nil) throws(GitError) -> String {
        try runWithMessages(arguments, in: directory, environment: environment).output
    }

    /// `run`, also returning what a successful git wrote to stderr (e.g. the lines a server's
    /// hooks sent back to a push, prefixed `remote: `).
    public static func runWithMessages(_ arguments: [String], in directory: String,
                                       environment: [String: String]? = nil) throws(GitError) -> (output: String, messages: String) {
        let (status, stdout, stderr) = try spawn(arguments, in: directory, environment: environment, capture: true)
        let messages = String(decoding: stderr, as: UTF8.self)
        guard status == 0 else {
            throw .command(arguments: arguments, status: status, stderr: messages.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (String(decoding: stdout, as: UTF8.self), messages)
    }

    /// Runs `git <arguments>` in `directory` with this process's standard streams (the user
    /// sees git's own output) and returns its exit status.
    public static func passThrough(_ arguments: [String], in directory: String) throws(GitError) -> Int32 {
        try spawn(arguments, in: directory, environment: nil, capture: false).status
    }

    private static func spawn(_ arguments: [String], in directory: String, environment: [String: String]?,
                              capture: Bool) throws(GitError) -> (status: Int32, stdout: [UInt8], stderr: [UInt8]) {
        do {
            return try Subprocess.run(["git", "-C", directory] + arguments, environment: environment, capture: capture)
        } catch {
            throw .command(arguments: arguments, status: -1, stderr: error.reason)
        }
    }
}
