import Contracts

/// The promotion policy of `ml/gate.yaml`, always read from the protected (base) branch.
/// Thresholds are in the primary metric's own units; the format is in docs/FORMAT.md.
public struct GatePolicy: Codable, Sendable, Equatable {
    /// Superiority of the candidate over the champion on the primary metric.
    public struct Benchmark: Codable, Sendable, Equatable {
        /// The improvement (in metric units, oriented so positive is better) that the one-sided
        /// lower confidence bound must exceed.
        public let minEffect: Double
        /// One-sided confidence level of the lower bound.
        public let confidence: Double
        /// Evaluations of the pinned eval version past which the verdict warns of adaptive
        /// overfitting (nil: no limit).
        public let maxEvaluations: Int?
    }
    /// Guardrail tests.
    public struct Guardrails: Codable, Sendable, Equatable {
        /// One-sided confidence level of each non-inferiority test (α = 1 − confidence per slice).
        public let confidence: Double
        /// Whether a guardrail whose value is unavailable (latency not measured) fails the row.
        public let missingValueFails: Bool
    }
    /// What the Dataset row asks of the data beyond each dataset's own contract.
    public struct DatasetPolicy: Codable, Sendable, Equatable {
        /// Every training dataset must have a contract at the base with a `leakage` block, so
        /// training data under a new name (no contract) cannot skip the leakage checks.
        public let requireLeakageContract: Bool
    }
    /// Which promotion-chain entries may choose the champion.
    public struct PromotionsPolicy: Codable, Sendable, Equatable {
        /// `signed_only`: only entries signed by an allowed signer count (the server's and CI's
        /// own entries included, signed with their keys); an unsigned entry bound to the branch's
        /// history no longer does (on hosted platforms anyone can write such an entry).
        public let signedOnly: Bool
    }
    public struct Cost: Codable, Sendable, Equatable {
        /// Limit on cost per unit of primary-metric improvement (USD per metric unit); nil: none.
        public let maxUSDPerUnit: Double?
    }
    public struct Reproducibility: Codable, Sendable, Equatable {
        /// A trusted attestation (signed by an allowed signer of the trust root) is required; an
        /// unsigned one never satisfies it.
        public let requireAttestation: Bool
        /// `ci_only`, kept for compatibility: only signed attestations by an allowed signer count,
        /// which now holds for every policy (a self-declared `ci: true` proves nothing).
        public let ciOnly: Bool
        /// Largest metric difference a `within_tolerance` attestation may report.
        public let tolerance: Double
        /// `reproduce_in_gate`: the gate re-trains a built-in candidate itself from its record
        /// (its experiment, data by digest and seeds) and counts its own reproduction — the one
        /// check that binds a record's claimed data, config and seed to its model. External
        /// commands are never executed by a gate: they still need a signed attestation.
        public let reproduceInGate: Bool
    }
    /// When a candidate that is better but not proven better is shadowed.
    public enum ShadowRule: String, Codable, Sendable, CaseIterable {
        /// Shadow when every row but the benchmark's superiority holds and the estimated
        /// improvement is positive.
        case betterNotSignificant = "better_not_significant"
        case never
    }
    /// What a merge gate (server hook, CI check) does with a shadow verdict.
    public enum ShadowMerge: String, Codable, Sendable, CaseIterable {
        /// Let the merge through; the chain records shadow and the champion stays.
        case accept
        /// Refuse it like a reject.
        case reject
    }

    public struct Deployment: Codable, Sendable, Equatable {
        public let shadow: ShadowRule
        /// `on_shadow`: accept (default) or reject the merge of a shadowed candidate.
        public let onShadow: ShadowMerge
    }

    /// Whether a merge gate (server hook, client pre-merge-commit) stops a merge judged
    /// `decision`: a reject always, a shadow when `deployment.on_shadow` says reject.
    public func blocksMerge(_ decision: Verdict.Decision) -> Bool {
        decision == .reject || (decision == .shadow && deployment.onShadow == .reject)
    }

    /// Branch globs whose updates are promotions (`*` within a path segment, `**` across).
    public let protected: [String]
    public let benchmark: Benchmark
    public let guardrails: Guardrails
    public let dataset: DatasetPolicy
    public let promotions: PromotionsPolicy
    public let cost: Cost
    public let reproducibility: Reproducibility
    public let deployment: Deployment

    /// Whether `branch` (a short name like `main` or `release/2.1`) matches a protected glob.
    public func protects(branch: String) -> Bool {
        protected.contains { Self.branch(branch, matches: $0) }
    }

    /// Whether `branch` matches the glob `pattern` (`*` within a path segment, `**` across).
    public static func branch(_ branch: String, matches pattern: String) -> Bool {
        glob(pattern[...], matches: branch[...])
    }

    private static func glob(_ pattern: Substring, matches text: Substring) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if pattern.hasPrefix("**") {
            let rest = pattern.dropFirst(2)
            var suffix = text[...]
            while true {
                if glob(rest, matches: suffix) { return true }
                guard !suffix.isEmpty else { return false }
                suffix = suffix.dropFirst()
            }
        }
        if first == "*" {
            let rest = pattern.dropFirst()
            var suffix = text[...]
            while true {
                if glob(rest, matches: suffix) { return true }
                guard let next = suffix.first, next != "/" else { return false }
                suffix = suffix.dropFirst()
            }
        }
        guard let character = text.first, first == "?" ? character != "/" : character == first else { return false }
        return glob(pattern.dropFirst(), matches: text.dropFirst())
    }
}

extension GatePolicy {
    /// Parses `ml/gate.yaml`; `file` names the source in errors. Every block is optional except
    /// `protected` and `benchmark.min_effect`; unknown keys are errors naming file, line and key.
    public static func parse(yaml: String, file: String) throws(GateConfigError) -> GatePolicy {
        let root = try YAMLCursor.document(yaml: yaml, file: file, requiredKey: "protected")
        try root.requireKeys(in: ["protected", "benchmark", "guardrails", "dataset", "promotions", "cost", "reproducibility", "deployment"])
        let protected = try root.required("protected").strings()

        let benchmarkCursor = try root.required("benchmark")
        try benchmarkCursor.requireKeys(in: ["min_effect", "confidence", "max_evaluations"])
        let minEffectCursor = try benchmarkCursor.required("min_effect")
        let minEffect = try minEffectCursor.double()
        guard minEffect >= 0 else { throw minEffectCursor.fail("min_effect must be ≥ 0 (in the primary metric's units)") }
        let benchmark = Benchmark(minEffect: minEffect, confidence: try confidence(benchmarkCursor),
                                  maxEvaluations: try benchmarkCursor.optional("max_evaluations")?.int())

        let guardrailsCursor = try root.optional("guardrails")
        try guardrailsCursor?.requireKeys(in: ["confidence", "missing_value"])
        let missing = try guardrailsCursor?.optional("missing_value")?.word(MissingValue.self) ?? .fail
        let guardrails = Guardrails(confidence: try guardrailsCursor.map { c throws(GateConfigError) in try confidence(c) } ?? 0.95,
                                    missingValueFails: missing == .fail)

        let datasetCursor = try root.optional("dataset")
        try datasetCursor?.requireKeys(in: ["require_leakage_contract"])
        let dataset = DatasetPolicy(requireLeakageContract: try datasetCursor?.optional("require_leakage_contract")?.bool() ?? false)

        let promotionsCursor = try root.optional("promotions")
        try promotionsCursor?.requireKeys(in: ["signed_only"])
        let promotions = PromotionsPolicy(signedOnly: try promotionsCursor?.optional("signed_only")?.bool() ?? false)

        let costCursor = try root.optional("cost")
        try costCursor?.requireKeys(in: ["max_usd_per_unit"])
        let cost = Cost(maxUSDPerUnit: try costCursor?.optional("max_usd_per_unit")?.double())

        let reproducibilityCursor = try root.optional("reproducibility")
        try reproducibilityCursor?.requireKeys(in: ["require_attestation", "ci_only", "tolerance", "reproduce_in_gate"])
        let reproducibility = Reproducibility(
            requireAttestation: try reproducibilityCursor?.optional("require_attestation")?.bool() ?? false,
            ciOnly: try reproducibilityCursor?.optional("ci_only")?.bool() ?? false,
            tolerance: try reproducibilityCursor?.optional("tolerance")?.double() ?? 1e-9,
            reproduceInGate: try reproducibilityCursor?.optional("reproduce_in_gate")?.bool() ?? false)

        let deploymentCursor = try root.optional("deployment")
        try deploymentCursor?.requireKeys(in: ["promote", "shadow", "reject", "on_shadow"])
        if let promote = try deploymentCursor?.optional("promote"), try promote.string() != "all_pass" {
            throw promote.fail("promote: all_pass is the only promotion rule")
        }
        if let reject = try deploymentCursor?.optional("reject"), try reject.string() != "otherwise" {
            throw reject.fail("reject: otherwise is the only rejection rule")
        }
        let deployment = Deployment(shadow: try deploymentCursor?.optional("shadow")?.word(ShadowRule.self) ?? .never,
                                    onShadow: try deploymentCursor?.optional("on_shadow")?.word(ShadowMerge.self) ?? .accept)
        return GatePolicy(protected: protected, benchmark: benchmark, guardrails: guardrails, dataset: dataset, promotions: promotions, cost: cost,
                          reproducibility: reproducibility, deployment: deployment)
    }

    private enum MissingValue: String, CaseIterable {
        case fail
        case notApplicable = "not_applicable"
    }

    private static func confidence(_ cursor: YAMLCursor) throws(GateConfigError) -> Double {
        guard let value = try cursor.optional("confidence") else { return 0.95 }
        let level = try value.double()
        guard level > 0.5 && level < 1 else { throw value.fail("the confidence must be in (0.5, 1)") }
        return level
    }
}
