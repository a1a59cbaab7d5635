import Contracts
import Evaluation

/// Errors in `ml/suites/*.yaml` and `ml/gate.yaml`: the same located errors as contracts
/// (`file:line: key: message`), so every YAML file the user writes reports problems one way.
public typealias GateConfigError = ContractError

/// A benchmark suite (`ml/suites/<name>.yaml`): how one use case is evaluated, the same way
/// every time. Parsed by `Suite.parse(yaml:file:name:)`; the YAML format is in docs/FORMAT.md ("Suite files").
public struct Suite: Codable, Sendable, Equatable {
    /// The kind of prediction problem: binary classification (a score per row, higher meaning
    /// more likely positive), regression (a numeric prediction of a numeric target) or
    /// multiclass classification (a probability per declared class).
    public enum Task: String, Codable, Sendable, CaseIterable {
        case binary
        case regression
        case multiclass
    }

    /// The label column and, for a binary task, the value that counts as the positive class
    /// (nil otherwise); for a multiclass task the declared classes, in the order used everywhere
    /// (nil otherwise).
    public struct Label: Codable, Sendable, Equatable {
        public let column: String
        public let positive: String?
        public let classes: [String]?

        public init(column: String, positive: String?, classes: [String]? = nil) {
            self.column = column
            self.positive = positive
            self.classes = classes
        }
    }

    /// Whether smaller or larger values of the primary metric are better.
    public enum Direction: String, Codable, Sendable, CaseIterable {
        case minimize, maximize
    }

    /// The primary metric, at the production operating point.
    public struct Primary: Codable, Sendable, Equatable {
        public let metric: SuiteMetric
        /// Costs of the four outcomes (`cost: {fp, fn, tp, tn}`) of a binary suite, when given.
        public let costs: CostMatrix?
        /// Costs per unit of under- and over-prediction (`cost: {under, over}`) of a regression
        /// suite, when given.
        public let regressionCosts: RegressionCosts?
        /// How the decision threshold is chosen on validation rows; nil when no metric of the
        /// suite decides at a threshold.
        public let operatingPoint: OperatingPointRule?
        public let direction: Direction
        /// The cost matrix (`cost: [[…], …]`, rows = true class, columns = decided class) of a
        /// multiclass suite, when given.
        public var multiclassCosts: MulticlassCosts? = nil
        /// How a multiclass suite decides each row's class (argmax, or Bayes under the cost
        /// matrix); nil for other tasks.
        public var decision: MulticlassDecision? = nil
    }

    /// A metric that must stay within bounds (`max`, `min`) and/or not get worse than the
    /// champion's by more than `nonInferiorityMargin`, overall or on every slice of `slices`.
    public struct Guardrail: Codable, Sendable, Equatable {
        public let metric: SuiteMetric
        public let maximum: Double?
        public let minimum: Double?
        /// Columns whose values define slices for the non-inferiority test (intersection–union).
        public let slices: [String]
        public let nonInferiorityMargin: Double?
        /// Slices with fewer rows or positives than these are not applicable.
        public let minimumSliceRows: Int
        public let minimumSlicePositives: Int
    }

    /// How confidence intervals and tests are computed.
    public struct Significance: Codable, Sendable, Equatable {
        /// Only the paired bootstrap exists today.
        public enum Method: String, Codable, Sendable, CaseIterable {
            case pairedBootstrap = "paired_bootstrap"
        }
        public let method: Method
        public let resamples: Int
        public let confidence: Double
        public let seed: UInt64

        public init(method: Method = .pairedBootstrap, resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64 = 0) {
            self.method = method
            self.resamples = resamples
            self.confidence = confidence
            self.seed = seed
        }

        /// The bootstrap plan (percentile intervals, no BCa: the gate decides on one-sided
        /// percentile bounds, and skipping the jackknife keeps it fast).
        public var plan: BootstrapPlan {
            BootstrapPlan(resamples: resamples, seed: seed, confidence: confidence, bca: false)
        }
    }

    /// The suite's name (the file name without `.yaml`).
    public let name: String
    public let task: Task
    public let label: Label
    /// The pinned evaluation dataset (`eval: name@vN` or `name@sha256:<prefix>`).
    public let evaluation: DatasetReference
    /// The entity key column: bootstrap resamples whole entities when present.
    public let entity: String?
    public let primary: Primary
    public let guardrails: [Guardrail]
    /// Columns whose slices are reported (primary metric per value).
    public let slices: [String]
    public let significance: Significance

    /// Every column the evaluation needs besides label and score: entity, reported slices,
    /// guardrail slices and groups, without repeats, in order of first mention.
    public var requiredColumns: [String] {
        var columns = [String]()
        let guardrailColumns = guardrails.flatMap { $0.slices + [$0.metric.groups].compactMap { $0 } }
        for column in [entity].compactMap({ $0 }) + slices + guardrailColumns where !columns.contains(column) {
            columns.append(column)
        }
        return columns
    }
}

/// A dataset version as the user writes it: `name@vN` (a label) or `name@sha256:<hex prefix>`.
public struct DatasetReference: Codable, Sendable, Hashable, CustomStringConvertible {
    public enum Version: Sendable, Hashable {
        case label(Int)
        case digestPrefix(String)
    }
    public let name: String
    public let version: Version

    public init(name: String, version: Version) {
        self.name = name
        self.version = version
    }

    /// Parses `name@vN` or `name@sha256:<4–64 lowercase hex digits>`; nil when malformed.
    public init?(parsing text: String) {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let name = String(text[..<at]), version = text[text.index(after: at)...]
        guard !name.isEmpty else { return nil }
        if version.hasPrefix("v"), let number = Int(version.dropFirst()), number >= 1 {
            self.init(name: name, version: .label(number))
        } else if version.hasPrefix("sha256:") {
            let hex = version.dropFirst("sha256:".count)
            guard (4...64).contains(hex.count), hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
            self.init(name: name, version: .digestPrefix(String(hex)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch version {
        case .label(let number): return "\(name)@v\(number)"
        case .digestPrefix(let hex): return "\(name)@sha256:\(hex)"
        }
    }

    /// Encoded as the text the user writes (`name@v4`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let reference = DatasetReference(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not name@vN or name@sha256:<hex>"))
        }
        self = reference
    }
}
