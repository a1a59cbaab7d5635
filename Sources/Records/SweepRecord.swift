/// The record of one sweep (`git ml sweep run`): what was searched under which budget, every
/// job it ran in the order their results were reported (trial, rung, resource, values, the
/// trial's run id, validation metric, cost), why it stopped, the trial it chose and by which
/// rule, and the run that evaluated the chosen configuration on the suite's evaluation set.
/// Stored as RFC 8785 canonical JSON under `refs/ml/sweeps/<name>`; like a run record its id
/// is the SHA-256 of the record without `id`. Layout in docs/FORMAT.md ("Sweep records").
public struct SweepRecord: Equatable, Sendable, ContentAddressedRecord {
    public static let recordName = "sweep record"
    public static let formatVersion = 1

    /// Where a sweep stands.
    public enum Status: String, Sendable, CaseIterable {
        /// Trials are still being run (a record written after each finished job).
        case running
        /// Every planned trial ran (or was stopped early by successive halving).
        case finished
        /// The budget stopped it: `stopReason` says which limit.
        case stopped
        /// Ctrl-C or a kill: `git ml sweep run <name>` resumes it.
        case interrupted
    }

    /// One job: a trial trained at one rung's resource.
    public struct Job: Equatable, Sendable {
        public var trial: Int
        public var rung: Int
        /// The halving resource (rounds, epochs) it trained with; nil without halving.
        public var resource: Int?
        /// The trial's values, by dotted key of the experiment file.
        public var values: [String: JSONValue]
        /// The job's content key (see `SweepSpec.jobKey`): a resumed sweep reuses a finished
        /// trial run with the same key instead of training it again.
        public var key: String
        /// The trial's run id (`sha256:…`), nil when the job recorded no run.
        public var run: String?
        /// The run's status (`ok`, `failed`, `over_budget`, `interrupted`).
        public var status: String
        /// The suite's primary metric on the validation rows (cross-validated: the mean of the
        /// fold scores); nil when the job has none.
        public var metric: Double?
        /// A cross-validated job's standard error of `metric` over its folds; nil otherwise.
        public var metricStandardError: Double?
        public var usd: Double
        public var cpuSeconds: Double
        public var wallSeconds: Double
        /// True when a resumed sweep took this result from an earlier invocation's run.
        public var reused: Bool
        /// Where a cluster executor ran it (`executor`, `node`, `task`, `cpus`); nil on the
        /// sweep's own machine.
        public var placement: JSONValue?

        public init(trial: Int, rung: Int, resource: Int?, values: [String: JSONValue], key: String, run: String?, status: String,
                    metric: Double?, usd: Double, cpuSeconds: Double, wallSeconds: Double, reused: Bool) {
            self.trial = trial
            self.rung = rung
            self.resource = resource
            self.values = values
            self.key = key
            self.run = run
            self.status = status
            self.metric = metric
            metricStandardError = nil
            self.usd = usd
            self.cpuSeconds = cpuSeconds
            self.wallSeconds = wallSeconds
            self.reused = reused
            placement = nil
        }
    }

    public var name: String
    public var experiment: String
    public var suite: String
    /// The sweep as declared: file digests, search, seed, trials, halving, budget, parallel,
    /// executor, and the metric trials are compared on (`metric`, `direction`).
    public var plan: JSONValue
    /// The commit the sweep's trials trained on.
    public var commit: String
    public var jobs: [Job]
    public var status: Status
    public var stopReason: String?
    /// Wall-clock seconds the sweep has run (summed over resumed invocations).
    public var wallSeconds: Double
    /// Index into `jobs` of the chosen job, and the rule that chose it.
    public var chosenJob: Int?
    public var rule: String
    /// The run that evaluated the chosen configuration on the suite's evaluation set.
    public var evaluatedRun: String?
    public var createdBy: String
    public var createdAt: String
    public var updatedAt: String

    public init(name: String, experiment: String, suite: String, plan: JSONValue, commit: String, jobs: [Job], status: Status,
                stopReason: String?, wallSeconds: Double, chosenJob: Int?, rule: String, evaluatedRun: String?, createdBy: String,
                createdAt: String, updatedAt: String) {
        self.name = name
        self.experiment = experiment
        self.suite = suite
        self.plan = plan
        self.commit = commit
        self.jobs = jobs
        self.status = status
        self.stopReason = stopReason
        self.wallSeconds = wallSeconds
        self.chosenJob = chosenJob
        self.rule = rule
        self.evaluatedRun = evaluatedRun
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Every run id the record names: its jobs' runs and the evaluated run.
    public var runIDs: [String] { jobs.compactMap(\.run) + (evaluatedRun.map { [$0] } ?? []) }
    /// Distinct trials that ran at least one job.
    public var trialCount: Int { Set(jobs.map(\.trial)).count }
    public var spentUSD: Double { jobs.reduce(0) { $0 + $1.usd } }
    public var spentCPUSeconds: Double { jobs.reduce(0) { $0 + $1.cpuSeconds } }

    public var contentFields: [String: JSONValue] {
        [
            "format_version": .number(Double(SweepRecord.formatVersion)),
            "name": .string(name),
            "experiment": .string(experiment),
            "suite": .string(suite),
            "plan": plan,
            "commit": .string(commit),
            "jobs": .array(jobs.map(\.json)),
            "status": .string(status.rawValue),
            "stop_reason": stopReason.map(JSONValue.string) ?? .null,
            "spent": ["usd": .number(spentUSD), "cpu_seconds": .number(spentCPUSeconds), "wall_seconds": .number(wallSeconds),
                      "trials": .number(Double(trialCount)), "jobs": .number(Double(jobs.count))],
            "chosen": chosenJob.map { ["job": .number(Double($0)), "rule": .string(rule)] } ?? .null,
            "evaluated_run": evaluatedRun.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy),
            "created_at": .string(createdAt),
            "updated_at": .string(updatedAt),
        ]
    }

    /// Reads a record and checks that its `id` is the digest of its content and that what it
    /// says agrees with itself (run ids well formed, the chosen job one of its jobs).
    public init(json: JSONValue) throws(RecordError) {
        let r = try FieldReader(json, record: "sweep record")
        try r.requireVersion(SweepRecord.formatVersion)
        name = try r.string("name")
        experiment = try r.string("experiment")
        suite = try r.string("suite")
        plan = r.object["plan"] ?? .null
        commit = try r.string("commit")
        var jobs: [Job] = []
        for (index, value) in try r.array("jobs").enumerated() { jobs.append(try Job(json: value, index: index)) }
        self.jobs = jobs
        guard let status = Status(rawValue: try r.string("status")) else {
            throw r.fail("status", "must be one of \(Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.status = status
        stopReason = try r.optionalString("stop_reason")
        wallSeconds = try r.objectField("spent")["wall_seconds"]?.doubleValue ?? 0
        if let chosen = r.object["chosen"], !chosen.isNull {
            let c = try FieldReader(chosen, record: "sweep record chosen")
            let job = try c.int("job")
            guard jobs.indices.contains(job) else { throw c.fail("job", "must be the index of one of the record's jobs") }
            chosenJob = job
            rule = try c.string("rule")
        } else {
            chosenJob = nil
            rule = ""
        }
        evaluatedRun = try r.optionalString("evaluated_run")
        createdBy = try r.string("created_by")
        createdAt = try r.string("created_at")
        updatedAt = try r.string("updated_at")
        for run in runIDs where !SweepRecord.isRunID(run) {
            throw RecordError(record: "sweep record", reason: "\(quoted(run)) is not a run id (sha256: and 64 hex digits)")
        }
        try checkID(stated: json)
    }

    static func isRunID(_ text: String) -> Bool {
        text.hasPrefix("sha256:") && text.utf8.count == 71 && text.utf8.dropFirst(7).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension SweepRecord.Job {
    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "trial": .number(Double(trial)),
            "rung": .number(Double(rung)),
            "resource": resource.map { .number(Double($0)) } ?? .null,
            "values": .object(values),
            "key": .string(key),
            "run": run.map(JSONValue.string) ?? .null,
            "status": .string(status),
            "metric": metric.map(JSONValue.number) ?? .null,
            "cost": ["usd": .number(usd), "cpu_seconds": .number(cpuSeconds), "wall_seconds": .number(wallSeconds)],
            "reused": .bool(reused),
            "placement": placement ?? .null,
        ]
        // Only a cross-validated job has it: records of sweeps without keep their bytes.
        if let metricStandardError { fields["metric_standard_error"] = .number(metricStandardError) }
        return .object(fields)
    }

    init(json: JSONValue, index: Int) throws(RecordError) {
        let r = try FieldReader(json, record: "sweep record job \(index)")
        trial = try r.int("trial")
        rung = try r.int("rung")
        resource = r.object["resource"]?.intValue
        values = try r.objectField("values")
        key = try r.string("key")
        run = try r.optionalString("run")
        status = try r.string("status")
        metric = r.object["metric"]?.doubleValue
        metricStandardError = r.object["metric_standard_error"]?.doubleValue
        let cost = try r.objectField("cost")
        usd = cost["usd"]?.doubleValue ?? 0
        cpuSeconds = cost["cpu_seconds"]?.doubleValue ?? 0
        wallSeconds = cost["wall_seconds"]?.doubleValue ?? 0
        reused = r.object["reused"]?.boolValue ?? false
        if let value = r.object["placement"], !value.isNull { placement = value } else { placement = nil }
        guard trial >= 0, rung >= 0 else { throw r.fail("trial", "and rung must be 0 or more") }
    }
}
