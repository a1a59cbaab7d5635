import ArgumentParser
import Foundation
import Metering
import Platform
import Runner
import Workspace

/// Where work runs.
enum ExecutorKind: String, ExpressibleByArgument, CaseIterable {
    case local, ray
}

/// `--on local|ray` and the Ray cluster's options, for `git ml sweep run` and `git ml exec`.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Where it runs: local (this machine) or ray (an existing Ray cluster; see docs/SWEEPS.md).") var on: ExecutorKind = .local
    @Option(help: "The Ray cluster's address, host:port of its GCS (default: $RAY_ADDRESS).") var rayAddress: String?
    @Option(help: "A Python with the ray package, for the Ray bridge (default: $GITML_RAY_PYTHON, else python3).") var rayPython: String?
    @Option(help: "CPUs each Ray task holds.") var rayCPUs = 1

    func validate() throws {
        if rayCPUs < 1 { throw ValidationError("--ray-cpus must be 1 or more") }
    }

    /// Runs `body` with the Ray executor: the code (a bundle of HEAD) goes to the default blob
    /// remote first, and each task's node fetches it and the data from there; job folders go
    /// under `scratch`. The driver's hold on the blob remote is released when `body` ends.
    func withRayExecutor<T>(project: Project, scratch: String, _ body: (RayTrialExecutor) throws -> T) throws -> T {
        let environment = ProcessInfo.processInfo.environment
        guard let address = rayAddress ?? environment["RAY_ADDRESS"] else {
            throw InputError("--on ray needs the cluster's address: --ray-address HOST:PORT or RAY_ADDRESS")
        }
        let driver = try ClusterDriver(project: project, scratch: scratch)
        defer { try? driver.release() }
        return try body(try RayTrialExecutor(python: rayPython ?? environment["GITML_RAY_PYTHON"] ?? "python3", address: address,
                                             driver: driver, command: [RunningExecutable.path, "cluster-task"], scratch: scratch,
                                             cpusPerTrial: rayCPUs))
    }
}

/// `git ml cluster-task DIR` (internal): a cluster node's side of a task (`ClusterNode`), started
/// by the Ray bridge in a fresh folder holding `task.json`; exits with the command's status.
struct ClusterTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster-task", shouldDisplay: false)

    @Argument(help: "The task's folder (holding task.json).") var directory: String

    func run() throws {
        try reportingErrors {
            ParentLink.dieWithParent(environment: ProcessInfo.processInfo.environment)
            let status = try ClusterNode(directory: directory, executable: RunningExecutable.path).run()
            if status != 0 { throw ExitCode(status) }
        }
    }
}
