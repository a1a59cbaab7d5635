import BlobStore
import Foundation
import GitRepo
import Metering
import Gate
import Kernels
import Records
import Tables
import Workspace

/// `git ml reproduce <run>`: re-executes a run from its record — the experiment and suite
/// texts it recorded (or, for an `exec` run, its command at the recorded commit), the datasets
/// by digest — and compares every artifact's digest with the recorded one. The attestation
/// says bit-identical (every artifact the record names reproduced with its digest), within
/// tolerance (every metric recomputed from the reproduced predictions within `tolerance` of the
/// same metric recomputed from the record's stored predictions joined with the pinned
/// evaluation labels — never the record's own metrics block; latencies excepted: they measure
/// the machine), or differs.
///
/// One re-training for every reproducer: `git ml reproduce` (a clone, CI), and a gate's own
/// reproduction under `reproduce_in_gate` — in a clone, in CI, and in a server's pre-receive
/// (a bare repository: the worker needs only the blob store, see `TrainingJob`).
public struct Reproduction {
    public let runner: ExperimentRunner
    /// Where the datasets' contracts (read schemas) and cost rates come from: the work tree, or
    /// a gate's base.
    public let policy: PolicySource
    /// Wall seconds the re-training may take (a gate's time budget); nil: the experiment's own.
    public let wallLimit: Double?

    public init(runner: ExperimentRunner, policy: PolicySource = .workTree, wallLimit: Double? = nil) {
        self.runner = runner
        self.policy = policy
        self.wallLimit = wallLimit
    }

    public func reproduce(_ run: RecordedRun, tolerance: Double, progress: ExperimentRunner.Progress) throws -> Attestation {
        let record = run.record
        guard record.status == .ok else {
            throw RunnerError.notCommittable(run: shortID(run.id), reason: "it ended \(record.status.rawValue); there is nothing to reproduce")
        }
        guard let suiteText = record.config["suite_file"]?.stringValue else {
            throw RunnerError.invalidExperiment("the run record lacks its suite text")
        }
        let suite = try Suite.parse(yaml: suiteText, file: "ml/suites/\(record.suite).yaml (as recorded)", name: record.suite)
        let reproduced = record.kind == "exec" ? try reproduceExternal(run, suite: suite, progress: progress)
                                                : try reproduceBuiltIn(run, suite: suite, progress: progress)
        return try attestation(run, suite: suite, reproduced: reproduced, tolerance: tolerance)
    }

    /// A built-in run: trained again by the worker; returns the reproduced artifacts (stored).
    private func reproduceBuiltIn(_ run: RecordedRun, suite: Suite, progress: ExperimentRunner.Progress) throws -> [String: RunRecord.Artifact] {
        let record = run.record
        guard let experimentText = record.config["experiment_file"]?.stringValue, let suiteText = record.config["suite_file"]?.stringValue,
              let train = record.datasets["train"] else {
            throw RunnerError.invalidExperiment("the run record lacks its configuration texts or datasets")
        }
        let experiment = try Experiment.parse(yaml: experimentText, file: "ml/experiments/\(record.experiment).yaml (as recorded)",
                                              name: record.experiment)
        let job = TrainingJob(experimentName: record.experiment, experimentYAML: experimentText, suiteName: record.suite,
                              suiteYAML: suiteText, train: try runner.jobData(try recorded(train), policy: policy),
                              eval: try record.datasets["eval"].map { try runner.jobData(try recorded($0), policy: policy) },
                              labelColumn: suite.label.column, positive: suite.label.positive,
                              excluded: [suite.entity].compactMap { $0 } + record.excludedIdentifiers)
        let settings = try policy.settings(project: runner.project)
        if let wallLimit, wallLimit <= 0 { throw RunnerError.reproductionOverBudget(run: shortID(record.id), seconds: 0) }
        progress("reproduce", "\(record.experiment), \(record.seeds.count) seed\(record.seeds.count == 1 ? "" : "s")")
        let outcome = try runner.execute(job, experiment: experiment, rates: settings.rates, wallLimit: wallLimit, progress: progress)
        if outcome.status == .overBudget, let wallLimit, wallLimit < experiment.budget.withDefaultWallLimit().maxWallSeconds ?? .infinity {
            throw RunnerError.reproductionOverBudget(run: shortID(record.id), seconds: wallLimit)
        }
        guard outcome.status == .ok else {
            throw RunnerError.workerFailed(status: 1, detail: outcome.detail ?? outcome.status.rawValue)
        }
        return outcome.artifacts
    }

    /// The stored version a record names, by name and full digest.
    private func recorded(_ use: RunRecord.DatasetUse) throws -> DatasetRecord {
        let version = try runner.project.resolveDataset("\(use.name)@\(use.digest)")
        guard version.record.digest == use.digest else {
            throw RunnerError.invalidExperiment("\(use.name)@\(use.digest) resolves to \(version.record.digest): the record names no stored version")
        }
        return version.record
    }

    /// An `exec` run: the recorded command, in a directory outside the repository holding the
    /// recorded commit's tree (no `.git`, no materialized data), with only the recorded inputs
    /// and the evaluation rows without their labels; returns the reproduced artifacts (stored).
    private func reproduceExternal(_ run: RecordedRun, suite: Suite, progress: ExperimentRunner.Progress) throws -> [String: RunRecord.Artifact] {
        let project = runner.project
        let record = run.record
        guard let command = record.config["command"]?.arrayValue?.compactMap(\.stringValue), !command.isEmpty,
              let evalUse = record.datasets["eval"] else {
            throw RunnerError.invalidExperiment("the run record lacks its command or datasets")
        }
        let labels = record.config["inputs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let inputs = try labels.map { label in
            guard let use = record.datasets.values.first(where: { "\($0.name)@v\($0.version)" == label }) else {
                throw RunnerError.invalidExperiment("the run record lacks input \(label)")
            }
            return try project.resolveDataset("\(use.name)@\(use.digest)")
        }
        let eval = try project.resolveDataset("\(evalUse.name)@\(evalUse.digest)")
        guard let train = inputs.first else { throw RunnerError.invalidExperiment("the run record has no inputs") }
        let outside = NSTemporaryDirectory() + "gitml-reproduce-" + UUID().uuidString
        defer { ExternalExecution.remove(outside) }
        let code = outside + "/code"
        try ExternalExecution.exportTree(commit: record.code.commit, to: code, scratch: outside, project: project)
        progress("reproduce", "\(command.joined(separator: " ")) at \(record.code.commit.prefix(12)), in \(code)")
        let settings = try policy.settings(project: project)
        let (execution, _) = try ExternalExecution.run(command: command, inputs: inputs, eval: eval, suite: suite, project: project,
                                                       directory: code, scratch: outside + "/run", isolated: true,
                                                       budget: Budget(), rates: settings.rates, progress: progress)
        guard execution.result.outcome == .completed, execution.result.exitStatus.isSuccess else {
            throw RunnerError.workerFailed(status: execution.result.exitStatus.shellStatus, detail: "the recorded command failed when re-executed")
        }
        let outputs = try execution.predictions(suite: suite, train: train, eval: eval, project: project)
        return try execution.storeOutputs(outputs, project: project)
    }

    /// Compares the reproduced artifacts with the record's.
    private func attestation(_ run: RecordedRun, suite: Suite, reproduced: [String: RunRecord.Artifact], tolerance: Double) throws -> Attestation {
        let record = run.record
        var artifacts: [String: Attestation.ArtifactDigests] = [:]
        for name in Set(record.artifacts.keys).union(reproduced.keys) {
            artifacts[name] = Attestation.ArtifactDigests(recorded: record.artifacts[name]?.digest, reproduced: reproduced[name]?.digest)
        }
        var attestation = Attestation(run: run.id, result: .bitIdentical, artifacts: artifacts, largestDeltaMetric: nil, largestDelta: 0,
                                      tolerance: tolerance, inCI: Reproduction.inCI(ProcessInfo.processInfo.environment),
                                      numericProfile: NumericProfile.id, host: ProcessInfo.processInfo.hostName,
                                      by: runner.project.actor(), at: timestamp(Date()))
        if !attestation.digestsEqual {
            let recomputed = RecomputedMetrics(project: runner.project, record: record, suite: suite, policy: policy)
            let (metric, delta) = Reproduction.largestDelta(try recomputed.metrics(record.artifacts), try recomputed.metrics(reproduced))
            attestation.largestDeltaMetric = metric
            attestation.largestDelta = delta
            attestation.result = delta <= tolerance ? .withinTolerance : .differs
        }
        return attestation
    }

    /// Signs `attestation` with the SSH key at `key` (namespace `gitml-attestation`).
    public func sign(_ attestation: Attestation, key: String) throws -> Attestation {
        var signed = attestation
        signed.signature = Attestation.Signature(principal: try runner.project.repository.configString("user.email"),
                                                 ssh: try SSHSignature.sign(attestation.signedBytes, namespace: Attestation.signatureNamespace, key: key))
        return signed
    }

    /// Writes `ml/attestations/<hex id>.json`.
    public func write(_ attestation: Attestation) throws -> String {
        let directory = runner.project.mlDirectory + "/attestations"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + attestation.run.replacingOccurrences(of: "sha256:", with: "") + ".json"
        try Data(CanonicalJSON.pretty(attestation.json).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }

    /// A CI job: `CI=true` (GitHub Actions, GitLab CI and most others set it) or a known variable.
    static func inCI(_ environment: [String: String]) -> Bool {
        environment["CI"]?.lowercased() == "true" || environment["GITHUB_ACTIONS"] != nil || environment["GITLAB_CI"] != nil
    }

    /// The numeric leaf (by key path) that differs most between two metric blocks; keys that
    /// measure time are skipped. A leaf present on one side only counts as an infinite delta.
    static func largestDelta(_ a: JSONValue, _ b: JSONValue) -> (String?, Double) {
        var left: [String: Double] = [:], right: [String: Double] = [:]
        flatten(a, "", into: &left)
        flatten(b, "", into: &right)
        var worst: (String?, Double) = (nil, 0)
        for key in Set(left.keys).union(right.keys).sorted() where !key.contains("latency") {
            let x = left[key], y = right[key]
            let delta: Double
            if let x, let y {
                delta = x == y || (x.isNaN && y.isNaN) ? 0 : abs(x - y)
            } else {
                delta = .infinity
            }
            if delta > worst.1 || (delta.isNaN && !worst.1.isNaN) { worst = (key, delta.isNaN ? .infinity : delta) }
        }
        return worst
    }

    private static func flatten(_ value: JSONValue, _ path: String, into out: inout [String: Double]) {
        // A latency guardrail measures the machine, not the model.
        if value["guardrail"]?["metric"]?["name"]?.stringValue?.contains("latency") == true { return }
        switch value {
        case .number(let n): out[path] = n
        case .array(let items): for (i, item) in items.enumerated() { flatten(item, "\(path)[\(i)]", into: &out) }
        case .object(let members): for (k, v) in members { flatten(v, path.isEmpty ? k : "\(path).\(k)", into: &out) }
        default: break
        }
    }
}
