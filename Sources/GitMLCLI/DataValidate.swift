import ArgumentParser
import Contracts
import Foundation
import Records
import Workspace

/// `git ml data validate`: check dataset versions against their data contracts.
struct DataValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check dataset versions against their contracts (schema, nulls, ranges, keys, drift…).",
        discussion: """
            The contract of dataset <name> is ml/contracts/<name>.yaml (ODCS v3.0–v3.1 plus
            GitML's drift and leakage blocks; see templates/ml/contracts/example.yaml). Clauses
            GitML does not check (servers, SLAs, SQL rules…) are listed as "declared, not
            checked" (--json: "unchecked"). Drift, schema drift and row-count change are
            checked against --against, or else the previous version. Results are cached by the
            digests of data and contract. Exits 1 when a check fails.

            Examples: git ml data validate
                      git ml data validate churn@v3 --against churn@v1
            """)

    @Argument(help: "Datasets to validate (default: every pinned dataset that has a contract).", completion: Complete.datasetVersions) var datasets: [String] = []
    @Option(help: "A contract file to use instead of ml/contracts/<name>.yaml.") var contract: String?
    @Option(help: "The reference version for drift and change checks.") var against: String?
    @Option(help: "An evaluation dataset version to check for leakage from this (training) version.") var eval: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let project = try openProject()
            var specs = datasets
            if specs.isEmpty {
                specs = try project.readLock().datasets.keys.sorted().filter { try project.contract(for: $0) != nil }
                if specs.isEmpty { print("no pinned dataset has a contract in ml/contracts/"); return }
            }
            var allPassed = true
            var reports: [String: ValidationReport] = [:]
            var leakageReports: [String: LeakageReport] = [:]
            for spec in specs {
                let version = try project.resolveDataset(spec)
                let name = version.record.name
                let loaded: (Contract, String)?
                if let contract {
                    guard let found = try project.contract(at: contract, dataset: name) else { throw InputError("no contract file \(contract)") }
                    loaded = found
                } else {
                    loaded = try project.contract(for: name)
                }
                guard let (contract, contractDigest) = loaded else { throw WorkspaceError.noContract(name) }
                // The reference: --against, else the contract's pinned drift reference, else the previous version.
                let previous = try against.map { try project.resolveDataset($0) } ?? project.driftReference(for: version, contract: contract)
                let (report, cached) = try project.validate(version, contract: contract, contractDigest: contractDigest, previous: previous)
                reports[version.record.label] = report
                allPassed = allPassed && report.passed
                let leakage = try eval.map { try project.leakage(train: version, eval: try project.resolveDataset($0), contract: contract, contractDigest: contractDigest) }
                if let leakage {
                    leakageReports[version.record.label] = leakage
                    allPassed = allPassed && leakage.passed
                }
                guard !json else { continue }
                let against = previous.map { " against \($0.record.label)" } ?? ""
                print("\(version.record.label)\(against): \(report.passed ? "passed" : "FAILED") (\(report.checks.count) checks, \(report.failures.count) failed)\(cached ? ", cached" : "")")
                printFindings(report.checks)
                printUnchecked(report.unchecked)
                if let leakage, let eval {
                    print("leakage \(version.record.label) → \(eval): \(leakage.passed ? "none found" : "FOUND") (\(leakage.checks.count) checks)")
                    printFindings(leakage.checks)
                }
            }
            if json {
                // Keyed by dataset label as written (labels are user data: no key conversion).
                var output: [String: JSONValue] = ["validation": .object(try reports.mapValues { try encodedJSON($0) })]
                if !leakageReports.isEmpty { output["leakage"] = .object(try leakageReports.mapValues { try encodedJSON($0) }) }
                printJSON(.object(output))
            }
            if !allPassed { throw Exit.checkFailed }
        }
    }
}

/// `git ml data validate --json`.
/// The contract's clauses that were not checked, one indented line each after a header.
private func printUnchecked(_ clauses: [UncheckedClause]) {
    guard !clauses.isEmpty else { return }
    print("  declared, not checked (\(clauses.count)):")
    for clause in clauses { print("    \(clause.path) (line \(clause.line)): \(clause.what)") }
}

/// One indented line per check that did not pass: FAIL or warn, what, where, the observed value
/// against the limit (`CheckResult.verdict`), then what was found, e.g.
/// `FAIL ks dep_delay: D = 0.137 > 0.1; p = 1e-200 (asymptotic)`.
func printFindings(_ checks: [CheckResult]) {
    for check in checks where check.status != .pass {
        let column = check.column.map { " \($0)" } ?? ""
        let verdict = check.verdict.isEmpty ? "" : check.verdict + "; "
        print("  \(check.status == .fail ? "FAIL" : "warn") \(check.kind.rawValue)\(column): \(verdict)\(check.detail)")
    }
}
