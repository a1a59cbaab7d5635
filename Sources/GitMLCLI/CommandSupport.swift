import ArgumentParser
import Foundation
import BlobStore
import Contracts
import Evaluation
import Tables
import GitRepo
import Records
import Workspace
import Runner
import Gate
import Metering
import Learners
import Platform

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
                || error is TableReadError || error is EvaluationError || error is ContractError || error is RemoteError || error is InputError
                || error is RunnerError || error is MeteringError || error is LearnerError || error is GateEvaluationError || error is SSHSignatureError {
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

/// The run `prefix` names, with its artifacts downloaded from the default blob remote when this
/// clone lacks them (a teammate's run: no separate `git ml pull` needed), with progress.
func fetchedRun(_ project: Project, _ prefix: String) throws -> RecordedRun {
    let run = try project.recordedRunFetchingRefs(prefix)
    let progress = ProgressLine("downloading run \(shortID(run.id))")
    try project.fetchMissingArtifacts(of: run.record) { progress.update($0, $1) }
    progress.finish()
    return run
}

/// Downloads what a gate, review or diff reads and this clone lacks (predictions, models, the
/// evaluation data) from the blob remote of the base's `ml/config.yaml`, with progress.
func fetchInputs(of session: GateSession, againstChampion: Bool = true) throws {
    let progress = ProgressLine("downloading what the comparison reads")
    try session.fetchRequiredFiles(againstChampion: againstChampion) { progress.update($0, $1) }
    progress.finish()
}

/// Prints a JSON value in canonical key order, one member per line.
func printJSON(_ value: JSONValue) { print(CanonicalJSON.pretty(value), terminator: "") }

/// Shows progress of long work on stderr — percentage, bytes, rate and time left — only when
/// stderr is a terminal, at most 10×/s.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let enabled = isatty(2) != 0
    private let lock = NSLock()
    private let started = Date()
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
            FileHandle.standardError.write(Data("\r\(ProgressLine.text(label, done, total, elapsed: now.timeIntervalSince(started)))\u{1B}[K".utf8))
        }
    }

    /// "label: 42% (210.0 MiB / 500.0 MiB, 180.3 MiB/s, 2 s left)".
    static func text(_ label: String, _ done: UInt64, _ total: UInt64, elapsed: Double) -> String {
        let percent = total == 0 ? 100 : Int(Double(done) / Double(total) * 100)
        var parts = ["\(formatBytes(done)) / \(formatBytes(total))"]
        if elapsed > 0.2, done > 0 {
            let rate = Double(done) / elapsed
            parts.append("\(formatBytes(UInt64(rate)))/s")
            if done < total { parts.append("\(Int((Double(total - done) / rate).rounded(.up))) s left") }
        }
        return "\(label): \(percent)% (\(parts.joined(separator: ", ")))"
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

extension ParsableCommand {
    /// `main()` with the exit codes `--help` documents: a usage error (an unknown option, a
    /// missing argument, an invalid value) exits 2 with ArgumentParser's message and usage,
    /// instead of ArgumentParser's own 64; everything else exits as `main()` would. An
    /// x86-64-v3 build on a CPU without AVX2 and FMA exits 3 with what to install, before any
    /// kernel can die with SIGILL. `--version` alone prints the version without parsing.
    public static func mainWithDocumentedExitCodes() -> Never {
        if let unmet = BuildTarget.unmetRequirement(environment: ProcessInfo.processInfo.environment) {
            FileHandle.standardError.write(Data("git-ml: \(unmet)\n".utf8))
            Foundation.exit(3)
        }
        // `--version` alone is answered as ArgumentParser would, before it builds the tree of
        // every command: that was most of `git-ml --version`'s own work (docs/BENCHMARKS.md,
        // "Start-up"). git answers its `--version` before parsing too.
        if !configuration.version.isEmpty, CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            print(configuration.version)
            Foundation.exit(0)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
            exit(withError: nil)
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
