import ArgumentParser
import Contracts
import Foundation
import Workspace

/// `git ml data validate`: check dataset versions against their data contracts.
struct DataValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check dataset versions against their contracts (schema, nulls, ranges, keys, drift…).",
        discussion: """
            The contract of dataset <name> is ml/contracts/<name>.yaml (ODCS v3 plus GitML's
            drift and leakage blocks; see templates/ml/contracts/example.yaml). Drift, schema
            drift and row-count change are checked against --against, or else the previous
            version. Results are cached by the digests of data and contract. Exits 1 when a
            check fails.

            Examples: git ml data validate
                      git ml data validate churn@v3 --against churn@v1
            """)

    @Argument(help: "Datasets to validate (default: every pinned dataset that has a contract).") var datasets: [String] = []
    @Option(help: "A contract file to use instead of ml/contracts/<name>.yaml.") var contract: String?
    @Option(help: "The reference version for drift and change checks.") var against: String?
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
            for spec in specs {
                let version = try project.resolveDataset(spec)
                let name = version.record.name
                let loaded: (Contract, String)?
                if let contract {
                    guard let found = try project.contract(at: contract) else { throw InputError("no contract file \(contract)") }
                    loaded = found
                } else {
                    loaded = try project.contract(for: name)
                }
                guard let (contract, contractDigest) = loaded else { throw WorkspaceError.noContract(name) }
                // The reference: --against, else the contract's pinned drift reference, else the previous version.
                let pinned = contract.drift.reference == "previous" ? nil : contract.drift.reference
                let previous = try (against ?? pinned).map { try project.resolveDataset($0) }
                    ?? project.versions(of: name).last { $0.record.version < version.record.version && $0.record.purged == nil }
                let (report, cached) = try project.validate(version, contract: contract, contractDigest: contractDigest, previous: previous)
                reports[version.record.label] = report
                allPassed = allPassed && report.passed
                guard !json else { continue }
                let against = previous.map { " against \($0.record.label)" } ?? ""
                print("\(version.record.label)\(against): \(report.passed ? "passed" : "FAILED") (\(report.checks.count) checks, \(report.failures.count) failed)\(cached ? ", cached" : "")")
                for check in report.checks where check.status != .pass {
                    let column = check.column.map { " \($0)" } ?? ""
                    let limit = check.limit.isEmpty ? "" : " (limit \(check.limit))"
                    print("  \(check.status == .fail ? "FAIL" : "warn") \(check.kind.rawValue)\(column): \(check.detail)\(limit)")
                }
            }
            if json { try printCodable(reports) }
            if !allPassed { throw Exit.checkFailed }
        }
    }
}
