import ArgumentParser
import Foundation
import Gate
import Metering
import Records
import Runner
import Workspace

/// `git ml exec -- <command…>`: record a run of any training command.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run any training command as a recorded, metered run judged by a suite.",
        discussion: """
            The declared --input datasets (and the suite's evaluation data) are validated against
            their contracts, checked for leakage, and materialized read-only; the command reads
            them from $GITML_INPUT_<NAME> (e.g. GITML_INPUT_CHURN_TRAIN), and the evaluation
            rows WITHOUT their label column from $GITML_EVAL (CSV); it writes to $GITML_OUTPUT:
            evaluation_predictions.csv (columns row, score: row is the 0-based row of the
            evaluation data; any label column is ignored), optionally
            validation_predictions.csv (rows of the first input; needed when the suite chooses
            an operating point), metrics.json and model* files. GitML joins the pinned
            evaluation labels itself. CPU time of its whole process tree is measured; the budget
            stops it. The predictions are evaluated with the suite exactly as built-in runs are.

            --predict-command declares how to score new rows with the model: `git ml predict RUN
            FILE` runs it (and only then: never a gate or hook) in a temporary directory holding
            the run's commit, with $GITML_MODEL (the model* files), $GITML_PREDICT_INPUT (the
            rows, CSV) and $GITML_OUTPUT, where it writes predictions.csv (columns row, score).

            The command runs in your work tree, where nothing stops it from reading files you
            materialized: the gate treats an exec run's evidence as self-reported until a
            trusted reproducer signs a reproduction (git ml reproduce RUN --sign).

            With --on ray the command runs as one task on a Ray cluster: the node fetches the
            committed code (the work tree must be committed) and the datasets from the default
            blob remote by digest, runs this same exec there, and the run comes back recorded
            here exactly as a local one (docs/SWEEPS.md, "On a Ray cluster").

            Example: git ml exec --suite churn --input churn-train@v2 --predict-command 'python3 predict.py' -- python3 train.py
            """)

    @Option(help: "The suite that judges the run (default: the only one in ml/suites).", completion: Complete.suites) var suite: String?
    @Option(name: .customLong("input"), help: "A dataset version the command reads (repeatable; the first is its training data).") var inputs: [String] = []
    @Option(help: "The experiment name to record (default: the command's name).") var experiment: String?
    @Option(help: "Digest of the container image the command runs in (recorded).") var imageDigest: String?
    @Option(help: ArgumentHelp("The command that scores new rows with the model, e.g. 'python3 predict.py' (recorded; split on spaces; run only by `git ml predict`).",
                               valueName: "command")) var predictCommand: String?
    @Option(help: "Stop the command after this many CPU seconds of its process tree.") var maxCpuSeconds: Double?
    @Option(help: "Stop the command after this many seconds.") var maxWallSeconds: Double?
    @Option(help: "Stop the command when its cost reaches this many US dollars.") var maxUsd: Double?
    @Option(help: "GPUs the command holds (priced at cost.gpu_hour_usd for its wall time).") var gpus: Int = 0
    @OptionGroup var cluster: ClusterOptions
    @Flag(help: "Print the run record as JSON.") var json = false
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

    func run() throws {
        try reportingErrors {
            // On a cluster node the exec dies with its `git ml cluster-task` (and so with the Ray
            // worker): a retried task never races an orphan. The link is not passed on to the
            // user's command, whose parent is this process.
            ParentLink.dieWithParent(environment: ProcessInfo.processInfo.environment)
            unsetenv(ParentLink.environmentKey)
            let project = try openProject()
            let suiteName = try suite ?? onlySuite(in: project.mlDirectory + "/suites")
            let recorded: RecordedRun
            switch cluster.on {
            case .local: recorded = try runHere(project: project, suite: suiteName)
            case .ray: recorded = try runOnRay(project: project, suite: suiteName)
            }
            if json { printJSON(recorded.record.json) } else { RunSummary(recorded).print() }
            if recorded.record.status != .ok { throw Exit.checkFailed }
        }
    }

    private var experimentName: String { experiment ?? command.first.map { ($0 as NSString).lastPathComponent } ?? "exec" }

    private func runHere(project: Project, suite: String) throws -> RecordedRun {
        var request = ExternalRunner.Request(
            command: command, inputs: inputs, suite: suite, experiment: experimentName,
            budget: Budget(maxCPUSeconds: maxCpuSeconds, maxWallSeconds: maxWallSeconds, maxUSD: maxUsd), imageDigest: imageDigest)
        request.gpus = gpus
        if let predictCommand {
            let words = predictCommand.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else { throw InputError("--predict-command is empty: give the command, e.g. 'python3 predict.py'") }
            request.predictCommand = words
        }
        return try ExternalRunner(runner: experimentRunner(project)).run(request) { phase, detail in
            FileHandle.standardError.write(Data("\(phase): \(detail)\n".utf8))
        }
    }

    /// Runs this exec as one Ray task: the node runs `git ml exec` with the same options in the
    /// committed code, and its run is recorded here. A task lost twice (Ray retries once) or
    /// refused here is a failure naming why; Ctrl-C cancels the task.
    private func runOnRay(project: Project, suite: String) throws -> RecordedRun {
        let suiteText = String(decoding: FileManager.default.contents(atPath: project.mlDirectory + "/suites/\(suite).yaml") ?? Data(), as: UTF8.self)
        let evaluation = try Suite.parse(yaml: suiteText, file: "ml/suites/\(suite).yaml", name: suite).evaluation.description
        let datasets = try (inputs + [evaluation]).map(project.resolveDataset)
        let scratch = project.layout.temporaryPath("exec")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outcome = try cluster.withRayExecutor(project: project, scratch: scratch) { executor in
            try runTask(on: executor, datasets: datasets, suite: suite)
        }
        guard let run = outcome.run else {
            FileHandle.standardError.write(Data("git-ml: the Ray task recorded no run: \(outcome.failure ?? "no reason given")\n".utf8))
            throw Exit.checkFailed
        }
        return try project.recordedRun(run)
    }

    /// Submits this exec to `executor` and waits for its outcome; Ctrl-C cancels the task.
    private func runTask(on executor: RayTrialExecutor, datasets: [DatasetVersion], suite: String) throws -> TrialJob.Outcome {
        try executor.submit(id: 0, task: try executor.driver.task(arguments: nodeArguments(suite: suite), files: [:], datasets: datasets))
        FileHandle.standardError.write(Data("ray: submitted \(command.joined(separator: " ")) at \(executor.driver.commit.prefix(12))\n".utf8))
        let watch = InterruptWatch()
        defer { watch.cancel() }
        guard let outcome = try executor.next(stop: { watch.hasFired }) else {
            executor.cancel()
            _ = try executor.next(stop: { false })
            FileHandle.standardError.write(Data("git-ml: interrupted (Ctrl-C): the Ray task was cancelled, no run was recorded\n".utf8))
            throw Exit.checkFailed
        }
        return outcome
    }

    /// `git-ml exec` with these options, for the node (the suite resolved here).
    private func nodeArguments(suite: String) -> [String] {
        var arguments = ["exec", "--suite", suite, "--experiment", experimentName, "--gpus", String(gpus)]
        for input in inputs { arguments += ["--input", input] }
        if let imageDigest { arguments += ["--image-digest", imageDigest] }
        if let predictCommand { arguments += ["--predict-command", predictCommand] }
        for (flag, value) in [("--max-cpu-seconds", maxCpuSeconds), ("--max-wall-seconds", maxWallSeconds), ("--max-usd", maxUsd)] {
            if let value { arguments += [flag, String(value)] }
        }
        return arguments + ["--"] + command
    }

    private func onlySuite(in directory: String) throws -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }
        guard names.count == 1 else { throw InputError("name the suite with --suite (ml/suites has \(names.count) suites)") }
        return String(names[0].dropLast(5))
    }
}
