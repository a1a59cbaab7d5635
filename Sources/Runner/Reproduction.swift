import BlobStore
import Foundation
import GitRepo
import Metering
import Gate
import Kernels
import Records
import Workspace

/// `git ml reproduce <run>`: re-executes a built-in run from its record — the experiment and
/// suite texts it recorded, the datasets by digest — and compares the models, predictions and
/// metrics with the recorded ones. The attestation says bit-identical, within tolerance (every
/// metric within `tolerance`, latencies excepted: they measure the machine), or differs.
public struct Reproduction {
    public let runner: ExperimentRunner

    public init(runner: ExperimentRunner) { self.runner = runner }

    public func reproduce(_ run: RecordedRun, tolerance: Double, progress: ExperimentRunner.Progress) throws -> Attestation {
        let record = run.record
        guard record.status == .ok else {
            throw RunnerError.notCommittable(run: shortID(run.id), reason: "it ended \(record.status.rawValue); there is nothing to reproduce")
        }
        if record.kind == "exec" { return try reproduceExternal(run, tolerance: tolerance, progress: progress) }
        guard let experimentText = record.config["experiment_file"]?.stringValue, let suiteText = record.config["suite_file"]?.stringValue,
              let train = record.datasets["train"], let eval = record.datasets["eval"] else {
            throw RunnerError.invalidExperiment("the run record lacks its configuration texts or datasets")
        }
        let experiment = try Experiment.parse(yaml: experimentText, file: "ml/experiments/\(record.experiment).yaml (as recorded)",
                                              name: record.experiment)
        let suite = try Suite.parse(yaml: suiteText, file: "ml/suites/\(record.suite).yaml (as recorded)", name: record.suite)
        let job = TrainingJob(experimentName: record.experiment, experimentYAML: experimentText, suiteName: record.suite,
                              suiteYAML: suiteText, train: "\(train.name)@\(train.digest)", eval: "\(eval.name)@\(eval.digest)",
                              labelColumn: suite.label.column, positive: suite.label.positive, excluded: [suite.entity].compactMap { $0 })
        let settings = try RunSettings.load(path: runner.project.mlDirectory + "/config.yaml")
        progress("reproduce", "\(record.experiment), \(record.seeds.count) seed\(record.seeds.count == 1 ? "" : "s")")
        let outcome = try runner.execute(job, experiment: experiment, rates: settings.rates, progress: progress)
        guard outcome.status == .ok else {
            throw RunnerError.workerFailed(status: 1, detail: outcome.detail ?? outcome.status.rawValue)
        }
        let identical = record.artifacts.allSatisfy { name, artifact in outcome.artifacts[name]?.digest == artifact.digest }
            && outcome.artifacts.count == record.artifacts.count
        return attestation(run, identical: identical, metrics: outcome.metrics, tolerance: tolerance)
    }

    /// An `exec` run: the recorded command, in a temporary worktree at the recorded commit, with
    /// the recorded inputs; compared on its evaluation predictions and metrics.
    private func reproduceExternal(_ run: RecordedRun, tolerance: Double, progress: ExperimentRunner.Progress) throws -> Attestation {
        let project = runner.project
        let record = run.record
        guard let command = record.config["command"]?.arrayValue?.compactMap(\.stringValue), !command.isEmpty,
              let suiteText = record.config["suite_file"]?.stringValue, let evalUse = record.datasets["eval"] else {
            throw RunnerError.invalidExperiment("the run record lacks its command, suite or datasets")
        }
        let suite = try Suite.parse(yaml: suiteText, file: "ml/suites/\(record.suite).yaml (as recorded)", name: record.suite)
        let labels = record.config["inputs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let inputs = try labels.map { label in
            guard let use = record.datasets.values.first(where: { "\($0.name)@v\($0.version)" == label }) else {
                throw RunnerError.invalidExperiment("the run record lacks input \(label)")
            }
            return try project.resolveDataset("\(use.name)@\(use.digest)")
        }
        let eval = try project.resolveDataset("\(evalUse.name)@\(evalUse.digest)")
        guard let train = inputs.first else { throw RunnerError.invalidExperiment("the run record has no inputs") }
        let worktree = project.layout.temporaryPath("reproduce")
        _ = try GitCommand.run(["worktree", "add", "--detach", "--quiet", worktree, record.code.commit], in: project.root)
        defer { _ = try? GitCommand.run(["worktree", "remove", "--force", worktree], in: project.root) }
        progress("reproduce", "\(command.joined(separator: " ")) at \(record.code.commit.prefix(12))")
        let settings = try RunSettings.load(path: project.mlDirectory + "/config.yaml")
        let (execution, _) = try ExternalExecution.run(command: command, inputs: inputs, eval: eval, project: project, directory: worktree,
                                                       budget: Budget(), rates: settings.rates, progress: progress)
        defer { execution.removeScratch() }
        guard execution.result.outcome == .completed, execution.result.exitStatus.isSuccess else {
            throw RunnerError.workerFailed(status: execution.result.exitStatus.shellStatus, detail: "the recorded command failed when re-executed")
        }
        let outputs = try execution.predictions(suite: suite, train: train, eval: eval, project: project)
        let metrics = try SuiteReporting.report(suite: suite, evaluation: [outputs.evaluation],
                                                validation: outputs.validation.map { [$0] } ?? [], artifact: .seed(0), latencyP99: nil)
        let recorded = record.artifacts["predictions/evaluation"]?.digest
        let identical = recorded == Digest.of(Array(outputs.evaluationTable.text.utf8)).description
        return attestation(run, identical: identical, metrics: metrics, tolerance: tolerance)
    }

    private func attestation(_ run: RecordedRun, identical: Bool, metrics: JSONValue, tolerance: Double) -> Attestation {
        let (metric, delta) = Reproduction.largestDelta(run.record.metrics, metrics)
        let result: Attestation.Result = identical ? .bitIdentical : (delta <= tolerance ? .withinTolerance : .differs)
        return Attestation(run: run.id, result: result, largestDeltaMetric: metric, largestDelta: delta, tolerance: tolerance,
                           inCI: Reproduction.inCI(ProcessInfo.processInfo.environment), numericProfile: NumericProfile.id,
                           host: ProcessInfo.processInfo.hostName, by: runner.project.actor(), at: timestamp(Date()))
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
