import BlobStore
import Foundation
import Gate
import GitRepo
import Records
import Workspace

/// The gate in a self-hosted git server's hooks (`git ml hooks install --server`).
///
/// `pre-receive` (before any ref moves, reading the pushed objects through git's quarantine),
/// trusting only what `ServerTrust` reads from the server itself:
/// - `refs/ml/datasets/*` and `refs/ml/runs/*` are create-only and must hold a valid record
///   named by its content; `refs/ml/sweeps/<name>` only moves forward and every run its record
///   names must exist; `refs/ml/promotions/*` are written by this server alone; nothing else
///   lives under `refs/ml/`.
/// - A protected branch is never deleted or force-pushed; its policy files change only in a
///   commit an allowed signer signed.
/// - A creation or update of a protected branch that changes a suite's candidate is gated, with
///   the old tip (for a creation, the default branch's tip) as base: the server downloads the
///   runs' predictions and the datasets from the blob remote named in the base's
///   `ml/config.yaml` (credentials from the server's environment), then rejects on `reject`;
///   `shadow` is accepted (the champion stays) and said so. A push that changes no candidate
///   costs no gate time.
///
/// `post-receive` appends the decisions of accepted protected updates to the promotion chains
/// (git does not allow ref updates inside `pre-receive`).
public struct ServerGate {
    public let project: Project
    /// Re-trains built-in candidates when the base's policy says `reproduce_in_gate`: the
    /// worker reads the datasets, downloaded by digest from the base's blob remote, from this
    /// repository's store (no work tree), and the reproduced artifacts land in that store.
    public let reproducer: ExperimentRunner?
    /// When the gate's time budget ends (`deadline(timeout:)`); re-training stops then.
    public let deadline: Date?

    public init(project: Project, reproducer: ExperimentRunner? = nil, deadline: Date? = nil) {
        self.project = project
        self.reproducer = reproducer
        self.deadline = deadline
    }

    /// The hook's time budget: `GITML_GATE_TIMEOUT` seconds (default 300), after which the
    /// pre-receive script stops the gate and refuses the push.
    public static func timeout(environment: [String: String]) -> Double {
        environment["GITML_GATE_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 300
    }

    /// When a re-training must have finished for the gate to answer within `timeout` seconds
    /// of `start`: a tenth of the budget (at least 2 s) is kept for judging and answering, so a
    /// re-training that runs long is refused with its own reason rather than by the hook's timer.
    public static func deadline(timeout: Double, start: Date = Date()) -> Date {
        start.addingTimeInterval(timeout - max(2, timeout / 10))
    }

    /// One line of a receive hook's standard input.
    public struct Update: Sendable, Equatable {
        public var old: String
        public var new: String
        public var ref: String
        public static let zero = String(repeating: "0", count: 40)
        public var isCreation: Bool { old == Update.zero }
        public var isDeletion: Bool { new == Update.zero }
    }

    /// Parses `<old> <new> <ref>` lines.
    public static func updates(_ text: String) -> [Update] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ").map(String.init)
            return parts.count == 3 ? Update(old: parts[0], new: parts[1], ref: parts[2]) : nil
        }
    }

    /// What the hook says and whether the push may proceed.
    public struct Outcome {
        public var accepted = true
        public var messages: [String] = []
    }

    public func preReceive(_ updates: [Update]) throws -> Outcome {
        var outcome = Outcome()
        let trust = try ServerTrust(project: project)
        var pending: [String: ObjectID?] = [:]
        for u in updates { pending[u.ref] = u.isDeletion ? .some(nil) : ObjectID(hex: u.new) }
        project.repository.pendingRefUpdates = pending
        for u in updates {
            if let refusal = try refusal(u, trust: trust) {
                outcome.accepted = false
                outcome.messages.append("\(u.ref): \(refusal)")
            }
        }
        guard outcome.accepted else { return outcome }
        let gated = try gatedUpdates(updates, trust: trust)
        for (update, policy, verdicts) in gated {
            for verdict in verdicts {
                outcome.messages.append(Review.text(verdict))
                let run = shortID(verdict.candidate)
                if policy.blocksMerge(verdict.decision) {
                    outcome.accepted = false
                    outcome.messages.append("\(update.ref): suite \(verdict.suite) — the gate rejects run \(run) (\(verdict.decision.rawValue), as ml/gate.yaml's deployment rules say): see the rows above")
                } else if verdict.decision == .shadow {
                    outcome.messages.append("\(update.ref): suite \(verdict.suite) — shadow: accepted; the champion stays (better but not proven)")
                }
            }
        }
        if outcome.accepted { try gated.forEach { try save($0.verdicts, for: $0.update) } }
        return outcome
    }

    /// Appends the decisions of protected updates (after git applied them): the verdicts
    /// pre-receive reached for exactly these updates, else (no pre-receive ran) a new gate; then
    /// the signed manual decisions pushed as requests. Each append stands alone: one that fails is
    /// reported and the others still land (the refs have already moved).
    public func postReceive(_ updates: [Update]) -> [String] {
        var out: [String] = []
        func attempt(_ what: String, _ body: () throws -> [String]) {
            do {
                let lines = try body()
                out += lines
            } catch {
                out.append("could not record \(what): \(error)")
            }
        }
        let judged = updates.filter { FileManager.default.fileExists(atPath: verdictsPath(for: $0)) }
        var decided: [(Update, [Verdict])] = []
        for update in judged { attempt("the gate's decision for \(update.ref)") { decided.append((update, try loadVerdicts(for: update))); return [] } }
        let unjudged = updates.filter { !judged.contains($0) }
        attempt("the gate's decisions of updates no pre-receive judged") {
            decided += try gatedUpdates(unjudged, trust: try ServerTrust(project: project)).map { ($0.update, $0.verdicts) }
            return []
        }
        var signingKey: String?
        attempt("the server's signing key") { signingKey = try project.repository.configString(ServerTrust.signingKeyKey); return [] }
        for (update, verdicts) in decided {
            let branch = String(update.ref.dropFirst("refs/heads/".count))
            for verdict in verdicts {
                attempt("the \(verdict.decision.rawValue) of run \(shortID(verdict.candidate)) on \(branch)") {
                    let entry = verdict.promotion(branch: branch, commit: update.new, actor: "git server (post-receive)")
                    if let signingKey {
                        try project.appendSignedPromotion(entry, verdict: verdict.json, key: signingKey)
                    } else {
                        try project.appendPromotion(entry, verdict: verdict.json)
                    }
                    return ["recorded \(verdict.decision.rawValue) of run \(shortID(verdict.candidate)) for suite \(verdict.suite) on \(branch)"]
                }
            }
            unlink(verdictsPath(for: update))
        }
        for u in updates where u.ref.hasPrefix(ServerGate.requestPrefix) && u.isCreation {
            attempt("the request \(u.ref)") { try appendRequest(u) }
        }
        return out
    }

    /// Appends a signed manual decision that pre-receive accepted (once: a request whose exact
    /// decision is already in the chain adds nothing), then removes the request ref.
    private func appendRequest(_ u: Update) throws -> [String] {
        guard let commit = ObjectID(hex: u.new) else { return [] }
        let entry = try project.promotionEntry(commit)
        let suite = entry.promotion.suite
        var lines: [String] = []
        if try !project.promotionEntries(suite: suite).contains(where: { $0.bytes == entry.bytes }) {
            try project.appendPromotion(entry.promotion, verdict: nil, signature: entry.signature)
            lines.append("recorded the signed manual \(entry.promotion.decision.rawValue) of run \(shortID(entry.promotion.candidate)) for suite \(suite)")
        }
        _ = try GitCommand.run(["update-ref", "-d", u.ref, u.new], in: project.root)
        return lines
    }

    /// Where pre-receive leaves the verdicts of an update for post-receive (which runs only if
    /// git applied it), so the gate runs once per push.
    private func verdictsPath(for update: Update) -> String {
        project.layout.tmp + "/gate-\(Digest.of(Array(update.ref.utf8)).hex.prefix(16))-\(update.old)-\(update.new).json"
    }

    private func save(_ verdicts: [Verdict], for update: Update) throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        try encoder.encode(verdicts).write(to: URL(fileURLWithPath: verdictsPath(for: update)), options: .atomic)
    }

    private func loadVerdicts(for update: Update) throws -> [Verdict] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode([Verdict].self, from: Data(contentsOf: URL(fileURLWithPath: verdictsPath(for: update))))
    }

    /// Why an update is refused, or nil: `refs/ml/*` are create-only records and server-written
    /// chains; a protected branch is never deleted or rewritten, and its policy changes only
    /// in a commit an allowed signer signed.
    private func refusal(_ u: Update, trust: ServerTrust) throws -> String? {
        if u.ref.hasPrefix("refs/ml/") { return try recordRefusal(u, trust: trust) }
        if u.ref.hasPrefix("refs/remotes/") {
            return "a server keeps no remote-tracking refs (GitML would read records and chains there)"
        }
        guard u.ref.hasPrefix("refs/heads/") else { return nil }
        let branch = String(u.ref.dropFirst("refs/heads/".count))
        guard try trust.protects(branch: branch, oldTip: u.isCreation ? nil : u.old) else { return nil }
        if u.isDeletion { return "\(branch) is protected: it is never deleted on this server" }
        if !u.isCreation, !isAncestor(u.old, of: u.new) {
            return "\(branch) is protected: its history is never rewritten (a force push is refused); merge or revert instead"
        }
        let base: String
        switch try trust.base(of: u, branch: branch) {
        case .refused(let reason): return reason
        case .firstPush: return nil
        case .revision(let revision): base = revision
        }
        let session = GateSession(project: project, base: base, head: u.new)
        let changed = try session.policyChanges() + session.droppedSuites().map { "ml/lock.json: suite \($0) dropped" }
        if !changed.isEmpty, let why = try trust.unauthorizedPolicyChange(u.new, base: base) {
            return "changes the gate's policy on protected \(branch) (\(changed.joined(separator: ", "))): \(why)"
        }
        return nil
    }

    /// Why an update of `refs/ml/*` is refused, or nil. Datasets and runs are create-only and
    /// must be well-formed records named by their content; promotion chains are written by this
    /// server's post-receive alone.
    private func recordRefusal(_ u: Update, trust: ServerTrust) throws -> String? {
        if u.isDeletion { return "refs/ml/* are never deleted on the server (history and evidence must stay reachable)" }
        if u.ref.hasPrefix("refs/ml/promotions/") {
            return "only this server appends to promotion chains (its post-receive hook, after the gate); a push cannot write them"
        }
        if u.ref.hasPrefix("refs/ml/sweeps/") { return sweepRefusal(u) }
        if !u.isCreation { return "immutable: \(u.ref) already exists with other content (a version label or run is never rewritten)" }
        guard let commit = ObjectID(hex: u.new) else { return "not a commit id: \(u.new)" }
        if u.ref.hasPrefix(ServerGate.requestPrefix) { return try requestRefusal(u, commit: commit, trust: trust) }
        if u.ref.hasPrefix("refs/ml/runs/") {
            let record: RunRecord
            do { record = try project.runRecord(commit: commit) } catch { return "not a valid run record: \(error)" }
            return u.ref == RecordedRun.ref(id: record.id) ? nil : "a run's ref must be named by its id (\(RecordedRun.ref(id: record.id)))"
        }
        if u.ref.hasPrefix("refs/ml/datasets/") {
            let record: DatasetRecord
            do { record = try project.datasetRecord(commit: commit) } catch { return "not a valid dataset record: \(error)" }
            let expected = "refs/ml/datasets/\(record.name)/v\(record.version)"
            return u.ref == expected ? nil : "the record inside is \(record.label), which belongs at \(expected)"
        }
        return "GitML keeps no refs here: refs/ml/ holds datasets/, runs/, sweeps/, promotions/ and requests/ only"
    }

    /// Why an update of `refs/ml/sweeps/<name>` is refused, or nil. A sweep's ref only moves
    /// forward (each record's commit has the previous one as parent); the record must be valid,
    /// named as its ref, and every run it names must be here or in this push — a trial run of
    /// this sweep with the job's key, whose status, metric and cost the job repeats exactly, and
    /// the evaluated run the sweep's built-in run — so a forged sweep cannot claim runs that do
    /// not exist or belong to something else, nor results its runs did not record.
    private func sweepRefusal(_ u: Update) -> String? {
        guard let commit = ObjectID(hex: u.new) else { return "not a commit id: \(u.new)" }
        if !u.isCreation, !isAncestor(u.old, of: u.new) {
            return "a sweep's record only moves forward (its history is never rewritten)"
        }
        let record: SweepRecord
        do { record = try project.sweepRecord(commit: commit) } catch { return "not a valid sweep record: \(error)" }
        guard u.ref == RecordedSweep.ref(name: record.name) else {
            return "the record inside is sweep \(record.name), which belongs at \(RecordedSweep.ref(name: record.name))"
        }
        func run(_ id: String) -> RunRecord? {
            guard let commit = try? project.repository.readRef(RecordedRun.ref(id: id)) else { return nil }
            return try? project.runRecord(commit: commit)
        }
        for (index, job) in record.jobs.enumerated() {
            var trial: RunRecord?
            if let id = job.run {
                trial = run(id)
                if trial == nil { return "job \(index) names run \(shortID(id)), which is neither on this server nor in this push" }
            }
            switch SweepRunner.disagreement(of: job, sweep: record.name, trial: trial) {
            case nil: continue
            case .notItsTrial:
                return "job \(index) names run \(shortID(job.run ?? "")), which is not this sweep's trial with the job's key"
            case .otherFigures:
                guard let id = job.run else {
                    return "job \(index) recorded no trial run, yet claims a validation metric or cost"
                }
                return "job \(index) does not say what its trial run \(shortID(id)) recorded "
                    + "(status, validation metric, its standard error or cost)"
            }
        }
        if let id = record.evaluatedRun {
            guard let evaluated = run(id) else { return "its evaluated run \(shortID(id)) is neither on this server nor in this push" }
            guard evaluated.kind == "builtin", evaluated.config["sweep"]?["name"]?.stringValue == record.name else {
                return "its evaluated run \(shortID(id)) is not a run of this sweep's chosen configuration"
            }
        }
        return nil
    }

    /// Where clients ask for a signed manual decision to be appended (`git ml push` after `git ml promote`).
    static let requestPrefix = "refs/ml/requests/"

    /// Why a promotion request is refused, or nil: it must hold one manual decision for the suite
    /// its ref names, signed by an allowed signer of the server's trust root.
    private func requestRefusal(_ u: Update, commit: ObjectID, trust: ServerTrust) throws -> String? {
        let entry: Project.PromotionEntry
        do { entry = try project.promotionEntry(commit) } catch { return "not a promotion entry: \(error)" }
        guard u.ref == Project.promotionRequestRef(suite: entry.promotion.suite, entry: commit) else {
            return "a request for suite \(entry.promotion.suite) belongs at \(Project.promotionRequestRef(suite: entry.promotion.suite, entry: commit))"
        }
        guard entry.promotion.verdictDigest == nil, let signature = entry.signature else {
            return "only a signed manual decision (git ml promote) can be requested; the gate's own decisions are this server's to record"
        }
        guard let branchTip = try trust.protectedTip(entry.promotion.branch) else {
            return "the decision is about \(entry.promotion.branch), which is not a protected branch here"
        }
        let tip = try project.repository.readRef(Project.promotionRef(suite: entry.promotion.suite))?.hex
        guard entry.promotion.previous == tip else {
            return "the decision was signed after entry \(entry.promotion.previous?.prefix(12) ?? "none"), but the chain's tip is \(tip?.prefix(12) ?? "empty"): git ml fetch, then promote again"
        }
        let verdict = try TrustRoot(project: project, base: branchTip)
            .signer(of: entry.bytes, signature: signature, namespace: Project.promotionSignatureNamespace)
        if case .failure(let refusal) = verdict { return "the manual decision's signature does not count: \(refusal)" }
        return nil
    }

    private func isAncestor(_ a: String, of b: String) -> Bool {
        (try? GitCommand.run(["merge-base", "--is-ancestor", a, b], in: project.root)) != nil
    }

    /// Protected-branch updates and creations that change a suite's candidate, with the base's
    /// policy and the verdicts. A protected base without a policy fails closed (the push is refused).
    private func gatedUpdates(_ updates: [Update], trust: ServerTrust) throws -> [(update: Update, policy: GatePolicy, verdicts: [Verdict])] {
        var out: [(Update, GatePolicy, [Verdict])] = []
        for u in updates where u.ref.hasPrefix("refs/heads/") && !u.isDeletion {
            let branch = String(u.ref.dropFirst("refs/heads/".count))
            guard try trust.protects(branch: branch, oldTip: u.isCreation ? nil : u.old),
                  case .revision(let base) = try trust.base(of: u, branch: branch) else { continue }
            let session = GateSession(project: project, base: base, head: u.new, reproducer: reproducer, reproductionDeadline: deadline)
            guard try session.changesCandidates() else { continue }
            let policy = try session.policy()
            try session.fetchRequiredFiles()
            out.append((u, policy, try session.evaluate(policy: policy).map(\.verdict)))
        }
        return out
    }

}
