/// What a run consumed, measured by `MeteredProcess` (CPU, wall, memory) and completed by the
/// caller (bytes stored, declared GPUs). Definitions: docs/STATISTICS.md ("Cost measurement").
public struct CostMeasurement: Sendable, Codable, Equatable {
    /// User + system CPU time of the whole process tree, in seconds.
    public var cpuSeconds: Double
    /// Time from just before the launch until the root process was reaped, in seconds.
    public var wallSeconds: Double
    /// Peak memory in bytes; `peakMemoryMethod` says what it is the peak of.
    public var peakRSSBytes: UInt64
    /// Bytes the run added to the blob store (stored size after compression); set by the caller.
    public var bytesStored: UInt64
    /// GPU-seconds held: declared GPU count × wall seconds; zero when no GPU was declared.
    public var gpuSeconds: Double
    /// How CPU time was measured.
    public var method: MeasurementMethod
    /// How peak memory was measured.
    public var peakMemoryMethod: PeakMemoryMethod

    public init(cpuSeconds: Double, wallSeconds: Double, peakRSSBytes: UInt64, bytesStored: UInt64 = 0,
                gpuSeconds: Double = 0, method: MeasurementMethod, peakMemoryMethod: PeakMemoryMethod) {
        self.cpuSeconds = cpuSeconds
        self.wallSeconds = wallSeconds
        self.peakRSSBytes = peakRSSBytes
        self.bytesStored = bytesStored
        self.gpuSeconds = gpuSeconds
        self.method = method
        self.peakMemoryMethod = peakMemoryMethod
    }

    enum CodingKeys: String, CodingKey {
        case cpuSeconds = "cpu_seconds"
        case wallSeconds = "wall_seconds"
        case peakRSSBytes = "peak_rss_bytes"
        case bytesStored = "bytes_stored"
        case gpuSeconds = "gpu_seconds"
        case method
        case peakMemoryMethod = "peak_memory_method"
    }

    /// The cost in US dollars:
    /// `cpu_seconds / 3600 × cpu_hour_usd + gpu_seconds / 3600 × gpu_hour_usd
    ///  + bytes_stored / 10^9 × gb_month_usd` — stored bytes are charged for one month.
    public func usd(at rates: CostRates) -> Double {
        cpuSeconds / 3600 * rates.cpuHourUSD
            + gpuSeconds / 3600 * rates.gpuHourUSD
            + Double(bytesStored) / 1e9 * rates.gbMonthUSD
    }
}

/// How the CPU time of a process tree was measured.
public enum MeasurementMethod: String, Sendable, Codable, Equatable {
    /// A dedicated cgroup v2 (`cpu.stat` `usage_usec`): every descendant is counted, including
    /// ones that called `setsid` or were re-parented, and the whole cgroup is killed at the end.
    case cgroupV2 = "cgroup_v2"
    /// `wait4` resource usage of the root process and the descendants reaped inside the tree.
    /// Orphaned or daemonized descendants (re-parented to init) are NOT counted, and only the
    /// root's process group is killed.
    case rusage

    /// Whether descendants that leave the process group or are re-parented are counted and killed.
    public var countsDetachedDescendants: Bool { self == .cgroupV2 }
}

/// What `CostMeasurement.peakRSSBytes` is the peak of.
public enum PeakMemoryMethod: String, Sendable, Codable, Equatable {
    /// The cgroup's `memory.peak`: the highest total memory charged to the whole tree at once
    /// (anonymous memory, page cache and kernel memory of all its processes together).
    case cgroupMemoryPeak = "cgroup_memory_peak"
    /// The largest peak resident set (high-water mark) of any single process of the tree — not
    /// the sum of processes running at the same time: `VmHWM` of `/proc/<pid>/status`, sampled
    /// every `sampleInterval` for the live members, and the `ru_maxrss` that `wait4` reports for
    /// the root and the descendants it reaped when that exceeds this process's own peak (which a
    /// spawned child inherits as a floor). Growth of a process in its last sample interval may
    /// be missed unless it is the largest reaped one.
    case largestProcessPeak = "process_peak_rss"
}
