/// One entry of a suite's promotion chain (`refs/ml/promotions/<suite>`): a promote, shadow
/// or reject decision about a candidate run, with the verdict that decided it (or the reason
/// of a manual decision), who made it and when. Entries are never edited: the chain is
/// append-only, so "which model was live when" has one answer.
public struct Promotion: Equatable, Sendable {
    public static let formatVersion = 1

    public enum Decision: String, Sendable, CaseIterable {
        case promote, shadow, reject
    }

    public var suite: String
    public var decision: Decision
    /// The run decided about.
    public var candidate: String
    /// The champion when the decision was made (nil before the first promotion).
    public var champion: String?
    /// `sha256:` digest of the gate verdict, nil for a manual decision.
    public var verdictDigest: String?
    /// Why, for a manual decision (a rollback, an override).
    public var reason: String?
    /// The protected branch and commit the decision was about.
    public var branch: String
    public var commit: String
    public var actor: String
    public var at: String
    /// The chain entry (commit id) this decision was made after; set on signed manual decisions,
    /// so a signature binds the entry to its place in the chain and cannot be replayed later.
    public var previous: String?

    public init(suite: String, decision: Decision, candidate: String, champion: String?, verdictDigest: String?, reason: String?,
                branch: String, commit: String, actor: String, at: String, previous: String? = nil) {
        self.suite = suite
        self.decision = decision
        self.candidate = candidate
        self.champion = champion
        self.verdictDigest = verdictDigest
        self.reason = reason
        self.branch = branch
        self.commit = commit
        self.actor = actor
        self.at = at
        self.previous = previous
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "format_version": .number(Double(Promotion.formatVersion)),
            "kind": "promotion",
            "suite": .string(suite),
            "decision": .string(decision.rawValue),
            "candidate": .string(candidate),
            "champion": champion.map(JSONValue.string) ?? .null,
            "verdict": verdictDigest.map(JSONValue.string) ?? .null,
            "reason": reason.map(JSONValue.string) ?? .null,
            "branch": .string(branch),
            "commit": .string(commit),
            "actor": .string(actor),
            "at": .string(at),
        ]
        if let previous { o["previous"] = .string(previous) }
        return .object(o)
    }

    public init(text: String) throws(RecordError) {
        let value: JSONValue
        do { value = try CanonicalJSON.parse(text) } catch { throw RecordError(record: "promotion", reason: "\(error)") }
        let r = try FieldReader(value, record: "promotion")
        try r.requireVersion(Promotion.formatVersion)
        suite = try r.string("suite")
        guard let decision = Decision(rawValue: try r.string("decision")) else {
            throw r.fail("decision", "must be promote, shadow or reject")
        }
        self.decision = decision
        candidate = try r.string("candidate")
        champion = try r.optionalString("champion")
        verdictDigest = try r.optionalString("verdict")
        reason = try r.optionalString("reason")
        branch = try r.string("branch")
        commit = try r.string("commit")
        actor = try r.string("actor")
        at = try r.string("at")
        previous = try r.optionalString("previous")
    }
}
