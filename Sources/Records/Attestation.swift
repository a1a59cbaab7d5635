/// `ml/attestations/<run>.json`: the result of re-executing a run from its record
/// (`git ml reproduce`), for the gate's Reproducibility row and for review.
///
/// An attestation names the run and, per artifact the record names, the recorded digest and the
/// digest the re-execution produced, so it is evidence about those exact bytes and no other
/// run's. It counts at the gate only when `signature` is an SSH signature (namespace
/// `gitml-attestation`) over `signedBytes` by an allowed signer of the gate's trust root; the
/// `where` block is what the reproducer said about itself and proves nothing.
public struct Attestation: Equatable, Sendable {
    public static let formatVersion = 2
    /// The SSH signature namespace of attestations.
    public static let signatureNamespace = "gitml-attestation"

    public enum Result: String, Sendable, CaseIterable {
        /// Every artifact the record names was reproduced with the recorded digest.
        case bitIdentical = "bit_identical"
        /// Not bit-identical, but every metric recomputed from the reproduced predictions is within
        /// the tolerance of the same metric recomputed from the record's stored predictions.
        case withinTolerance = "within_tolerance"
        case differs
    }

    /// One artifact of the run: the digest its record names and the one the re-execution gave
    /// (nil: the re-execution did not produce it; a recorded nil: only the re-execution did).
    public struct ArtifactDigests: Equatable, Sendable {
        public var recorded: String?
        public var reproduced: String?

        public init(recorded: String?, reproduced: String?) {
            self.recorded = recorded
            self.reproduced = reproduced
        }
    }

    /// An SSH signature over `signedBytes`.
    public struct Signature: Equatable, Sendable {
        /// Who the signer said they are (informative: the gate takes the principal from its
        /// allowed-signers file).
        public var principal: String?
        /// The armored `-----BEGIN SSH SIGNATURE-----` text of `ssh-keygen -Y sign`.
        public var ssh: String

        public init(principal: String?, ssh: String) {
            self.principal = principal
            self.ssh = ssh
        }
    }

    /// The run id attested.
    public var run: String
    public var result: Result
    /// Per artifact name (`model/seed-1`, `predictions/evaluation`, …).
    public var artifacts: [String: ArtifactDigests]
    /// The metric that moved most, and by how much (absolute); nil when nothing moved.
    public var largestDeltaMetric: String?
    public var largestDelta: Double
    public var tolerance: Double
    /// Where it ran, as the reproducer reported it: a CI job (`CI=true` or a known CI variable)
    /// or not, and the machine. Informative only.
    public var inCI: Bool
    public var numericProfile: String
    public var host: String
    public var by: String
    public var at: String
    public var signature: Signature?

    public init(run: String, result: Result, artifacts: [String: ArtifactDigests], largestDeltaMetric: String?, largestDelta: Double,
                tolerance: Double, inCI: Bool, numericProfile: String, host: String, by: String, at: String, signature: Signature? = nil) {
        self.run = run
        self.result = result
        self.artifacts = artifacts
        self.largestDeltaMetric = largestDeltaMetric
        self.largestDelta = largestDelta
        self.tolerance = tolerance
        self.inCI = inCI
        self.numericProfile = numericProfile
        self.host = host
        self.by = by
        self.at = at
        self.signature = signature
    }

    /// Whether every artifact of `recorded` (a run record's artifacts: name → digest) is named
    /// here with that recorded digest, and no other.
    public func names(artifacts recorded: [String: String]) -> Bool {
        artifacts.compactMapValues(\.recorded) == recorded
    }

    /// Whether every artifact was reproduced with its recorded digest (what `bit_identical` claims).
    public var digestsEqual: Bool {
        artifacts.values.allSatisfy { $0.recorded != nil && $0.recorded == $0.reproduced }
    }

    /// The bytes a signature covers: the canonical JSON (RFC 8785) of the record without `signature`.
    public var signedBytes: [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        return CanonicalJSON.encodedBytes(unsigned.json)
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "format_version": .number(Double(Attestation.formatVersion)),
            "kind": "attestation",
            "run": .string(run),
            "result": .string(result.rawValue),
            "artifacts": .object(artifacts.mapValues { digests in
                ["recorded": digests.recorded.map(JSONValue.string) ?? .null, "reproduced": digests.reproduced.map(JSONValue.string) ?? .null]
            }),
            "largest_delta": ["metric": largestDeltaMetric.map(JSONValue.string) ?? .null, "value": .number(largestDelta)],
            "tolerance": .number(tolerance),
            "where": ["ci": .bool(inCI), "numeric_profile": .string(numericProfile), "host": .string(host)],
            "by": .string(by),
            "at": .string(at),
        ]
        if let signature {
            fields["signature"] = ["principal": signature.principal.map(JSONValue.string) ?? .null, "ssh": .string(signature.ssh)]
        }
        return .object(fields)
    }

    public init(text: String) throws(RecordError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(text) } catch { throw RecordError(record: "attestation", reason: "\(error)") }
        let r = try FieldReader(value, record: "attestation")
        try r.requireVersion(Attestation.formatVersion)
        guard try r.int("format_version") >= 2 else {
            throw RecordError(record: "attestation", reason: "format_version 1 names no artifact digests and carries no signature: reproduce the run again (git ml reproduce RUN --sign)")
        }
        run = try r.string("run")
        guard let result = Result(rawValue: try r.string("result")) else {
            throw r.fail("result", "must be one of \(Result.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.result = result
        var artifacts: [String: ArtifactDigests] = [:]
        for (name, entry) in try r.objectField("artifacts") {
            let digests = try FieldReader(entry, record: "attestation artifact \(name)")
            artifacts[name] = ArtifactDigests(recorded: try digests.optionalString("recorded"), reproduced: try digests.optionalString("reproduced"))
        }
        self.artifacts = artifacts
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
        if let entry = r.object["signature"], !entry.isNull {
            let s = try FieldReader(entry, record: "attestation signature")
            signature = Signature(principal: try s.optionalString("principal"), ssh: try s.string("ssh"))
        } else {
            signature = nil
        }
    }
}
