import Kernels
import Tables

/// One hyperparameter value as read from a run configuration.
public enum HyperparameterValue: Sendable, Equatable {
    case number(Double)
    case text(String)
    case flag(Bool)
    case numbers([Double])
}

/// Builds a learner from a configuration's `kind` and hyperparameters (snake_case keys, as in
/// `model: { kind: gbdt, rounds: 300, num_leaves: 31, learning_rate: 0.05 }`). Unknown keys
/// (with the nearest known one), ill-typed and out-of-range values are errors, so a typo never
/// silently falls back to a default and never waits for training to be found.
public enum LearnerConfiguration {
    /// The accepted `kind` values.
    public static let kinds = ["logistic_regression", "linear_regression", "gbdt", "mlp"]

    /// The learner for `kind` with `hyperparameters` applied over the defaults. `task` selects
    /// the objective of GBDT, the head of the MLP and, for `logistic_regression`, binary or
    /// multinomial; `classCount` is the number of classes of a multiclass task. Regression GBDT
    /// takes `objective: l2 | l1 | huber | quantile` (with `huber_delta` and `alpha`).
    public static func learner(kind: String, task: PredictionTask, classCount: Int = 2,
                               hyperparameters: [String: HyperparameterValue]) throws(LearnerError) -> any Learner {
        var reader = Reader(values: hyperparameters)
        let learner: any Learner
        switch kind {
        case "logistic_regression" where task == .multiclass:
            var model = MultinomialLogisticRegression(classCount: classCount)
            model.l2 = try reader.number("l2") ?? model.l2
            model.maxIterations = try reader.integer("max_iterations") ?? model.maxIterations
            model.tolerance = try reader.number("tolerance") ?? model.tolerance
            model.encoding = try reader.encoding(model.encoding)
            learner = model
        case "logistic_regression":
            var model = LogisticRegression()
            model.l2 = try reader.number("l2") ?? model.l2
            model.maxIterations = try reader.integer("max_iterations") ?? model.maxIterations
            model.tolerance = try reader.number("tolerance") ?? model.tolerance
            model.classWeights = try reader.classWeights() ?? model.classWeights
            model.encoding = try reader.encoding(model.encoding)
            learner = model
        case "linear_regression":
            var model = LinearRegression()
            model.l2 = try reader.number("l2") ?? model.l2
            model.encoding = try reader.encoding(model.encoding)
            learner = model
        case "gbdt":
            var model = GradientBoostedTrees(objective: try reader.objective(task: task), classCount: classCount)
            model.huberDelta = try reader.number("huber_delta") ?? model.huberDelta
            model.quantileAlpha = try reader.number("alpha") ?? model.quantileAlpha
            model.rounds = try reader.integer("rounds") ?? model.rounds
            model.learningRate = try reader.number("learning_rate") ?? model.learningRate
            model.numLeaves = try reader.integer("num_leaves") ?? model.numLeaves
            // As in LightGBM, max_depth ≤ 0 means unlimited.
            if let depth = try reader.integer("max_depth") { model.maxDepth = depth > 0 ? depth : nil }
            model.minDataInLeaf = try reader.integer("min_data_in_leaf") ?? model.minDataInLeaf
            model.minSumHessianInLeaf = try reader.number("min_sum_hessian_in_leaf") ?? model.minSumHessianInLeaf
            model.minGain = try reader.number("min_gain") ?? model.minGain
            model.lambdaL2 = try reader.number("lambda_l2") ?? model.lambdaL2
            model.maxBins = try reader.integer("max_bins") ?? model.maxBins
            model.baggingFraction = try reader.number("bagging_fraction") ?? model.baggingFraction
            model.featureFraction = try reader.number("feature_fraction") ?? model.featureFraction
            model.earlyStoppingRounds = try reader.integer("early_stopping_rounds") ?? model.earlyStoppingRounds
            model.validationFraction = try reader.number("validation_fraction") ?? model.validationFraction
            model.categorical.oneHotMaxCategories = try reader.integer("categorical_one_hot_max") ?? model.categorical.oneHotMaxCategories
            model.categorical.smoothing = try reader.number("categorical_smoothing") ?? model.categorical.smoothing
            model.categorical.l2 = try reader.number("categorical_l2") ?? model.categorical.l2
            model.categorical.minDataPerGroup = try reader.integer("categorical_min_data_per_group") ?? model.categorical.minDataPerGroup
            model.categorical.maxThreshold = try reader.integer("categorical_max_threshold") ?? model.categorical.maxThreshold
            learner = model
        case "mlp":
            var model = MultilayerPerceptron(task: task, classCount: classCount)
            model.hiddenLayers = try reader.integers("hidden_layers") ?? model.hiddenLayers
            model.learningRate = try reader.number("learning_rate") ?? model.learningRate
            model.batchSize = try reader.integer("batch_size") ?? model.batchSize
            model.epochs = try reader.integer("epochs") ?? model.epochs
            model.l2 = try reader.number("l2") ?? model.l2
            model.earlyStoppingRounds = try reader.integer("early_stopping_rounds") ?? model.earlyStoppingRounds
            model.validationFraction = try reader.number("validation_fraction") ?? model.validationFraction
            model.encoding = try reader.encoding(model.encoding)
            learner = model
        default:
            throw .invalidHyperparameter(name: "kind", value: kind, requirement: "one of \(kinds.joined(separator: ", "))")
        }
        if let unused = reader.unusedKeys.first {
            throw .invalidHyperparameter(name: unused, value: "\(hyperparameters[unused]!)", requirement: "not a \(kind) hyperparameter" + NearestName.hint(for: unused, among: reader.used))
        }
        try learner.validateHyperparameters()
        return learner
    }

    /// Typed access to hyperparameters that remembers which keys were read.
    private struct Reader {
        let values: [String: HyperparameterValue]
        var used: Set<String> = []

        var unusedKeys: [String] { values.keys.filter { !used.contains($0) }.sorted() }

        mutating func number(_ key: String) throws(LearnerError) -> Double? {
            used.insert(key)
            switch values[key] {
            case nil: return nil
            case let .number(value)?: return value
            case let other?: throw .invalidHyperparameter(name: key, value: "\(other)", requirement: "a number")
            }
        }

        mutating func integer(_ key: String) throws(LearnerError) -> Int? {
            guard let value = try number(key) else { return nil }
            guard value == value.rounded(), abs(value) < 1e15 else {
                throw .invalidHyperparameter(name: key, value: "\(value)", requirement: "an integer")
            }
            return Int(value)
        }

        mutating func integers(_ key: String) throws(LearnerError) -> [Int]? {
            used.insert(key)
            switch values[key] {
            case nil: return nil
            case let .numbers(list)? where list.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }): return list.map { Int($0) }
            case let .number(value)? where value == value.rounded() && abs(value) < 1e9: return [Int(value)]
            case let other?: throw .invalidHyperparameter(name: key, value: "\(other)", requirement: "a list of integers")
            }
        }

        mutating func text(_ key: String, allowed: [String]) throws(LearnerError) -> String? {
            used.insert(key)
            switch values[key] {
            case nil: return nil
            case let .text(value)? where allowed.contains(value): return value
            case let other?: throw .invalidHyperparameter(name: key, value: "\(other)", requirement: "one of \(allowed.joined(separator: ", "))")
            }
        }

        mutating func flag(_ key: String) throws(LearnerError) -> Bool? {
            used.insert(key)
            switch values[key] {
            case nil: return nil
            case let .flag(value)?: return value
            case let other?: throw .invalidHyperparameter(name: key, value: "\(other)", requirement: "true or false")
            }
        }

        /// The GBDT objective: fixed by a classification task, `objective: l2 | l1 | huber |
        /// quantile` (default l2) for regression; `huber_delta` and `alpha` only with theirs.
        mutating func objective(task: PredictionTask) throws(LearnerError) -> GradientBoostedTrees.Objective {
            let names = GradientBoostedTrees.Objective.regressionNames
            let name = try text("objective", allowed: names.keys.sorted())
            let objective: GradientBoostedTrees.Objective
            switch task {
            case .binaryClassification, .multiclass:
                if let name {
                    throw .invalidHyperparameter(name: "objective", value: name, requirement: "only for regression (a classification task fixes the loss)")
                }
                objective = task == .multiclass ? .multiclassSoftmax : .binaryLogLoss
            case .regression: objective = name.flatMap { names[$0] } ?? .squaredError
            }
            if values["huber_delta"] != nil, objective != .huber {
                throw .invalidHyperparameter(name: "huber_delta", value: "\(values["huber_delta"]!)", requirement: "only with objective: huber")
            }
            if values["alpha"] != nil, objective != .quantile {
                throw .invalidHyperparameter(name: "alpha", value: "\(values["alpha"]!)", requirement: "only with objective: quantile")
            }
            return objective
        }

        /// `class_weights: balanced | uniform | [w0, w1]`.
        mutating func classWeights() throws(LearnerError) -> ClassWeights? {
            used.insert("class_weights")
            switch values["class_weights"] {
            case nil: return nil
            case .text("balanced")?: return .balanced
            case .text("uniform")?: return .uniform
            case let .numbers(pair)? where pair.count == 2: return .explicit(negative: pair[0], positive: pair[1])
            case let other?: throw .invalidHyperparameter(name: "class_weights", value: "\(other)",
                                                          requirement: "balanced, uniform or [weight of 0, weight of 1]")
            }
        }

        /// `missing: refuse | impute`, `categories: one_hot | ordinal`, `standardize: bool`.
        mutating func encoding(_ defaults: EncodingOptions) throws(LearnerError) -> EncodingOptions {
            var options = defaults
            if let missing = try text("missing", allowed: ["refuse", "impute"]) {
                options.missing = missing == "impute" ? .imputeMean : .refuse
            }
            if let categories = try text("categories", allowed: ["one_hot", "ordinal"]) {
                options.categories = categories == "ordinal" ? .ordinal : .oneHot
            }
            options.standardize = try flag("standardize") ?? options.standardize
            return options
        }
    }
}
