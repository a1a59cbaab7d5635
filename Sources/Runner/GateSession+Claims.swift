import Contracts
import Metering
import Foundation
import Gate
import GitRepo
import Records
import Workspace

/// What a run record claims that git and the base can confirm: its lineage (run commit, code
/// commit and tree, history), its data (by digest, under the base's contracts and contract
/// policy) and its cost (priced at the base's rates). A claim that cannot be checked fails, with
/// the reason.
extension GateSession {
    /// Lineage failures of `run` (empty when its claims hold): its run commit exists, has the
    /// recorded `code.commit` as its only parent, whose code (tree without `ml/`) is the recorded
    /// `code.tree`, and that commit is in the head's history — or the head has that very code
    /// (a squash merge or rebase keeps the evidence, DESIGN §3).
    func lineageFailures(_ run: RunRecord, runCommit: ObjectID?, head: ObjectID, headTree: String) -> [String] {
        let short = shortID(run.id)
        guard let runCommit else {
            return ["run \(short) has no run commit (\(RecordedRun.ref(id: run.id))) naming the code it trained on: fetch it (git ml pull --runs) or push it with the branch (git ml push)"]
        }
        do {
            let repository = project.repository
            let parents = try repository.parents(of: runCommit)
            guard parents.count == 1, let parent = parents.first, parent.hex == run.code.commit else {
                return ["run \(short) claims code commit \(run.code.commit.prefix(12)), but its run commit's parent is \(parents.map { String($0.hex.prefix(12)) }.joined(separator: ", "))"]
            }
            let tree = try repository.treeID(ofCommit: parent, excluding: "ml").hex
            guard tree == run.code.tree else {
                return ["run \(short) claims code tree \(run.code.tree.prefix(12)), but its commit \(parent.hex.prefix(12)) has code tree \(tree.prefix(12))"]
            }
            let inHistory = try repository.walk(from: [parent], hiding: [head]).isEmpty
            guard inHistory || tree == headTree else {
                return ["the record's code is not in this branch's history: run \(short) trained on commit \(parent.hex.prefix(12)), which is not an ancestor of \(head.hex.prefix(12)) and has other code"]
            }
            return []
        } catch {
            return ["the lineage of run \(short) cannot be checked: \(error)"]
        }
    }

    /// The candidate's cost at the base's rates (`ml/config.yaml` at the base; none: $0) from the
    /// resources its record measured; a cost that cannot be priced fails the Cost row. For a run
    /// over budget, the limits of its recorded experiment file that its measurements broke.
    func cost(_ run: RunRecord) -> GateEvidence.Cost {
        let overBudget = run.status == .overBudget
        let budget = overBudget ? GateSession.brokenBudget(run) : nil
        do {
            let rates = try PolicySource.revision(base).settings(project: project).rates
            return GateEvidence.Cost(usd: try CostLedger.usd(run, at: rates), overBudget: overBudget, budget: budget)
        } catch {
            return GateEvidence.Cost(usd: 0, overBudget: overBudget, unpriced: "\(error)", budget: budget)
        }
    }

    /// "cpu_seconds 12.5 > max_cpu_seconds 10": what the run measured against each limit of its
    /// recorded budget, then the record's status detail (which limit stopped it).
    static func brokenBudget(_ run: RunRecord) -> String {
        let detail = run.statusDetail ?? "recorded as over budget"
        let budget: Budget
        do {
            guard let text = run.config["experiment_file"]?.stringValue else { return "\(detail) (the record holds no experiment file with the limits)" }
            budget = try Experiment.parse(yaml: text, file: "the experiment file of run \(shortID(run.id))", name: run.experiment).budget
        } catch {
            return "\(detail) (its limits cannot be read: \(error))"
        }
        let limits: [(used: String, limit: Double?, key: String)] = [("cpu_seconds", budget.maxCPUSeconds, "max_cpu_seconds"),
                                                                     ("wall_seconds", budget.maxWallSeconds, "max_wall_seconds"),
                                                                     ("usd", budget.maxUSD, "max_usd")]
        let measured = limits.compactMap { used, limit, key -> String? in
            guard let limit, let value = run.cost[used]?.doubleValue else { return nil }
            return "\(used) \(String(format: "%.4g", value)) \(value > limit ? ">" : "≤") \(key) \(String(format: "%.4g", limit))"
        }
        return measured.isEmpty ? detail : "\(measured.joined(separator: ", ")) — \(detail)"
    }

    /// The evaluation version the base's suite pins, resolved here and, where the base's lock
    /// pins the same label, required to have the lock's full digest.
    func pinnedEvaluation(_ suite: Suite) throws -> DatasetVersion {
        let version = try project.resolveDataset(suite.evaluation.description)
        if case .label(let number) = suite.evaluation.version, let locked = try project.lock(at: base)?.datasets[suite.evaluation.name],
           locked.version == number, locked.digest != version.record.digest {
            throw RunnerError.invalidExperiment("\(suite.evaluation) is \(version.record.digest) here, but the base's ml/lock.json pins \(locked.digest)")
        }
        return version
    }

    /// The candidate's data under the base's contracts and contract policy: every dataset the
    /// record names is a stored version (by name and full digest) that passes its contract; with
    /// `require_leakage_contract`, every training dataset has a contract with a leakage block;
    /// the evaluation data is the version the suite pins; training data does not leak into it
    /// (under the training contract's leakage block, else the evaluation contract's).
    func datasetChecks(_ run: RunRecord, suite: Suite, policy: GatePolicy.DatasetPolicy, lineage: [String]) -> GateEvidence.DatasetChecks {
        var failures: [String] = [], leaks: [String] = []
        var versioned = true
        var training: [(role: String, version: DatasetVersion)] = []
        func attempt(_ what: String, _ body: () throws -> Void) {
            do { try body() } catch { failures.append("\(what) cannot be checked: \(error)") }
        }
        for (role, use) in run.datasets.sorted(by: { $0.key < $1.key }) {
            let version: DatasetVersion
            do {
                version = try project.resolveDataset("\(use.name)@\(use.digest)")
                guard version.record.digest == use.digest else { throw WorkspaceError.unknownVersion("\(use.name)@\(use.digest)") }
            } catch {
                versioned = false
                failures.append("\(role) \(use.name)@\(use.digest) is not a stored version: \(error)")
                continue
            }
            let isTraining = role == "train" || role.hasPrefix("input:")
            attempt("\(version.record.label)") {
                let contract = try baseContract(use.name)
                if isTraining {
                    training.append((role, version))
                    if policy.requireLeakageContract, contract?.0.leakage == nil {
                        failures.append("\(version.record.label) (\(role)) has no contract with a leakage block at the base, and ml/gate.yaml requires one for training data (dataset.require_leakage_contract)")
                    }
                }
                guard let (contract, digest) = contract else { return }
                let report = try project.validate(version, contract: contract, contractDigest: digest,
                                                  previous: try project.driftReference(for: version, contract: contract)).report
                failures += report.failures.map { "\(version.record.label): " + ExperimentRunner.describe($0) }
            }
        }
        let pinned: DatasetVersion
        do {
            pinned = try pinnedEvaluation(suite)
        } catch {
            failures.append("the suite's evaluation data \(suite.evaluation) cannot be resolved, so the candidate cannot be shown to be evaluated on it: \(error)")
            return GateEvidence.DatasetChecks(versioned: versioned, contractFailures: failures, leakageFindings: leaks, lineageFailures: lineage)
        }
        if pinned.record.digest != run.datasets["eval"]?.digest {
            failures.append("evaluated on \(run.datasets["eval"].map { "\($0.name)@v\($0.version)" } ?? "nothing"), but the suite pins \(pinned.record.label)")
        }
        for (role, train) in training {
            // An exec run may declare the evaluation data among its inputs; training on it is leakage.
            if train.record.digest == pinned.record.digest {
                if role == "train" { leaks.append("\(train.record.label) is the evaluation data itself") }
                continue
            }
            attempt("leakage of \(train.record.label) into \(pinned.record.label)") {
                var withLeakage: (Contract, String)?
                for name in [train.record.name, pinned.record.name] where withLeakage == nil {
                    if let found = try baseContract(name), found.0.leakage != nil { withLeakage = found }
                }
                guard let (contract, digest) = withLeakage else { return }
                leaks += try project.leakage(train: train, eval: pinned, contract: contract, contractDigest: digest).failures.map(ExperimentRunner.describe)
            }
        }
        return GateEvidence.DatasetChecks(versioned: versioned, contractFailures: failures, leakageFindings: leaks, lineageFailures: lineage)
    }
}
