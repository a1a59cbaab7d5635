/// `ml/attestations/<run>.json`: the result of re-executing a run from its record
/// (`git ml reproduce`), for the gate's Reproducibility row and for review.
public struct Attestation: Equatable, Sendable {
    public static let formatVersion = 1

    public enum Result: String, Sendable, CaseIterable {
        /// Every model and prediction file has the recorded digest.
        case bitIdentical = "bit_identical"
        /// Not bit-identical, but every recorded metric is within the tolerance.
        case withinTolerance = "within_tolerance"
        case differs
    }

    /// The run id attested.
    public var run: String
    public var result: Result
    /// The metric that moved most, and by how much (absolute); nil when nothing moved.
    public var largestDeltaMetric: String?
    public var largestDelta: Double
    public var tolerance: Double
    /// Where it ran: a CI job (`CI=true` or a known CI variable) or not, and the machine.
    public var inCI: Bool
    public var numericProfile: String
    public var host: String
    public var by: String
    public var at: String

    public init(run: String, result: Result, largestDeltaMetric: String?, largestDelta: Double, tolerance: Double, inCI: Bool,
                numericProfile: String, host: String, by: String, at: String) {
        self.run = run
        self.result = result
        self.largestDeltaMetric = largestDeltaMetric
        self.largestDelta = largestDelta
        self.tolerance = tolerance
        self.inCI = inCI
        self.numericProfile = numericProfile
        self.host = host
        self.by = by
        self.at = at
    }

    public var json: JSONValue {
        [
            "format_version": .number(Double(Attestation.formatVersion)),
            "kind": "attestation",
            "run": .string(run),
            "result": .string(result.rawValue),
            "largest_delta": ["metric": largestDeltaMetric.map(JSONValue.string) ?? .null, "value": .number(largestDelta)],
            "tolerance": .number(tolerance),
            "where": ["ci": .bool(inCI), "numeric_profile": .string(numericProfile), "host": .string(host)],
            "by": .string(by),
            "at": .string(at),
        ]
    }

    public init(text: String) throws(RecordError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(text) } catch { throw RecordError(record: "attestation", reason: "\(error)") }
        let r = try FieldReader(value, record: "attestation")
        try r.requireVersion(Attestation.formatVersion)
        run = try r.string("run")
        guard let result = Result(rawValue: try r.string("result")) else {
            throw r.fail("result", "must be one of \(Result.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.result = result
        let delta = try FieldReader(.object(try r.objectField("largest_delta")), record: "attestation largest_delta")
        largestDeltaMetric = try delta.optionalString("metric")
        largestDelta = delta.object["value"]?.doubleValue ?? .nan
        tolerance = r.object["tolerance"]?.doubleValue ?? 0
        let place = try FieldReader(.object(try r.objectField("where")), record: "attestation where")
        inCI = place.object["ci"]?.boolValue ?? false
        numericProfile = try place.string("numeric_profile")
        host = try place.string("host")
        by = try r.string("by")
        at = try r.string("at")
    }
}
