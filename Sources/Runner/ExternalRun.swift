import BlobStore
import Foundation
import Gate
import GitRepo
import Learners
import Metering
import Records
import Tables
import Workspace

/// `git ml exec`: runs any training command (a Python script, say) as a recorded run. The
/// declared input datasets are validated, checked for leakage against the suite's evaluation
/// data, and materialized read-only; the command finds them and its output directory through
/// environment variables, runs metered (whole process tree) under the budget, and its
/// predictions are evaluated with the suite — the same definitions as built-in runs.
///
/// The command's contract (docs/FORMAT.md, "External runs"):
/// - `GITML_INPUT_<NAME>`: the path of each input (NAME: the dataset name upper-cased, other
///   characters than letters and digits as `_`); `GITML_EVAL`: the suite's evaluation rows as
///   CSV WITHOUT the label column (GitML keeps the answers: it joins the labels of the pinned
///   evaluation data to the command's predictions by `row`; the record says
///   `eval_labels: "withheld"`). The evaluation data cannot be an input.
/// - `GITML_OUTPUT`: a directory for its outputs: `evaluation_predictions.csv` (required:
///   columns `row` — the 0-based row of the evaluation data — and `score`, or for a multiclass
///   suite `p_<class>` per declared class, each row's probabilities summing to 1),
///   `validation_predictions.csv` (rows of the first input, required when the suite needs an
///   operating point), `metrics.json` (optional, kept as an artifact), and any `model*` files.
public struct ExternalRunner {
    public let runner: ExperimentRunner

    public init(runner: ExperimentRunner) { self.runner = runner }

    public struct Request: Sendable {
        public var command: [String]
        /// Dataset versions the command reads (`name@vN`); the first is its training data.
        public var inputs: [String]
        public var suite: String
        /// The experiment name recorded (the run is listed under it).
        public var experiment: String
        public var budget: Budget
        /// GPUs the command holds, priced at `cost.gpu_hour_usd` for its wall time.
        public var gpus: Int = 0
        /// A container image digest the command ran in, when the user gives one.
        public var imageDigest: String?
        /// The command that scores new rows with the run's model (`git ml predict`; see
        /// `ExternalPrediction`), recorded as the config's `predict_command`; nil: none declared.
        public var predictCommand: [String]?

        public init(command: [String], inputs: [String], suite: String, experiment: String, budget: Budget, imageDigest: String?) {
            self.command = command
            self.inputs = inputs
            self.suite = suite
            self.experiment = experiment
            self.budget = budget
            self.imageDigest = imageDigest
        }
    }

    public func run(_ request: Request, progress: ExperimentRunner.Progress) throws -> RecordedRun {
        let project = runner.project
        let started = Date()
        guard !request.command.isEmpty else { throw RunnerError.invalidExperiment("give the command after --, as in git ml exec --suite churn --input churn-train@v2 -- python train.py") }
        guard !request.inputs.isEmpty else { throw RunnerError.invalidExperiment("declare the training data with --input name@vN") }
        let suiteText = try runner.readText(project.mlDirectory + "/suites/\(request.suite).yaml",
                                            hint: "write the suite (start from templates/ml/suites/example.yaml)")
        let suite = try Suite.parse(yaml: suiteText, file: "ml/suites/\(request.suite).yaml", name: request.suite)
        let settings = try RunSettings.load(path: project.mlDirectory + "/config.yaml")
        try ProjectBudget(settings: settings).check(project: project, now: started)
        let inputs = try request.inputs.map(project.resolveDataset)
        let eval = try project.resolveDataset(suite.evaluation.description)
        if inputs.contains(where: { $0.record.digest == eval.record.digest }) {
            throw RunnerError.invalidExperiment("\(eval.record.label) is the suite's evaluation data: it cannot be an --input, the command would read its labels (it gets the evaluation rows without labels in $GITML_EVAL)")
        }
        let validateStart = Date()
        var validated = Set<String>()
        for version in inputs + [eval] where validated.insert(version.record.digest).inserted {
            try runner.validate(version, progress: progress)
        }
        for input in inputs {
            try runner.checkLeakage(train: input, eval: eval, progress: progress)
        }
        let validateSeconds = Date().timeIntervalSince(validateStart)
        let code = try CodeState.current(repository: project.repository, root: project.root)

        let (execution, environment) = try ExternalExecution.run(command: request.command, inputs: inputs, eval: eval, suite: suite, project: project,
                                                                  directory: project.root, scratch: project.layout.temporaryPath("exec"),
                                                                  isolated: false, budget: request.budget, gpus: request.gpus,
                                                                  rates: settings.rates, progress: progress)
        defer { ExternalExecution.remove(execution.scratch) }
        var status = RunRecord.Status.ok
        var detail: String?
        var artifacts: [String: RunRecord.Artifact] = [:]
        var metrics = JSONValue.null
        var timings = ["validate": validateSeconds, "command": execution.result.measurement.wallSeconds]
        switch execution.result.outcome {
        case .completed where execution.result.exitStatus.isSuccess:
            // The command ran and cost money: unusable outputs make a failed run, not no run.
            do {
                let evaluateStart = Date()
                let outputs = try execution.predictions(suite: suite, train: inputs[0], eval: eval, project: project)
                metrics = try SuiteReporting.report(suite: suite, evaluation: [outputs.evaluation],
                                                    validation: outputs.validation.map { [$0] } ?? [], artifact: .seed(0), latencyP99: nil)
                timings["evaluate"] = Date().timeIntervalSince(evaluateStart)
                artifacts = try execution.storeOutputs(outputs, project: project)
            } catch let error as RunnerError {
                status = .failed
                detail = error.description
            } catch let error as GateEvaluationError {
                status = .failed
                detail = "\(error)"
            }
        case .completed:
            status = .failed
            detail = "the command exited with status \(execution.result.exitStatus.shellStatus)"
        case .overBudget(let limit):
            status = .overBudget
            detail = "stopped: the \(limit.rawValue) budget was exceeded"
        case .interrupted:
            status = .interrupted
            detail = "interrupted (Ctrl-C)"
        }
        var config: [String: JSONValue] = [
            "command": .array(request.command.map(JSONValue.string)),
            "inputs": .array(inputs.map { .string($0.record.label) }),
            "eval": .string(suite.evaluation.description),
            "label": .string(suite.label.column),
            "eval_labels": "withheld",
            "positive": suite.label.positive.map(JSONValue.string) ?? .null,
            "entity": suite.entity.map(JSONValue.string) ?? .null,
            "suite_file": .string(suiteText),
            "image_digest": request.imageDigest.map(JSONValue.string) ?? .null,
        ]
        if let predict = request.predictCommand { config["predict_command"] = .array(predict.map(JSONValue.string)) }
        config["budget"] = request.budget.json
        config["gpus"] = .number(Double(request.gpus))
        var datasets: [String: RunRecord.DatasetUse] = ["eval": runner.use(eval)]
        for input in inputs { datasets["input:" + input.record.name] = runner.use(input) }
        var environmentBlock = RunEnvironment.current(toolVersion: runner.toolVersion, executable: runner.workerCommand.first, cacheDirectory: runner.project.layout.cache)
        if case .object(var fields) = environmentBlock {
            fields["pip_freeze_digest"] = environment.pipFreezeDigest.map(JSONValue.string) ?? .null
            fields["image_digest"] = request.imageDigest.map(JSONValue.string) ?? .null
            environmentBlock = .object(fields)
        }
        let bytesStored = artifacts.values.reduce(UInt64(0)) { $0 + $1.size }
        let record = RunRecord(
            kind: "exec", experiment: request.experiment, suite: request.suite, code: code, config: .object(config), datasets: datasets,
            seeds: [], candidate: "external", environment: environmentBlock, artifacts: artifacts, metrics: metrics,
            cost: try runner.costJSON(execution.result.measurement, bytesStored: bytesStored, rates: settings.rates),
            timings: timings, status: status, statusDetail: detail, createdBy: project.actor(), createdAt: timestamp(started, milliseconds: true))
        return try project.recordRun(record)
    }
}

/// One metered execution of an external command with its inputs materialized.
struct ExternalExecution {
    let scratch: String
    let output: String
    let result: MeteredResult

    struct Environment {
        var pipFreezeDigest: String?
    }

    /// The command's predictions, aligned with the datasets' rows.
    struct Outputs {
        var evaluation: ScoredRows
        var evaluationTable: PredictionsTable
        var validation: ScoredRows?
        var validationTable: PredictionsTable?
    }

    /// Runs `command` in `directory` with its files under `scratch` (inputs, the label-less
    /// evaluation rows, the output directory). `isolated` (a reproduction): the environment
    /// names no git repository, and the working directory is `directory` itself.
    static func run(command: [String], inputs: [DatasetVersion], eval: DatasetVersion, suite: Suite, project: Project, directory: String,
                    scratch: String, isolated: Bool, budget: Budget, gpus: Int = 0, rates: CostRates,
                    progress: ExperimentRunner.Progress) throws -> (ExternalExecution, Environment) {
        let output = scratch + "/output"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var environment = isolated ? isolatedEnvironment(directory: directory) : ProcessInfo.processInfo.environment
        for version in inputs {
            let path = try materialize(version, under: scratch + "/inputs", project: project)
            environment["GITML_INPUT_" + variableName(version.record.name)] = path
        }
        environment["GITML_EVAL"] = try materializeWithoutLabels(eval, column: suite.label.column, under: scratch + "/eval", project: project)
        environment["GITML_OUTPUT"] = output
        let pip = pipFreezeDigest(environment: environment)
        progress("exec", command.joined(separator: " "))
        let spec = LaunchSpec(arguments: command, environment: environment, workingDirectory: directory, standardInput: .nullDevice)
        let watch = InterruptWatch()
        let result = try MeteredProcess.run(spec, options: MeteringOptions(rates: rates, budget: budget, declaredGPUCount: gpus), stoppingOn: watch)
        watch.cancel()
        return (ExternalExecution(scratch: scratch, output: output, result: result), Environment(pipFreezeDigest: pip))
    }

    /// Removes a scratch directory (inputs are read-only: made writable again first).
    static func remove(_ scratch: String) { FileIO.removeTree(scratch) }

    /// `churn-train` → `CHURN_TRAIN`.
    static func variableName(_ name: String) -> String {
        String(name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Restores a version's files read-only under `root/<name>/`; returns the file's path
    /// (single-file versions) or the directory.
    static func materialize(_ version: DatasetVersion, under root: String, project: Project) throws -> String {
        let base = root + "/" + version.record.name
        let record = version.record
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        for file in record.files {
            let relative = file.path.isEmpty ? (record.path as NSString).lastPathComponent : file.path
            let path = base + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try project.store.restore(try Project.storedFile(file), to: path)
            chmod(path, 0o444)
        }
        return record.isDirectory ? base : base + "/" + (record.path as NSString).lastPathComponent
    }

    /// Writes the evaluation rows without the label `column` as CSV (header, then one line per
    /// row in GitML's row order, so line k + 2 is row k; fields quoted as RFC 4180 needs; a null
    /// is an empty field), read-only, at `root/<name>.csv`; returns the path.
    static func materializeWithoutLabels(_ version: DatasetVersion, column label: String, under root: String, project: Project) throws -> String {
        let table = try project.table(of: version, schema: try project.contract(for: version.record.name)?.0.readSchema ?? [:])
        guard table.column(named: label) != nil else {
            throw RunnerError.invalidExperiment("the evaluation data \(version.record.label) has no label column \(label)")
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let path = root + "/" + version.record.name + ".csv"
        try writeCSV(table, columns: table.columns.filter { $0.name != label }, to: path)
        return path
    }

    /// Writes `columns` of `table` as CSV, read-only: a header, then one line per row in the
    /// table's order (line k + 2 is row k), fields quoted as RFC 4180 needs, a null as an empty field.
    static func writeCSV(_ table: Table, columns: [Column], to path: String) throws {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var text = columns.map { field($0.name) }.joined(separator: ",") + "\n"
        for row in 0..<table.rowCount {
            text += columns.map { field($0.text(at: row) ?? "") }.joined(separator: ",") + "\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o444)
    }

    /// Writes the tree of `commit` to `directory` through a private index under `scratch` (the
    /// repository's own index and work tree are untouched, and `directory` gets no `.git`).
    static func exportTree(commit: String, to directory: String, scratch: String, project: Project) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_INDEX_FILE"] = scratch + "/index"
        try GitCommand.run(["read-tree", commit], in: project.root, environment: environment)
        try GitCommand.run(["checkout-index", "--all", "--force", "--prefix=" + directory + "/"], in: project.root, environment: environment)
    }

    /// The environment of a command run outside the repository: no `GIT_*`/`GITML_*` variables
    /// (they would name this repository), `PWD` set to `directory`.
    static func isolatedEnvironment(directory: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("GIT_") || name.hasPrefix("GITML_") { environment[name] = nil }
        environment["PWD"] = directory
        environment["OLDPWD"] = nil
        return environment
    }

    /// SHA-256 of `pip freeze` of the python3 the command sees (nil without one).
    static func pipFreezeDigest(environment: [String: String]) -> String? {
        PythonPackages.freeze(python: "python3", environment: environment).map { Digest.of(Array($0.utf8)).description }
    }

    /// Reads the command's prediction files and joins them with the datasets' labels.
    func predictions(suite: Suite, train: DatasetVersion, eval: DatasetVersion, project: Project) throws -> Outputs {
        let evalTable = try project.table(of: eval, schema: try project.contract(for: eval.record.name)?.0.readSchema ?? [:])
        let (evaluation, evaluationTable) = try read("evaluation_predictions.csv", table: evalTable, suite: suite, required: true)!
        guard evaluation.ids.count == evalTable.rowCount else {
            throw RunnerError.invalidPredictions(file: "evaluation_predictions.csv", problem: "\(evaluation.ids.count) rows, but the evaluation data \(eval.record.label) has \(evalTable.rowCount): score every row once")
        }
        var outputs = Outputs(evaluation: evaluation, evaluationTable: evaluationTable, validation: nil, validationTable: nil)
        if FileManager.default.fileExists(atPath: output + "/validation_predictions.csv") {
            let trainTable = try project.table(of: train, schema: try project.contract(for: train.record.name)?.0.readSchema ?? [:])
            if let (rows, table) = try read("validation_predictions.csv", table: trainTable, suite: suite, required: false) {
                outputs.validation = rows
                outputs.validationTable = table
            }
        }
        return outputs
    }

    private func read(_ name: String, table: Table, suite: Suite, required: Bool) throws -> (ScoredRows, PredictionsTable)? {
        let path = output + "/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw RunnerError.invalidPredictions(file: name, problem: "the command did not write it in $GITML_OUTPUT") }
            return nil
        }
        let file = try ExternalScoresFile(path: path, name: name, rowCount: table.rowCount, classes: suite.label.classes)
        let rows = file.rows, scores = file.scores
        let labels = try suite.labels(of: table.selecting(rows: rows))
        var stored = PredictionsTable(rows: rows, labels: labels, seeds: [0], scores: [scores], candidate: 0)
        stored.classes = suite.label.classes
        return (SuiteReporting.rows(suite: suite, table: table, rows: rows, labels: labels, scores: [scores])[0], stored)
    }

    /// Stores the normalized predictions, any model files and metrics.json.
    func storeOutputs(_ outputs: Outputs, project: Project) throws -> [String: RunRecord.Artifact] {
        var artifacts: [String: RunRecord.Artifact] = [:]
        try outputs.evaluationTable.write(to: scratch + "/evaluation.csv")
        artifacts["predictions/evaluation"] = try project.storeArtifact(path: scratch + "/evaluation.csv")
        if let validation = outputs.validationTable {
            try validation.write(to: scratch + "/validation.csv")
            artifacts["predictions/validation"] = try project.storeArtifact(path: scratch + "/validation.csv")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: output))?.sorted() ?? [] {
            if name.hasPrefix("model") {
                for file in try Self.regularFiles(under: output, name) { artifacts["model/" + file] = try project.storeArtifact(path: output + "/" + file) }
            }
            if name == "metrics.json" { artifacts["metrics/external"] = try project.storeArtifact(path: output + "/" + name) }
        }
        return artifacts
    }

    /// `name` under `root` when it is a regular file, or every regular file below it when it is a
    /// directory (e.g. `model/` holding a framework's checkpoint), as paths relative to `root`,
    /// sorted; symbolic links are skipped.
    static func regularFiles(under root: String, _ name: String) throws -> [String] {
        var status = stat()
        guard lstat(root + "/" + name, &status) == 0 else { return [] }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return [name]
        case S_IFDIR:
            return try FileManager.default.contentsOfDirectory(atPath: root + "/" + name).sorted()
                .flatMap { try regularFiles(under: root, name + "/" + $0) }
        default: return []
        }
    }
}
