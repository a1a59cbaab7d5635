import Contracts
import Foundation
import Gate
import Learners
import Metering
import Records
import Sweeps
import Workspace

/// `git ml sweep run <name>`: runs the sweep declared in `ml/sweeps/<name>.yaml` — what to try
/// (`SweepSpec`), what to run next (`SuccessiveHalving`), whether it may start (`SweepBudget`)
/// — on an executor, recording its state under `refs/ml/sweeps/<name>` after every job.
///
/// Trials train and score on validation rows only (`git ml sweep trial`, kind `trial` runs);
/// once the search ends, the chosen configuration is trained again as a normal run evaluated
/// on the suite's pinned evaluation set — the sweep's one evaluation. A sweep that was
/// interrupted or killed resumes when run again: a job whose content key (`SweepSpec.jobKey`)
/// matches a recorded trial run takes that run's result instead of training again.
public struct SweepRunner {
    public let project: Project
    /// Runs the chosen configuration's evaluation (in this process).
    public let runner: ExperimentRunner
    /// Jobs at once: the lower of this and the sweep file's `parallel`.
    public let jobs: Int
    /// Cross-validation folds in place of the sweep file's `cv` (`--cv K`); nil: the file's.
    public let crossValidation: Int?

    public init(project: Project, runner: ExperimentRunner, jobs: Int, crossValidation: Int? = nil) {
        self.project = project
        self.runner = runner
        self.jobs = max(1, jobs)
        self.crossValidation = crossValidation
    }

    /// What the sweep says as it goes, for people.
    public typealias Progress = (_ line: String) -> Void

    /// Runs (or resumes) sweep `name` on `executor` and returns its final record; SIGINT
    /// cancels the running jobs and records the sweep as interrupted.
    public func run(name: String, executor: TrialExecutor, progress: @escaping Progress) throws -> SweepRecord {
        guard RecordedSweep.isValidName(name) else {
            throw RunnerError.invalidExperiment("'\(name)' is not a sweep name: use lower-case letters, digits, - and _ (ml/sweeps/<name>.yaml)")
        }
        let sweepText = try runner.readText(project.mlDirectory + "/sweeps/\(name).yaml", hint: "write it (see docs/SWEEPS.md)")
        var spec = try SweepSpec.parse(yaml: sweepText, file: "ml/sweeps/\(name).yaml", name: name)
        if let crossValidation { spec.crossValidation = crossValidation }
        let experimentText = try runner.readText(project.mlDirectory + "/experiments/\(spec.experiment).yaml",
                                                 hint: "the sweep names experiment '\(spec.experiment)'; write it")
        let experiment = try Experiment.parse(yaml: experimentText, file: "ml/experiments/\(spec.experiment).yaml", name: spec.experiment)
        let suite = try Suite.parse(yaml: try runner.readText(project.mlDirectory + "/suites/\(experiment.suite).yaml", hint: "write it"),
                                    file: "ml/suites/\(experiment.suite).yaml", name: experiment.suite)
        try checkSpace(spec, experiment: experiment, experimentText: experimentText, suite: suite)
        let code = try CodeState.current(repository: project.repository, root: project.root)
        let previous = try project.recordedSweep(name)?.record
        let parallel = min(spec.parallel, jobs)

        let session = SweepSession(
            sweeps: self, name: name, spec: spec, sweepText: sweepText, experimentText: experimentText, experiment: experiment,
            suite: suite, code: code, previous: previous, parallel: parallel, threads: max(1, ProcessInfo.processInfo.activeProcessorCount / parallel),
            reusable: try finishedTrials(), executor: executor, progress: progress)
        let watch = InterruptWatch()
        defer { watch.cancel() }
        while !watch.hasFired {
            try session.startJobs()
            guard executor.runningCount > 0 else { break }
            if let outcome = try executor.next(stop: { watch.hasFired }) { try session.collect(outcome) }
        }
        let interrupted = watch.hasFired
        if interrupted {
            executor.cancel()
            try session.drain()
        }
        watch.cancel()  // the evaluation run watches SIGINT itself
        return try session.finish(interrupted: interrupted)
    }

    /// Fails before any trial starts when the first trial's experiment does not parse or its
    /// learner refuses a hyperparameter (a misspelt key in the space): the error names it; and
    /// when a cross-validated sweep's experiment splits by time (folds would train on the future).
    func checkSpace(_ spec: SweepSpec, experiment: Experiment, experimentText: String, suite: Suite) throws {
        if let folds = spec.crossValidation, case let .time(column, _) = experiment.validation {
            throw RunnerError.invalidExperiment("ml/sweeps/\(spec.name).yaml cross-validates (\(folds) folds), but experiment '\(spec.experiment)' "
                                                + "validates on its latest rows by \(column) (split: time): random folds would train on rows "
                                                + "later than those they score; leave cv out to compare trials on the time split")
        }
        let values = spec.jobValues(trial: 0, resource: spec.halving?.minResource)
        let file = "ml/experiments/\(spec.experiment).yaml with trial 0 of ml/sweeps/\(spec.name).yaml"
        let trial = try Experiment.parse(yaml: try spec.trialExperiment(values, experimentText: experimentText), file: file,
                                         name: spec.experiment)
        _ = try LearnerConfiguration.learner(kind: trial.modelKind, task: suite.predictionTask, classCount: suite.label.classes?.count ?? 2,
                                             hyperparameters: trial.hyperparameters)
    }

    /// The declared sweep, as the record keeps it.
    func plan(_ spec: SweepSpec, sweepText: String, experimentText: String, suite: Suite, parallel: Int, executor: String) -> JSONValue {
        var budget: [String: JSONValue] = [:]
        if let v = spec.budget.maxUSD { budget["max_usd"] = .number(v) }
        if let v = spec.budget.maxCPUHours { budget["max_cpu_hours"] = .number(v) }
        if let v = spec.budget.maxTrials { budget["max_trials"] = .number(Double(v)) }
        if let v = spec.budget.maxWallSeconds { budget["max_wall_seconds"] = .number(v) }
        var plan: [String: JSONValue] = [
            "sweep_file_digest": .string(CanonicalJSON.digest(.string(sweepText))),
            "experiment_file_digest": .string(CanonicalJSON.digest(.string(experimentText))),
            "search": .string(spec.search.rawValue), "seed": .number(Double(spec.seed)), "trials": .number(Double(spec.trials)),
            "halving": spec.halving.map { ["resource": .string($0.resource), "min": .number(Double($0.minResource)),
                                           "max": .number(Double($0.maxResource)), "eta": .number(Double($0.eta))] } ?? .null,
            "budget": .object(budget), "parallel": .number(Double(parallel)), "executor": .string(executor),
            "metric": ["name": .string(suite.primary.metric.description), "direction": .string(suite.primary.direction.rawValue),
                       "scored_on": .string(spec.crossValidation == nil ? "validation" : "cross_validation")],
        ]
        if let folds = spec.crossValidation { plan["cross_validation"] = ["folds": .number(Double(folds))] }
        return .object(plan)
    }

    /// A job's entry from its trial run (nil: no run was recorded): what a sweep record says of
    /// a job's outcome is always derived from the run, so the server can derive it again.
    static func jobRecord(trial: Int, rung: Int, resource: Int?, values: [String: JSONValue], key: String, run: RunRecord?) -> SweepRecord.Job {
        let ok = run?.status == .ok
        var job = SweepRecord.Job(trial: trial, rung: rung, resource: resource, values: values, key: key, run: run?.id,
                                  status: run?.status.rawValue ?? "failed",
                                  metric: ok ? run?.metrics["headline"]?["value"]?.doubleValue : nil,
                                  usd: run?.cost["usd"]?.doubleValue ?? 0, cpuSeconds: run?.cost["cpu_seconds"]?.doubleValue ?? 0,
                                  wallSeconds: run?.cost["wall_seconds"]?.doubleValue ?? 0, reused: false)
        job.metricStandardError = ok ? run?.metrics["headline"]?["standard_error"]?.doubleValue : nil
        return job
    }

    /// How a sweep record's job can contradict its trial run.
    enum TrialDisagreement: Equatable {
        /// The run is not this sweep's trial with the job's key.
        case notItsTrial
        /// The job's status (when it names a run), validation metric, its standard error or
        /// cost is not what `jobRecord` derives from the run (a job without a run claims none).
        case otherFigures
    }

    /// Whether `job` of sweep `sweep` says what `trial` (the run it names; nil when it names
    /// none) recorded. The server's check of a pushed sweep record and the review's both ask it.
    static func disagreement(of job: SweepRecord.Job, sweep: String, trial: RunRecord?) -> TrialDisagreement? {
        if let trial {
            let link = trial.config["sweep"]
            guard trial.kind == "trial", link?["name"]?.stringValue == sweep, link?["key"]?.stringValue == job.key else {
                return .notItsTrial
            }
        }
        let derived = jobRecord(trial: job.trial, rung: job.rung, resource: job.resource, values: job.values, key: job.key, run: trial)
        guard derived.metric == job.metric, derived.metricStandardError == job.metricStandardError, derived.usd == job.usd,
              derived.cpuSeconds == job.cpuSeconds, derived.wallSeconds == job.wallSeconds,
              trial == nil || derived.status == job.status else { return .otherFigures }
        return nil
    }

    /// Finished trial runs here, by job key (ok ones preferred over stopped ones, newest first).
    func finishedTrials() throws -> [String: RunRecord] {
        var byKey: [String: RunRecord] = [:]
        for run in try project.recordedRuns().runs where run.record.kind == "trial" {
            guard let key = run.record.config["sweep"]?["key"]?.stringValue else { continue }
            if let held = byKey[key], held.status == .ok || run.record.status != .ok { continue }
            if run.record.status == .ok || run.record.status == .overBudget || run.record.status == .failed { byKey[key] = run.record }
        }
        return byKey
    }

    /// The experiment budget keys a job trains under: the experiment's own limits lowered to the
    /// job's share of the sweep's envelope and the sweep's wall time left.
    func trialLimits(_ own: Budget, maxUSD: Double?, maxCPUSeconds: Double?, wallLeft: Double?) -> [String: JSONValue] {
        var limits: [String: JSONValue] = [:]
        func lower(_ a: Double?, _ b: Double?) -> Double? { [a, b].compactMap { $0 }.min() }
        if let v = lower(own.maxUSD, maxUSD.map { max($0, 1e-9) }) { limits["budget.max_usd"] = .number(v) }
        if let v = lower(own.maxCPUSeconds, maxCPUSeconds.map { max($0, 0.001) }) { limits["budget.max_cpu_seconds"] = .number(v) }
        if let v = lower(own.maxWallSeconds, wallLeft.map { max($0, 1) }) { limits["budget.max_wall_seconds"] = .number(v) }
        return limits
    }

    /// Trains the chosen configuration as a normal run evaluated on the suite's evaluation set
    /// (reusing one this sweep already made for the same job key) and returns its id.
    func evaluate(_ job: SweepRecord.Job, name: String, experiment: String, text: String, progress: Progress) throws -> String? {
        if let done = try project.recordedRuns().runs.first(where: {
            $0.record.kind == "builtin" && $0.record.config["sweep"]?["key"]?.stringValue == job.key && $0.record.status == .ok
        }) {
            return done.id
        }
        progress("evaluating the chosen trial \(job.trial) on the suite's evaluation set")
        let link: JSONValue = ["name": .string(name), "trial": .number(Double(job.trial)), "rung": .number(Double(job.rung)),
                               "resource": job.resource.map { .number(Double($0)) } ?? .null, "key": .string(job.key),
                               "chosen": true, "trial_run": job.run.map(JSONValue.string) ?? .null]
        let recorded = try runner.run(experimentName: experiment,
                                      sweep: .init(experimentText: try TrialExperiment.applying(job.values, to: text), link: link,
                                                   validationOnly: false, threads: nil)) { phase, detail in progress("\(phase): \(detail)") }
        return recorded.id
    }

    func describe(_ job: SweepRecord.Job, index: Int) -> String {
        let metric = job.metric.map { String(format: "%.6g", $0) } ?? "—"
        return "job \(index): trial \(job.trial) rung \(job.rung)\(job.resource.map { " (resource \($0))" } ?? ""): \(job.status) "
            + "validation \(metric), $\(String(format: "%.6f", job.usd)), \(String(format: "%.2f", job.cpuSeconds)) CPU s"
            + (job.reused ? " (reused)" : "")
    }
}

/// The sweep's pure decisions in one place: halving, budget, and the next trial index.
struct SweepState {
    let spec: SweepSpec
    var halving: SuccessiveHalving
    var budget: SweepBudget
    var nextTrial = 0
    /// A decided job not yet started (the budget said wait).
    private var pending: (trial: Int, rung: Int, newTrial: Bool)?

    init(spec: SweepSpec, higherIsBetter: Bool) {
        self.spec = spec
        halving = spec.halving.map {
            SuccessiveHalving(minResource: $0.minResource, maxResource: $0.maxResource, eta: $0.eta, higherIsBetter: higherIsBetter)
        } ?? SuccessiveHalving(higherIsBetter: higherIsBetter)
        budget = SweepBudget(envelope: spec.budget)
    }

    /// The next job to run, decided once and held until `take()`; nil when no trial is left
    /// to start and none can be promoted now.
    mutating func peek() -> (trial: Int, rung: Int, newTrial: Bool)? {
        if let pending { return pending }
        switch halving.nextJob() {
        case .promote(let trial, let rung):
            pending = (trial, rung, false)
        case .newTrial:
            guard nextTrial < spec.trials else { return nil }
            pending = (nextTrial, 0, true)
            nextTrial += 1
        }
        return pending
    }

    mutating func take() { pending = nil }

    func rule(metric: String) -> String {
        let direction = halving.higherIsBetter ? "highest" : "lowest"
        let score = spec.crossValidation.map { "mean \(metric) of \($0) cross-validation folds" } ?? "validation \(metric)"
        guard let halving = spec.halving else { return "\(direction) \(score) over all trials" }
        return "\(direction) \(score) at the highest rung reached (asynchronous successive halving on \(halving.resource), eta \(halving.eta))"
    }
}
