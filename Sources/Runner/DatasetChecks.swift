import Contracts
import Foundation
import Gate
import Workspace

/// The checks a dataset version gets before a run may use it: its contract (drift against the
/// contract's reference version) and, for training data, leakage into the evaluation data.
/// Results are cached by the digests of data and contract, so a version checked when it was
/// added (`git ml data add`) costs a run nothing.
public struct DatasetChecks {
    public let project: Project

    public init(project: Project) {
        self.project = project
    }

    /// `version` against its contract; nil when the dataset has no contract.
    public func contract(_ version: DatasetVersion) throws -> (report: ValidationReport, cached: Bool)? {
        guard let (contract, digest) = try project.contract(for: version.record.name) else { return nil }
        return try project.validate(version, contract: contract, contractDigest: digest,
                                    previous: try project.driftReference(for: version, contract: contract))
    }

    /// Leakage between `train` and `eval` under the training contract's leakage block; nil when
    /// the contract has none (or there is no contract).
    public func leakage(train: DatasetVersion, eval: DatasetVersion) throws -> LeakageReport? {
        guard let (contract, digest) = try project.contract(for: train.record.name), contract.leakage != nil else { return nil }
        return try project.leakage(train: train, eval: eval, contract: contract, contractDigest: digest)
    }

    /// The evaluation versions pinned by the suites in `ml/suites/`, by suite name, and the suites
    /// that could not say (a file that does not parse, or pins a version this clone does not
    /// have) with the reason, for the caller to report.
    public func pinnedEvaluationSets() -> (pinned: [(suite: String, eval: DatasetVersion)], unreadable: [(file: String, reason: String)]) {
        let directory = project.mlDirectory + "/suites"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        var pinned: [(suite: String, eval: DatasetVersion)] = [], unreadable: [(file: String, reason: String)] = []
        for file in files {
            let name = String(file.dropLast(".yaml".count)), path = "ml/suites/\(file)"
            do {
                let text = String(decoding: FileManager.default.contents(atPath: directory + "/" + file) ?? Data(), as: UTF8.self)
                let suite = try Suite.parse(yaml: text, file: path, name: name)
                pinned.append((name, try project.resolveDataset(suite.evaluation.description)))
            } catch {
                unreadable.append((path, "\(error)"))
            }
        }
        return (pinned, unreadable)
    }
}
