import Foundation
import Platform
import Records

/// Runs sweep jobs as tasks on an existing Ray cluster (`git ml sweep run --on ray`): a small
/// Python bridge (`RayTrialExecutor.bridgeScript`, run with a Python that has `ray`) connects to
/// the cluster at `address`, submits each job as a Ray task holding `cpusPerTrial` CPUs that runs
/// the same `git ml sweep trial DIR` on its node, and reports each task's end with the node it
/// ran on. A task whose worker or node dies is retried once by Ray, then reported lost (the job
/// is recorded as failed, never counted twice). `cancel()` cancels the tasks (force: their
/// workers are killed, and the trials die with them); the sweep records those jobs as interrupted.
///
/// The node runs the trial in `workingDirectory`: the repository and its store must be at that
/// path on every node (a single machine, or a shared filesystem). Fetching the commit and the
/// datasets from the blob remote on the node is designed for (docs/ARCHITECTURE.md), not built.
public final class RayTrialExecutor: TrialExecutor {
    let command: [String]
    let workingDirectory: String
    let scratch: String
    let cpusPerTrial: Int
    private let bridge: Process
    private let requests: FileHandle
    private let replies: Int32
    private var buffer: [UInt8] = []
    private var running: [Int: String] = [:]

    /// Starts the bridge (`python`, with `ray` importable) connected to the cluster at `address`.
    public init(python: String, address: String, command: [String], workingDirectory: String, scratch: String, cpusPerTrial: Int) throws {
        self.command = command
        self.workingDirectory = workingDirectory
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
        let directory = try job.writeRequest(under: scratch)
        try send(["submit": .number(Double(job.id)), "argv": .array((command + [directory]).map(JSONValue.string)),
                  "cwd": .string(workingDirectory), "num_cpus": .number(Double(cpusPerTrial)),
                  "stderr": .string(directory + "/" + TrialJob.errorFile)])
        running[job.id] = directory
    }

    public func next(stop: () -> Bool) throws -> TrialJob.Outcome? {
        while !running.isEmpty {
            if let reply = try readLine(timeout: 0.05), let id = reply["job"]?.intValue, let directory = running.removeValue(forKey: id) {
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let ended = reply["lost"]?.stringValue.map { "the Ray task was lost (retried once): \($0)" }
                    ?? "the Ray task ended (exit \(reply["returncode"]?.intValue ?? -1)) without recording a run"
                var outcome = TrialJob.outcome(job: id, directory: directory, ended: ended)
                outcome.placement = ["executor": "ray", "node": reply["node"] ?? .null, "task": reply["task"] ?? .null,
                                     "cpus": .number(Double(cpusPerTrial))]
                return outcome
            }
            if stop() { return nil }
        }
        return nil
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

    /// The bridge: JSON lines in (`submit`, `cancel`), JSON lines out (`ready`, then `job` with
    /// `returncode` and `node`, or `lost`).
    static let bridgeScript = #"""
        import json, os, select, subprocess, sys
        # The protocol keeps its own copy of stdout; anything Ray or a library prints goes to stderr.
        protocol = os.fdopen(os.dup(1), "w")
        os.dup2(2, 1)
        import ray

        @ray.remote(max_retries=1)
        def trial(argv, cwd, stderr):
            with open(stderr, "ab") as err:
                # The trial dies with this worker (GitML's ParentLink): a retry never races an orphan.
                proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                        start_new_session=True, env=dict(os.environ, GITML_PARENT_PID=str(os.getpid())))
                code = proc.wait()
            return {"returncode": code, "node": ray.util.get_node_ip_address(), "task": ray.get_runtime_context().get_task_id()}

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
                        ref = trial.options(num_cpus=request["num_cpus"]).remote(request["argv"], request["cwd"], request["stderr"])
                        pending[ref] = int(request["submit"])
                    elif request.get("cancel"):
                        cancel_all()
            if pending:
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.02)
                for ref in ready:
                    job = pending.pop(ref)
                    try:
                        result = ray.get(ref)
                        say({"job": job, "returncode": result["returncode"], "node": result["node"], "task": result["task"]})
                    except Exception as error:
                        say({"job": job, "lost": type(error).__name__ + ": " + str(error).splitlines()[0][:300] if str(error) else type(error).__name__})
        """#
}
