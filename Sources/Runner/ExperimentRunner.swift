import BlobStore
import Contracts
import Foundation
import Gate
import Metering
import Records
import Workspace

/// `git ml run <experiment>`: resolves the experiment's datasets, validates both against their
/// contracts (cached results for unchanged data and contract), checks train/eval leakage,
/// trains and evaluates in a metered worker process under the experiment's budget, stores the
/// models, encoder and predictions, and records the run under `refs/ml/runs/<id>`.
public struct ExperimentRunner {
    public let project: Project
    /// How to start the worker: the argv prefix to which the job directory is appended
    /// (`[path of git-ml, "run", "--worker"]`).
    public let workerCommand: [String]
    /// GitML's version and the digest of its executable, for the environment block.
    public let toolVersion: String

    public init(project: Project, workerCommand: [String], toolVersion: String) {
        self.project = project
        self.workerCommand = workerCommand
        self.toolVersion = toolVersion
    }

    /// Progress for people: a phase name and a detail.
    public typealias Progress = (_ phase: String, _ detail: String) -> Void

    /// A run a sweep asks for: the experiment text with a trial's values applied, linked to
    /// its sweep in the record's `config.sweep`.
    public struct SweepRequest: Sendable {
        public var experimentText: String
        /// `config.sweep`: the sweep's name, trial, rung, resource and job key.
        public var link: JSONValue
        /// A trial (kind `trial`): trained and scored on the validation rows only; the suite's
        /// evaluation set is neither resolved nor read, so it costs no evaluation. False for
        /// the run that evaluates the chosen configuration (a normal built-in run).
        public var validationOnly: Bool
        /// The learner's threads (nil: every core).
        public var threads: Int?

        public init(experimentText: String, link: JSONValue, validationOnly: Bool, threads: Int?) {
            self.experimentText = experimentText
            self.link = link
            self.validationOnly = validationOnly
            self.threads = threads
        }
    }

    public func run(experimentName: String, sweep: SweepRequest? = nil, progress: Progress) throws -> RecordedRun {
        let started = Date()
        let experimentText = try sweep?.experimentText ?? readText(project.mlDirectory + "/experiments/\(experimentName).yaml",
                                                                   hint: "write it (start from templates/ml/experiments/example.yaml)")
        let experiment = try Experiment.parse(yaml: experimentText, file: "ml/experiments/\(experimentName).yaml", name: experimentName)
        let suiteText = try readText(project.mlDirectory + "/suites/\(experiment.suite).yaml",
                                     hint: "the experiment names suite '\(experiment.suite)'; write it (start from templates/ml/suites/example.yaml)")
        let suite = try Suite.parse(yaml: suiteText, file: "ml/suites/\(experiment.suite).yaml", name: experiment.suite)
        let settings = try RunSettings.load(path: project.mlDirectory + "/config.yaml")
        try ProjectBudget(settings: settings).check(project: project, now: started)

        let validationOnly = sweep?.validationOnly ?? false
        if case .kfold = experiment.validation, !validationOnly {
            throw RunnerError.invalidExperiment("validation split kfold cross-validates sweep trials only (cv: in a sweep file); "
                                                + "a run holds its validation rows out: use split random or time")
        }
        progress("resolve", validationOnly ? "\(experiment.train) (validation rows only)" : "\(experiment.train), \(suite.evaluation)")
        let train = try project.resolveDataset(experiment.train)
        let eval = validationOnly ? nil : try project.resolveDataset(suite.evaluation.description)
        let validateStart = Date()
        // A trial checks its configuration against the training data alone.
        let identifiers = try preflight(experiment: experiment, experimentText: experimentText, suite: suite, suiteText: suiteText,
                                        train: train, eval: eval ?? train)
        if !identifiers.isEmpty {
            progress("features", "left out identifier column\(identifiers.count == 1 ? "" : "s") "
                     + identifiers.map { "\($0.column) (\($0.reason))" }.joined(separator: ", ")
                     + "; name \(identifiers.count == 1 ? "it" : "them") in features.include to use \(identifiers.count == 1 ? "it" : "them") as features")
        }
        for version in [train, eval].compactMap({ $0 }) { try validate(version, progress: progress) }
        if let eval { try checkLeakage(train: train, eval: eval, progress: progress) }
        project.releaseTables()  // the worker reads its own; none stay in this process while it trains
        let validateSeconds = Date().timeIntervalSince(validateStart)
        let code = try CodeState.current(repository: project.repository, root: project.root)

        var job = TrainingJob(experimentName: experimentName, experimentYAML: experimentText, suiteName: experiment.suite,
                              suiteYAML: suiteText, train: try jobData(train.record, policy: .workTree),
                              eval: try eval.map { try jobData($0.record, policy: .workTree) }, labelColumn: suite.label.column,
                              positive: suite.label.positive, excluded: [suite.entity].compactMap { $0 } + identifiers.map(\.column))
        job.threads = sweep?.threads
        progress("train", "\(experiment.modelKind), \(experiment.seeds.count) seed\(experiment.seeds.count == 1 ? "" : "s")")
        var outcome = try execute(job, experiment: experiment, rates: settings.rates, progress: progress)
        outcome.timings["validate"] = validateSeconds
        var config = experiment.resolvedConfiguration(suite: suite, experimentText: experimentText, suiteText: suiteText,
                                                      excludedIdentifiers: identifiers.map(\.column))
        if let sweep, case .object(var fields) = config {
            fields["sweep"] = sweep.link
            config = .object(fields)
        }
        var datasets = ["train": use(train)]
        if let eval { datasets["eval"] = use(eval) }
        let record = RunRecord(
            kind: validationOnly ? "trial" : "builtin", experiment: experimentName, suite: experiment.suite, code: code, config: config,
            datasets: datasets, seeds: experiment.seeds,
            candidate: experiment.candidateIndex.map { "seed:\(experiment.seeds[$0])" } ?? "ensemble",
            environment: RunEnvironment.current(toolVersion: toolVersion, executable: workerCommand.first, cacheDirectory: project.layout.cache),
            artifacts: outcome.artifacts, metrics: outcome.metrics, cost: outcome.cost,
            timings: outcome.timings, status: outcome.status, statusDetail: outcome.detail, createdBy: project.actor(),
            createdAt: timestamp(started, milliseconds: true))
        FaultPoint.reach("run.stored-before-record")
        return try project.recordRun(record)
    }

    /// Checks the configuration against the datasets' columns (see `RunPreflight`) and returns
    /// the identifier columns that are not features by default.
    func preflight(experiment: Experiment, experimentText: String, suite: Suite, suiteText: String,
                   train: DatasetVersion, eval: DatasetVersion) throws -> [RunPreflight.ExcludedColumn] {
        let trainContract = try project.contract(for: train.record.name)?.0
        let evalSchema = try project.contract(for: eval.record.name)?.0.readSchema ?? [:]
        let trainSchema = trainContract?.readSchema ?? [:]
        // Summaries of what the worker will read: identifiers are not known yet, so only the
        // experiment's own exclusions are left out.
        let columns = TrainingSession(experiment: experiment, labelColumn: suite.label.column, positive: nil, excluded: [])
            .columnsRead(reported: suite.requiredColumns)
        return try RunPreflight(
            experiment: experiment,
            experimentSource: .init(file: "ml/experiments/\(experiment.name).yaml", text: experimentText),
            suite: suite, suiteSource: .init(file: "ml/suites/\(suite.name).yaml", text: suiteText),
            trainLabel: train.record.label, trainNames: try project.columnNames(of: train, schema: trainSchema),
            evalLabel: eval.record.label, evalNames: try project.columnNames(of: eval, schema: evalSchema),
            train: try project.columnSummaries(of: train, schema: trainSchema, columns: columns),
            primaryKey: trainContract?.columns.filter(\.primaryKey).map(\.name) ?? []).check()
    }

    /// What executing a training job gave.
    public struct JobOutcome {
        public var status: RunRecord.Status
        public var detail: String?
        public var artifacts: [String: RunRecord.Artifact]
        public var metrics: JSONValue
        public var cost: JSONValue
        public var timings: [String: Double]
    }

    /// A dataset version for a training job: its record with the read schema of its contract
    /// as `policy` has it.
    func jobData(_ record: DatasetRecord, policy: PolicySource) throws -> TrainingJob.Dataset {
        TrainingJob.Dataset(record: record, schema: try policy.schema(record.name, project: project))
    }

    /// Runs `job` in a metered worker under the experiment's budget (its wall limit lowered to
    /// `wallLimit` seconds when given: a gate's time budget) and stores its outputs.
    /// SIGINT while it runs stops the worker's whole process tree; the outcome says interrupted.
    public func execute(_ job: TrainingJob, experiment: Experiment, rates: CostRates, wallLimit: Double? = nil,
                        progress: Progress) throws -> JobOutcome {
        let scratch = project.layout.temporaryPath("run")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try job.write(to: scratch)
        let errors = scratch + "/worker.err"
        let spec = LaunchSpec(arguments: workerCommand + [scratch], environment: ParentLink.environment(linking: ProcessInfo.processInfo.environment),
                              workingDirectory: project.root, standardInput: .nullDevice, standardError: .file(path: errors))
        let watch = InterruptWatch()
        var budget = experiment.budget.withDefaultWallLimit()
        if let wallLimit { budget.maxWallSeconds = min(budget.maxWallSeconds ?? wallLimit, wallLimit) }
        let result = try MeteredProcess.run(spec, options: MeteringOptions(rates: rates, budget: budget, declaredGPUCount: experiment.gpus), stoppingOn: watch)
        watch.cancel()

        var outcome = JobOutcome(status: .ok, detail: nil, artifacts: [:], metrics: .null, cost: .null, timings: [:])
        let completed = FileManager.default.fileExists(atPath: scratch + "/" + TrainingJob.Output.done)
        switch result.outcome {
        case .completed where completed && result.exitStatus.isSuccess:
            progress("store", "models, encoder and predictions")
            let storeStart = Date()
            func store(_ name: String, _ file: String) throws {
                outcome.artifacts[name] = try project.storeArtifact(path: scratch + "/" + file)
            }
            for output in experiment.modelOutputs { try store(output.artifact, output.file) }
            for seed in experiment.seeds {
                for q in experiment.intervals {
                    try store("model/seed-\(seed)/q_\(q)", TrainingJob.Output.model(seed: seed, quantile: q))
                }
            }
            try store("encoder", TrainingJob.Output.encoder)
            try store("predictions/validation", TrainingJob.Output.validationPredictions)
            if job.eval != nil { try store("predictions/evaluation", TrainingJob.Output.evaluationPredictions) }
            outcome.metrics = try JSONValue(contentsOfJSONFile: scratch + "/" + TrainingJob.Output.report)
            let worker = try JSONDecoder().decode(WorkerTimings.self, from: Data(contentsOf: URL(fileURLWithPath: scratch + "/" + TrainingJob.Output.timings)))
            outcome.timings = ["load": worker.load, "fit": worker.fit, "predict": worker.predict, "evaluate": worker.evaluate,
                               "store": Date().timeIntervalSince(storeStart)]
        case .completed:
            outcome.status = .failed
            let text = (try? String(contentsOfFile: errors, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            outcome.detail = text.isEmpty ? "the training worker ended (\(result.exitStatus)) without its outputs" : text
        case .overBudget(let limit):
            outcome.status = .overBudget
            outcome.detail = "stopped: the experiment's \(limit.rawValue) budget was exceeded"
                + (limit == .wallSeconds && experiment.budget.maxWallSeconds == nil
                    ? " (the default of \(Int(Budget.defaultMaxWallSeconds)) s; set budget.max_wall_seconds to change it)" : "")
        case .interrupted:
            outcome.status = .interrupted
            outcome.detail = "interrupted (Ctrl-C); nothing was stored"
        }
        let bytesStored = outcome.artifacts.values.reduce(UInt64(0)) { $0 + $1.size }
        outcome.cost = try costJSON(result.measurement, bytesStored: bytesStored, rates: rates)
        return outcome
    }

    /// The measured cost with the bytes this run stored, priced at the project's rates.
    func costJSON(_ measurement: CostMeasurement, bytesStored: UInt64, rates: CostRates) throws -> JSONValue {
        var measured = measurement
        measured.bytesStored = bytesStored
        guard case .object(var fields) = try JSONValueEncoder().encode(measured) else { return .null }
        fields["usd"] = .number(measured.usd(at: rates))
        fields["rates"] = try JSONValueEncoder().encode(rates)
        return .object(fields)
    }

    func use(_ version: DatasetVersion) -> RunRecord.DatasetUse {
        RunRecord.DatasetUse(name: version.record.name, version: version.record.version, digest: version.record.digest)
    }

    func readText(_ path: String, hint: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw RunnerError.missingFile(path: path, hint: hint) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Validates a dataset version against its contract, when it has one (cached by digests).
    func validate(_ version: DatasetVersion, progress: Progress) throws {
        guard let (report, cached) = try DatasetChecks(project: project).contract(version) else { return }
        progress("validate", "\(version.record.label): \(report.checks.count) checks\(cached ? " (cached)" : "")")
        guard report.passed else {
            throw RunnerError.contractFailed(dataset: version.record.label, failures: report.failures.map(Self.describe))
        }
    }

    /// Leakage between training and evaluation data, under the training contract's leakage block.
    func checkLeakage(train: DatasetVersion, eval: DatasetVersion, progress: Progress) throws {
        guard let report = try DatasetChecks(project: project).leakage(train: train, eval: eval) else { return }
        progress("leakage", "\(train.record.label) vs \(eval.record.label): \(report.checks.count) checks")
        guard report.passed else {
            throw RunnerError.leakage(train: train.record.label, eval: eval.record.label, findings: report.failures.map(Self.describe))
        }
    }

    /// A failed check as one line: what, where, the observed value against the limit, what was found.
    static func describe(_ check: CheckResult) -> String {
        let verdict = check.verdict.isEmpty ? "" : " \(check.verdict);"
        return "\(check.kind.rawValue)\(check.column.map { " \($0)" } ?? ""):\(verdict) \(check.detail)"
    }
}

extension JSONValue {
    /// Parses a JSON file GitML wrote.
    init(contentsOfJSONFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw RunnerError.missingFile(path: path, hint: "the worker did not write it") }
        self = try CanonicalJSON.parse(String(decoding: data, as: UTF8.self))
    }
}
