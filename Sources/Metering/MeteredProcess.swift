import Platform

/// A process tree launched under a meter: CPU time of the whole tree, wall time and peak
/// memory are measured, the budget is enforced while it runs, and the caller can stop it.
///
/// Usage: `let process = try MeteredProcess.launch(spec, options: options)`, then
/// `try process.waitForExit(stoppingOn: watch)` on one thread; `interrupt()` and `terminate()`
/// may be called from any thread meanwhile. When the root process ends, every process left in
/// the tree is killed (the whole cgroup, or the root's process group under rusage).
/// Definitions of the figures: docs/STATISTICS.md ("Cost measurement").
public final class MeteredProcess: Sendable {
    /// The root process's id, which is also its process group id.
    public let processID: Int32
    /// How this tree is measured.
    public let method: MeasurementMethod
    /// When `.automatic` fell back to rusage: why no cgroup v2 could be used.
    public let methodNote: String?

    private let options: MeteringOptions
    private let tree: ProcessTree
    private let startTime: Double
    /// This process's own peak RSS right after the spawn: a child started by `posix_spawn`
    /// inherits it as a floor of its `ru_maxrss` (the kernel carries the pre-exec address
    /// space's high-water mark over `exec`), so only a larger `ru_maxrss` measures the tree.
    private let inheritedRSSFloor: UInt64
    private let stopRequest = Locked<StopRequest?>(nil)
    private let finished = Locked<MeteredResult?>(nil)
    /// Set just before the root is reaped: from then on its process group id may be reused,
    /// so the tree must not be signalled any more.
    private let reaping = Locked(false)

    private struct StopRequest {
        var outcome: RunOutcome
        var requestedAt: Double
        var killed: Bool
    }

    private init(processID: Int32, method: MeasurementMethod, methodNote: String?, options: MeteringOptions,
                 tree: ProcessTree, startTime: Double) {
        self.processID = processID
        self.method = method
        self.methodNote = methodNote
        self.options = options
        self.tree = tree
        self.startTime = startTime
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        inheritedRSSFloor = UInt64(max(usage.ru_maxrss, 0)) * 1024
    }

    /// Starts `spec` in its own process group — inside a fresh cgroup v2 when
    /// `options.methodPreference` is `.automatic` and this system allows it — and returns at once.
    /// Throws `MeteringError` for an invalid budget or rates, a missing executable or working
    /// directory, an unopenable redirection, or a failed spawn.
    public static func launch(_ spec: LaunchSpec, options: MeteringOptions = MeteringOptions()) throws(MeteringError) -> MeteredProcess {
        _ = try options.budget.validated()
        _ = try options.rates.validated()
        let prepared = try PreparedLaunch(spec)
        defer { prepared.close() }
        var note: String?
        if options.methodPreference == .automatic {
            switch CgroupV2.create() {
            case .success(let cgroup):
                let startTime = MonotonicClock.seconds()
                let launched: CgroupLaunch
                do throws(MeteringError) {
                    launched = try cgroup.launch { () throws(MeteringError) in try prepared.spawn() }
                } catch {
                    _ = cgroup.waitUntilEmpty(timeout: 5)
                    cgroup.remove()
                    throw error
                }
                switch launched {
                case .started(let pid):
                    return MeteredProcess(processID: pid, method: .cgroupV2, methodNote: nil, options: options,
                                          tree: .cgroup(cgroup, processGroup: pid), startTime: startTime)
                case .unavailable(let reason):
                    cgroup.remove()
                    note = reason
                }
            case .failure(let unavailable):
                note = unavailable.reason
            }
        }
        let startTime = MonotonicClock.seconds()
        let pid = try prepared.spawn()
        return MeteredProcess(processID: pid, method: .rusage, methodNote: note, options: options,
                              tree: .processGroup(pid), startTime: startTime)
    }

    /// Launches `spec` and waits for it: `launch` followed by `waitForExit`.
    public static func run(_ spec: LaunchSpec, options: MeteringOptions = MeteringOptions(),
                           stoppingOn watch: InterruptWatch? = nil) throws(MeteringError) -> MeteredResult {
        try launch(spec, options: options).waitForExit(stoppingOn: watch)
    }

    /// Stops the tree on the caller's behalf: SIGINT to every process now (so a Python script
    /// gets KeyboardInterrupt and can clean up), SIGKILL after the grace period. The outcome is
    /// `.interrupted` unless a budget stop came first. Safe from any thread, not from a signal
    /// handler (use `InterruptWatch` for SIGINT).
    public func interrupt() {
        requestStop(.interrupted, signal: SIGINT)
    }

    /// Like `interrupt()` but with SIGTERM as the polite signal.
    public func terminate() {
        requestStop(.interrupted, signal: SIGTERM)
    }

    /// Blocks until the root process has exited and the rest of the tree is killed, enforcing
    /// the budget meanwhile, and returns the result; `watch` firing stops the tree as
    /// `interrupt()` does, and firing again SIGKILLs it at once. Call it from one thread; later
    /// calls return the same result.
    public func waitForExit(stoppingOn watch: InterruptWatch? = nil) throws(MeteringError) -> MeteredResult {
        if let result = finished.withLock({ $0 }) { return result }
        var peakSampled: UInt64 = 0
        var cpuSampled = 0.0
        var lastSampleTime = -Double.infinity
        // Exit checks start at 1 ms and back off to 10 ms: short commands return quickly.
        var pause: UInt32 = 1_000
        while true {
            // Detect the exit without reaping: the zombie keeps the process group id reserved
            // until the rest of the group has been killed below.
            var info = siginfo_t()
            if waitid(P_PID, id_t(processID), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                if info.si_signo == SIGCHLD { break }
            } else if errno != EINTR {
                throw .waitFailed(pid: processID, errno: errno)
            }
            let now = MonotonicClock.seconds()
            if let deliveries = watch?.deliveryCount, deliveries > 0 {
                interrupt()
                // A second Ctrl-C does not wait for the grace period.
                if deliveries > 1 { killIfStopRequested(atLeast: 0, before: now) }
            }
            if now - lastSampleTime >= options.sampleInterval {
                lastSampleTime = now
                let sample = tree.sample()
                cpuSampled = max(cpuSampled, sample.cpuSeconds)
                peakSampled = max(peakSampled, Self.largestPeakResident(of: sample.members))
                let wall = now - startTime
                if let limit = options.budget.exceededLimit(cpuSeconds: sample.cpuSeconds, wallSeconds: wall,
                                                            usd: usd(cpuSeconds: sample.cpuSeconds, wallSeconds: wall)) {
                    requestStop(.overBudget(limit), signal: SIGTERM)
                }
            }
            killIfStopRequested(atLeast: options.gracePeriod, before: now)
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
        let wallSeconds = MonotonicClock.seconds() - startTime
        let lastSample = tree.sample()
        cpuSampled = max(cpuSampled, lastSample.cpuSeconds)
        peakSampled = max(peakSampled, Self.largestPeakResident(of: lastSample.members))
        tree.killAll()
        reaping.withLock { $0 = true }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(processID, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw .waitFailed(pid: processID, errno: errno) }
        }

        let cpuSeconds: Double
        var peakBytes = max(peakSampled, Self.rusagePeak(usage, floor: inheritedRSSFloor))
        var peakMethod = PeakMemoryMethod.largestProcessPeak
        switch tree {
        case .cgroup(let cgroup, _):
            cpuSeconds = cgroup.cpuSeconds() ?? Self.rusageCPU(usage)
            if let memoryPeak = cgroup.memoryPeakBytes() {
                peakBytes = memoryPeak
                peakMethod = .cgroupMemoryPeak
            }
            cgroup.remove()
        case .processGroup:
            // Both are lower bounds of the tree's CPU: wait4 misses members the root never
            // reaped (killed with it), the samples miss the last interval.
            cpuSeconds = max(Self.rusageCPU(usage), cpuSampled)
        }
        let measurement = CostMeasurement(
            cpuSeconds: cpuSeconds, wallSeconds: wallSeconds, peakRSSBytes: peakBytes,
            gpuSeconds: Double(options.declaredGPUCount) * wallSeconds, method: method, peakMemoryMethod: peakMethod)
        let outcome = stopRequest.withLock { $0?.outcome } ?? .completed
        let result = MeteredResult(outcome: outcome, exitStatus: Self.exitStatus(status), measurement: measurement,
                                   usd: measurement.usd(at: options.rates), methodNote: methodNote)
        finished.withLock { $0 = result }
        return result
    }

    private func usd(cpuSeconds: Double, wallSeconds: Double) -> Double {
        CostMeasurement(cpuSeconds: cpuSeconds, wallSeconds: wallSeconds, peakRSSBytes: 0,
                        gpuSeconds: Double(options.declaredGPUCount) * wallSeconds, method: method,
                        peakMemoryMethod: .largestProcessPeak).usd(at: options.rates)
    }

    /// Records the first stop request and signals the tree; later requests, and requests once
    /// the root is being reaped, change nothing. The check and the signal happen under the
    /// `reaping` lock, so a signal never reaches a reused process group id.
    private func requestStop(_ outcome: RunOutcome, signal: Int32) {
        reaping.withLock { reaping in
            guard !reaping else { return }
            let isFirst = stopRequest.withLock { request -> Bool in
                guard request == nil else { return false }
                request = StopRequest(outcome: outcome, requestedAt: MonotonicClock.seconds(), killed: false)
                return true
            }
            if isFirst { tree.signal(signal) }
        }
    }

    /// SIGKILLs the tree once, when a stop was requested at least `age` seconds before `now`.
    private func killIfStopRequested(atLeast age: Double, before now: Double) {
        let due = stopRequest.withLock { request -> Bool in
            guard let pending = request, !pending.killed, now - pending.requestedAt >= age else { return false }
            request?.killed = true
            return true
        }
        if due { tree.killAll() }
    }

    private static func largestPeakResident(of members: [Int32]) -> UInt64 {
        members.compactMap(ProcFS.peakResidentBytes).max() ?? 0
    }

    private static func rusageCPU(_ usage: rusage) -> Double {
        Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// `ru_maxrss` in bytes when it exceeds what the child inherited from this process, else 0.
    private static func rusagePeak(_ usage: rusage, floor: UInt64) -> UInt64 {
        let bytes = UInt64(max(usage.ru_maxrss, 0)) * 1024
        return bytes > floor ? bytes : 0
    }

    private static func exitStatus(_ status: Int32) -> ExitStatus {
        let signal = status & 0x7f
        return signal == 0 ? .exited(code: (status >> 8) & 0xff) : .signaled(signal: signal)
    }
}
