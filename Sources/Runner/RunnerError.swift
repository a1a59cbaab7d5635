import Learners

/// Why a run could not start or finish, with what the user can do about it.
public enum RunnerError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(path: String, hint: String)
    /// A dataset failed its contract; `failures` are the failing checks, one line each.
    case contractFailed(dataset: String, failures: [String])
    /// Training and evaluation data leak into each other.
    case leakage(train: String, eval: String, findings: [String])
    case invalidExperiment(String)
    /// A predictions file (a run's stored predictions, or what an `exec` command wrote) is not
    /// what GitML reads.
    case invalidPredictions(file: String, problem: String)
    /// The training worker ended without its outputs.
    case workerFailed(status: Int32, detail: String)
    /// `git mlcommit` refuses this run.
    case notCommittable(run: String, reason: String)
    /// A learner refused one row of `table`; the problem's row counts from 1 at the file's first
    /// data row (the header is not a row).
    case invalidRow(table: String, problem: LearnerError)
    /// A learner refused its input or configuration.
    case learner(LearnerError)
    /// The run's configuration does not fit its data (a column, slice or hyperparameter that
    /// does not exist or is out of range), found before anything was spent: nothing was recorded.
    case configuration(file: String, line: Int, key: String, message: String)
    /// `git mlcommit` was not told which of several runs becomes the suite's candidate.
    case ambiguousCandidate(suite: String, runs: [String])
    /// The monthly project budget is already spent.
    case projectBudgetSpent(spentUSD: Double, limitUSD: Double)
    /// A gate's own re-training of a candidate did not finish within the gate's time budget.
    case reproductionOverBudget(run: String, seconds: Double)

    public var description: String {
        switch self {
        case let .missingFile(path, hint): "\(path) does not exist: \(hint)"
        case let .contractFailed(dataset, failures):
            "\(dataset) fails its contract, so the run was not started:\n" + failures.map { "  \($0)" }.joined(separator: "\n") +
            "\nfix the data (or the contract in a reviewed change) and run again"
        case let .leakage(train, eval, findings):
            "training data \(train) and evaluation data \(eval) leak into each other, so the run was not started:\n" +
            findings.map { "  \($0)" }.joined(separator: "\n") + "\nremove the overlap from one of them and add a new version"
        case .invalidExperiment(let reason): reason
        case let .invalidPredictions(file, problem): "\(file): \(problem)"
        case let .workerFailed(status, detail): "training failed (worker exit status \(status)): \(detail)"
        case let .notCommittable(run, reason): "run \(run) cannot be committed: \(reason)"
        case let .invalidRow(table, problem): "\(table): \(problem) (rows count from 1 at the file's first data row)"
        case .learner(let error): error.description
        case let .configuration(file, line, key, message):
            "\(file):\(line): \(key): \(message); the run was not started and nothing was recorded"
        case let .ambiguousCandidate(suite, runs):
            "\(runs.count) runs on this code could become the candidate of suite \(suite):\n" + runs.map { "  \($0)" }.joined(separator: "\n")
            + "\nname one (git mlcommit --run ID), or choose by rule: --best (by the suite's primary metric) or --newest"
        case let .reproductionOverBudget(run, seconds):
            "the gate's own reproduction of run \(run) did not finish within the gate's time budget (\(String(format: "%.0f", seconds)) s left of GITML_GATE_TIMEOUT): the candidate is not judged and the push or merge is refused; raise GITML_GATE_TIMEOUT where the gate runs, or reproduce in CI and commit a signed attestation"
        case let .projectBudgetSpent(spent, limit):
            "this month's runs cost $\(String(format: "%.4f", spent)), over the project budget of $\(String(format: "%.2f", limit)) in ml/config.yaml: no new run starts until next month or a reviewed budget change"
        }
    }
}
