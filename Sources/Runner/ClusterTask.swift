import BlobStore
import Contracts
import Foundation
import GitRepo
import Records
import Workspace

/// One unit of work for a cluster node that does not share this repository's filesystem
/// (docs/FORMAT.md, "Cluster tasks"): the commit to run, a git bundle of it (with the dataset
/// records) stored in the blob remote, the blob remote's address (never credentials: the node
/// authenticates with its own configuration), the dataset versions to fetch by digest, and the
/// `git-ml` command to run in the materialised repository with the files of its job folder.
/// The node (`ClusterNode`) sends back the run record it made; its artifacts travel through the
/// blob remote by digest.
public struct ClusterTask: Sendable, Equatable {
    /// The payload's format version.
    public static let format = 1
    /// Stands for the job folder's path in `arguments`.
    public static let jobPlaceholder = "{job}"

    /// The commit (40 hex digits) the node checks out; the run it records names it.
    public var commit: String
    /// A git bundle holding `commit` (as `HEAD`) and `refs/ml/datasets/*`, as a stored file.
    public var code: RunRecord.Artifact
    public var remote: RemoteSpec
    /// The dataset versions whose bytes the node fetches, each checked against its record's digest.
    public var datasets: [RunRecord.DatasetUse]
    /// `user.name` and `user.email` of the driver's repository (the run's `created_by`).
    public var userName: String?
    public var userEmail: String?
    /// `git-ml`'s arguments; `{job}` is replaced by the job folder's path.
    public var arguments: [String]
    /// Files written into the job folder before the command runs, by name.
    public var files: [String: String]

    public init(commit: String, code: RunRecord.Artifact, remote: RemoteSpec, datasets: [RunRecord.DatasetUse],
                userName: String?, userEmail: String?, arguments: [String], files: [String: String]) {
        self.commit = commit
        self.code = code
        self.remote = remote
        self.datasets = datasets
        self.userName = userName
        self.userEmail = userEmail
        self.arguments = arguments
        self.files = files
    }

    /// The id of the hold (`holds/<id>`) under which a node keeps the artifacts of the run it
    /// recorded on the blob remote, from before their upload until the driver has imported the
    /// run and releases it: `outputs-` and the 64 hex digits of the run id.
    public static func outputsHold(run id: String) -> String {
        "outputs-" + id.replacingOccurrences(of: "sha256:", with: "")
    }

    public var json: JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return [
            "format": .number(Double(Self.format)), "commit": .string(commit),
            "code": ["digest": .string(code.digest), "size": .number(Double(code.size)), "manifest": optional(code.manifest)],
            "remote": ["name": .string(remote.name), "url": .string(remote.url), "endpoint": optional(remote.endpoint),
                       "region": optional(remote.region), "path_style": remote.pathStyle.map(JSONValue.bool) ?? .null],
            "datasets": .array(datasets.map { use -> JSONValue in ["name": .string(use.name), "version": .number(Double(use.version)), "digest": .string(use.digest)] }),
            "user": ["name": optional(userName), "email": optional(userEmail)],
            "arguments": .array(arguments.map(JSONValue.string)),
            "files": .object(files.mapValues(JSONValue.string)),
        ]
    }

    public init(json: JSONValue) throws {
        func invalid(_ what: String) -> RunnerError { .invalidExperiment("the cluster task is not one this git-ml reads: \(what)") }
        guard json["format"]?.intValue == Self.format else { throw invalid("format \(json["format"].map(CanonicalJSON.encode) ?? "missing"), expected \(Self.format)") }
        guard let commit = json["commit"]?.stringValue, commit.count == 40, commit.allSatisfy(\.isHexDigit) else { throw invalid("no commit") }
        guard let code = json["code"], let digest = code["digest"]?.stringValue, let size = code["size"]?.intValue, size >= 0 else { throw invalid("no code bundle") }
        guard let remote = json["remote"], let name = remote["name"]?.stringValue, let url = remote["url"]?.stringValue else { throw invalid("no blob remote") }
        guard let datasets = json["datasets"]?.arrayValue, let arguments = json["arguments"]?.arrayValue?.compactMap(\.stringValue),
              let files = json["files"]?.objectValue else { throw invalid("no datasets, arguments or files") }
        self.init(
            commit: commit, code: RunRecord.Artifact(digest: digest, size: UInt64(size), manifest: code["manifest"]?.stringValue),
            remote: RemoteSpec(name: name, url: url, endpoint: remote["endpoint"]?.stringValue, region: remote["region"]?.stringValue,
                               pathStyle: remote["path_style"]?.boolValue),
            datasets: try datasets.map { use in
                guard let name = use["name"]?.stringValue, let version = use["version"]?.intValue, let digest = use["digest"]?.stringValue else {
                    throw invalid("a dataset without name, version or digest")
                }
                return RunRecord.DatasetUse(name: name, version: version, digest: digest)
            },
            userName: json["user"]?["name"]?.stringValue, userEmail: json["user"]?["email"]?.stringValue,
            arguments: arguments, files: try files.mapValues { value in
                guard let text = value.stringValue else { throw invalid("a job file that is not text") }
                return text
            })
    }
}

/// The driver's side of cluster tasks: made once per sweep or `exec`, it checks that the work
/// tree is committed (a node runs the commit, nothing else), stores a git bundle of `HEAD` and the
/// dataset records in the blob remote, makes each job's `ClusterTask` (uploading the datasets it
/// reads), and records the run a node sends back once its artifacts are here, verified.
///
/// No record names the bundle, and the datasets may be known to this clone only: until
/// `release()`, a `RemoteHold` on the blob remote names them all (written before each upload,
/// refreshed while the sweep runs), so a remote GC run meanwhile — from any clone — keeps what
/// the nodes still fetch. A node holds the artifacts it uploads in turn
/// (`ClusterTask.outputsHold(run:)`) until `importRun` has recorded them here and releases that
/// hold. A driver killed outright leaves its holds to go stale (`RemoteLockInfo.isStale`).
public final class ClusterDriver {
    public let project: Project
    /// The blob remote the nodes fetch from and upload to (the default one).
    public let remote: RemoteSpec
    public let commit: String
    let code: RunRecord.Artifact
    /// Keeps the bundle and the uploaded datasets on the blob remote while tasks may fetch them.
    private let hold: RemoteHold
    /// Digests of dataset versions already uploaded by this driver.
    private var uploaded: Set<String> = []

    /// Prepares the code: the bundle is made under `scratch` and stored in the blob remote.
    public init(project: Project, scratch: String) throws {
        self.project = project
        let changes = try GitCommand.run(["status", "--porcelain=v1"], in: project.root)
        guard changes.isEmpty else {
            let listed = changes.split(separator: "\n").prefix(5).map { "  " + $0 }.joined(separator: "\n")
            throw RunnerError.invalidExperiment("a cluster node runs the committed code and ml/ files, and this work tree has changes:\n"
                                                + listed + "\ncommit (or stash) them and run again")
        }
        var remote = try project.remoteSpec(nil)
        if !remote.url.contains("://"), !remote.url.hasPrefix("/") {
            // A directory remote named relative to here: the node needs the path itself.
            remote.url = ((FileManager.default.currentDirectoryPath + "/" + remote.url) as NSString).standardizingPath
        }
        self.remote = remote
        commit = try project.repository.resolveCommit("HEAD").hex
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let bundle = scratch + "/code.bundle"
        let datasetRefs = try project.repository.refs(withPrefix: "refs/ml/datasets/").map(\.name)
        try GitCommand.run(["bundle", "create", "--quiet", bundle, "HEAD"] + datasetRefs, in: project.root)
        code = try project.storeArtifact(path: bundle)
        try? FileManager.default.removeItem(atPath: bundle)
        let codeFile = try Project.storedFile(code)
        hold = try project.hold([codeFile], on: remote, holder: "cluster tasks of \(commit.prefix(12))")
        try project.upload([codeFile], to: remote, holder: "cluster task code")
    }

    /// Deletes the hold: call it once no task of this driver will fetch anything more. Remote GC
    /// may then remove the bundle (a later sweep of the same commit stores it again).
    public func release() throws {
        try hold.release()
    }

    /// The task that runs `git-ml arguments` (`{job}`: the job folder, holding `files`) on a
    /// node with `datasets` — and the drift references their contract checks read — fetched
    /// there; their bytes are uploaded to the blob remote first when it lacks them. The
    /// project's monthly budget is checked here, where the runs are (a node's scratch
    /// repository has none).
    public func task(arguments: [String], files: [String: String], datasets: [DatasetVersion]) throws -> ClusterTask {
        try ProjectBudget(settings: try RunSettings.load(path: project.mlDirectory + "/config.yaml")).check(project: project, now: Date())
        var needed: [DatasetVersion] = []
        for version in datasets {
            needed.append(version)
            if let (contract, _) = try project.contract(for: version.record.name),
               let reference = try project.driftReference(for: version, contract: contract) {
                needed.append(reference)
            }
        }
        var seen = Set<String>()
        needed = needed.filter { seen.insert($0.record.digest).inserted }
        let fresh = needed.filter { !uploaded.contains($0.record.digest) }
        let dataFiles = try fresh.flatMap { try $0.record.files.map(Project.storedFile) }
        try hold.add(dataFiles)
        try project.upload(dataFiles, to: remote, holder: "cluster task data")
        uploaded.formUnion(fresh.map(\.record.digest))
        let user = { (key: String) in (try? self.project.repository.configString(key)) ?? nil }
        return ClusterTask(commit: commit, code: code, remote: remote,
                           datasets: needed.map { RunRecord.DatasetUse(name: $0.record.name, version: $0.record.version, digest: $0.record.digest) },
                           userName: user("user.name"), userEmail: user("user.email"), arguments: arguments, files: files)
    }

    /// A sweep job as a task: `git ml sweep trial {job}` with the job's request, reading the
    /// experiment's training data.
    public func task(for job: TrialJob) throws -> ClusterTask {
        let experiment = try Experiment.parse(yaml: job.request.experimentText, file: "ml/experiments/\(job.experiment).yaml", name: job.experiment)
        return try task(arguments: ["sweep", "trial", ClusterTask.jobPlaceholder],
                        files: [TrialJob.requestFile: CanonicalJSON.pretty(job.json)], datasets: [try project.resolveDataset(experiment.train)])
    }

    /// Records the run record a node sent back, as a local run would be recorded: refused when
    /// its id is not its content's digest or it names another commit; its artifacts are
    /// downloaded from the blob remote first, each verified against its digest. Then, imported
    /// or refused, the node's hold on them is released (a release that fails leaves it to go
    /// stale): remote GC keeps them from now on only if this repository's records name them.
    public func importRun(_ text: String) throws -> RecordedRun {
        let record = try RunRecord(text: text)
        defer { try? project.releaseHold(id: ClusterTask.outputsHold(run: record.id), on: remote) }
        guard record.code.commit == commit else {
            throw RunnerError.invalidExperiment("the node sent back a run of commit \(record.code.commit.prefix(12)), not of \(commit.prefix(12)): refused")
        }
        try project.download(try record.artifacts.values.map(Project.storedFile), from: remote)
        return try project.recordRun(record)
    }
}
