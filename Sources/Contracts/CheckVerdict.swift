/// How a check's result reads to people: the observed value against the limit.
extension CheckResult {
    /// What the observed number is, in a finding line (`D` for KS, `PSI`, `null share change`…).
    public var quantity: String {
        switch kind {
        case .ks: "D"
        case .psi: "PSI"
        case .jensenShannon: "JS"
        case .lInfinity: "L∞"
        case .chiSquare: "χ²"
        case .nullShare: "null share change"
        case .featureAUC: "max(AUC, 1 − AUC)"
        case .rowCountChange: "relative row-count change"
        case .freshness: "age in hours"
        case .labelPositiveRate: "positive rate"
        case .labelValues: "labels"
        case .range: "rows"
        case .required: "nulls"
        case .unique, .duplicateValues: "duplicates"
        case .nullValues: "nulls"
        case .invalidValues: "invalid values"
        case .rowCount: "rows"
        case .primaryKey: "bad keys"
        case .rowOverlap: "overlapping rows"
        case .keyOverlap: "overlapping keys"
        case .timeOrder: "evaluation rows before the training maximum"
        case .schemaDrift: "schema changes"
        case .newCategories: "new categories"
        case .columnPresent, .forbiddenColumn, .columnType: kind.rawValue
        }
    }

    /// The observed value against the limit, as a finding line shows it: the limit's relation
    /// turned around for a check that did not pass (`D = 0.137 > 0.1`, `nulls = 3 ≠ 0 nulls`),
    /// `expected …` for limits that are not a relation (`schema changes = 2, expected no schema
    /// changes`), and the limit alone without an observed number (`expected present`). Empty
    /// when the check has neither.
    public var verdict: String {
        guard let observed else { return limit.isEmpty ? "" : "expected \(limit)" }
        let value = "\(quantity) = \(ContractValidator.format(observed))"
        guard !limit.isEmpty else { return value }
        guard status != .pass else { return "\(value), limit \(limit)" }
        for (relation, opposite) in Self.opposites where limit.hasPrefix(relation) {
            return "\(value) \(opposite)\(limit.dropFirst(relation.count))"
        }
        return "\(value), expected \(limit)"
    }

    /// A limit's leading relation and its negation (longest first, so `not in` wins over `in`).
    private static let opposites: [(String, String)] = [
        ("not in ", "in "), ("in ", "outside "), ("≤ ", "> "), ("< ", "≥ "), ("≥ ", "< "), ("> ", "≤ "), ("= ", "≠ "), ("≠ ", "= "),
    ]
}
