import ArgumentParser
import Contracts
import Foundation
import Records
import Runner
import Workspace

/// `git ml data add`: store a file or directory as a new dataset version.
struct DataAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store a file or directory as a new version of a dataset.",
        discussion: """
            Creates refs/ml/datasets/<name>/v<N>, pins it in ml/lock.json and git-ignores the
            path. Content equal to the latest version creates no new version. The name defaults
            to the file name without its extension.

            A tabular version is then checked, as a run would check it: against its contract
            (ml/contracts/<name>.yaml), and, when the contract has a leakage block, for leakage
            into each evaluation set the suites in ml/suites/ pin. Results are cached, so runs on
            this version do not check it again. The version is stored either way; the command
            exits 1 when a check fails (runs refuse the version until it passes).

            Example: git ml data add data/train.csv --name train
            """)

    @Argument(help: "The file or directory to store.") var path: String
    @Option(help: "The dataset name (letters, digits, '.', '_', '-').") var name: String?
    @Flag(help: "Print the version record as JSON, with the reports of its checks under `checks`.") var json = false
    @Flag(help: "Store only: leave the contract and leakage checks to the first run.") var noChecks = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            let relative = try project.relativePath(path, cwd: currentDirectory)
            let datasetName = name ?? DataAdd.defaultName(for: relative)
            let progress = ProgressLine("adding \(relative)")
            let result = try project.addDataset(relativePath: relative, name: datasetName) { progress.update($0, $1) }
            progress.finish()
            let record = result.version.record
            if !json {
                if result.created {
                    let s = result.statistics
                    print("\(record.label) \(record.digest) \(formatBytes(record.size)) in \(record.files.count) file\(record.files.count == 1 ? "" : "s"): " +
                          "\(s.newChunks) new chunks of \(s.chunks) (\(s.deltaChunks) as deltas), \(formatBytes(s.newStoredBytes)) stored")
                } else {
                    print("\(record.label) unchanged (\(record.digest)); no new version")
                }
            }
            var checks: AddChecks?
            if !noChecks, Project.isTabular(record) {
                do {
                    checks = try AddChecks(result.version, in: project)
                } catch {
                    if json { printJSON(versionJSON(record)) }
                    FileHandle.standardError.write(Data("git-ml: \(record.label) is stored, but its checks could not run: \(error)\n".utf8))
                    throw Exit.userError
                }
            }
            if json {
                var output = versionJSON(record)
                if let checks, case .object(var fields) = output {
                    fields["checks"] = try checks.json()
                    output = .object(fields)
                }
                printJSON(output)
            } else {
                checks?.printText(version: record)
            }
            if let checks, !checks.passed {
                FileHandle.standardError.write(Data("git-ml: \(record.label) is stored, but fails the checks above; runs refuse it until they pass (fix the data, or the contract if it is wrong)\n".utf8))
                throw Exit.checkFailed
            }
        }
    }

    /// `data/train.csv` → `train`.
    static func defaultName(for path: String) -> String {
        let base = (path as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        return stem.isEmpty ? base : stem
    }
}

/// The checks `git ml data add` makes on a tabular version, as a run would: its contract, and
/// leakage into each evaluation set the suites pin when the contract has a leakage block.
struct AddChecks {
    struct Leakage {
        let suite: String
        let eval: DatasetVersion
        let report: LeakageReport
    }
    var contract: (report: ValidationReport, cached: Bool)?
    var leakage: [Leakage] = []
    /// Suite files that could not say which evaluation set they pin, with the reason.
    var unreadableSuites: [(file: String, reason: String)] = []

    init(_ version: DatasetVersion, in project: Project) throws {
        let checks = DatasetChecks(project: project)
        contract = try checks.contract(version)
        guard try project.contract(for: version.record.name)?.0.leakage != nil else { return }
        let suites = checks.pinnedEvaluationSets()
        for (suite, eval) in suites.pinned where eval.record.name != version.record.name {
            guard let report = try checks.leakage(train: version, eval: eval) else { continue }
            leakage.append(Leakage(suite: suite, eval: eval, report: report))
        }
        unreadableSuites = suites.unreadable
    }

    /// True when every check passed.
    var passed: Bool { (contract?.report.passed ?? true) && leakage.allSatisfy(\.report.passed) }

    /// `{"passed", "contract": report or null, "leakage": [{"suite", "eval", "report"}], "unreadable_suites"}`.
    func json() throws -> JSONValue {
        return [
            "passed": .bool(passed),
            "contract": try contract.map { try encodedJSON($0.report) } ?? .null,
            "leakage": .array(try leakage.map { ["suite": .string($0.suite), "eval": .string($0.eval.record.label), "report": try encodedJSON($0.report)] }),
            "unreadable_suites": .array(unreadableSuites.map { ["file": .string($0.file), "reason": .string($0.reason)] }),
        ]
    }

    func printText(version: DatasetRecord) {
        if let (report, cached) = contract {
            print("contract ml/contracts/\(version.name).yaml: \(report.passed ? "passed" : "FAILED") " +
                  "(\(report.checks.count) checks, \(report.failures.count) failed)\(cached ? ", cached" : "")")
            printFindings(report.checks)
        }
        for l in leakage {
            print("leakage \(version.label) → \(l.eval.record.label) (suite \(l.suite)): " +
                  "\(l.report.passed ? "none found" : "FOUND") (\(l.report.checks.count) checks)")
            printFindings(l.report.checks)
        }
        for (file, reason) in unreadableSuites {
            print("warn: \(file) could not be read, so \(version.label) was not checked against its evaluation set: \(reason)")
        }
    }
}
