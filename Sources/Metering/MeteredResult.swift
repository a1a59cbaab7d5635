/// What happened to a metered process tree and what it cost.
public struct MeteredResult: Sendable, Equatable {
    /// Why the tree ended.
    public var outcome: RunOutcome
    /// How the root process ended.
    public var exitStatus: ExitStatus
    /// CPU, wall, peak memory and GPU-seconds; `bytesStored` is zero (the caller adds it).
    public var measurement: CostMeasurement
    /// `measurement.usd(at: rates)` with the run's rates (without stored bytes).
    public var usd: Double
    /// When `measurement.method` is rusage under `.automatic`: why no cgroup v2 could be used.
    public var methodNote: String?
}

/// Why a metered tree ended.
public enum RunOutcome: Sendable, Equatable {
    /// The root process exited by itself (successfully or not: see `ExitStatus`).
    case completed
    /// The meter stopped the tree because this limit was exceeded.
    case overBudget(BudgetLimit)
    /// The caller stopped the tree (`MeteredProcess.interrupt()` / `terminate()` or an `InterruptWatch`).
    case interrupted
}

/// How the root process ended.
public enum ExitStatus: Sendable, Equatable {
    /// It called `exit` with this status.
    case exited(code: Int32)
    /// A signal killed it.
    case signaled(signal: Int32)

    /// Whether it exited with status 0.
    public var isSuccess: Bool { self == .exited(code: 0) }

    /// The status a shell would report: the exit code, or 128 + the signal number.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
