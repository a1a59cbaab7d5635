import Foundation
import Gate
import GitRepo
import Records
import Sweeps
import Workspace

/// The sweep behind a candidate, for `git ml review`: when the candidate is the run that
/// evaluated a sweep's chosen configuration (`config.sweep` with `chosen`), the sweep's record
/// that names it as its evaluated run, checked against the trial runs it names. Every figure
/// shown comes from those runs, derived as the server derives them (`SweepRunner.jobRecord`),
/// never from the record: a record whose jobs say other than their runs, or whose runs are
/// missing or belong to something else, is not shown, and the review says why. The budget is
/// read from the sweep file at the sweep's commit, when it is the file the record's digest names.
public struct SweepReview {
    public let project: Project

    public init(project: Project) {
        self.project = project
    }

    /// The section for `candidate`, or nil when it did not come from a sweep.
    public func section(for candidate: RunRecord) throws -> SweepSection? {
        guard candidate.kind == "builtin", let link = candidate.config["sweep"], link["chosen"]?.boolValue == true,
              let name = link["name"]?.stringValue, let key = link["key"]?.stringValue else { return nil }
        switch try summary(name: name, key: key, trialRun: link["trial_run"]?.stringValue, candidate: candidate) {
        case .success(let summary): return .shown(summary)
        case .failure(let problem): return .notShown(sweep: name, reason: problem.reason)
        }
    }

    /// Why the sweep's figures cannot be shown.
    struct Problem: Error {
        let reason: String
    }

    private func summary(name: String, key: String, trialRun: String?, candidate: RunRecord) throws -> Result<SweepSummary, Problem> {
        guard let recorded = try project.recordedSweep(name) else {
            return .failure(Problem(reason: "its record is not in this clone (`git ml fetch` brings it)"))
        }
        guard let record = try evaluating(candidate.id, from: recorded.commit) else {
            return .failure(Problem(reason: "no record of it names run \(shortID(candidate.id)) as the run that evaluated its choice"))
        }
        var jobs: [SweepSummary.Job] = []
        var folds: Int?
        for (index, job) in record.jobs.enumerated() {
            let trial: RunRecord?
            switch trialRecord(of: job, index: index) {
            case .success(let run): trial = run
            case .failure(let problem): return .failure(problem)
            }
            switch SweepRunner.disagreement(of: job, sweep: name, trial: trial) {
            case nil: break
            case .notItsTrial:
                return .failure(Problem(reason: "its job \(index) names run \(shortID(job.run ?? "")), which is not this sweep's trial for that job"))
            case .otherFigures:
                return .failure(Problem(reason: "its record's job \(index) says other figures than its trial run recorded"))
            }
            folds = folds ?? trial?.metrics["headline"]?["cross_validation_folds"]?.intValue
            // The job's figures are its run's (checked just above).
            jobs.append(SweepSummary.Job(trial: job.trial, rung: job.rung, status: job.status, metric: job.metric,
                                         standardError: job.metricStandardError, usd: job.usd, cpuSeconds: job.cpuSeconds))
        }
        guard let chosen = record.jobs.lastIndex(where: { $0.key == key && $0.run != nil && $0.run == trialRun }) else {
            return .failure(Problem(reason: "its record has no job that trained the candidate's configuration"))
        }
        let headline = candidate.metrics["headline"]
        return .success(SweepSummary(
            name: name, status: record.status.rawValue, stopReason: record.stopReason,
            metric: headline?["metric"]?.stringValue ?? record.plan["metric"]?["name"]?.stringValue ?? "metric",
            higherIsBetter: (headline?["direction"]?.stringValue ?? "maximize") != "minimize", budget: try budget(of: record),
            crossValidationFolds: folds, jobs: jobs, chosenJob: chosen))
    }

    /// The record in the sweep's chain (newest first, from `tip`) whose evaluated run is `run`.
    private func evaluating(_ run: String, from tip: ObjectID) throws -> SweepRecord? {
        var commit: ObjectID? = tip
        var seen = Set<String>()
        while let current = commit, seen.insert(current.hex).inserted {
            let record = try project.sweepRecord(commit: current)
            if record.evaluatedRun == run { return record }
            commit = try project.repository.parents(of: current).first
        }
        return nil
    }

    /// A job's trial run: nil when the job recorded none; a problem when the run is missing or
    /// is not the id it is named by.
    private func trialRecord(of job: SweepRecord.Job, index: Int) -> Result<RunRecord?, Problem> {
        guard let id = job.run else { return .success(nil) }
        guard let run = try? project.recordedRun(id).record, run.id == id else {
            return .failure(Problem(reason: "its job \(index)'s trial run \(shortID(id)) is not in this clone (`git ml fetch` brings it)"))
        }
        return .success(run)
    }

    /// The envelope of the sweep file at the sweep's commit, when its digest is the one the
    /// record's plan names; nil otherwise.
    private func budget(of record: SweepRecord) throws -> String? {
        guard let commit = ObjectID(hex: record.commit),
              let bytes = try? project.repository.fileContents(inCommit: commit, path: "ml/sweeps/\(record.name).yaml") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard CanonicalJSON.digest(.string(text)) == record.plan["sweep_file_digest"]?.stringValue,
              let spec = try? SweepSpec.parse(yaml: text, file: "ml/sweeps/\(record.name).yaml", name: record.name) else { return nil }
        let e = spec.budget
        func limit(_ key: String, _ value: Double?) -> String? { value.map { "\(key) \(String(format: "%g", $0))" } }
        let limits = [limit("max_usd", e.maxUSD), limit("max_cpu_hours", e.maxCPUHours), e.maxTrials.map { "max_trials \($0)" },
                      limit("max_wall_seconds", e.maxWallSeconds)]
        return limits.compactMap { $0 }.joined(separator: ", ")
    }
}
