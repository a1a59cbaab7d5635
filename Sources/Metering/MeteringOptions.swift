/// How a `MeteredProcess` is priced, limited and stopped.
public struct MeteringOptions: Sendable, Equatable {
    /// Prices for the `usd` figure and the `max_usd` limit.
    public var rates: CostRates
    /// Limits enforced while the tree runs.
    public var budget: Budget
    /// GPUs the run holds (declared by the user; GPU time is not measured): GPU-seconds are
    /// this count × wall seconds.
    public var declaredGPUCount: Int
    /// Seconds between samples of CPU time and memory for the budget checks (the final figures
    /// do not depend on it). Default 0.1.
    public var sampleInterval: Double
    /// Seconds between the polite signal (SIGTERM for a budget, SIGINT for `interrupt()`) and
    /// SIGKILL to the whole tree. Default 2.
    public var gracePeriod: Double
    /// Which measurement to use.
    public var methodPreference: MethodPreference

    public init(rates: CostRates = CostRates(), budget: Budget = .unlimited, declaredGPUCount: Int = 0,
                sampleInterval: Double = 0.1, gracePeriod: Double = 2, methodPreference: MethodPreference = .automatic) {
        self.rates = rates
        self.budget = budget
        self.declaredGPUCount = declaredGPUCount
        self.sampleInterval = sampleInterval
        self.gracePeriod = gracePeriod
        self.methodPreference = methodPreference
    }
}

/// Which way to meter a tree.
public enum MethodPreference: Sendable, Equatable {
    /// A fresh cgroup v2 when this process may create one and move processes into it;
    /// rusage otherwise (the result's `methodNote` says why).
    case automatic
    /// rusage even where a cgroup v2 would work (what an unprivileged user gets).
    case rusage
}
