import Foundation
import Platform
import Records

/// Runs work as tasks on an existing Ray cluster (`git ml sweep run --on ray`, `git ml exec --on
/// ray`): a small Python bridge (`RayTrialExecutor.bridgeScript`, run with a Python that has
/// `ray`) connects to the cluster at `address` and submits each job as a Ray task holding
/// `cpusPerTrial` CPUs. The task needs nothing of this machine's filesystem: it carries a
/// `ClusterTask` (the commit, the blob remote, the datasets by digest, the `git-ml` command),
/// and the node runs `git ml cluster-task` in a fresh folder of its own (`ClusterNode`), which
/// fetches the code and data from the blob remote, runs the same `git ml sweep trial` (or
/// `exec`) as this machine would, uploads the run's artifacts and sends its run record back;
/// the `driver` records it here once the artifacts are downloaded and verified. A task whose
/// worker or node dies is retried once by Ray, then reported lost (the job is recorded as
/// failed, never counted twice). `cancel()` cancels the tasks (force: their workers are killed,
/// and the trials die with them); the sweep records those jobs as interrupted.
public final class RayTrialExecutor: TrialExecutor {
    public let driver: ClusterDriver
    /// The argv to which the node's task folder is appended (`[git-ml, "cluster-task"]`).
    let command: [String]
    /// Where job folders are made on this machine (the node's stderr and the run id).
    let scratch: String
    let cpusPerTrial: Int
    private let bridge: Process
    private let requests: FileHandle
    private let replies: Int32
    private var buffer: [UInt8] = []
    /// Running jobs: their folders, and when each was submitted.
    private var running: [Int: (directory: String, submitted: ContinuousClock.Instant)] = [:]

    /// Starts the bridge (`python`, with `ray` importable) connected to the cluster at `address`.
    public init(python: String, address: String, driver: ClusterDriver, command: [String], scratch: String, cpusPerTrial: Int) throws {
        self.driver = driver
        self.command = command
        self.scratch = scratch
        self.cpusPerTrial = max(1, cpusPerTrial)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let script = scratch + "/ray_bridge.py"
        try Data(Self.bridgeScript.utf8).write(to: URL(fileURLWithPath: script))
        let input = Pipe(), output = Pipe()
        bridge = Process()
        bridge.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        bridge.arguments = [python, script, address]
        bridge.standardInput = input
        bridge.standardOutput = output
        let errors = scratch + "/ray_bridge.err"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        bridge.standardError = FileHandle(forWritingAtPath: errors)
        do { try bridge.run() } catch { throw RunnerError.invalidExperiment("cannot start \(python) for the Ray bridge: \(error)") }
        requests = input.fileHandleForWriting
        replies = output.fileHandleForReading.fileDescriptor
        // The bridge says "ready" once connected, or exits with the reason on stderr.
        guard let first = try readLine(timeout: 120), first["ready"] != nil else {
            let reason = (try? String(contentsOfFile: errors, encoding: .utf8))?.split(separator: "\n").last.map(String.init) ?? "no answer"
            bridge.terminate()
            throw RunnerError.invalidExperiment("cannot reach the Ray cluster at \(address): \(reason)")
        }
    }

    deinit {
        try? requests.close()
        bridge.waitUntilExit()
    }

    public var runningCount: Int { running.count }
    public var kind: String { "ray" }

    public func submit(_ job: TrialJob) throws {
        try submit(id: job.id, task: try driver.task(for: job))
    }

    /// Starts `task` as job `id`; its outcome comes from `next`.
    public func submit(id: Int, task: ClusterTask) throws {
        let directory = scratch + "/job-\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try send(["submit": .number(Double(id)), "argv": .array(command.map(JSONValue.string)), "task": task.json,
                  "num_cpus": .number(Double(cpusPerTrial))])
        running[id] = (directory, ContinuousClock.now)
    }

    public func next(stop: () -> Bool) throws -> TrialJob.Outcome? {
        while !running.isEmpty {
            if let reply = try readLine(timeout: 0.05), let id = reply["job"]?.intValue, let (directory, submitted) = running.removeValue(forKey: id) {
                defer { try? FileManager.default.removeItem(atPath: directory) }
                collect(reply, in: directory)
                let ended = reply["lost"]?.stringValue.map { "the Ray task was lost (retried once): \($0)" }
                    ?? "the Ray task ended (exit \(reply["returncode"]?.intValue ?? -1)) without recording a run"
                var outcome = TrialJob.outcome(job: id, directory: directory, ended: ended)
                outcome.placement = ["executor": "ray", "node": reply["node"] ?? .null, "task": reply["task"] ?? .null,
                                     "cpus": .number(Double(cpusPerTrial)),
                                     "seconds": Self.seconds(roundTrip: ContinuousClock.now - submitted, phases: reply["phases"])]
                return outcome
            }
            if stop() { return nil }
        }
        return nil
    }

    /// Writes what the node said into the job's folder as a local job leaves it: its standard
    /// error, and the id of the run it sent back once recorded here (a run refused here — a
    /// record naming another commit, an artifact that fails its digest — adds why to stderr).
    private func collect(_ reply: JSONValue, in directory: String) {
        var errors = reply["stderr"]?.stringValue ?? ""
        if let result = reply["result"]?.stringValue {
            do {
                let run = try driver.importRun(result)
                try? Data(run.id.utf8).write(to: URL(fileURLWithPath: directory + "/" + TrialJob.runFile))
            } catch {
                errors += "\nthe run the node sent back was refused: \(error)\n"
            }
        }
        try? Data(errors.utf8).write(to: URL(fileURLWithPath: directory + "/" + TrialJob.errorFile))
    }

    /// Where a job's time went: `round_trip` from its submission to its run recorded here, the
    /// node's phases (`ClusterNode.PhaseTimes`), and `overhead`, the round trip less the
    /// command's own phase — what running on the cluster added to the job (submission, the
    /// node's fetch, check-out, upload and clean-up, the reply, the run's import). Without the
    /// node's phases (a lost task) only the round trip.
    static func seconds(roundTrip: Duration, phases: JSONValue?) -> JSONValue {
        let rounded = ClusterNode.PhaseTimes.milliseconds
        let trip = ClusterNode.PhaseTimes.seconds(roundTrip)
        var seconds: [String: JSONValue] = ["round_trip": rounded(trip)]
        if let phases = phases?.objectValue {
            seconds["node"] = .object(phases.filter { $0.value.doubleValue != nil })
            if let command = phases["command"]?.doubleValue { seconds["overhead"] = rounded(max(0, trip - command)) }
        }
        return .object(seconds)
    }

    public func cancel() {
        try? send(["cancel": true])
    }

    private func send(_ message: JSONValue) throws {
        try requests.write(contentsOf: Data((CanonicalJSON.encode(message) + "\n").utf8))
    }

    /// One JSON line from the bridge, waiting up to `timeout` seconds; nil when none came.
    private func readLine(timeout: Double) throws -> JSONValue? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                // Only the bridge's protocol lines are JSON objects; anything else is not a reply.
                guard let reply = try? CanonicalJSON.parse(line), reply.objectValue != nil else { continue }
                return reply
            }
            var descriptor = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let wait = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
            guard poll(&descriptor, 1, wait) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(replies, &chunk, chunk.count)
            guard count > 0 else { throw RunnerError.invalidExperiment("the Ray bridge ended unexpectedly") }
            buffer += chunk[..<count]
        }
    }

    /// The bridge: JSON lines in (`submit` with the task, `cancel`), JSON lines out (`ready`, then
    /// `job` with `returncode`, `node`, `task`, the node's `stderr`, `result` — the run record —
    /// and `phases`, or `lost`).
    static let bridgeScript = #"""
        import json, os, select, shutil, subprocess, sys, tempfile
        # The protocol keeps its own copy of stdout; anything Ray or a library prints goes to stderr.
        protocol = os.fdopen(os.dup(1), "w")
        os.dup2(2, 1)
        import ray

        @ray.remote(max_retries=1)
        def trial(argv, task):
            # A fresh folder on the node: the task reads nothing of the driver's filesystem.
            folder = tempfile.mkdtemp(prefix="gitml-task-")
            try:
                with open(os.path.join(folder, "task.json"), "w") as out:
                    json.dump(task, out)
                with open(os.path.join(folder, "stderr"), "wb") as err:
                    # The task dies with this worker (GitML's ParentLink): a retry never races an orphan.
                    proc = subprocess.Popen(argv + [folder], cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                            start_new_session=True, env=dict(os.environ, GITML_PARENT_PID=str(os.getpid())))
                    code = proc.wait()
                with open(os.path.join(folder, "stderr"), "rb") as err:
                    errors = err.read()[-8192:].decode("utf-8", "replace")
                result = phases = None
                if os.path.exists(os.path.join(folder, "result.json")):
                    with open(os.path.join(folder, "result.json")) as run:
                        result = run.read()
                try:
                    with open(os.path.join(folder, "phases.json")) as times:
                        phases = json.load(times)
                except (OSError, ValueError):
                    pass
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return {"returncode": code, "node": ray.util.get_node_ip_address(), "task": ray.get_runtime_context().get_task_id(),
                    "stderr": errors, "result": result, "phases": phases}

        def say(message):
            protocol.write(json.dumps(message) + "\n")
            protocol.flush()

        ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
        say({"ready": True})
        pending = {}
        done = False
        unread = b""
        def cancel_all():
            # force: the task's worker is killed, and the trial with it (GitML's ParentLink);
            # Ray does not retry a cancelled task.
            for ref in pending:
                ray.cancel(ref, force=True)
        while not done or pending:
            if not done and select.select([0], [], [], 0.02)[0]:
                chunk = os.read(0, 65536)
                if not chunk:
                    done = True
                    cancel_all()
                unread += chunk
                while b"\n" in unread:
                    line, unread = unread.split(b"\n", 1)
                    request = json.loads(line)
                    if "submit" in request:
                        ref = trial.options(num_cpus=request["num_cpus"]).remote(request["argv"], request["task"])
                        pending[ref] = int(request["submit"])
                    elif request.get("cancel"):
                        cancel_all()
            if pending:
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.02)
                for ref in ready:
                    job = pending.pop(ref)
                    try:
                        result = ray.get(ref)
                        say(dict(result, job=job))
                    except Exception as error:
                        say({"job": job, "lost": type(error).__name__ + ": " + str(error).splitlines()[0][:300] if str(error) else type(error).__name__})
        """#
}
