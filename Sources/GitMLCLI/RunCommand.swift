import ArgumentParser
import BlobStore
import Platform
import Foundation
import GitRepo
import Records
import Runner
import Workspace

/// `git ml run <experiment>`: train and evaluate an experiment and record the run.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train and evaluate an experiment (ml/experiments/<name>.yaml) and record the run.",
        discussion: """
            Validates the training and evaluation datasets against their contracts, checks them
            for leakage, trains one model per seed in a metered worker process (the experiment's
            budget stops it), evaluates the candidate on the suite, stores models, encoder and
            predictions, and records the run under refs/ml/runs/<id>. Ctrl-C stops the run and
            records it as interrupted. Commit the evidence with `git mlcommit`.

            Exit codes: 0 the run finished; 1 it was recorded as failed, over budget or
            interrupted; 3 it could not start (contract failure, leakage, bad config).

            Example: git ml run churn-gbdt
            """)

    @Argument(help: "The experiment's name (ml/experiments/<name>.yaml).") var experiment: String?
    @Option(help: .hidden) var worker: String?
    @Flag(help: "Print the run record as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            if let worker {
                // A server's gate re-trains in its bare repository: the worker needs only its store.
                let repository = try Repository(discoveringFrom: currentDirectory)
                let project = repository.workdir == nil ? try Project(serverRepository: repository) : try openProject()
                try TrainingWorker.run(directory: worker, project: project)
                return
            }
            let project = try openProject()
            guard let experiment else { throw InputError("name the experiment to run, as in `git ml run churn-gbdt`") }
            for leftover in project.layout.leftovers() where leftover.purpose == "run" {
                FileHandle.standardError.write(Data("note: \(leftover.path): \(leftover.explanation)\n".utf8))
            }
            let runner = experimentRunner(project)
            let recorded = try runner.run(experimentName: experiment) { phase, detail in
                FileHandle.standardError.write(Data("\(phase): \(detail)\n".utf8))
            }
            if json {
                printJSON(recorded.record.json)
            } else {
                RunSummary(recorded).print()
            }
            if let warning = RunSummary.identicalSeedsWarning(recorded.record) {
                FileHandle.standardError.write(Data((warning + "\n").utf8))
            }
            if recorded.record.status != .ok { throw Exit.checkFailed }
        }
    }
}

/// The runner that trains in a worker process of this same binary (`git ml run --worker`).
func experimentRunner(_ project: Project) -> ExperimentRunner {
    ExperimentRunner(project: project, workerCommand: [RunningExecutable.path, "run", "--worker"], toolVersion: Release.version)
}

/// A run for people: id, status, headline metrics with intervals, cost.
struct RunSummary {
    let run: RecordedRun
    init(_ run: RecordedRun) { self.run = run }

    func print() {
        let r = run.record
        Swift.print("run \(shortID(run.id))  \(r.experiment) on suite \(r.suite): \(r.status.rawValue)" +
                    (r.statusDetail.map { " — \($0)" } ?? ""))
        if let primary = r.metrics["headline"] {
            Swift.print("  \(RunSummary.metricLine(primary))")
        }
        for guardrail in r.metrics["guardrails"]?.arrayValue ?? [] {
            guard let estimate = guardrail["estimate"], let name = guardrail["guardrail"]?["metric"]?["name"]?.stringValue else { continue }
            let bounds = guardrail["within_bounds"]?.boolValue.map { $0 ? "  within bounds" : "  OUT OF BOUNDS" } ?? ""
            Swift.print("  guardrail \(RunSummary.metricLine(estimate, name: name))\(bounds)")
        }
        let usd = r.cost["usd"]?.doubleValue ?? 0
        let cpu = r.cost["cpu_seconds"]?.doubleValue ?? 0
        let wall = r.cost["wall_seconds"]?.doubleValue ?? 0
        Swift.print("  cost $\(String(format: "%.6f", usd)) (\(String(format: "%.2f", cpu)) CPU s, \(String(format: "%.2f", wall)) s wall, \(r.cost["method"]?.stringValue ?? "?"))")
        if r.code.dirty { Swift.print("  code: dirty working tree (digest \(r.code.diffDigest?.prefix(19) ?? "?")): commit before `git mlcommit`") }
    }

    /// A warning when several seeds trained the same model (one model digest): the seeds changed
    /// nothing, and the gate will say seed variance was not measured.
    static func identicalSeedsWarning(_ record: RunRecord) -> String? {
        let models = Set(record.seeds.compactMap { record.artifacts["model/seed-\($0)"]?.digest })
        guard record.seeds.count > 1, models.count == 1 else { return nil }
        return "warning: the \(record.seeds.count) seeds (\(record.seeds.map(String.init).joined(separator: ", "))) trained identical models (same digest): seed variance is not measured. Add randomness (bagging_fraction or feature_fraction below 1) or use one seed."
    }

    /// "roc_auc 0.845 (95% CI 0.831 – 0.858)".
    static func metricLine(_ metric: JSONValue, name: String? = nil) -> String {
        let name = name ?? metric["metric"]?.stringValue ?? "metric"
        guard let value = metric["value"]?.doubleValue else { return "\(name) n/a" }
        var line = "\(name) \(format(value))"
        if let lower = metric["interval"]?["lower"]?.doubleValue, let upper = metric["interval"]?["upper"]?.doubleValue {
            let level = metric["interval"]?["confidence"]?.doubleValue.map { "\(Int(($0 * 100).rounded()))% " } ?? ""
            line += " (\(level)CI \(format(lower)) – \(format(upper)))"
        }
        return line
    }
}
