import Foundation
import Metering
import Records
import Tables
import Workspace

/// Scores rows with an `exec` run's model through the predict command the run declared
/// (`git ml exec --predict-command`, recorded as the config's `predict_command`).
///
/// The command is the user's own committed code: it runs only on an explicit `git ml predict`,
/// never in a gate or a hook. It runs like a reproduction, outside the repository: in a temporary
/// directory holding the run's commit (no `.git`, no materialized data), without `GIT_*`/`GITML_*`
/// variables, with `GITML_MODEL` (a directory with the run's stored model files, byte for byte,
/// and the export's `manifest.json`), `GITML_PREDICT_INPUT` (the rows as CSV, every column, a
/// header then one line per row) and `GITML_OUTPUT` (a directory for `predictions.csv`: columns
/// `row`, 0-based, and `score` — for a run of a multiclass suite `p_<class>` per class its
/// recorded suite declares, summing to 1 — one line per input row). Its standard output goes to
/// standard error.
public struct ExternalPrediction {
    public let run: RecordedRun
    /// The declared command and its arguments.
    public let command: [String]
    private let model: ExternalModel
    /// The declared classes of the run's recorded suite (nil: one score per row).
    public let classes: [String]?

    /// Throws, saying exactly why, when `run` is not an exec run that declared a predict command
    /// and stored model files.
    public init(_ run: RecordedRun) throws {
        let id = shortID(run.id)
        let exec = run.record.config["command"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ") ?? "?"
        guard let command = run.record.config["predict_command"]?.arrayValue?.compactMap(\.stringValue), !command.isEmpty else {
            throw RunnerError.invalidExperiment(
                "run \(id) was made by `git ml exec -- \(exec)` without a predict command: GitML scores only the models it trains, "
                + "and an exec run's model only through the command the run declared (`git ml exec --predict-command 'python3 predict.py' … -- \(exec)`); "
                + "write its model out with `git ml export \(id) -o DIR` and score with the command's own code")
        }
        self.run = run
        self.command = command
        model = try ExternalModel(run)
        classes = run.record.trainedClasses
    }

    /// The output columns' names: `score`, or `p_<class>` per declared class.
    public var outputNames: [String] { classes.map { $0.map { "p_" + $0 } } ?? ["score"] }

    /// The scores of every row of `table`, in its order: one per row, or for a multiclass run
    /// `outputNames.count` probabilities per row, row-major.
    public func scores(_ table: Table, project: Project) throws -> [Double] {
        let outside = NSTemporaryDirectory() + "gitml-predict-" + UUID().uuidString
        defer { ExternalExecution.remove(outside) }
        let code = outside + "/code", modelDirectory = outside + "/model", output = outside + "/output", input = outside + "/input.csv"
        try ExternalExecution.exportTree(commit: run.record.code.commit, to: code, scratch: outside, project: project)
        try model.export(to: modelDirectory, project: project)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try ExternalExecution.writeCSV(table, columns: table.columns, to: input)
        var environment = ExternalExecution.isolatedEnvironment(directory: code)
        environment["GITML_MODEL"] = modelDirectory
        environment["GITML_PREDICT_INPUT"] = input
        environment["GITML_OUTPUT"] = output
        let log = outside + "/stdout.log"
        let spec = LaunchSpec(arguments: command, environment: environment, workingDirectory: code, standardInput: .nullDevice,
                              standardOutput: .file(path: log))
        let watch = InterruptWatch()
        let result = try MeteredProcess.run(spec, stoppingOn: watch)
        watch.cancel()
        if let said = FileManager.default.contents(atPath: log), !said.isEmpty { FileHandle.standardError.write(said) }
        let shown = command.joined(separator: " ")
        guard result.outcome == .completed, result.exitStatus.isSuccess else {
            throw RunnerError.workerFailed(status: result.exitStatus.shellStatus, detail: "the predict command `\(shown)` of run \(shortID(run.id)) failed")
        }
        return try read(output + "/predictions.csv", rows: table.rowCount, command: shown)
    }

    /// The scores of `predictions.csv`, in row order: every row from 0 to `rows` - 1 exactly once.
    private func read(_ path: String, rows: Int, command: String) throws -> [Double] {
        let name = "predictions.csv (written by `\(command)`)"
        guard FileManager.default.fileExists(atPath: path) else {
            throw RunnerError.invalidPredictions(file: name, problem: "the command did not write it in $GITML_OUTPUT")
        }
        let file = try ExternalScoresFile(path: path, name: name, rowCount: rows, classes: classes)
        guard file.rows.count == rows else {
            throw RunnerError.invalidPredictions(file: name, problem: "\(file.rows.count) rows, but the input has \(rows): score every row once")
        }
        let width = outputNames.count
        var scores = [Double](repeating: 0, count: rows * width)
        for (i, row) in file.rows.enumerated() {
            scores[(row * width)..<((row + 1) * width)] = file.scores[(i * width)..<((i + 1) * width)]
        }
        return scores
    }
}
