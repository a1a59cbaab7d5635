import Foundation
import Platform

/// The machine a measurement was taken on; two latency summaries compare only when equal
/// (and measured in the same process).
public struct MachineDescription: Codable, Sendable, Hashable {
    public let cpuModel: String
    public let logicalCores: Int
    public let memoryBytes: UInt64
    public let operatingSystem: String

    public init(cpuModel: String, logicalCores: Int, memoryBytes: UInt64, operatingSystem: String) {
        self.cpuModel = cpuModel
        self.logicalCores = logicalCores
        self.memoryBytes = memoryBytes
        self.operatingSystem = operatingSystem
    }

    /// This machine: the CPU model the kernel reports ("unknown" where none), cores and memory
    /// from ProcessInfo.
    public static func current() -> MachineDescription {
        let info = ProcessInfo.processInfo
        let model = ProcessorDescription.current().model ?? "unknown"
        return MachineDescription(cpuModel: model, logicalCores: info.activeProcessorCount,
                                  memoryBytes: info.physicalMemory, operatingSystem: info.operatingSystemVersionString)
    }
}

/// Percentiles of per-row inference latency over a fixed batch, in the caller's unit (e.g. ms).
public struct LatencySummary: Codable, Sendable, Hashable {
    public let count: Int
    public let mean: Double
    public let minimum: Double
    public let p50: Double
    public let p95: Double
    public let p99: Double
    public let maximum: Double
    public let machine: MachineDescription

    /// Summarizes `timings` (finite, ≥ 0) with numpy's linear percentiles.
    public init(timings: [Double], machine: MachineDescription) throws(EvaluationError) {
        guard !timings.isEmpty else { throw .empty(what: "latency timings") }
        for (row, t) in timings.enumerated() where !t.isFinite || t < 0 {
            throw .invalidParameter(name: "timing at row \(row)", value: t, expected: "finite and ≥ 0")
        }
        let sorted = timings.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        minimum = sorted[0]
        p50 = Quantile.linear(sorted: sorted, 0.5)
        p95 = Quantile.linear(sorted: sorted, 0.95)
        p99 = Quantile.linear(sorted: sorted, 0.99)
        maximum = sorted[sorted.count - 1]
        self.machine = machine
    }

    /// Whether two summaries were measured on the same machine (a precondition for comparing them).
    public func comparable(with other: LatencySummary) -> Bool { machine == other.machine }
}
