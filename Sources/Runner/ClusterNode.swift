import BlobStore
import Foundation
import GitRepo
import Metering
import Platform
import Records
import Workspace

/// A cluster node's side of a `ClusterTask` (`git ml cluster-task DIR`, started by the Ray
/// bridge in a fresh folder `DIR` holding `task.json`): it needs no access to the driver's
/// repository. It materialises a scratch repository under `DIR/repo` — the code bundle fetched
/// from the blob remote by digest and verified, the commit checked out, the task's dataset
/// versions fetched by digest (each record checked against the task's digest, every object
/// against its own) — runs `git-ml` with the task's arguments there (linked to this process, so
/// it dies with the Ray worker), then uploads the artifacts of the run it recorded to the blob
/// remote — held (`ClusterTask.outputsHold(run:)`) until the driver has imported the run, since
/// until then no record names them — and writes the run record to `DIR/result.json` for the
/// driver. The scratch repository is removed before it returns; the bridge removes `DIR`. What
/// later tasks on the node can reuse — fetched objects, content-keyed results — stays in the
/// `NodeCache` beside `DIR`.
///
/// A task killed outright (its Ray worker killed: the kernel kills `git ml cluster-task` with
/// it, and no handler runs) leaves its folder behind. So a task holds the flock of `DIR/.lock`
/// while it runs, and first removes the folders of earlier tasks beside its own that no live
/// task holds (`removeStaleFolders`): the kernel drops a killed process's flock, so a lock that
/// can be taken proves its owner gone, with no pid that could have been reused.
public struct ClusterNode {
    public let directory: String
    /// `git-ml` on this node.
    public let executable: String

    public init(directory: String, executable: String) {
        self.directory = directory
        self.executable = executable
    }

    public static let taskFile = "task.json"
    public static let resultFile = "result.json"
    /// The task's phases in seconds (`PhaseTimes.json`), for the driver's record of where a
    /// job's time went.
    public static let phasesFile = "phases.json"
    /// The flock a running task holds in its folder.
    static let lockFile = ".lock"
    /// How the Ray bridge names task folders (in the node's temporary directory).
    public static let folderPrefix = "gitml-task-"
    /// A task folder changed more recently is never removed as stale: the bridge makes a folder
    /// a moment before its task takes the lock.
    public static let staleAfter: TimeInterval = 60

    /// Runs the task, holding its folder's lock, after removing stale task folders beside it;
    /// returns the command's exit status (the run it recorded, if any, is in `result.json`
    /// whatever the status: an `exec` that failed is still a recorded run).
    public func run() throws -> Int32 {
        try FileLock.withLock(path: directory + "/" + Self.lockFile, mode: .exclusive) { () throws -> Int32 in
            Self.removeStaleFolders(beside: directory)
            return try runLocked()
        }
    }

    /// Removes every folder named `gitml-task-*` beside `directory` (not itself) that is a real
    /// directory of this user, unchanged for `staleAfter`, whose lock no task holds — taken
    /// without waiting, and held while the folder is removed. Returns the folders removed.
    @discardableResult
    public static func removeStaleFolders(beside directory: String, now: Date = Date()) -> [String] {
        let parent = (directory as NSString).deletingLastPathComponent, own = (directory as NSString).lastPathComponent
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(folderPrefix) && $0 != own }
        return names.sorted().compactMap { name in
            let path = parent + "/" + name
            var info = stat()
            // lstat: a link named like a task folder is never followed, nor another user's folder removed.
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(),
                  now.timeIntervalSince1970 - Double(info.st_mtim.tv_sec) > staleAfter else { return nil }
            let removed = try? FileLock.withLock(path: path + "/" + lockFile, mode: .exclusive, wait: false) { FileIO.removeTree(path) }
            return removed == true ? path : nil
        }
    }

    private func runLocked() throws -> Int32 {
        let text = try String(contentsOfFile: directory + "/" + Self.taskFile, encoding: .utf8)
        let task = try ClusterTask(json: try CanonicalJSON.parse(text))
        let root = directory + "/repo"
        var phases = PhaseTimes()
        defer {
            NodeCache.detach(from: StoreLayout(root: root + "/.git/ml"))
            _ = FileIO.removeTree(root)
            phases.end("clean up")
            FileHandle.standardError.write(Data(phases.report.utf8))
            try? Data(CanonicalJSON.encode(phases.json).utf8).write(to: URL(fileURLWithPath: directory + "/" + Self.phasesFile))
        }
        try materialise(task, at: root)
        phases.end("fetch and check out")
        let job = directory + "/job"
        try FileManager.default.createDirectory(atPath: job, withIntermediateDirectories: true)
        for (name, content) in task.files {
            guard !name.contains("/"), !name.hasPrefix(".") else { throw RunnerError.invalidExperiment("the cluster task names a job file \(name) outside its folder") }
            try Data(content.utf8).write(to: URL(fileURLWithPath: job + "/" + name))
        }
        let arguments = task.arguments.map { $0 == ClusterTask.jobPlaceholder ? job : $0 }
        let spec = LaunchSpec(arguments: [executable] + arguments, environment: ParentLink.environment(linking: ProcessInfo.processInfo.environment),
                              workingDirectory: root, standardInput: .nullDevice)
        let status = try MeteredProcess.launch(spec).waitForExit().exitStatus.shellStatus
        phases.end("command")
        // Opened again: the command wrote the run's artifacts into the store meanwhile.
        let after = try Project(discoveringFrom: root)
        let runs = try after.recordedRuns().runs.filter { $0.ref.hasPrefix("refs/ml/runs/") }
        if let run = runs.first, runs.count == 1 {
            let artifacts = try run.record.artifacts.values.map(Project.storedFile)
            try after.handOverHold(artifacts, on: task.remote, id: ClusterTask.outputsHold(run: run.id),
                                   holder: "cluster task outputs of run \(run.id)")
            try after.upload(artifacts, to: task.remote, holder: "cluster task outputs")
            try Data(CanonicalJSON.pretty(run.record.json).utf8).write(to: URL(fileURLWithPath: directory + "/" + Self.resultFile))
        }
        phases.end("upload")
        return status
    }

    /// Wall time of a task's phases, for the line a task ends its standard error with (the
    /// driver keeps it in the job's folder): where a task's time went beside its command's.
    struct PhaseTimes {
        private let clock = ContinuousClock()
        private var last: ContinuousClock.Instant
        private var phases: [(name: String, seconds: Double)] = []

        init() { last = clock.now }

        /// Ends the phase that began when the previous one ended.
        mutating func end(_ name: String) {
            let now = clock.now, elapsed = now - last
            phases.append((name, PhaseTimes.seconds(elapsed)))
            last = now
        }

        /// `git-ml cluster-task: fetch and check out 0.214 s, command 3.402 s, …`
        var report: String {
            "git-ml cluster-task: " + phases.map { "\($0.name) \(String(format: "%.3f", $0.seconds)) s" }.joined(separator: ", ") + "\n"
        }

        /// `{"fetch_and_check_out": 0.214, "command": 3.402, …}`, seconds to the millisecond.
        var json: JSONValue {
            .object(Dictionary(phases.map { ($0.name.replacingOccurrences(of: " ", with: "_"), PhaseTimes.milliseconds($0.seconds)) },
                               uniquingKeysWith: { $1 }))
        }

        /// `duration` in seconds.
        static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }

        /// `seconds` to the millisecond, as the phases' JSON holds them.
        static func milliseconds(_ seconds: Double) -> JSONValue { .number((seconds * 1000).rounded() / 1000) }
    }

    /// A repository at `root` holding the task's commit checked out, its dataset records, and
    /// the bytes of its datasets, fetched from the node cache or the blob remote, verified and
    /// checked out in the work tree;
    /// its store shares the node cache's content-keyed results (`NodeCache`).
    func materialise(_ task: ClusterTask, at root: String) throws {
        try GitCommand.run(["init", "--quiet", root], in: directory)
        let layout = StoreLayout(root: root + "/.git/ml")
        try layout.create()
        let cache = NodeCache.open(in: (directory as NSString).deletingLastPathComponent)
        cache?.attach(to: layout)
        func fetch(_ files: [StoredFile], into project: Project) throws {
            if let cache { try cache.fetch(files, into: project, from: task.remote) } else { try project.download(files, from: task.remote) }
        }
        let project = try Project(discoveringFrom: root)
        let code = try Project.storedFile(task.code)
        try fetch([code], into: project)
        let bundle = directory + "/code.bundle"
        try project.store.restore(code, to: bundle)
        try GitCommand.run(["fetch", "--quiet", "--no-tags", bundle, "HEAD", "+refs/ml/datasets/*:refs/ml/datasets/*"], in: root)
        try GitCommand.run(["checkout", "--quiet", "--detach", task.commit], in: root)
        unlink(bundle)
        for (key, value) in [("user.name", task.userName), ("user.email", task.userEmail)] {
            if let value { try GitCommand.run(["config", key, value], in: root) }
        }
        let checkedOut = try Project(discoveringFrom: root)
        var versions: [DatasetVersion] = []
        for use in task.datasets {
            let version = try checkedOut.resolveDataset("\(use.name)@v\(use.version)")
            guard version.record.digest == use.digest else {
                throw RunnerError.invalidExperiment("dataset \(version.record.label) here is \(version.record.digest), but the task names \(use.digest): refused")
            }
            versions.append(version)
        }
        try fetch(try versions.flatMap { try $0.record.files.map(Project.storedFile) }, into: checkedOut)
        // Restored once, into the work tree as `data checkout` leaves them (their digests in the
        // stat cache): the run's preflight and its worker read them there, neither restoring a
        // copy of its own.
        for version in versions { try checkedOut.checkoutDataset(version) }
    }
}
