import Contracts
import Foundation
import Learners
import Metering
import Sweeps

/// `ml/experiments/<name>.yaml`: what to train, on which data, with which seeds and budget.
/// The suite it names says how the result is judged (label, evaluation data, metrics).
///
///     suite: churn
///     train: churn-train@v2
///     validation: { split: random, fraction: 0.2 }
///     features: { exclude: [customer_id] }
///     model: { kind: gbdt, rounds: 200, num_leaves: 31, learning_rate: 0.05 }
///     seeds: [1, 2, 3, 4, 5]
///     candidate: ensemble
///     budget: { max_cpu_seconds: 900, max_usd: 0.10 }
public struct Experiment: Sendable, Equatable {
    /// How the validation rows (where the operating point is chosen) are taken from the
    /// training dataset; they are never trained on.
    public enum ValidationSplit: Sendable, Equatable {
        /// A seeded random `fraction` of the rows (seed: the experiment's first seed).
        case random(fraction: Double)
        /// The last `fraction` of the rows ordered by `column` (a time column): validation is
        /// after training, as production will be.
        case time(column: String, fraction: Double)
        /// K-fold cross-validation (a cross-validated sweep trial, `cv:` in the sweep file):
        /// every training row is scored by the model of the fold that left it out; nothing is
        /// held out of training for good, so only a validation-only trial may use it.
        case kfold(folds: Int)
    }

    /// Which model the run's candidate is when several seeds ran.
    public enum Candidate: Sendable, Equatable {
        /// The mean score of every seed's model.
        case ensemble
        /// The model trained with this seed.
        case seed(UInt64)
    }

    public let name: String
    public let suite: String
    /// The training dataset as written (`name@vN` or `name@sha256:…`).
    public let train: String
    public let validation: ValidationSplit
    /// Feature columns to use (nil: every column not excluded).
    public let include: [String]?
    /// Columns never used as features, in addition to the suite's label and entity.
    public let exclude: [String]
    /// `model.kind` and the other `model` keys as hyperparameters.
    public let modelKind: String
    public let hyperparameters: [String: HyperparameterValue]
    public let seeds: [UInt64]
    /// Regression: the quantiles of prediction intervals (`intervals: [0.05, 0.95]`), each
    /// estimated by a quantile GBDT per seed beside the point model; empty otherwise.
    public let intervals: [Double]
    public let candidate: Candidate
    public let budget: Budget
    /// GPUs the run holds (`gpus: N`), priced at `cost.gpu_hour_usd` for its wall time; GitML's
    /// own learners use none, an `exec` command may.
    public let gpus: Int

    /// Parses the experiment file's text; errors name `file`, the line and the key.
    public static func parse(yaml: String, file: String, name: String) throws(ContractError) -> Experiment {
        let root = try YAMLCursor.document(yaml: yaml, file: file, requiredKey: "suite")
        try root.requireKeys(in: ["suite", "train", "validation", "features", "model", "seeds", "seed", "candidate", "budget", "gpus", "description", "intervals"])
        let model = try root.required("model")
        var kind = ""
        var hyperparameters: [String: HyperparameterValue] = [:]
        for (key, value) in try model.entries() {
            if key == "kind" { kind = try value.string(); continue }
            hyperparameters[key] = try hyperparameter(value)
        }
        guard LearnerConfiguration.kinds.contains(kind) else {
            throw model.fail("model.kind must be one of \(LearnerConfiguration.kinds.joined(separator: ", "))")
        }
        let seeds = try seedList(root)
        let validation = try validationSplit(root.optional("validation"))
        let intervals = try intervalQuantiles(root.optional("intervals"))
        if case .kfold = validation, let node = try root.optional("intervals"), !intervals.isEmpty {
            throw node.fail("prediction intervals are not cross-validated: leave intervals out of a cross-validated sweep's experiment")
        }
        return Experiment(name: name, suite: try root.required("suite").string(), train: try root.required("train").string(),
                          validation: validation,
                          include: try features(root)?.optional("include")?.strings(),
                          exclude: try features(root)?.optional("exclude")?.strings() ?? [],
                          modelKind: kind, hyperparameters: hyperparameters, seeds: seeds,
                          intervals: intervals,
                          candidate: try candidate(root.optional("candidate"), seeds: seeds),
                          budget: try Budget.parse(root.optional("budget")), gpus: try gpuCount(root.optional("gpus")))
    }

    /// Reads `ml/experiments/<name>.yaml` under `mlDirectory`.
    public static func load(name: String, mlDirectory: String) throws -> Experiment {
        let path = mlDirectory + "/experiments/\(name).yaml"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunnerError.missingFile(path: path, hint: "write it (see templates/ml/experiments/example.yaml)")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: "ml/experiments/\(name).yaml", name: name)
    }

    /// `intervals: [q…]`: distinct quantiles strictly between 0 and 1, ascending.
    private static func intervalQuantiles(_ node: YAMLCursor?) throws(ContractError) -> [Double] {
        guard let node else { return [] }
        var quantiles: [Double] = []
        for item in try node.items() {
            let q = try item.double()
            guard q > 0, q < 1 else { throw item.fail("an interval quantile is between 0 and 1 (e.g. 0.05 or 0.95)") }
            guard quantiles.last.map({ $0 < q }) ?? true else { throw item.fail("give the interval quantiles ascending, each once") }
            quantiles.append(q)
        }
        guard !quantiles.isEmpty else { throw node.fail("give one or more quantiles, e.g. intervals: [0.05, 0.95]") }
        return quantiles
    }

    /// The hyperparameters of the quantile GBDT for interval quantile `q`: the experiment's own
    /// when its model is a GBDT (its objective keys replaced), GBDT defaults otherwise.
    public func intervalHyperparameters(_ q: Double) -> [String: HyperparameterValue] {
        var values = modelKind == "gbdt" ? hyperparameters : [:]
        values["huber_delta"] = nil
        values["objective"] = .text("quantile")
        values["alpha"] = .number(q)
        return values
    }

    private static func gpuCount(_ node: YAMLCursor?) throws(ContractError) -> Int {
        guard let node else { return 0 }
        let count = try node.int()
        guard count >= 0 else { throw node.fail("gpus is a number of GPUs, 0 or more") }
        return count
    }

    private static func features(_ root: YAMLCursor) throws(ContractError) -> YAMLCursor? {
        guard let features = try root.optional("features") else { return nil }
        try features.requireKeys(in: ["include", "exclude"])
        return features
    }

    private static func hyperparameter(_ value: YAMLCursor) throws(ContractError) -> HyperparameterValue {
        if case .sequence = value.node {
            var numbers: [Double] = []
            for item in try value.items() { numbers.append(try item.double()) }
            return .numbers(numbers)
        }
        let text = try value.string()
        if let number = Double(text) { return .number(number) }
        switch text.lowercased() {
        case "true": return .flag(true)
        case "false": return .flag(false)
        default: return .text(text)
        }
    }

    private static func seedList(_ root: YAMLCursor) throws(ContractError) -> [UInt64] {
        var seeds: [UInt64] = []
        if let list = try root.optional("seeds") {
            for item in try list.items() {
                guard let seed = UInt64(try item.string()), seed < 1 << 53 else { throw item.fail("a seed is an integer from 0 to 2^53") }
                seeds.append(seed)
            }
            guard !seeds.isEmpty, Set(seeds).count == seeds.count else { throw list.fail("give one or more distinct seeds") }
            if try root.optional("seed") != nil { throw list.fail("give seeds or seed, not both") }
        } else if let one = try root.optional("seed") {
            guard let seed = UInt64(try one.string()), seed < 1 << 53 else { throw one.fail("a seed is an integer from 0 to 2^53") }
            seeds = [seed]
        } else {
            seeds = [0]
        }
        return seeds
    }

    private static func validationSplit(_ node: YAMLCursor?) throws(ContractError) -> ValidationSplit {
        guard let node else { return .random(fraction: 0.2) }
        try node.requireKeys(in: ["split", "fraction", "last_fraction", "column", "folds"])
        if let split = try node.optional("split"), try split.string() == "kfold" {
            try node.requireKeys(in: ["split", "folds"])
            let foldsNode = try node.required("folds")
            let folds = try foldsNode.int()
            guard CrossValidationFolds.allowed.contains(folds) else { throw foldsNode.fail("folds must be 2 to 20") }
            return .kfold(folds: folds)
        }
        if let folds = try node.optional("folds") { throw folds.fail("folds goes with split: kfold") }
        var fractionNode = try node.optional("fraction")
        if fractionNode == nil { fractionNode = try node.optional("last_fraction") }
        let fraction = try fractionNode?.double() ?? 0.2
        guard fraction > 0, fraction < 1 else { throw node.fail("the validation fraction must be between 0 and 1") }
        switch try node.optional("split")?.string() ?? "random" {
        case "random": return .random(fraction: fraction)
        case "time": return .time(column: try node.required("column").string(), fraction: fraction)
        default: throw try node.required("split").fail("split is random, time or kfold")
        }
    }

    private static func candidate(_ node: YAMLCursor?, seeds: [UInt64]) throws(ContractError) -> Candidate {
        guard let node else { return seeds.count > 1 ? .ensemble : .seed(seeds[0]) }
        let text = try node.string()
        if text == "ensemble" { return .ensemble }
        if text.hasPrefix("seed:"), let seed = UInt64(text.dropFirst(5).trimmingCharacters(in: .whitespaces)), seeds.contains(seed) {
            return .seed(seed)
        }
        throw node.fail("candidate is ensemble or seed:N with N one of the seeds")
    }
}

extension Budget {
    /// Reads an experiment's `budget:` block.
    static func parse(_ node: YAMLCursor?) throws(ContractError) -> Budget {
        guard let node else { return Budget() }
        try node.requireKeys(in: ["max_cpu_seconds", "max_wall_seconds", "max_usd"])
        func positive(_ key: String) throws(ContractError) -> Double? {
            guard let value = try node.optional(key) else { return nil }
            let number = try value.double()
            guard number > 0 else { throw value.fail("\(key) must be positive") }
            return number
        }
        return Budget(maxCPUSeconds: try positive("max_cpu_seconds"), maxWallSeconds: try positive("max_wall_seconds"),
                      maxUSD: try positive("max_usd"))
    }
}
