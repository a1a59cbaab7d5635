import ArgumentParser
import Foundation
import BlobStore
import Contracts
import Evaluation
import Tables
import GitRepo
import Records
import Workspace
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes documented in `git ml --help`.
enum Exit {
    static let checkFailed = ExitCode(1)
    static let userError = ExitCode(3)
    static let internalError = ExitCode(4)
}

/// Runs a command body; a `WorkspaceError` (or any other error) becomes one line on stderr
/// — `git-ml: <what is wrong and what to do>` — and the documented exit code.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error where error is WorkspaceError || error is RecordError || error is StoreError || error is GitError
                || error is TableReadError || error is EvaluationError || error is ContractError || error is InputError {
        FileHandle.standardError.write(Data("git-ml: \(error)\n".utf8))
        throw Exit.userError
    } catch {
        FileHandle.standardError.write(Data("git-ml: internal error: \(error)\n".utf8))
        throw Exit.internalError
    }
}

/// The process's working directory.
var currentDirectory: String { FileManager.default.currentDirectoryPath }

/// Opens the project around the working directory.
func openProject() throws -> Project { try Project(discoveringFrom: currentDirectory) }

/// Prints a JSON value in canonical key order, one member per line.
func printJSON(_ value: JSONValue) { print(CanonicalJSON.pretty(value), terminator: "") }

/// Shows progress of long work on stderr, only when stderr is a terminal, at most 10×/s.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let enabled = isatty(2) != 0
    private let lock = NSLock()
    private var last = Date.distantPast
    private var shown = false

    init(_ label: String) { self.label = label }

    func update(_ done: UInt64, _ total: UInt64) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            guard now.timeIntervalSince(last) > 0.1 || done == total else { return }
            last = now
            shown = true
            let percent = total == 0 ? 100 : Int(Double(done) / Double(total) * 100)
            FileHandle.standardError.write(Data("\r\(label): \(percent)% (\(formatBytes(done)) / \(formatBytes(total)))\u{1B}[K".utf8))
        }
    }

    func finish() {
        lock.withLock { if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
    }
}

/// Bytes as a short human figure: 512 B, 1.5 KiB, 240.3 MiB.
func formatBytes(_ n: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
}

/// A problem with what the user gave a command (a missing column, a bad rule), in one line.
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
