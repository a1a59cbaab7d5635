import Foundation
import Gate
import Records
import Sweeps
import Workspace

/// One invocation of a sweep (`SweepRunner.run`): the decisions' state, the record being
/// written, and the jobs on the executor. `startJobs` fills free slots as the budget admits,
/// `collect` takes a finished job's result, `drain` takes those of cancelled jobs, and `finish`
/// chooses, evaluates the choice and writes the last record.
final class SweepSession {
    let sweeps: SweepRunner
    let name: String
    let spec: SweepSpec
    let sweepText: String
    let experimentText: String
    let experiment: Experiment
    let code: RunRecord.Code
    let parallel: Int
    let threads: Int
    /// Finished trial runs by job key (a resumed sweep's reuse).
    let reusable: [String: RunRecord]
    let executor: TrialExecutor
    let progress: SweepRunner.Progress
    let started = Date()
    let priorWall: Double

    var state: SweepState
    var record: SweepRecord
    /// Jobs on the executor, by job id.
    var submitted: [Int: Submitted] = [:]
    var stopReason: String?
    var failures = 0
    var nextID = 0

    /// A job on the executor, as the record will list it.
    struct Submitted {
        var trial: Int
        var rung: Int
        var resource: Int?
        var values: [String: JSONValue]
        var key: String
    }

    init(sweeps: SweepRunner, name: String, spec: SweepSpec, sweepText: String, experimentText: String, experiment: Experiment,
         suite: Suite, code: RunRecord.Code, previous: SweepRecord?, parallel: Int, threads: Int, reusable: [String: RunRecord],
         executor: TrialExecutor, progress: @escaping SweepRunner.Progress) {
        self.sweeps = sweeps
        self.name = name
        self.spec = spec
        self.sweepText = sweepText
        self.experimentText = experimentText
        self.experiment = experiment
        self.code = code
        self.parallel = parallel
        self.threads = threads
        self.reusable = reusable
        self.executor = executor
        self.progress = progress
        state = SweepState(spec: spec, higherIsBetter: suite.primary.direction == .maximize)
        priorWall = previous?.wallSeconds ?? 0
        record = SweepRecord(
            name: name, experiment: spec.experiment, suite: experiment.suite,
            plan: sweeps.plan(spec, sweepText: sweepText, experimentText: experimentText, suite: suite, parallel: parallel,
                              executor: executor.kind),
            commit: code.commit, jobs: [], status: .running, stopReason: nil, wallSeconds: priorWall, chosenJob: nil,
            rule: state.rule(metric: suite.primary.metric.description), evaluatedRun: nil,
            createdBy: sweeps.project.actor(), createdAt: previous?.createdAt ?? timestamp(started), updatedAt: timestamp(started))
    }

    /// Seconds the sweep has run, over every invocation.
    func elapsed() -> Double { priorWall + Date().timeIntervalSince(started) }

    /// Starts (or reuses) jobs while a slot is free, a job is decided and the budget admits it.
    func startJobs() throws {
        while executor.runningCount < parallel, stopReason == nil, let next = state.peek() {
            guard try start(next) else { return }
        }
    }

    /// Starts or reuses `next`; false when the budget says wait or stop.
    private func start(_ next: (trial: Int, rung: Int, newTrial: Bool)) throws -> Bool {
        let resource = spec.halving != nil ? state.halving.rungResources[next.rung] : nil
        let values = spec.jobValues(trial: next.trial, resource: resource)
        let key = SweepSpec.jobKey(sweepFile: sweepText, experimentFile: experimentText, codeTree: code.tree, values: values,
                                   crossValidation: spec.crossValidation)
        let id = nextID
        if let run = reusable[key] {
            state.take()
            nextID += 1
            state.budget.started(job: id, expected: nil, newTrial: next.newTrial)
            var job = SweepRunner.jobRecord(trial: next.trial, rung: next.rung, resource: resource, values: values, key: key, run: run)
            job.reused = true
            state.budget.finished(job: id, spent: .init(usd: job.usd, cpuSeconds: job.cpuSeconds, resource: resource ?? 1))
            try report(job)
            return true
        }
        switch state.budget.admit(resource: resource ?? 1, newTrial: next.newTrial, elapsed: elapsed()) {
        case .stop(let reason):
            stopReason = reason
            return false
        case .wait:
            return false
        case .start(let expected, let maxUSD, let maxCPU):
            state.take()
            nextID += 1
            let limits = sweeps.trialLimits(experiment.budget, maxUSD: maxUSD, maxCPUSeconds: maxCPU,
                                            wallLeft: spec.budget.maxWallSeconds.map { $0 - elapsed() })
            let text = try spec.trialExperiment(values.merging(limits) { $1 }, experimentText: experimentText)
            let link: JSONValue = ["name": .string(name), "trial": .number(Double(next.trial)), "rung": .number(Double(next.rung)),
                                   "resource": resource.map { .number(Double($0)) } ?? .null, "key": .string(key)]
            try executor.submit(TrialJob(id: id, experiment: spec.experiment,
                                         request: .init(experimentText: text, link: link, validationOnly: true, threads: threads)))
            state.budget.started(job: id, expected: expected, newTrial: next.newTrial)
            submitted[id] = Submitted(trial: next.trial, rung: next.rung, resource: resource, values: values, key: key)
            progress("started trial \(next.trial)" + (resource.map { " at \(spec.halving!.resource) \($0)" } ?? ""))
            return true
        }
    }

    /// A finished job: its run's result is charged, reported to halving and recorded. The first
    /// job's failure to record any run stops the sweep (every job would fail the same way).
    func collect(_ outcome: TrialJob.Outcome) throws {
        guard let job = submitted.removeValue(forKey: outcome.job) else { return }
        var entry = SweepRunner.jobRecord(trial: job.trial, rung: job.rung, resource: job.resource, values: job.values, key: job.key,
                                     run: try outcome.run.map { try sweeps.project.recordedRun($0).record })
        entry.placement = outcome.placement
        if outcome.run == nil {
            failures += 1
            progress("trial \(job.trial) recorded no run: \(outcome.failure ?? "unknown reason")")
        }
        state.budget.finished(job: outcome.job, spent: .init(usd: entry.usd, cpuSeconds: entry.cpuSeconds, resource: job.resource ?? 1))
        try report(entry)
        if failures > 0, !record.jobs.contains(where: { $0.run != nil }), stopReason == nil {
            stopReason = "the first trial could not run: \(outcome.failure ?? "unknown reason")"
        }
    }

    /// After a cancel: the cancelled jobs as they ended (interrupted when they recorded no run).
    func drain() throws {
        while let outcome = try executor.next(stop: { false }) {
            guard let job = submitted.removeValue(forKey: outcome.job) else { continue }
            let run = try outcome.run.map { try sweeps.project.recordedRun($0).record }
            var entry = SweepRunner.jobRecord(trial: job.trial, rung: job.rung, resource: job.resource, values: job.values, key: job.key, run: run)
            entry.placement = outcome.placement
            if run == nil { entry.status = "interrupted" }
            try report(entry)
        }
    }

    /// The last record: how the sweep ended, the chosen job and (unless interrupted) the run
    /// that evaluated it on the suite's evaluation set.
    func finish(interrupted: Bool) throws -> SweepRecord {
        if interrupted {
            record.status = .interrupted
            record.stopReason = "interrupted (Ctrl-C); run `git ml sweep run \(name)` to resume"
        } else {
            record.status = stopReason == nil ? .finished : .stopped
            record.stopReason = stopReason
        }
        if let best = state.halving.best {
            record.chosenJob = record.jobs.lastIndex { $0.trial == best.trial && $0.rung == best.rung && $0.status == "ok" }
        }
        if !interrupted, let chosen = record.chosenJob {
            record.evaluatedRun = try sweeps.evaluate(record.jobs[chosen], name: name, experiment: spec.experiment, text: experimentText,
                                                      progress: progress)
        }
        record.wallSeconds = elapsed()
        record.updatedAt = timestamp(Date())
        try sweeps.project.recordSweep(record)
        return record
    }

    /// Reports a job's result to halving (NaN when it has no metric), appends it to the record
    /// and writes the record.
    private func report(_ job: SweepRecord.Job) throws {
        state.halving.report(trial: job.trial, rung: job.rung, metric: job.status == "ok" ? job.metric ?? .nan : .nan)
        record.jobs.append(job)
        record.wallSeconds = elapsed()
        record.updatedAt = timestamp(Date())
        try sweeps.project.recordSweep(record)
        progress(sweeps.describe(job, index: record.jobs.count - 1))
    }
}
