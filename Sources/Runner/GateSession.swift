import BlobStore
import Contracts
import Foundation
import Gate
import Kernels
import GitRepo
import Learners
import Records
import Tables
import Workspace

/// Gathers what the gate judges (DESIGN §6) from two revisions, through libgit2 and the store,
/// without checking anything out: the policy, suites and contracts of the **base**, the head's
/// candidates (its `ml/lock.json`), the champion (the promotion chain, else the base's committed
/// candidate), their recorded predictions re-joined by row with the evaluation data (labels from
/// the data, never from a predictions file) and, for built-in runs, re-scored with the recorded
/// models; the attestations committed on the head, and whether the head's code is still the code
/// the candidate trained on. Record claims are checked against git and the base: lineage (run
/// commit, code tree, history), cost (priced at the base's rates), datasets (by digest, under
/// the base's contracts and contract policy). Fail closed: a check that cannot be made fails its
/// row with the reason, and evidence that does not hold together is an error naming it.
public struct GateSession {
    public let project: Project
    public let base: String
    public let head: String
    /// Re-trains built-in candidates when the base's policy says `reproduce_in_gate` (nil: this
    /// gate cannot, and such a policy fails closed).
    public let reproducer: ExperimentRunner?
    /// When the gate's time budget ends (a server's `GITML_GATE_TIMEOUT`): a re-training still
    /// running then is stopped and the gate fails closed. Nil: the experiment's own budget.
    public let reproductionDeadline: Date?
    /// A CI gate that re-executes `exec` candidates (`git ml gate --reproduce-exec`): the SSH key
    /// its reproductions are signed with. Nil: this gate never executes a pushed command.
    public var execSigningKey: String?
    /// Tables read so far, by dataset digest (candidate and champion share the evaluation data).
    private let tables = TableCache()

    public init(project: Project, base: String, head: String, reproducer: ExperimentRunner? = nil, reproductionDeadline: Date? = nil) {
        self.project = project
        self.base = base
        self.head = head
        self.reproducer = reproducer
        self.reproductionDeadline = reproductionDeadline
    }

    private final class TableCache {
        var byDigest: [String: Table] = [:]
    }

    /// One suite's verdict with the inputs that produced it.
    public struct Decision {
        public let suite: String
        public let verdict: Verdict
        public let candidate: RunRecord
    }

    /// The base's gate policy.
    public func policy() throws -> GatePolicy {
        guard let text = try text(at: base, path: "ml/gate.yaml") else {
            throw RunnerError.missingFile(path: "ml/gate.yaml at \(base)", hint: "commit a gate policy on the protected branch (start from templates/ml/gate.yaml)")
        }
        return try GatePolicy.parse(yaml: text, file: "ml/gate.yaml (at \(base))")
    }

    /// The base's policy when bringing the head into `branch` is a promotion: the base has a
    /// gate policy that protects `branch`, and the head changes a suite's candidate. Nil when
    /// there is nothing to gate (so a push or merge that changes no candidate costs no gate time).
    public func promotionPolicy(branch: String) throws -> GatePolicy? {
        guard try text(at: base, path: "ml/gate.yaml") != nil else { return nil }
        let policy = try policy()
        guard policy.protects(branch: branch), try changesCandidates() else { return nil }
        return policy
    }

    /// The champion a suite's candidate is judged against: the newest trusted `promote` entry of
    /// its chain (only signed ones when the base's policy says `promotions.signed_only`), else
    /// the base's committed candidate.
    private func championID(_ suite: String, signedOnly: Bool) throws -> String? {
        try project.champion(suite: suite, trustedAt: base, signedOnly: signedOnly) ?? (try project.lock(at: base))?.suites[suite].map(\.run)
    }

    /// The base policy's `promotions.signed_only` (false where the base has no policy).
    private func basePolicySignedOnly() throws -> Bool {
        try text(at: base, path: "ml/gate.yaml") == nil ? false : try policy().promotions.signedOnly
    }

    /// Whether the head's suites (their candidates) differ from the base's: only then is there
    /// a promotion to gate.
    public func changesCandidates() throws -> Bool {
        (try project.lock(at: head))?.suites != (try project.lock(at: base))?.suites
    }

    /// Suites the base's lock has a candidate for and the head's has not: dropping one takes it
    /// out of the gate, so on a protected branch it is a policy change.
    public func droppedSuites() throws -> [String] {
        let kept = Set((try project.lock(at: head))?.suites.keys.map { $0 } ?? [])
        return ((try project.lock(at: base))?.suites.keys.map { $0 } ?? []).filter { !kept.contains($0) }.sorted()
    }

    /// Judges every suite that has a candidate on the head, under `policy` (default: the base's).
    public func evaluate(policy given: GatePolicy? = nil) throws -> [Decision] {
        let policy = try given ?? policy()
        guard let lock = try project.lock(at: head), !lock.suites.isEmpty else {
            throw RunnerError.invalidExperiment("\(head) has no candidate run in ml/lock.json: run an experiment and `git mlcommit` it")
        }
        let runs = try project.recordedRuns().runs.map(\.record)
        return try lock.suites.keys.sorted().map { try evaluate(suite: $0, policy: policy, lock: lock, runs: runs) }
    }

    /// `runs`: every recorded run, to count the evaluations already spent on the eval data.
    private func evaluate(suite name: String, policy: GatePolicy, lock: Lock, runs: [RunRecord]) throws -> Decision {
        let suite = try baseSuite(name)
        let entry = lock.suites[name]!
        let (candidate, runCommit) = try runWithCommit(entry.run, revision: head)
        // The lock's copy of the candidate's metric is what reviews show: it must be the record's.
        if let why = entry.disagreement(with: candidate, suite: name) {
            throw RunnerError.invalidExperiment("ml/lock.json at \(head): lock entry suite \(name): \(why) (commit the run again with `git mlcommit`)")
        }
        let championID = try championID(name, signedOnly: policy.promotions.signedOnly)
        let champion = try championID.flatMap { $0 == candidate.id ? nil : try model(try run($0, revision: base), suite: suite, suiteAt: base) }
        let headCommit = try project.repository.resolveCommit(head)
        let headTree = try project.repository.treeID(ofCommit: headCommit, excluding: "ml").hex
        let evidence = GateEvidence(
            candidate: try model(candidate, suite: suite, suiteAt: base), champion: champion,
            dataset: datasetChecks(candidate, suite: suite, policy: policy.dataset,
                                   lineage: lineageFailures(candidate, runCommit: runCommit, head: headCommit, headTree: headTree)),
            cost: cost(candidate),
            code: GateEvidence.Code(dirty: candidate.code.dirty || entry.allowedDirty, stale: candidate.code.tree != headTree),
            attestations: try attestations(of: candidate, policy: policy.reproducibility),
            // A run counts as a look at the evaluation set when it produced scores for it: runs
            // that failed, were stopped or never got that far saw no result.
            evaluationsSpent: runs.filter {
                $0.datasets["eval"]?.digest == candidate.datasets["eval"]?.digest && $0.artifacts["predictions/evaluation"] != nil
            }.count)
        return Decision(suite: name, verdict: try Gate.evaluate(policy: policy, suite: suite, evidence: evidence), candidate: candidate)
    }

    /// The candidate's committed attestations, checked, plus this gate's own reproduction when
    /// the policy asks for one: a built-in run re-trained under `reproduce_in_gate`; an `exec`
    /// run re-executed only by a CI gate given `execSigningKey` (a client or server gate never
    /// executes a pushed command), when the policy requires a reproduction.
    private func attestations(of candidate: RunRecord, policy: GatePolicy.Reproducibility) throws -> GateEvidence.Attestations {
        let check = AttestationCheck(project: project, base: base, head: head)
        let committed = try check.attestations(of: candidate)
        if candidate.kind == "exec" {
            guard let execSigningKey, let reproducer, policy.requireAttestation || policy.reproduceInGate else { return committed }
            return GateEvidence.Attestations(checked: committed.checked + [try reExecuted(candidate, runner: reproducer, key: execSigningKey,
                                                                                           tolerance: policy.tolerance, check: check)],
                                             externalCommand: true)
        }
        guard policy.reproduceInGate else { return committed }
        guard let reproducer else {
            throw RunnerError.invalidExperiment("the base's policy says reproduce_in_gate, but this gate was given no way to train: gate with git ml gate, the client hooks or the server hooks")
        }
        // The re-training reads the base's contracts and rates, as the rest of the gate does.
        let own = try Reproduction(runner: reproducer, policy: .revision(base), wallLimit: reproductionDeadline?.timeIntervalSinceNow)
            .reproduce(RecordedRun(candidate), tolerance: policy.tolerance) { _, _ in }
        return GateEvidence.Attestations(checked: committed.checked + [GateEvidence.Attestation(result: own.result, standing: .reproducedByGate,
                                                                                                 largestDelta: own.largestDelta)],
                                         externalCommand: committed.externalCommand)
    }

    /// `git ml reproduce RUN --sign` of an `exec` candidate, as the CI gate runs it: the recorded
    /// command outside the repository with label-free evaluation rows, the attestation signed
    /// with `key` and written to `ml/attestations/`, then counted as a committed one would be —
    /// only when its signature verifies against the base's trust root.
    private func reExecuted(_ candidate: RunRecord, runner: ExperimentRunner, key: String, tolerance: Double,
                            check: AttestationCheck) throws -> GateEvidence.Attestation {
        let reproduction = Reproduction(runner: runner, policy: .revision(base))
        let signed = try reproduction.sign(try reproduction.reproduce(RecordedRun(candidate), tolerance: tolerance) { _, _ in }, key: key)
        let path = try reproduction.write(signed)
        return try check.check(CanonicalJSON.pretty(signed.json), path: path.replacingOccurrences(of: project.root + "/", with: ""), candidate: candidate)
    }

    /// The stored files the gate reads for the head's suites: the candidates' and champions'
    /// predictions, the models and encoders of built-in runs (re-scored), the datasets they
    /// name and the suite's pinned evaluation data (a server fetches them before `evaluate`).
    /// `againstChampion` false: the base's committed candidate instead of the champion (`compare`).
    public func requiredFiles(againstChampion: Bool = true) throws -> [StoredFile] {
        guard let lock = try project.lock(at: head) else { return [] }
        var files: [StoredFile] = []
        for (name, entry) in lock.suites {
            var runs = [try run(entry.run, revision: head)]
            let other = againstChampion ? try championID(name, signedOnly: try basePolicySignedOnly()) : (try project.lock(at: base))?.suites[name]?.run
            if let championID = other {
                runs.append(try run(championID, revision: base))
            }
            var versions = resolvable([try baseSuite(name).evaluation.description])
            for run in runs {
                let read = run.artifacts.filter { $0.key.hasPrefix("predictions/") || (run.kind != "exec" && ($0.key == "encoder" || $0.key.hasPrefix("model/"))) }
                files += try read.values.map(Project.storedFile)
                versions += resolvable(run.datasets.values.map { "\($0.name)@\($0.digest)" })
            }
            for version in versions {
                files += try version.record.files.map(Project.storedFile)
                // The base's contract checks drift against a reference version.
                if let (contract, _) = try baseContract(version.record.name), let reference = try project.driftReference(for: version, contract: contract) {
                    files += try reference.record.files.map(Project.storedFile)
                }
            }
        }
        return files
    }

    /// Downloads what `requiredFiles` names and this clone lacks, from the blob remote of
    /// `ml/config.yaml` at the **base** — never the head's: a pushed branch must not point the
    /// gate (and its credentials) at a remote of its own. Returns how many objects came down
    /// (0 without contacting any remote when everything is here).
    @discardableResult
    public func fetchRequiredFiles(againstChampion: Bool = true, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> Int {
        let missing = try requiredFiles(againstChampion: againstChampion).filter { !project.store.contains($0.root) }
        guard !missing.isEmpty else { return 0 }
        var sync = RemoteSync(store: project.store, remote: try project.remoteSpec(nil, configAt: base).open())
        sync.progress = progress
        return try sync.pull(missing).objectsFetched
    }

    /// The versions of `specs` this repository has. One it cannot resolve is not fetched: the
    /// gate then fails the Dataset row naming it (see `datasetChecks`).
    private func resolvable(_ specs: [String]) -> [DatasetVersion] {
        specs.compactMap { spec in
            do { return try project.resolveDataset(spec) } catch { return nil }
        }
    }

    /// `git ml diff`: the candidates of `head` against those of `base` (or the champions when
    /// `againstChampion`), per suite of the head, compared on their stored predictions with the
    /// suite's statistics (no policy: that is the gate's business).
    public func compare(againstChampion: Bool) throws -> [(diff: SuiteDiff, a: RunRecord, b: RunRecord)] {
        guard let lock = try project.lock(at: head), !lock.suites.isEmpty else {
            throw RunnerError.invalidExperiment("\(head) has no candidate run in ml/lock.json")
        }
        var out: [(SuiteDiff, RunRecord, RunRecord)] = []
        for name in lock.suites.keys.sorted() {
            guard let suiteText = try text(at: head, path: "ml/suites/\(name).yaml") else { continue }
            let suite = try Suite.parse(yaml: suiteText, file: "ml/suites/\(name).yaml (at \(head))", name: name)
            let b = try run(lock.suites[name]!.run, revision: head)
            let aID = againstChampion ? try project.champion(suite: name, trustedAt: base, signedOnly: try basePolicySignedOnly())
                : (try project.lock(at: base))?.suites[name]?.run
            guard let aID else { continue }
            let a = try run(aID, revision: base)
            out.append((try SuiteDiff.compare(suite: suite, baseline: try model(a, suite: suite, suiteAt: head),
                                              candidate: try model(b, suite: suite, suiteAt: head)), a, b))
        }
        return out
    }

    /// The head's candidate value of each suite along its first-parent history (oldest first,
    /// at most `limit` points): the "primary metric over the branch's history" of reviews. A
    /// point is the lock's value where its entry repeats the run's record; others are left out.
    public func history(suite: String, limit: Int = 20) throws -> [HistoryPoint] {
        let out = try GitCommand.run(["log", "--first-parent", "--format=%H", "-n", "\(limit * 4)", head, "--", "ml/lock.json"], in: project.root)
        var points: [HistoryPoint] = []
        var last: String?
        for hex in out.split(separator: "\n").reversed() {
            guard let entry = try project.lock(at: String(hex))?.suites[suite], entry.run != last else { continue }
            last = entry.run
            // A value the lock claims but the run's record does not back is not drawn.
            guard let record = try? run(entry.run, revision: String(hex)), entry.disagreement(with: record, suite: suite) == nil else { continue }
            points.append(HistoryPoint(label: String(hex.prefix(7)), value: entry.value))
        }
        return Array(points.suffix(limit))
    }

    /// The files a gate reads from its base: its policy. A change to them on a protected branch
    /// needs its own review (hosted) or an allowed signer's signature (self-hosted server).
    public static let policyPaths = ["ml/gate.yaml", "ml/suites", "ml/contracts", "ml/config.yaml", "ml/allowed_signers"]

    /// Policy files that differ between base and head: policy changes a pull request makes,
    /// which need their own review (the gate keeps using the base's).
    public func policyChanges() throws -> [String] {
        let out = try GitCommand.run(["diff", "--name-only", base, head, "--"] + GateSession.policyPaths, in: project.root)
        return out.split(separator: "\n").map(String.init)
    }

    /// A run by id: its record under refs/ml/runs, else the copy committed in `revision`.
    func run(_ id: String, revision: String) throws -> RunRecord {
        try runWithCommit(id, revision: revision).record
    }

    /// A run by id with its run commit (`refs/ml/runs/<hex>`, whose parent is the code it trained
    /// on), else the copy committed in `revision` without one. Either record must have the id
    /// it is asked for, which is the digest of its content (`RunRecord` refuses any other).
    func runWithCommit(_ id: String, revision: String) throws -> (record: RunRecord, commit: ObjectID?) {
        let hex = id.replacingOccurrences(of: "sha256:", with: "")
        // The run's ref, else a fetched copy (`git ml fetch` keeps them under refs/ml/remotes/<remote>/runs/).
        var found = try project.repository.readRef(RecordedRun.ref(id: id)).map { (RecordedRun.ref(id: id), $0) }
        if found == nil {
            found = try project.fetchedRefs(kind: "runs").first { $0.name == hex }.map { ($0.ref, $0.target) }
        }
        if let (ref, commit) = found {
            guard let bytes = try project.repository.fileContents(inCommit: commit, path: RecordedRun.recordFile) else {
                throw RunnerError.missingFile(path: "\(RecordedRun.recordFile) in \(ref)", hint: "the run commit is damaged: fetch the run again")
            }
            let record = try RunRecord(text: String(decoding: bytes, as: UTF8.self))
            guard record.id == id else {
                throw RunnerError.invalidExperiment("\(ref) holds run \(shortID(record.id)), not \(shortID(id)): the run ref was forged or damaged")
            }
            return (record, commit)
        }
        guard let text = try text(at: revision, path: "ml/runs/\(hex).json") else { throw WorkspaceError.unknownRun(id) }
        let record = try RunRecord(text: text)
        guard record.id == id else {
            throw RunnerError.invalidExperiment("ml/runs/\(hex).json at \(revision) holds run \(shortID(record.id)), not \(shortID(id))")
        }
        return (record, nil)
    }

    /// The base's suite `name`.
    private func baseSuite(_ name: String) throws -> Suite {
        guard let suiteText = try text(at: base, path: "ml/suites/\(name).yaml") else {
            throw RunnerError.missingFile(path: "ml/suites/\(name).yaml at \(base)", hint: "a suite must be reviewed on the protected branch before it can gate")
        }
        return try Suite.parse(yaml: suiteText, file: "ml/suites/\(name).yaml (at \(base))", name: name)
    }

    /// A run's predictions as the gate reads them: per seed, joined by row with the dataset
    /// versions they score (labels, entity and slice columns from the data, by digest) and, for
    /// a built-in run, checked against its recorded models' scores (`EvidenceScoring`). `suite`
    /// is read at `revision` (the base for the gate): a multiclass run trained for other classes
    /// than it declares is refused (its probabilities are over other classes).
    func model(_ run: RunRecord, suite: Suite, suiteAt revision: String) throws -> GateEvidence.Model {
        guard let evalUse = run.datasets["eval"], let evalArtifact = run.artifacts["predictions/evaluation"] else {
            throw RunnerError.invalidExperiment("run \(shortID(run.id)) has no evaluation predictions")
        }
        if let classes = suite.label.classes, let trained = run.trainedClasses, trained != classes {
            throw RunnerError.invalidExperiment(
                "run \(shortID(run.id)) was trained for the classes [\(trained.joined(separator: ", "))], but the suite \(suite.name) at \(revision) declares [\(classes.joined(separator: ", "))]: a multiclass model is judged with the suite's declared classes, in their order — train it again with this suite")
        }
        let scoring = try EvidenceScoring(run: run, project: project)
        let evalTable = try table(evalUse)
        let evaluation = try predictions(evalArtifact, name: "evaluation predictions of run \(shortID(run.id))", table: evalTable,
                                         dataset: evalUse.digest, everyRow: true, suite: suite, scoring: scoring)
        // Validation rows only matter where the suite chooses an operating point on them.
        var validation: [ScoredRows] = []
        if suite.primary.operatingPoint != nil, let artifact = run.artifacts["predictions/validation"],
           let trainUse = run.trainingData {
            validation = try predictions(artifact, name: "validation predictions of run \(shortID(run.id))", table: try table(trainUse),
                                         dataset: trainUse.digest, everyRow: false, suite: suite, scoring: scoring)
        }
        let latency = run.metrics["guardrails"]?.arrayValue?
            .first { $0["guardrail"]?["metric"]?["name"]?.stringValue == "latency_p99_us" }?["estimate"]?["value"]?.doubleValue
        return GateEvidence.Model(runID: run.id, evaluation: evaluation, validation: validation, artifact: run.candidateArtifact,
                                  evaluationDigest: evalUse.digest, latencyP99Microseconds: latency)
    }

    /// The rows are joined to the data (`dataset`, a digest) on every call; the re-scoring is
    /// done once per (run, predictions, data, numeric profile) and remembered in this machine's
    /// cache: the run id is the digest of a record that names its models' and predictions'
    /// digests, so a verified pair stays verified.
    private func predictions(_ artifact: RunRecord.Artifact, name: String, table: Table, dataset: String, everyRow: Bool, suite: Suite,
                             scoring: EvidenceScoring) throws -> [ScoredRows] {
        let labels = try suite.labels(of: table)
        let stored = try PredictionsTable(bytes: try project.artifactBytes(artifact), name: name, classes: suite.label.classes)
            .joined(to: labels, everyRow: everyRow, name: name)
        let verified = "rescored-" + Digest.of(Array("v2 \(NumericProfile.id) \(scoring.run.id) \(artifact.digest) \(dataset) \(everyRow)".utf8)).hex
        if project.readCache(verified) as Bool? != true {
            try scoring.verify(stored, table: table, name: name, validationOfTraining: !everyRow)
            project.writeCache(verified, true)
        }
        return SuiteReporting.rows(suite: suite, table: table, predictions: stored)
    }

    /// The dataset version a run used, read as a table (once per digest), by name and full digest.
    private func table(_ use: RunRecord.DatasetUse) throws -> Table {
        if let cached = tables.byDigest[use.digest] { return cached }
        let version = try project.resolveDataset("\(use.name)@\(use.digest)")
        guard version.record.digest == use.digest else {
            throw RunnerError.invalidExperiment("\(use.name)@\(use.digest) resolves to \(version.record.digest): the record names no stored version")
        }
        let table = try project.table(of: version, schema: try baseContract(use.name)?.0.readSchema ?? [:])
        tables.byDigest[use.digest] = table
        return table
    }

    /// The contract of `name` at the base, with the digest of its text.
    func baseContract(_ name: String) throws -> (Contract, String)? {
        try PolicySource.revision(base).contract(name, project: project)
    }

    func text(at revision: String, path: String) throws -> String? {
        try project.repository.fileContents(at: revision, path: path).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension Verdict {
    /// The promotion-chain entry recording this verdict's decision about `branch` at `commit`.
    public func promotion(branch: String, commit: String, actor: String) -> Promotion {
        Promotion(suite: suite, decision: Promotion.Decision(rawValue: decision.rawValue)!, candidate: candidate, champion: champion,
                  verdictDigest: digest, reason: nil, branch: branch, commit: commit, actor: actor, at: timestamp(Date()))
    }
}
