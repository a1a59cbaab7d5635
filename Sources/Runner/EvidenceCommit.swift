import BlobStore
import Foundation
import Records
import Workspace

/// What `git mlcommit` adds for runs: `ml/runs/<id>.json` per run and, in `ml/lock.json`, each
/// run's suite → the run as the branch's candidate. Refuses runs that did not finish, and runs
/// whose code was dirty or is not HEAD's code (the tree without `ml/`) unless `allowDirty`.
public struct EvidenceCommit {
    public let project: Project

    public init(project: Project) { self.project = project }

    /// A run to commit and the candidate entry it becomes.
    public struct Entry {
        public let run: RecordedRun
        public let candidate: Lock.SuiteCandidate
        /// The suite's candidate before (nil when the suite had none).
        public let previous: Lock.SuiteCandidate?
    }

    /// How to choose a suite's candidate among several eligible runs when none is named.
    public enum Choice: Sendable {
        /// Only when the choice is not ambiguous: one eligible run per suite; otherwise
        /// `RunnerError.ambiguousCandidate` lists them (for scripts: nothing is taken silently).
        case unambiguous
        /// The newest eligible run.
        case newest
        /// The eligible run with the best primary metric (in the suite's direction; newest on ties).
        case best
    }

    /// The runs named by `prefixes`, or — with none — for each suite one of the successful runs
    /// made on HEAD's code with a clean tree after the suite's candidate, chosen by `choice`.
    public func plan(prefixes: [String], allowDirty: Bool, choice: Choice = .newest) throws -> [Entry] {
        let lock = try project.readLock()
        // An unborn HEAD (the first commit) has no code a run could have trained on.
        let headTree = try? CodeState.headCodeTree(project.repository)
        var runs: [RecordedRun] = []
        if prefixes.isEmpty {
            let all = try project.recordedRuns().runs
            let created = Dictionary(all.map { ($0.id, $0.record.createdAt) }, uniquingKeysWith: { a, _ in a })
            var eligible: [String: [RecordedRun]] = [:]  // by suite, newest first
            // Only runs made after the suite's candidate: an older run never silently replaces it.
            // A sweep's trials were scored on validation rows only: never candidates.
            for run in all where run.record.status == .ok && run.record.kind != "trial" && !run.record.code.dirty && run.record.code.tree == headTree
                && lock.suites[run.record.suite].map({ run.id != $0.run && run.record.createdAt > (created[$0.run] ?? "") }) ?? true {
                eligible[run.record.suite, default: []].append(run)
            }
            for (suite, candidates) in eligible.sorted(by: { $0.key < $1.key }) {
                switch choice {
                case .newest: runs.append(candidates[0])
                case .best: runs.append(Self.best(candidates))
                case .unambiguous:
                    guard candidates.count == 1 else {
                        throw RunnerError.ambiguousCandidate(suite: suite, runs: candidates.map(Self.summary))
                    }
                    runs.append(candidates[0])
                }
            }
        } else {
            runs = try prefixes.map(project.recordedRun)
        }
        var entries: [Entry] = []
        for run in runs {
            let r = run.record
            let short = shortID(run.id)
            guard r.status == .ok else { throw RunnerError.notCommittable(run: String(short), reason: "it ended \(r.status.rawValue)") }
            guard r.kind != "trial" else {
                throw RunnerError.notCommittable(run: String(short), reason: "it is a trial of sweep \(r.config["sweep"]?["name"]?.stringValue ?? "?"), "
                    + "scored on validation rows only: commit the run the sweep evaluated (`git ml sweep show` names it)")
            }
            let dirty = r.code.dirty || r.code.tree != headTree
            if dirty && !allowDirty {
                let why = r.code.dirty ? "its code had uncommitted changes" : "it trained on other code than HEAD's (commit \(r.code.commit.prefix(12)))"
                throw RunnerError.notCommittable(run: String(short), reason: "\(why): commit the code and run again, or pass --allow-dirty (recorded in the lock)")
            }
            guard let primary = PrimaryMetric(r) else { throw RunnerError.notCommittable(run: String(short), reason: "it has no primary metric") }
            entries.append(Entry(run: run, candidate: Lock.SuiteCandidate(run: run.id, experiment: r.experiment, metric: primary.name,
                                                                           value: primary.value, allowedDirty: dirty),
                                 previous: lock.suites[r.suite]))
        }
        return entries
    }

    /// The run with the best primary metric among `runs` (newest first; the first wins ties; runs
    /// without one come last).
    static func best(_ runs: [RecordedRun]) -> RecordedRun {
        var chosen = runs[0]
        var chosenMetric = PrimaryMetric(chosen.record)
        for run in runs.dropFirst() {
            guard let metric = PrimaryMetric(run.record) else { continue }
            if chosenMetric.map({ metric.improvement(over: $0) > 0 }) ?? true {
                chosen = run
                chosenMetric = metric
            }
        }
        return chosen
    }

    /// "3f2a9c1b0d4e churn-gbdt roc_auc 0.8451 (2026-12-04T18:00:00Z)".
    static func summary(_ run: RecordedRun) -> String {
        let metric = PrimaryMetric(run.record).map { "\($0.name) \(String(format: "%.6g", $0.value))" } ?? "no primary metric"
        return "\(shortID(run.id)) \(run.record.experiment) \(metric) (\(run.record.createdAt))"
    }

    /// Writes the run files and the lock entries of `entries`.
    public func apply(_ entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        let directory = project.mlDirectory + "/runs"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for entry in entries {
            let path = directory + "/" + entry.run.id.dropFirst(7) + ".json"
            try Data(CanonicalJSON.pretty(entry.run.record.json).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        FaultPoint.reach("mlcommit.records-before-lock")
        try project.updateLock { lock in
            for entry in entries { lock.suites[entry.run.record.suite] = entry.candidate }
        }
    }

    /// "attestation of run 3f2a9c1b0d4e: bit_identical" for each attestation file in the working
    /// tree that HEAD does not have with the same content.
    public func newAttestations() throws -> [String] {
        let directory = project.mlDirectory + "/attestations"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var out: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            if let committed = try? project.repository.fileContents(at: "HEAD", path: "ml/attestations/" + name), committed == Array(data) { continue }
            let attestation = try Attestation(text: String(decoding: data, as: UTF8.self))
            out.append("attestation of run \(shortID(attestation.run)): \(attestation.result.rawValue)\(attestation.inCI ? " (CI)" : "")")
        }
        return out
    }

    /// "churn: roc_auc 0.8123 → 0.8451 (+0.0328), run 3f2a9c1b0d4e (churn-gbdt)".
    public static func describe(_ entry: Entry) -> String {
        let c = entry.candidate
        let short = shortID(entry.run.id)
        let value = String(format: "%.6g", c.value)
        guard let previous = entry.previous, previous.metric == c.metric else {
            return "\(entry.run.record.suite): \(c.metric) \(value) (first candidate), run \(short) (\(c.experiment))"
        }
        let delta = c.value - previous.value
        return "\(entry.run.record.suite): \(c.metric) \(String(format: "%.6g", previous.value)) → \(value) (\(delta >= 0 ? "+" : "")\(String(format: "%.4g", delta))), run \(short) (\(c.experiment))"
    }
}
