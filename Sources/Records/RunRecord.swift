/// The record of one run (`git ml run`, `git ml exec`): what code, configuration, data, seeds
/// and environment produced which artifacts, metrics and cost. Stored as RFC 8785 canonical
/// JSON; the run id is the SHA-256 of the record without its `id` field, so a record cannot
/// be edited without changing its id. Layout in docs/FORMAT.md ("Run records").
public struct RunRecord: Equatable, Sendable, ContentAddressedRecord {
    public static let recordName = "run record"
    public static let formatVersion = 1

    /// How a run ended.
    public enum Status: String, Sendable, CaseIterable {
        case ok, failed, overBudget = "over_budget", interrupted
    }

    /// The code a run trained on.
    public struct Code: Equatable, Sendable {
        /// The commit checked out (HEAD) when the run started.
        public var commit: String
        /// The id of that commit's tree without its top-level `ml/` entry: evidence stays valid
        /// through rebases and squash merges that keep the code, and is stale when it changes.
        public var tree: String
        /// Uncommitted changes outside `ml/` were present.
        public var dirty: Bool
        /// SHA-256 of those changes (`git diff HEAD` plus untracked files), when dirty.
        public var diffDigest: String?

        public init(commit: String, tree: String, dirty: Bool, diffDigest: String?) {
            self.commit = commit
            self.tree = tree
            self.dirty = dirty
            self.diffDigest = diffDigest
        }
    }

    /// A dataset version a run read, by label and full digest.
    public struct DatasetUse: Equatable, Sendable {
        public var name: String
        public var version: Int
        public var digest: String
        public init(name: String, version: Int, digest: String) {
            self.name = name
            self.version = version
            self.digest = digest
        }
    }

    /// A stored artifact: its content digest, size, and manifest when it spans several chunks.
    public struct Artifact: Equatable, Sendable {
        public var digest: String
        public var size: UInt64
        public var manifest: String?
        public init(digest: String, size: UInt64, manifest: String?) {
            self.digest = digest
            self.size = size
            self.manifest = manifest
        }
    }

    /// `builtin` (`git ml run`) or `exec` (`git ml exec`, an external command).
    public var kind: String
    public var experiment: String
    public var suite: String
    public var code: Code
    /// The resolved configuration (experiment and suite as parsed) and, for exec runs, the
    /// command; the record also carries its digest (`config_digest`) so equal configurations
    /// are found without comparing them.
    public var config: JSONValue
    /// Roles (`train`, `eval`, or exec input names) → dataset versions.
    public var datasets: [String: DatasetUse]
    /// The data the run trained on: a built-in run's `train`; an `exec` run's first declared
    /// input (`config.inputs` names them `name@vN`, in the order given; their roles are
    /// `input:<name>`). Nil when the record names neither. The one answer for every reader
    /// (the gate's validation rows, recomputed metrics).
    public var trainingData: DatasetUse? {
        if let train = datasets["train"] { return train }
        guard let first = config["inputs"]?.arrayValue?.first?.stringValue else { return nil }
        return datasets.first { $0.key.hasPrefix("input:") && "\($0.value.name)@v\($0.value.version)" == first }?.value
    }
    public var seeds: [UInt64]
    /// `ensemble`, `seed:N` or (an `exec` run) `external`.
    public var candidate: String
    /// N when `candidate` is `seed:N`: the seed whose model is the candidate.
    public var candidateSeed: UInt64? { candidate.hasPrefix("seed:") ? UInt64(candidate.dropFirst("seed:".count)) : nil }
    public var environment: JSONValue
    /// Artifact names (`model/seed-1`, `encoder`, `predictions/validation`, `predictions/evaluation`) → artifacts.
    public var artifacts: [String: Artifact]
    /// The suite's evaluation of the candidate (null when the run did not get that far).
    public var metrics: JSONValue
    public var cost: JSONValue
    /// Phase → seconds (`load`, `validate`, `fit`, `evaluate`, `store`).
    public var timings: [String: Double]
    public var status: Status
    /// Why a run failed or stopped, for people.
    public var statusDetail: String?
    public var createdBy: String
    /// RFC 3339 UTC time the run started.
    public var createdAt: String

    public init(kind: String, experiment: String, suite: String, code: Code, config: JSONValue, datasets: [String: DatasetUse],
                seeds: [UInt64], candidate: String, environment: JSONValue, artifacts: [String: Artifact], metrics: JSONValue,
                cost: JSONValue, timings: [String: Double], status: Status, statusDetail: String?, createdBy: String, createdAt: String) {
        self.kind = kind
        self.experiment = experiment
        self.suite = suite
        self.code = code
        self.config = config
        self.datasets = datasets
        self.seeds = seeds
        self.candidate = candidate
        self.environment = environment
        self.artifacts = artifacts
        self.metrics = metrics
        self.cost = cost
        self.timings = timings
        self.status = status
        self.statusDetail = statusDetail
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    public var contentFields: [String: JSONValue] {
        [
            "format_version": .number(Double(RunRecord.formatVersion)),
            "kind": .string(kind),
            "experiment": .string(experiment),
            "suite": .string(suite),
            "code": ["commit": .string(code.commit), "tree": .string(code.tree), "dirty": .bool(code.dirty),
                     "diff_digest": code.diffDigest.map(JSONValue.string) ?? .null],
            "config": config,
            "config_digest": .string(CanonicalJSON.digest(config)),
            "datasets": .object(datasets.mapValues { ["name": .string($0.name), "version": .string("v\($0.version)"), "digest": .string($0.digest)] }),
            "seeds": .array(seeds.map { .number(Double($0)) }),
            "candidate": .string(candidate),
            "environment": environment,
            "artifacts": .object(artifacts.mapValues { a in
                var e: [String: JSONValue] = ["digest": .string(a.digest), "size": .number(Double(a.size))]
                if let m = a.manifest { e["manifest"] = .string(m) }
                return .object(e)
            }),
            "metrics": metrics,
            "cost": cost,
            "timings": .object(timings.mapValues(JSONValue.number)),
            "status": .string(status.rawValue),
            "status_detail": statusDetail.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy),
            "created_at": .string(createdAt),
        ]
    }

    /// Reads a record and checks that its `id` is the digest of its content.
    public init(json: JSONValue) throws(RecordError) {
        let r = try FieldReader(json, record: "run record")
        try r.requireVersion(RunRecord.formatVersion)
        kind = try r.string("kind")
        experiment = try r.string("experiment")
        suite = try r.string("suite")
        let c = try FieldReader(.object(try r.objectField("code")), record: "run record code")
        code = Code(commit: try c.string("commit"), tree: try c.string("tree"), dirty: c.object["dirty"]?.boolValue ?? false,
                    diffDigest: try c.optionalString("diff_digest"))
        config = r.object["config"] ?? .null
        var datasets: [String: DatasetUse] = [:]
        for (role, value) in try r.objectField("datasets") {
            let d = try FieldReader(value, record: "run record dataset \(role)")
            let label = try d.string("version")
            guard label.hasPrefix("v"), let n = Int(label.dropFirst()) else { throw d.fail("version", "must look like v3") }
            datasets[role] = DatasetUse(name: try d.string("name"), version: n, digest: try d.string("digest"))
        }
        self.datasets = datasets
        seeds = try r.array("seeds").map { value throws(RecordError) in
            guard let n = value.doubleValue, n >= 0, n == n.rounded(), n < 1.8e19 else { throw r.fail("seeds", "must hold non-negative integers") }
            return UInt64(n)
        }
        candidate = try r.string("candidate")
        environment = r.object["environment"] ?? .null
        var artifacts: [String: Artifact] = [:]
        for (name, value) in try r.objectField("artifacts") {
            let a = try FieldReader(value, record: "run record artifact \(name)")
            artifacts[name] = Artifact(digest: try a.string("digest"), size: try a.byteCount("size"), manifest: try a.optionalString("manifest"))
        }
        self.artifacts = artifacts
        metrics = r.object["metrics"] ?? .null
        cost = r.object["cost"] ?? .null
        var timings: [String: Double] = [:]
        for (phase, value) in try r.objectField("timings") {
            guard let seconds = value.doubleValue else { throw r.fail("timings", "must map phases to seconds") }
            timings[phase] = seconds
        }
        self.timings = timings
        guard let status = Status(rawValue: try r.string("status")) else {
            throw r.fail("status", "must be one of \(Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.status = status
        statusDetail = try r.optionalString("status_detail")
        createdBy = try r.string("created_by")
        createdAt = try r.string("created_at")
        try checkID(stated: json)
    }
}
