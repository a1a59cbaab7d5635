import Records

/// Everything the gate judges for one suite, gathered by the Runner from the repository (the
/// gate itself reads nothing): the candidate's and the champion's predictions and the facts
/// about data, cost, code and reproduction.
public struct GateEvidence: Sendable, Equatable {
    /// One recorded model: its run and its predictions per seed.
    public struct Model: Sendable, Equatable {
        public let runID: String
        /// Evaluation predictions per seed (same rows in the same order across seeds).
        public let evaluation: [ScoredRows]
        /// Validation predictions per seed: each seed's operating point is chosen on them (empty
        /// when the suite has no operating point).
        public let validation: [ScoredRows]
        public let artifact: CandidateArtifact
        /// Full digest of the evaluation dataset the predictions were made on.
        public let evaluationDigest: String
        /// Measured p99 latency in microseconds, when the run measured one.
        public let latencyP99Microseconds: Double?

        public init(runID: String, evaluation: [ScoredRows], validation: [ScoredRows], artifact: CandidateArtifact = .ensemble,
                    evaluationDigest: String, latencyP99Microseconds: Double? = nil) {
            self.runID = runID
            self.evaluation = evaluation
            self.validation = validation
            self.artifact = artifact
            self.evaluationDigest = evaluationDigest
            self.latencyP99Microseconds = latencyP99Microseconds
        }
    }

    /// Data checks of the candidate's training and evaluation datasets, and of the record's
    /// lineage claims (code commit and tree) against git.
    public struct DatasetChecks: Sendable, Equatable {
        /// Every dataset the record names resolves, by name and full digest, to a stored version.
        public let versioned: Bool
        /// One line per failed contract check, or contract policy the data does not meet, or
        /// check that could not be made, with the reason (empty: contracts pass).
        public let contractFailures: [String]
        /// One line per leakage finding between training and evaluation data (empty: none).
        public let leakageFindings: [String]
        /// One line per lineage claim of the record that git contradicts or cannot confirm (its
        /// code commit is not the run commit's parent, the tree is not that commit's code, the
        /// commit is not in the head's history). Empty: the record's lineage holds.
        public let lineageFailures: [String]

        public init(versioned: Bool, contractFailures: [String] = [], leakageFindings: [String] = [], lineageFailures: [String] = []) {
            self.versioned = versioned
            self.contractFailures = contractFailures
            self.leakageFindings = leakageFindings
            self.lineageFailures = lineageFailures
        }
    }

    public struct Cost: Sendable, Equatable {
        /// What the candidate's run cost, priced by the gatherer at the base's rates from the
        /// resources the run measured (never the record's own `usd`).
        public let usd: Double
        /// The run hit its budget (recorded as over budget).
        public let overBudget: Bool
        /// Why the run's cost could not be priced (the Cost row fails with it); nil when priced.
        public let unpriced: String?
        /// For a run over budget: the limit it broke against what it used
        /// (`cpu_seconds 12.5 > max_cpu_seconds 10`), as the gatherer read it from the record.
        public let budget: String?

        public init(usd: Double, overBudget: Bool, unpriced: String? = nil, budget: String? = nil) {
            self.usd = usd
            self.overBudget = overBudget
            self.unpriced = unpriced
            self.budget = budget
        }
    }

    public struct Code: Sendable, Equatable {
        /// The run was made from a dirty working tree.
        public let dirty: Bool
        /// The head's tree (excluding `ml/`) differs from the tree the candidate was trained on.
        public let stale: Bool

        public init(dirty: Bool, stale: Bool) {
            self.dirty = dirty
            self.stale = stale
        }
    }

    /// A reproduction of the candidate's run (`ml/attestations/<run>.json`), as the Runner
    /// checked it against the candidate's record and the trust root's allowed signers.
    public struct Attestation: Sendable, Equatable {
        /// The attestation record's own result (bit-identical, within tolerance, differs).
        public typealias Result = Records.Attestation.Result

        /// Whether the attestation counts.
        public enum Standing: Sendable, Equatable {
            /// Names this run and its artifacts, and is signed by `principal`, an allowed signer
            /// of the trust root: counted.
            case trusted(principal: String)
            /// This gate re-trained the candidate from its record itself (`reproduce_in_gate`): counted.
            case reproducedByGate
            /// Not counted: unsigned, or its signature does not verify against the trust root's
            /// allowed signers (`reason` says which).
            case selfReported(reason: String)
            /// A forgery (`reason` names it): another run's attestation, artifact digests that are
            /// not the record's, `bit_identical` over differing digests, an unreadable file.
            case forged(reason: String)
        }

        public let result: Result
        public let standing: Standing
        /// Largest metric difference observed, when reported.
        public let largestDelta: Double?

        public init(result: Result, standing: Standing, largestDelta: Double? = nil) {
            self.result = result
            self.standing = standing
            self.largestDelta = largestDelta
        }
    }

    /// The candidate's attestations, and whether its run was an external command (`git ml exec`),
    /// whose evidence is self-reported until a trusted reproducer re-executes it.
    public struct Attestations: Sendable, Equatable, ExpressibleByArrayLiteral {
        public let checked: [Attestation]
        public let externalCommand: Bool

        public init(checked: [Attestation], externalCommand: Bool) {
            self.checked = checked
            self.externalCommand = externalCommand
        }

        /// Attestations of a built-in run.
        public init(arrayLiteral elements: Attestation...) {
            self.init(checked: elements, externalCommand: false)
        }
    }

    public let candidate: Model
    /// The last promoted model of the suite; nil before the first promotion.
    public let champion: Model?
    public let dataset: DatasetChecks
    public let cost: Cost
    public let code: Code
    public let attestations: Attestations
    /// Evaluations already recorded on the pinned evaluation version (this one excluded).
    public let evaluationsSpent: Int

    public init(candidate: Model, champion: Model?, dataset: DatasetChecks, cost: Cost, code: Code,
                attestations: Attestations, evaluationsSpent: Int) {
        self.candidate = candidate
        self.champion = champion
        self.dataset = dataset
        self.cost = cost
        self.code = code
        self.attestations = attestations
        self.evaluationsSpent = evaluationsSpent
    }
}
