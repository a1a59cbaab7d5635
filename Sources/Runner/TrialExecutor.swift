import Foundation
import Platform
import Metering
import Records

/// One sweep job for an executor: the experiment to train with the trial's values applied.
public struct TrialJob: Sendable {
    /// The job's index in the sweep's submission order.
    public var id: Int
    public var experiment: String
    public var request: ExperimentRunner.SweepRequest

    public init(id: Int, experiment: String, request: ExperimentRunner.SweepRequest) {
        self.id = id
        self.experiment = experiment
        self.request = request
    }

    /// The job as `git ml sweep trial DIR` reads it (`DIR/request.json`).
    public var json: JSONValue {
        ["experiment": .string(experiment), "experiment_file": .string(request.experimentText), "link": request.link,
         "validation_only": .bool(request.validationOnly), "threads": request.threads.map { .number(Double($0)) } ?? .null]
    }

    public init(json: JSONValue, id: Int) throws {
        guard let experiment = json["experiment"]?.stringValue, let text = json["experiment_file"]?.stringValue,
              let link = json["link"], let validationOnly = json["validation_only"]?.boolValue else {
            throw RunnerError.invalidExperiment("the sweep job file is incomplete")
        }
        self.init(id: id, experiment: experiment,
                  request: .init(experimentText: text, link: link, validationOnly: validationOnly, threads: json["threads"]?.intValue))
    }

    /// How a job ended: the run it recorded, or why it recorded none.
    public struct Outcome: Sendable, Equatable {
        public var job: Int
        public var run: String?
        public var failure: String?
        /// Where a cluster ran it (`{"executor", "node", "task", "cpus"}`); nil on this machine.
        public var placement: JSONValue?
    }

    /// How a job whose process ended went: the run id it wrote to `runFile`, else the last line
    /// of its standard error (else `ended`) as the failure.
    static func outcome(job: Int, directory: String, ended: String) -> Outcome {
        if let run = try? String(contentsOfFile: directory + "/" + runFile, encoding: .utf8) {
            return Outcome(job: job, run: run.trimmingCharacters(in: .whitespacesAndNewlines), failure: nil)
        }
        let errors = (try? String(contentsOfFile: directory + "/" + errorFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return Outcome(job: job, run: nil, failure: errors.split(separator: "\n").last.map(String.init) ?? ended)
    }

    /// Makes the job's directory under `scratch` with its request; returns the directory.
    func writeRequest(under scratch: String) throws -> String {
        let directory = scratch + "/job-\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(CanonicalJSON.pretty(json).utf8).write(to: URL(fileURLWithPath: directory + "/" + TrialJob.requestFile))
        return directory
    }

    /// File names in a job's directory.
    public static let requestFile = "request.json"
    public static let runFile = "run-id"
    public static let errorFile = "stderr"
}

/// Where a sweep's jobs run (docs/ARCHITECTURE.md, "Sweeps and executors"). Every executor runs
/// the same `git ml sweep trial` code path, which records the job's run as `git ml run` would;
/// the sweep only decides. Called from one thread.
public protocol TrialExecutor: AnyObject {
    /// Starts `job`; its outcome comes from `next`.
    func submit(_ job: TrialJob) throws
    /// Waits until a started job ends and returns how, or nil when none is running; returns
    /// early (nil) when `stop()` becomes true, so the caller can cancel.
    func next(stop: () -> Bool) throws -> TrialJob.Outcome?
    /// Asks every running job to stop: each records its run as interrupted.
    func cancel()
    /// Jobs started and not yet returned by `next`.
    var runningCount: Int { get }
    /// What the sweep record names as its executor (`local`, `ray`).
    var kind: String { get }
}

/// Runs jobs as child processes on this machine (`git ml sweep trial DIR`), each in its own
/// process group with its own metered training worker; the sweep bounds how many run at once.
/// A child dies with this process (`ParentLink`), so a killed sweep leaves no training behind.
public final class LocalTrialExecutor: TrialExecutor {
    /// The argv prefix to which a job's directory is appended (`[git-ml, "sweep", "trial"]`).
    let command: [String]
    let workingDirectory: String
    /// Where job directories are made (removed when their job ends).
    let scratch: String
    private var running: [Int: (process: MeteredProcess, directory: String)] = [:]

    public init(command: [String], workingDirectory: String, scratch: String) {
        self.command = command
        self.workingDirectory = workingDirectory
        self.scratch = scratch
    }

    public var runningCount: Int { running.count }
    public var kind: String { "local" }

    public func submit(_ job: TrialJob) throws {
        let directory = try job.writeRequest(under: scratch)
        let spec = LaunchSpec(arguments: command + [directory], environment: ParentLink.environment(linking: ProcessInfo.processInfo.environment),
                              workingDirectory: workingDirectory, standardInput: .nullDevice,
                              standardError: .file(path: directory + "/" + TrialJob.errorFile))
        running[job.id] = (try MeteredProcess.launch(spec), directory)
    }

    public func next(stop: () -> Bool) throws -> TrialJob.Outcome? {
        while !running.isEmpty {
            for (id, child) in running.sorted(by: { $0.key < $1.key }) where Self.hasExited(child.process.processID) {
                let result = try child.process.waitForExit()
                running[id] = nil
                defer { try? FileManager.default.removeItem(atPath: child.directory) }
                return TrialJob.outcome(job: id, directory: child.directory,
                                        ended: "the trial process ended (\(result.exitStatus)) without recording a run")
            }
            if stop() { return nil }
            usleep(20_000)
        }
        return nil
    }

    public func cancel() {
        for child in running.values { child.process.interrupt() }
    }

    /// Whether the child has exited (without reaping it: `waitForExit` does).
    static func hasExited(_ pid: Int32) -> Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_signo == SIGCHLD
    }
}
