import ArgumentParser
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
    @Flag(help: "Print the version record as JSON.") var json = false
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
            if json {
                printJSON(versionJSON(record))
            } else if result.created {
                let s = result.statistics
                print("\(record.label) \(record.digest) \(formatBytes(record.size)) in \(record.files.count) file\(record.files.count == 1 ? "" : "s"): " +
                      "\(s.newChunks) new chunks of \(s.chunks) (\(s.deltaChunks) as deltas), \(formatBytes(s.newStoredBytes)) stored")
            } else {
                print("\(record.label) unchanged (\(record.digest)); no new version")
            }
            guard !noChecks, !record.isDirectory, Project.isTabular(record.path) else { return }
            let passed: Bool
            do {
                passed = try DataAdd.check(result.version, in: project, quiet: json)
            } catch {
                FileHandle.standardError.write(Data("git-ml: \(record.label) is stored, but its checks could not run: \(error)\n".utf8))
                throw Exit.userError
            }
            if !passed { throw Exit.checkFailed }
        }
    }

    /// The checks a run would make on `version`; true when every one passes.
    static func check(_ version: DatasetVersion, in project: Project, quiet: Bool) throws -> Bool {
        let checks = DatasetChecks(project: project)
        var passed = true
        if let (report, cached) = try checks.contract(version) {
            passed = report.passed
            if !quiet {
                print("contract ml/contracts/\(version.record.name).yaml: \(report.passed ? "passed" : "FAILED") " +
                      "(\(report.checks.count) checks, \(report.failures.count) failed)\(cached ? ", cached" : "")")
                printFindings(report.checks)
            }
        }
        // Leakage into the suites' evaluation sets, when the contract has a leakage block.
        if try project.contract(for: version.record.name)?.0.leakage != nil {
            let suites = checks.pinnedEvaluationSets()
            for (suite, eval) in suites.pinned where eval.record.name != version.record.name {
                guard let leakage = try checks.leakage(train: version, eval: eval) else { continue }
                passed = passed && leakage.passed
                if !quiet {
                    print("leakage \(version.record.label) → \(eval.record.label) (suite \(suite)): " +
                          "\(leakage.passed ? "none found" : "FOUND") (\(leakage.checks.count) checks)")
                    printFindings(leakage.checks)
                }
            }
            for (file, reason) in suites.unreadable where !quiet {
                print("warn: \(file) could not be read, so \(version.record.label) was not checked against its evaluation set: \(reason)")
            }
        }
        if !passed {
            FileHandle.standardError.write(Data("git-ml: \(version.record.label) is stored, but fails the checks above; runs refuse it until they pass (fix the data, or the contract if it is wrong)\n".utf8))
        }
        return passed
    }

    /// `data/train.csv` → `train`.
    static func defaultName(for path: String) -> String {
        let base = (path as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        return stem.isEmpty ? base : stem
    }
}
