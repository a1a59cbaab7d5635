/// A run's headline metric as recorded (`metrics.headline`): its name, value and whether higher
/// is better. The one reader of a record's primary metric: `git mlcommit` copies it into the
/// lock, and fsck and the gate compare the lock's copy with it.
public struct PrimaryMetric: Sendable, Equatable {
    public var name: String
    public var value: Double
    public var higherIsBetter: Bool

    /// Reads `metrics.headline` of a run record (nil when the run has no evaluation or its
    /// value is not a finite number).
    public init?(_ run: RunRecord) {
        guard let primary = run.metrics["headline"], let value = primary["value"]?.doubleValue, value.isFinite,
              let name = primary["metric"]?.stringValue else { return nil }
        self.name = name
        self.value = value
        higherIsBetter = primary["direction"]?.stringValue != "minimize"
    }

    /// `self − baseline` in the direction of better (positive means better).
    public func improvement(over baseline: PrimaryMetric) -> Double {
        higherIsBetter ? value - baseline.value : baseline.value - value
    }
}
