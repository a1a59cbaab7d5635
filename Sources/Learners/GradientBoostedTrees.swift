import Kernels

/// Gradient-boosted decision trees trained on histograms of binned features, in the manner of
/// LightGBM: quantile bins (≤ maxBins, bin 0 for missing), leaf-wise growth, the histogram
/// subtraction trick, native categorical splits, a learned direction for missing values, seeded
/// row (bagging) and feature subsampling, and early stopping on a seeded validation split.
/// NaN features are missing values; no imputation is needed.
public struct GradientBoostedTrees: Learner {
    /// The loss the trees minimize.
    public enum Objective: UInt8, Sendable, Equatable {
        /// Log loss on labels 0/1; scores are P(label = 1).
        case binaryLogLoss = 0
        /// Squared error; scores are the predicted value.
        case squaredError = 1
        /// Softmax log loss over `classCount` classes, one tree per class per round; scores are
        /// the class probabilities.
        case multiclassSoftmax = 2
        /// Absolute error (L1); leaves are refit to the median residual. Scores are the value.
        case absoluteError = 3
        /// Huber loss with threshold `huberDelta`. Scores are the value.
        case huber = 4
        /// Pinball loss at `quantileAlpha`; leaves are refit to the alpha quantile of the
        /// residuals. Scores estimate the alpha quantile of the label.
        case quantile = 5

        var task: PredictionTask {
            switch self {
            case .binaryLogLoss: .binaryClassification
            case .multiclassSoftmax: .multiclass
            case .squaredError, .absoluteError, .huber, .quantile: .regression
            }
        }

        /// The `objective` key's values in a run configuration (regression objectives).
        public static let regressionNames: [String: Objective] = ["l2": .squaredError, "l1": .absoluteError,
                                                                  "huber": .huber, "quantile": .quantile]
    }

    public var objective: Objective
    /// Classes of the multiclass objective (labels 0…classCount-1), 2…65536.
    public var classCount: Int
    /// The Huber loss is quadratic for |residual| ≤ delta and linear beyond.
    public var huberDelta: Double
    /// The quantile the quantile objective estimates, in (0, 1).
    public var quantileAlpha: Double
    public var rounds: Int
    public var learningRate: Double
    public var numLeaves: Int
    /// nil: unlimited depth.
    public var maxDepth: Int?
    public var minDataInLeaf: Int
    public var minSumHessianInLeaf: Double
    /// A split must reduce the loss by more than this.
    public var minGain: Double
    public var lambdaL2: Double
    /// Bins per feature including the missing bin, 2…255.
    public var maxBins: Int
    /// Fraction of training rows each tree sees (a fresh seeded sample per round).
    public var baggingFraction: Double
    /// Fraction of features each tree may split on (a fresh seeded choice per round).
    public var featureFraction: Double
    /// Stop after this many rounds without improvement on the validation split (0: off).
    public var earlyStoppingRounds: Int
    /// Fraction of rows held out for early stopping (used only when earlyStoppingRounds > 0).
    public var validationFraction: Double
    /// How categorical features split.
    public var categorical: CategoricalSplitting
    /// Rows sampled to place bin boundaries.
    public var binSampleCount: Int

    public init(objective: Objective = .binaryLogLoss, rounds: Int = 100, learningRate: Double = 0.1,
                numLeaves: Int = 31, maxDepth: Int? = nil, minDataInLeaf: Int = 20, minSumHessianInLeaf: Double = 1e-3,
                minGain: Double = 0, lambdaL2: Double = 0, maxBins: Int = 255, baggingFraction: Double = 1,
                featureFraction: Double = 1, earlyStoppingRounds: Int = 0, validationFraction: Double = 0.1,
                categorical: CategoricalSplitting = CategoricalSplitting(), binSampleCount: Int = 200_000, classCount: Int = 2,
                huberDelta: Double = 1, quantileAlpha: Double = 0.5) {
        self.objective = objective
        self.classCount = classCount
        self.huberDelta = huberDelta
        self.quantileAlpha = quantileAlpha
        self.rounds = rounds
        self.learningRate = learningRate
        self.numLeaves = numLeaves
        self.maxDepth = maxDepth
        self.minDataInLeaf = minDataInLeaf
        self.minSumHessianInLeaf = minSumHessianInLeaf
        self.minGain = minGain
        self.lambdaL2 = lambdaL2
        self.maxBins = maxBins
        self.baggingFraction = baggingFraction
        self.featureFraction = featureFraction
        self.earlyStoppingRounds = earlyStoppingRounds
        self.validationFraction = validationFraction
        self.categorical = categorical
        self.binSampleCount = binSampleCount
    }

    public func validateHyperparameters() throws(LearnerError) {
        func require(_ ok: Bool, _ name: String, _ value: Any, _ requirement: String) throws(LearnerError) {
            if !ok { throw .invalidHyperparameter(name: name, value: "\(value)", requirement: requirement) }
        }
        try require((1...100_000).contains(rounds), "rounds", rounds, "1…100000")
        try require(learningRate > 0 && learningRate.isFinite, "learning_rate", learningRate, "> 0")
        try require((2...131_072).contains(numLeaves), "num_leaves", numLeaves, "2…131072")
        try require((1...64).contains(maxDepth ?? 1), "max_depth", maxDepth as Any, "1…64")
        try require(minDataInLeaf >= 1, "min_data_in_leaf", minDataInLeaf, "≥ 1")
        try require(minSumHessianInLeaf >= 0, "min_sum_hessian_in_leaf", minSumHessianInLeaf, "≥ 0")
        try require(minGain >= 0, "min_gain", minGain, "≥ 0")
        try require(lambdaL2 >= 0 && lambdaL2.isFinite, "lambda_l2", lambdaL2, "≥ 0")
        try require((2...255).contains(maxBins), "max_bins", maxBins, "2…255")
        try require(baggingFraction > 0 && baggingFraction <= 1, "bagging_fraction", baggingFraction, "in (0, 1]")
        try require(featureFraction > 0 && featureFraction <= 1, "feature_fraction", featureFraction, "in (0, 1]")
        try require((0...100_000).contains(earlyStoppingRounds), "early_stopping_rounds", earlyStoppingRounds, "0…100000")
        try require(earlyStoppingRounds == 0 || (validationFraction > 0 && validationFraction < 1),
                    "validation_fraction", validationFraction, "in (0, 1) when early stopping is on")
        try require(categorical.oneHotMaxCategories >= 0, "categorical_one_hot_max", categorical.oneHotMaxCategories, "≥ 0")
        try require(categorical.smoothing >= 0 && categorical.smoothing.isFinite, "categorical_smoothing", categorical.smoothing, "≥ 0")
        try require(categorical.l2 >= 0 && categorical.l2.isFinite, "categorical_l2", categorical.l2, "≥ 0")
        try require(categorical.minDataPerGroup >= 1, "categorical_min_data_per_group", categorical.minDataPerGroup, "≥ 1")
        try require((1...255).contains(categorical.maxThreshold), "categorical_max_threshold", categorical.maxThreshold, "1…255")
        try require((1...100_000_000).contains(binSampleCount), "bin_sample_count", binSampleCount, "1…100000000")
        try require((2...65_536).contains(classCount), "classes", classCount, "2…65536 classes")
        try require(huberDelta > 0 && huberDelta.isFinite, "huber_delta", huberDelta, "> 0 and finite")
        try require(quantileAlpha > 0 && quantileAlpha < 1, "alpha", quantileAlpha, "in (0, 1)")
    }

    public func fit(_ features: FeatureMatrix, labels: [Double], seed: UInt64,
                    threads: ParallelFor.Threads) throws(LearnerError) -> GradientBoostedTreesModel {
        try validateHyperparameters()
        try Labels.validate(labels, rowCount: features.rowCount, task: objective.task, classCount: classCount)
        try features.validateCategoryCodes()
        let split = earlyStoppingRounds > 0
            ? Labels.validationSplit(count: features.rowCount, fraction: validationFraction, seed: seed)
            : (training: Array(0..<features.rowCount), validation: [])
        guard !split.training.isEmpty else { throw .emptyInput }
        var random = SplitMix64(seed: seed)
        let binners = fitBinners(features, trainingRows: split.training, random: &random, threads: threads)
        let training = BinnedMatrix(features, rows: earlyStoppingRounds > 0 ? split.training : nil, binners: binners,
                                    columnMajorCopy: true, threads: threads)
        let validation = BinnedMatrix(features, rows: split.validation, binners: binners, columnMajorCopy: false,
                                      threads: threads)
        let trainingLabels = split.training.map { labels[$0] }
        let validationLabels = split.validation.map { labels[$0] }

        let loss = BoostingLoss(self)
        let perRound = loss.treesPerRound
        let baseScores = loss.baseScores(trainingLabels)
        var trainingScores = baseScores.map { [Double](repeating: $0, count: training.rowCount) }
        var validationScores = baseScores.map { [Double](repeating: $0, count: validation.rowCount) }
        let grower = TreeGrower(data: training, binners: binners,
                                rules: SplitRules(minDataInLeaf: minDataInLeaf, minSumHessianInLeaf: minSumHessianInLeaf,
                                                  lambdaL2: lambdaL2, minGain: minGain, categorical: categorical),
                                maxLeaves: numLeaves, maxDepth: maxDepth, threads: threads)
        var workspace = TreeGrower.Workspace()
        // Without bagging every round trains on every row: one list, not a new 4 MB one a round.
        let allRows = baggingFraction < 1 ? [] : (0..<UInt32(training.rowCount)).map { $0 }
        var trees: [RegressionTree] = [], validationLoss: [Double] = []
        var bestRound = 0
        // Class-major gradients and hessians, reused by every round.
        var gradients: [Double] = [], hessians: [Double] = []
        for round in 0..<rounds {
            // One pass gives every class's gradients; the round's trees share its bag and features.
            loss.gradients(trainingScores, trainingLabels, into: &gradients, hessians: &hessians, threads: threads)
            let rows = baggingFraction < 1 ? bagRows(training.rowCount, random: &random) : allRows
            let featureSubset = subsetFeatures(binners.count, random: &random)
            let outOfBag = rows.count < training.rowCount ? Self.complement(rows, count: training.rowCount) : nil
            for k in 0..<perRound {
                let classRows = (k * training.rowCount)..<((k + 1) * training.rowCount)
                var grown = gradients.withUnsafeBufferPointer { g in
                    hessians.withUnsafeBufferPointer { h in
                        grower.grow(rows: rows, gradients: UnsafeBufferPointer(rebasing: g[classRows]),
                                    hessians: loss.hasUnitHessian ? nil : UnsafeBufferPointer(rebasing: h[classRows]),
                                    features: featureSubset, workspace: &workspace)
                    }
                }
                if loss.renewsLeaves { grown.leafValues = loss.renewedLeafValues(grown, labels: trainingLabels, scores: trainingScores[k]) }
                let tree = RegressionTree(grown, binners: binners, learningRate: learningRate)
                let leafValues = tree.leafValues
                Self.addLeafValues(leafValues, of: grown, to: &trainingScores[k], threads: threads)
                if let outOfBag {
                    Self.addTree(grown, leafValues: leafValues, data: training, rows: outOfBag, to: &trainingScores[k], threads: threads)
                }
                trees.append(tree)
                if earlyStoppingRounds > 0 {
                    Self.addTree(grown, leafValues: leafValues, data: validation, rows: nil, to: &validationScores[k], threads: threads)
                }
            }
            guard earlyStoppingRounds > 0 else { continue }
            validationLoss.append(loss.loss(validationScores, validationLabels))
            if validationLoss[round] < validationLoss[bestRound] { bestRound = round }
            if round - bestRound >= earlyStoppingRounds { break }
        }
        if earlyStoppingRounds > 0 { trees.removeSubrange(((bestRound + 1) * perRound)...) }
        return GradientBoostedTreesModel(schema: features.schema, objective: objective, parameter: modelParameter,
                                         baseScores: baseScores, trees: trees, validationLoss: validationLoss)
    }

    /// Adds each leaf's value to the scores of the rows the tree grew it from, in parallel
    /// pieces of at most 16,384 rows of one leaf (leaves differ in size by orders of magnitude,
    /// so whole leaves would leave a thread idle); the rows are disjoint, so each score gets
    /// exactly one addition whatever the order.
    private static func addLeafValues(_ leafValues: [Double], of grown: GrownTree, to scores: inout [Double],
                                      threads: ParallelFor.Threads) {
        let pieces = grown.leafRanges.indices.flatMap { leaf in
            ParallelFor.blocks(count: grown.leafRanges[leaf].count, blockSize: 16_384).map {
                (leaf: leaf, positions: (grown.leafRanges[leaf].lowerBound + $0.lowerBound)..<(grown.leafRanges[leaf].lowerBound + $0.upperBound))
            }
        }
        scores.withUnsafeMutableBufferPointer { scores in
            grown.rowsByLeaf.withUnsafeBufferPointer { rows in
                let out = SendablePointer(scores.baseAddress!)
                let rowBase = SendablePointer(UnsafeMutablePointer(mutating: rows.baseAddress!))
                ParallelFor.run(count: pieces.count, blockSize: 1, threads: threads) { items in
                    for item in items {
                        let value = leafValues[pieces[item].leaf]
                        for position in pieces[item].positions { out.base[Int(rowBase.base[position])] += value }
                    }
                }
            }
        }
    }

    private func fitBinners(_ features: FeatureMatrix, trainingRows: [Int], random: inout SplitMix64,
                            threads: ParallelFor.Threads) -> [FeatureBinner] {
        var sampleRows = trainingRows
        if sampleRows.count > binSampleCount {
            sampleRows = random.permutation(trainingRows.count).prefix(binSampleCount).sorted().map { trainingRows[$0] }
        }
        // One feature per block: each binner sorts its own sample, so features fit side by side.
        let columns = features.schema.columns, rows = sampleRows, maxBins = maxBins
        return ParallelFor.map(count: columns.count, blockSize: 1, threads: threads) { block in
            block.map { j in FeatureBinner.fit(sample: rows.map { features.columns[j][$0] }, kind: columns[j].kind, maxBins: maxBins) }
        }.flatMap { $0 }
    }

    /// The rows one round trains on when bagging (fraction < 1), ascending: a seeded sample of
    /// the bagging fraction.
    private func bagRows(_ count: Int, random: inout SplitMix64) -> [UInt32] {
        // Selection sampling: exactly `wanted` rows, each subset equally likely.
        let wanted = max(1, Int((Double(count) * baggingFraction).rounded()))
        var rows: [UInt32] = []
        rows.reserveCapacity(wanted)
        for row in 0..<count where rows.count < wanted {
            if random.unit() * Double(count - row) < Double(wanted - rows.count) { rows.append(UInt32(row)) }
        }
        return rows
    }

    private func subsetFeatures(_ count: Int, random: inout SplitMix64) -> [Int32] {
        guard featureFraction < 1 else { return (0..<Int32(count)).map { $0 } }
        let wanted = max(1, Int((Double(count) * featureFraction).rounded()))
        return random.permutation(count).prefix(wanted).sorted().map(Int32.init)
    }

    /// scores[i] += the tree's leaf value for binned row i, for the listed rows (all when nil).
    static func addTree(_ tree: GrownTree, leafValues: [Double], data: BinnedMatrix, rows: [UInt32]?,
                        to scores: inout [Double], threads: ParallelFor.Threads) {
        let count = rows?.count ?? data.rowCount
        guard count > 0 else { return }
        scores.withUnsafeMutableBufferPointer { s in
            let out = SendablePointer(s.baseAddress!)
            data.bins.withUnsafeBufferPointer { bins in
                let binPointer = SendablePointer(UnsafeMutablePointer(mutating: bins.baseAddress!))
                ParallelFor.run(count: count, blockSize: 16_384, threads: threads) { range in
                    for k in range {
                        let i = rows.map { Int($0[k]) } ?? k
                        out.base[i] += leafValues[tree.leaf(forRowBins: binPointer.base + i * data.featureCount)]
                    }
                }
            }
        }
    }

    /// The rows of 0..<count not in the ascending list `rows`.
    static func complement(_ rows: [UInt32], count: Int) -> [UInt32] {
        var inBag = [Bool](repeating: false, count: count)
        for row in rows { inBag[Int(row)] = true }
        return (0..<UInt32(count)).filter { !inBag[Int($0)] }
    }

    /// The objective's parameter a model records: delta (Huber), alpha (quantile), nil otherwise.
    private var modelParameter: Double? {
        switch objective {
        case .huber: huberDelta
        case .quantile: quantileAlpha
        default: nil
        }
    }
}

/// A trained boosted-tree model: base score plus the sum of tree outputs, through the sigmoid
/// for binary log loss; for multiclass, per class (trees alternate over the classes within each
/// round) through the softmax.
public struct GradientBoostedTreesModel: Model {
    public static let kind = ModelKind.gradientBoostedTrees
    public let schema: FeatureSchema
    public let objective: GradientBoostedTrees.Objective
    /// Huber's delta or the quantile's alpha; nil for the other objectives.
    public let objectiveParameter: Double?
    /// The initial raw score of each class (one value unless multiclass).
    public let baseScores: [Double]
    let trees: [RegressionTree]
    /// Validation loss after each round trained (empty without early stopping).
    public let validationLoss: [Double]
    public var task: PredictionTask { objective.task }
    public var outputCount: Int { baseScores.count }
    public var formatVersion: Int { objective == .binaryLogLoss || objective == .squaredError ? 1 : 2 }
    /// Trees kept (the best round's count when early stopping; one per class per round).
    public var treeCount: Int { trees.count }

    init(schema: FeatureSchema, objective: GradientBoostedTrees.Objective, parameter: Double?, baseScores: [Double],
         trees: [RegressionTree], validationLoss: [Double]) {
        self.schema = schema
        self.objective = objective
        objectiveParameter = parameter
        self.baseScores = baseScores
        self.trees = trees
        self.validationLoss = validationLoss
    }

    /// Per feature (schema order): total loss reduction of its splits, and how many splits use it.
    public var featureImportance: (gain: [Double], splits: [Int]) {
        var gain = [Double](repeating: 0, count: schema.columns.count), splits = [Int](repeating: 0, count: schema.columns.count)
        for tree in trees {
            for node in tree.nodes {
                gain[Int(node.feature)] += node.gain
                splits[Int(node.feature)] += 1
            }
        }
        return (gain, splits)
    }

    /// Rows per prediction block: the block's values are copied row-major, then every tree runs
    /// over the block while it is in cache.
    static let predictionBlockSize = 2048
    /// Rows every tree walks before the next tree starts (the same additions per row, in tree order).
    static let walkBlockSize = 256

    public func predict(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> [Double] {
        try features.requireSchema(schema)
        let classes = outputCount
        var scores = [Double](repeating: 0, count: features.rowCount * classes)
        guard features.rowCount > 0 else { return [] }
        let width = features.columnCount
        scores.withUnsafeMutableBufferPointer { s in
            let out = SendablePointer(s.baseAddress!)
            ParallelFor.run(count: features.rowCount, blockSize: Self.predictionBlockSize, threads: threads) { range in
                var rowMajor = [Float](repeating: 0, count: range.count * width)
                for j in 0..<width {
                    features.columns[j].withUnsafeBufferPointer { column in
                        for i in range { rowMajor[(i - range.lowerBound) * width + j] = column[i] }
                    }
                }
                // Class-major raw scores of the block.
                var raw = [Double](repeating: 0, count: range.count * classes)
                for k in 0..<classes { for i in 0..<range.count { raw[k * range.count + i] = baseScores[k] } }
                // Every tree walks a few hundred rows at a time, whose values stay in L1.
                rowMajor.withUnsafeBufferPointer { values in
                    raw.withUnsafeMutableBufferPointer { raw in
                        for start in stride(from: 0, to: range.count, by: Self.walkBlockSize) {
                            let count = min(Self.walkBlockSize, range.count - start)
                            for (t, tree) in trees.enumerated() {
                                tree.addValues(rows: values.baseAddress! + start * width, width: width, count: count,
                                               into: raw.baseAddress! + (t % classes) * range.count + start)
                            }
                        }
                    }
                }
                let target = out.base + range.lowerBound * classes
                switch objective {
                case .binaryLogLoss:
                    Transcendentals.apply(Transcendentals.sigmoid, raw, target, count: range.count)
                case .multiclassSoftmax:
                    // Eight rows at a time, one per lane (the values `Softmax.normalize` gives per row).
                    var lanes = [Transcendentals.Lanes](repeating: .init(), count: classes)
                    var first = 0
                    raw.withUnsafeBufferPointer { raw in
                        while first + 8 <= range.count {
                            Softmax.normalizeRows(classes: classes, { k in
                                UnsafeRawPointer(raw.baseAddress! + k * range.count + first).loadUnaligned(as: Transcendentals.Lanes.self)
                            }, into: &lanes)
                            for k in 0..<classes { for lane in 0..<8 { target[(first + lane) * classes + k] = lanes[k][lane] } }
                            first += 8
                        }
                    }
                    for i in first..<range.count {
                        for k in 0..<classes { target[i * classes + k] = raw[k * range.count + i] }
                        Softmax.normalize(target + i * classes, count: classes)
                    }
                case .squaredError, .absoluteError, .huber, .quantile:
                    for i in 0..<range.count { target[i] = raw[i] }
                }
            }
        }
        return scores
    }

    public func encodePayload(into writer: inout ByteWriter) {
        writer.write(schema)
        writer.write(objective.rawValue)
        switch objective {
        case .binaryLogLoss, .squaredError, .absoluteError: writer.write(baseScores[0])
        case .huber, .quantile:
            writer.write(objectiveParameter ?? 0)
            writer.write(baseScores[0])
        case .multiclassSoftmax:
            writer.write(UInt32(baseScores.count))
            writer.write(baseScores)
        }
        writer.write(validationLoss)
        writer.write(UInt32(trees.count))
        for tree in trees { tree.encode(into: &writer) }
    }

    public init(decodingPayload reader: inout ByteReader) throws(LearnerError) {
        schema = try reader.readSchema()
        let objectiveByte = try reader.read(UInt8.self)
        guard let objective = GradientBoostedTrees.Objective(rawValue: objectiveByte) else {
            throw .corruptModel(reason: "unknown objective \(objectiveByte)")
        }
        self.objective = objective
        switch objective {
        case .binaryLogLoss, .squaredError, .absoluteError:
            objectiveParameter = nil
            baseScores = [try reader.readDouble()]
        case .huber, .quantile:
            objectiveParameter = try reader.readDouble()
            baseScores = [try reader.readDouble()]
        case .multiclassSoftmax:
            objectiveParameter = nil
            let classes = try reader.readClassCount()
            baseScores = try reader.readDoubles()
            guard baseScores.count == classes else { throw .corruptModel(reason: "\(baseScores.count) base scores for \(classes) classes") }
        }
        validationLoss = try reader.readDoubles()
        let treeCount = Int(try reader.read(UInt32.self))
        guard treeCount % baseScores.count == 0 else { throw .corruptModel(reason: "\(treeCount) trees for \(baseScores.count) classes") }
        var trees: [RegressionTree] = []
        for _ in 0..<treeCount { trees.append(try RegressionTree(decoding: &reader, featureCount: schema.columns.count)) }
        self.trees = trees
    }
}
