import ArgumentParser
import Foundation
import Metering
import Platform
import Records
import Runner
import Sweeps
import Workspace

/// `git ml sweep`: budgeted hyperparameter sweeps.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run budgeted hyperparameter sweeps (ml/sweeps/<name>.yaml) and show them.",
        discussion: "See docs/SWEEPS.md. Example: git ml sweep run churn-search && git ml sweep show churn-search",
        subcommands: [SweepRunCommand.self, SweepShowCommand.self, SweepLogCommand.self, SweepTrialCommand.self])
}

/// `git ml sweep run <name>`.
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run (or resume) a sweep within its budget; evaluate the chosen trial once.",
        discussion: """
            Trains the trials of ml/sweeps/<name>.yaml in parallel on this machine, each in its
            own metered worker, scored on the experiment's validation rows only (never on the
            suite's evaluation set). Successive halving stops weak trials early; the budget
            envelope stops the sweep before a job whose expected cost would not fit. With --cv K
            (or cv: K in the sweep file) each trial is scored by K-fold cross-validation on the
            training data instead: the mean fold score, with its standard error. The chosen
            trial is then trained again as a normal run evaluated on the suite's evaluation set
            (one evaluation); commit it with `git mlcommit --run <id>`. The sweep is recorded
            under refs/ml/sweeps/<name> after every job: Ctrl-C or a kill leaves it resumable,
            and running the command again reuses every finished trial.

            With --on ray every trial is a task on an existing Ray cluster whose node fetches the
            committed code and the data from the default blob remote by digest (the work tree
            must be committed); see docs/SWEEPS.md.

            Exit codes: 0 finished or stopped by its budget; 1 interrupted or no trial succeeded;
            3 it could not start (bad sweep file, experiment or data).

            Example: git ml sweep run churn-search --jobs 2
            """)

    @Argument(help: "The sweep's name (ml/sweeps/<name>.yaml).") var name: String
    @Option(help: "Trials at once (default: this machine's cores; never more than the sweep's parallel).") var jobs: Int?
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Score trials by K-fold cross-validation of the training data, K 2 to 20 (default: the sweep file's cv).")
    var cv: Int?
    @Flag(help: "Print the sweep record as JSON.") var json = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be 1 or more") }
        if let cv, !CrossValidationFolds.allowed.contains(cv) { throw ValidationError("--cv takes 2 to 20 folds") }
    }

    /// Runs `body` with the executor `--on` names.
    func withExecutor<T>(project: Project, scratch: String, _ body: (TrialExecutor) throws -> T) throws -> T {
        switch cluster.on {
        case .local:
            return try body(LocalTrialExecutor(command: [RunningExecutable.path, "sweep", "trial"], workingDirectory: project.root, scratch: scratch))
        case .ray:
            return try cluster.withRayExecutor(project: project, scratch: scratch) { try body($0) }
        }
    }

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            // Job folders of a killed sweep (requests and logs only) go; a killed trial's run
            // scratch is an ordinary leftover that `git ml gc` removes.
            for leftover in project.layout.leftovers() where leftover.purpose == "sweep" {
                try? FileManager.default.removeItem(atPath: leftover.path)
            }
            let sweeps = SweepRunner(project: project, runner: experimentRunner(project),
                                     jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, crossValidation: cv)
            let scratch = project.layout.temporaryPath("sweep")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let record = try withExecutor(project: project, scratch: scratch) { executor in
                try sweeps.run(name: name, executor: executor) { line in
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
            }
            if json {
                printJSON(record.json)
            } else {
                SweepTable(record: record).print()
            }
            if let reason = record.stopReason {
                FileHandle.standardError.write(Data("sweep \(record.status.rawValue): \(reason)\n".utf8))
            }
            if record.status == .interrupted || record.chosenJob == nil { throw Exit.checkFailed }
        }
    }
}

/// `git ml sweep show <name>`.
struct SweepShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a sweep: every job's values, validation metric and cost, the best so far, the chosen run.",
        discussion: "Example: git ml sweep show churn-search --json")

    @Argument(help: "The sweep's name.") var name: String
    @Flag(help: "Print the sweep record as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            guard let sweep = try project.recordedSweep(name) else {
                throw InputError("no sweep named '\(name)' is recorded here: run `git ml sweep run \(name)` (see `git ml sweep log`)")
            }
            if json {
                printJSON(sweep.record.json)
            } else {
                SweepTable(record: sweep.record).print()
            }
        }
    }
}

/// `git ml sweep log`.
struct SweepLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the sweeps recorded in this repository, most recently updated first.")

    @Flag(help: "Print JSON (one record per array element).") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let (sweeps, unreadable) = try project.recordedSweeps()
            for (ref, reason) in unreadable { FileHandle.standardError.write(Data("git-ml: skipped \(ref): \(reason)\n".utf8)) }
            if json {
                printJSON(.array(sweeps.map(\.record.json)))
                return
            }
            for sweep in sweeps {
                let r = sweep.record
                let best = r.chosenJob.flatMap { r.jobs[$0].metric }.map { String(format: "best %.6g", $0) } ?? "no result"
                print("\(r.name)  \(r.updatedAt)  \(r.experiment) [\(r.suite)]  \(r.status.rawValue)  \(r.trialCount) trials, "
                      + "\(r.jobs.count) jobs  \(best)  $\(String(format: "%.4f", r.spentUSD))"
                      + (r.evaluatedRun.map { "  run \(shortID($0))" } ?? ""))
            }
        }
    }
}

/// `git ml sweep trial DIR` (internal): one sweep job, run by an executor. Records the trial's
/// run exactly as `git ml run` would and writes its id to `DIR/run-id`.
struct SweepTrialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trial", shouldDisplay: false)

    @Argument(help: "The job's directory.") var directory: String

    func run() throws {
        try reportingErrors {
            ParentLink.dieWithParent(environment: ProcessInfo.processInfo.environment)
            let project = try openProject()
            let text = try String(contentsOfFile: directory + "/" + TrialJob.requestFile, encoding: .utf8)
            let job = try TrialJob(json: try CanonicalJSON.parse(text), id: 0)
            let recorded = try experimentRunner(project).run(experimentName: job.experiment, sweep: job.request) { phase, detail in
                FileHandle.standardError.write(Data("\(phase): \(detail)\n".utf8))
            }
            try Data(recorded.id.utf8).write(to: URL(fileURLWithPath: directory + "/" + TrialJob.runFile))
        }
    }
}

/// A sweep for people: one line per job with the best-so-far, the budget spent, the choice.
struct SweepTable {
    let record: SweepRecord

    func print() {
        let r = record
        let metric = r.plan["metric"]?["name"]?.stringValue ?? "metric"
        let higher = r.plan["metric"]?["direction"]?.stringValue != "minimize"
        Swift.print("sweep \(r.name)  \(r.experiment) on suite \(r.suite): \(r.status.rawValue)" + (r.stopReason.map { " — \($0)" } ?? ""))
        Swift.print(String(format: "  spent $%.6f, %.2f CPU s, %.1f s wall; %d trials, %d jobs", r.spentUSD, r.spentCPUSeconds, r.wallSeconds,
                           r.trialCount, r.jobs.count) + budgetLine(r.plan["budget"]))
        Swift.print("  job  trial  rung  resource  status        validation \(metric)  best so far  cost $     CPU s  values")
        var best: Double?
        for (index, job) in r.jobs.enumerated() {
            if let m = job.metric { best = best.map { higher ? max($0, m) : min($0, m) } ?? m }
            let values = job.values.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }.joined(separator: " ")
            let columns = [Self.pad(String(index), 3, right: true), Self.pad(String(job.trial), 5, right: true),
                           Self.pad(String(job.rung), 4, right: true), Self.pad(job.resource.map(String.init) ?? "-", 8, right: true),
                           Self.pad(job.status + (job.reused ? "*" : ""), 12), Self.pad(Self.metric(job), 19),
                           Self.pad(best.map { String(format: "%.6g", $0) } ?? "-", 11), String(format: "%.6f  %5.2f", job.usd, job.cpuSeconds)]
            Swift.print("  " + columns.joined(separator: "  ") + "  " + values + (index == r.chosenJob ? "  <- chosen" : ""))
        }
        if r.jobs.contains(where: \.reused) { Swift.print("  * reused from an earlier invocation of this sweep") }
        if let chosen = r.chosenJob {
            Swift.print("  chosen: job \(chosen) (trial \(r.jobs[chosen].trial)) by \(r.rule)")
        }
        if let run = r.evaluatedRun {
            Swift.print("  evaluated on the suite's evaluation set as run \(shortID(run)): `git mlcommit --run \(shortID(run))` to commit it")
        }
    }

    /// A job's validation metric, with its standard error when cross-validated.
    static func metric(_ job: SweepRecord.Job) -> String {
        guard let metric = job.metric else { return "-" }
        return String(format: "%.6g", metric) + (job.metricStandardError.map { String(format: " ±%.2g", $0) } ?? "")
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    func budgetLine(_ budget: JSONValue?) -> String {
        guard let budget = budget?.objectValue, !budget.isEmpty else { return "" }
        return "  (budget " + budget.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.text($0.value))" }.joined(separator: ", ") + ")"
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(format: "%.6g", n)
        case .string(let s): return s
        case .bool(let b): return String(b)
        default: return CanonicalJSON.encode(value)
        }
    }
}
