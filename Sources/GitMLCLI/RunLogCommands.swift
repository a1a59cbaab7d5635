import ArgumentParser
import Foundation
import Records
import Runner
import Workspace

/// `git ml log`: recorded runs, newest first.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List recorded runs, newest first.",
        discussion: """
            Lists every run under refs/ml/runs (local and fetched from remotes).

            Example: git ml log --suite churn --status ok
            """)

    @Option(help: "Only runs of this suite.", completion: Complete.suites) var suite: String?
    @Option(help: "Only runs of this experiment.") var experiment: String?
    @Option(help: "Only runs with this status (ok, failed, over_budget, interrupted).") var status: String?
    @Option(name: .shortAndLong, help: "At most this many runs.") var number: Int?
    @Flag(help: "Print JSON (one record per array element).") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            if let status, RunRecord.Status(rawValue: status) == nil {
                throw InputError("unknown status '\(status)': use one of \(RunRecord.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (all, unreadable) = try project.recordedRuns()
            var runs = all.filter { run in
                (suite == nil || run.record.suite == suite) && (experiment == nil || run.record.experiment == experiment)
                    && (status == nil || run.record.status.rawValue == status)
            }
            if let number { runs = Array(runs.prefix(number)) }
            for (ref, reason) in unreadable { FileHandle.standardError.write(Data("git-ml: skipped \(ref): \(reason)\n".utf8)) }
            if json {
                printJSON(.array(runs.map(\.record.json)))
                return
            }
            for run in runs {
                let r = run.record
                let primary = r.metrics["headline"].map { RunSummary.metricLine($0) } ?? "-"
                let usd = String(format: "$%.4f", CostLedger.usd(r))
                print("\(shortID(run.id))  \(r.createdAt)  \(r.experiment) [\(r.suite)]  \(r.status.rawValue)  \(primary)  \(usd)\(r.code.dirty ? "  dirty" : "")")
            }
        }
    }
}

/// `git ml show <run>`: one run's record.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a recorded run: lineage, configuration, metrics, cost, artifacts.",
        discussion: "Example: git ml show 3f2a9c1b")

    @Argument(help: "A run id or a unique prefix of it.", completion: Complete.runs) var runID: String
    @Flag(help: "Print the record as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let recorded = try openProject().recordedRunFetchingRefs(runID)
            if json { printJSON(recorded.record.json); return }
            let r = recorded.record
            RunSummary(recorded).print()
            print("  id \(recorded.id)")
            print("  created \(r.createdAt) by \(r.createdBy)")
            print("  code commit \(r.code.commit), tree (without ml/) \(r.code.tree)\(r.code.dirty ? ", dirty" : "")")
            for (role, use) in r.datasets.sorted(by: { $0.key < $1.key }) {
                print("  \(role) \(use.name)@v\(use.version) \(use.digest)")
            }
            print("  seeds \(r.seeds.map(String.init).joined(separator: ", ")); candidate \(r.candidate)")
            for (phase, seconds) in r.timings.sorted(by: { $0.key < $1.key }) {
                print("  time \(phase) \(String(format: "%.3f", seconds)) s")
            }
            for (name, artifact) in r.artifacts.sorted(by: { $0.key < $1.key }) {
                print("  artifact \(name) \(artifact.digest) (\(formatBytes(artifact.size)))")
            }
            print("  environment \(r.environment["numeric_profile"]?.stringValue ?? "?"), \(r.environment["cpu_model"]?.stringValue ?? "?"), gitml \(r.environment["gitml_version"]?.stringValue ?? "?")")
        }
    }
}

/// `git ml cost`: spend of recorded runs, grouped, with cost per unit of improvement.
struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Show spend of recorded runs by experiment, suite or author.",
        discussion: """
            Every run record carries its measured cost (CPU seconds of the whole process tree,
            wall time, bytes stored) priced at ml/config.yaml's rates. "Per unit" is the group's
            spend divided by its best improvement of the suite's primary metric over the suite's
            baseline (its earliest successful run), in the metric's own units.

            Example: git ml cost --by experiment --since 2026-11-01
            """)

    @Option(help: "Group by experiment, suite or author.") var by: String = "experiment"
    @Option(help: "Only runs started at or after this date (YYYY-MM-DD).") var since: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            guard let grouping = CostLedger.Grouping(rawValue: by) else { throw InputError("--by takes experiment, suite or author") }
            let project = try openProject()
            let lines = CostLedger(runs: try project.ledgerRuns()).lines(by: grouping, since: since)
            if json {
                printJSON(.array(lines.map { line in
                    ["group": .string(line.group), "runs": .number(Double(line.runs)), "cpu_seconds": .number(line.cpuSeconds),
                     "usd": .number(line.usd), "best_improvement": line.bestImprovement.map(JSONValue.number) ?? .null,
                     "usd_per_unit": line.usdPerUnit.map(JSONValue.number) ?? .null]
                }))
                return
            }
            print("\(by.padding(toLength: 24, withPad: " ", startingAt: 0)) runs   CPU s        USD   best Δ   USD/unit")
            for line in lines {
                let delta = line.bestImprovement.map { format($0, signed: true) } ?? "-"
                let perUnit = line.usdPerUnit.map { String(format: "%.4f", $0) } ?? "-"
                print("\(line.group.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%4d %8.1f %10.4f", line.runs, line.cpuSeconds, line.usd))   \(delta)   \(perUnit)")
            }
        }
    }
}
