import Foundation

/// Runs the `git` binary, for what libgit2 should not do: network transport (the user's ssh
/// config and credential helpers apply) and commits that hooks and signing must see.
public enum GitCommand {
    /// Runs `git <arguments>` in `directory`; stdout and stderr are captured. Throws
    /// `GitError.command` with git's own message when it exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, environment: [String: String]? = nil) throws(GitError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw .command(arguments: arguments, status: -1, stderr: "cannot run git: \(error)")
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .command(arguments: arguments, status: process.terminationStatus,
                           stderr: String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
