import Foundation

/// A sweep's budget envelope — the first thing a sweep declares — and the ledger of what its
/// trials spent. The sweep asks before each job whether it may start: never when the job's
/// expected cost would pass what is left (after what running jobs have reserved), and each
/// started job gets a hard limit (its share) that its metered worker enforces.
public struct SweepBudget: Sendable, Equatable {
    /// The limits (`nil`: not limited). At least one of `maxUSD`, `maxCPUHours`, `maxTrials`
    /// and `maxWallSeconds` is set (an unbounded sweep is refused when parsed).
    public struct Envelope: Sendable, Equatable {
        public var maxUSD: Double?
        public var maxCPUHours: Double?
        public var maxTrials: Int?
        public var maxWallSeconds: Double?

        public init(maxUSD: Double? = nil, maxCPUHours: Double? = nil, maxTrials: Int? = nil, maxWallSeconds: Double? = nil) {
            self.maxUSD = maxUSD
            self.maxCPUHours = maxCPUHours
            self.maxTrials = maxTrials
            self.maxWallSeconds = maxWallSeconds
        }
    }

    /// What one finished job cost, and the resource it trained with.
    public struct Spend: Sendable, Equatable {
        public var usd: Double
        public var cpuSeconds: Double
        public var resource: Int

        public init(usd: Double, cpuSeconds: Double, resource: Int) {
            self.usd = usd
            self.cpuSeconds = cpuSeconds
            self.resource = resource
        }
    }

    public let envelope: Envelope
    public private(set) var spentUSD = 0.0
    public private(set) var spentCPUSeconds = 0.0
    public private(set) var trialsStarted = 0
    /// Cost per unit of resource, measured on finished jobs (the most expensive seen, so an
    /// estimate errs on the side of stopping).
    public private(set) var usdPerResource: Double?
    public private(set) var cpuSecondsPerResource: Double?
    /// Reservations of jobs that are running, by job id.
    private var reserved: [Int: Spend] = [:]

    public init(envelope: Envelope) { self.envelope = envelope }

    /// Whether a job may start, with the limit it runs under, or why not.
    public enum Admission: Sendable, Equatable {
        /// Start it; its worker stops at `maxUSD` / `maxCPUSeconds` (nil: not limited).
        case start(expected: Spend?, maxUSD: Double?, maxCPUSeconds: Double?)
        /// Not now: a running job must finish first (the reason says which).
        case wait(String)
        /// Do not: the reason, for the sweep record and the user.
        case stop(String)
    }

    /// Decides whether a job of `resource` may start `elapsed` seconds into the sweep; a new
    /// trial counts against `maxTrials`. Under a cost limit (`maxUSD`, `maxCPUHours`), only one
    /// job runs before any job has finished (to measure what a job costs), and after that a job
    /// starts only when its expected cost fits; without one, nothing needs measuring, and every
    /// free slot starts a job at once.
    public func admit(resource: Int, newTrial: Bool, elapsed: Double) -> Admission {
        if let max = envelope.maxWallSeconds, elapsed >= max {
            return .stop(String(format: "the wall-clock budget (%.0f s) is spent", max))
        }
        if newTrial, let max = envelope.maxTrials, trialsStarted >= max {
            return .stop("max_trials (\(max)) trials have started")
        }
        guard envelope.maxUSD != nil || envelope.maxCPUHours != nil else {
            return .start(expected: nil, maxUSD: nil, maxCPUSeconds: nil)
        }
        let reservedUSD = reserved.values.reduce(0) { $0 + $1.usd }
        let reservedCPU = reserved.values.reduce(0) { $0 + $1.cpuSeconds }
        let leftUSD = envelope.maxUSD.map { $0 - spentUSD - reservedUSD }
        let leftCPU = envelope.maxCPUHours.map { $0 * 3600 - spentCPUSeconds - reservedCPU }
        guard let usdPerResource, let cpuSecondsPerResource else {
            if !reserved.isEmpty { return .wait("the first job measures what a job costs") }
            return .start(expected: nil, maxUSD: leftUSD, maxCPUSeconds: leftCPU)
        }
        let expected = Spend(usd: usdPerResource * Double(resource), cpuSeconds: cpuSecondsPerResource * Double(resource), resource: resource)
        if let leftUSD, expected.usd > leftUSD {
            return .stop(String(format: "the next job (resource %d) would cost about $%.4f (measured), and $%.4f of $%.4f is left",
                                resource, expected.usd, max(0, leftUSD), envelope.maxUSD ?? 0))
        }
        if let leftCPU, expected.cpuSeconds > leftCPU {
            return .stop(String(format: "the next job (resource %d) would use about %.1f CPU seconds (measured), and %.1f of %.1f are left",
                                resource, expected.cpuSeconds, max(0, leftCPU), (envelope.maxCPUHours ?? 0) * 3600))
        }
        // A job may use up to twice its expectation, never more than what is left.
        return .start(expected: expected, maxUSD: leftUSD.map { min($0, 2 * expected.usd) },
                      maxCPUSeconds: leftCPU.map { min($0, 2 * expected.cpuSeconds) })
    }

    /// A job started: its expected cost is held until it finishes.
    public mutating func started(job: Int, expected: Spend?, newTrial: Bool) {
        if newTrial { trialsStarted += 1 }
        reserved[job] = expected ?? Spend(usd: 0, cpuSeconds: 0, resource: 0)
    }

    /// A job finished (or failed, or was stopped): what it really spent is charged, and the
    /// cost per resource unit is updated.
    public mutating func finished(job: Int, spent: Spend) {
        reserved[job] = nil
        spentUSD += spent.usd
        spentCPUSeconds += spent.cpuSeconds
        guard spent.resource > 0 else { return }
        let usdRate = spent.usd / Double(spent.resource), cpuRate = spent.cpuSeconds / Double(spent.resource)
        usdPerResource = max(usdPerResource ?? 0, usdRate)
        cpuSecondsPerResource = max(cpuSecondsPerResource ?? 0, cpuRate)
    }

    /// Jobs still holding a reservation.
    public var runningJobs: Int { reserved.count }
}
