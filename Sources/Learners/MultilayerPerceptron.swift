import Kernels

/// A feed-forward network of dense ReLU layers, trained by Adam on shuffled minibatches (as
/// scikit-learn's MLPClassifier / MLPRegressor): Glorot-uniform seeded initialization, L2
/// penalty, and a head per task — one sigmoid output with log loss (binary), one linear output
/// with half squared error (regression), or `classCount` softmax outputs with multiclass log
/// loss (multiclass) — and early stopping on a seeded validation split. Inputs are encoded (and by default
/// standardized) like the linear models. Training runs on one thread, so it is deterministic
/// by construction; prediction runs in parallel row blocks.
public struct MultilayerPerceptron: Learner {
    public var task: PredictionTask
    /// Classes of a multiclass task (the softmax head's width).
    public var classCount: Int
    /// Width of each hidden layer, input side first.
    public var hiddenLayers: [Int]
    public var learningRate: Double
    public var batchSize: Int
    public var epochs: Int
    /// L2 penalty on weights (scikit-learn's alpha).
    public var l2: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Stop after this many epochs without a lower validation loss (0: off); the best epoch's
    /// weights are kept.
    public var earlyStoppingRounds: Int
    public var validationFraction: Double
    public var encoding: EncodingOptions

    public init(task: PredictionTask = .binaryClassification, classCount: Int = 2, hiddenLayers: [Int] = [64], learningRate: Double = 1e-3,
                batchSize: Int = 200, epochs: Int = 50, l2: Double = 1e-4, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, earlyStoppingRounds: Int = 0, validationFraction: Double = 0.1,
                encoding: EncodingOptions = EncodingOptions()) {
        self.task = task
        self.classCount = classCount
        self.hiddenLayers = hiddenLayers
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.epochs = epochs
        self.l2 = l2
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.earlyStoppingRounds = earlyStoppingRounds
        self.validationFraction = validationFraction
        self.encoding = encoding
    }

    public func validateHyperparameters() throws(LearnerError) {
        func require(_ ok: Bool, _ name: String, _ value: Any, _ requirement: String) throws(LearnerError) {
            if !ok { throw .invalidHyperparameter(name: name, value: "\(value)", requirement: requirement) }
        }
        try require(hiddenLayers.count <= 16 && hiddenLayers.allSatisfy { (1...65_536).contains($0) }, "hidden_layers", hiddenLayers,
                    "at most 16 layers, widths 1…65536")
        try require(learningRate > 0 && learningRate.isFinite, "learning_rate", learningRate, "> 0")
        try require((1...65_536).contains(batchSize), "batch_size", batchSize, "1…65536")
        try require((1...100_000).contains(epochs), "epochs", epochs, "1…100000")
        try require(l2 >= 0 && l2.isFinite, "l2", l2, "≥ 0")
        try require((0..<1).contains(beta1) && (0..<1).contains(beta2), "beta", "\(beta1), \(beta2)", "in [0, 1)")
        try require(epsilon > 0, "epsilon", epsilon, "> 0")
        try require((2...65_536).contains(classCount), "classes", classCount, "2…65536 classes")
        try require((0...100_000).contains(earlyStoppingRounds), "early_stopping_rounds", earlyStoppingRounds, "0…100000")
        try require(earlyStoppingRounds == 0 || (validationFraction > 0 && validationFraction < 1),
                    "validation_fraction", validationFraction, "in (0, 1) when early stopping is on")
    }

    public func fit(_ features: FeatureMatrix, labels: [Double], seed: UInt64,
                    threads: ParallelFor.Threads) throws(LearnerError) -> MLPModel {
        try validateHyperparameters()
        try Labels.validate(labels, rowCount: features.rowCount, task: task, classCount: classCount)
        let (encoder, columnMajor) = try FeatureEncoder.fit(features, options: encoding, threads: threads)
        // Minibatches read whole rows in random order: keep the design row-major.
        let design = columnMajor.rowMajor(0..<columnMajor.rows, threads: threads)
        let width = columnMajor.columns
        let split = earlyStoppingRounds > 0
            ? Labels.validationSplit(count: columnMajor.rows, fraction: validationFraction, seed: seed)
            : (training: Array(0..<columnMajor.rows), validation: [])
        guard !split.training.isEmpty else { throw .emptyInput }
        var random = SplitMix64(seed: seed)
        var network = Network(widths: [width] + hiddenLayers + [task == .multiclass ? classCount : 1], random: &random)
        var optimizer = AdamState(network: network)
        var best = network
        var validationLoss: [Double] = []
        var bestEpoch = 0
        var workspace = Network.Workspace(network: network, rows: batchSize)
        for epoch in 0..<epochs {
            let order = random.permutation(split.training.count).map { split.training[$0] }
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let batch = Array(order[start..<min(start + batchSize, order.count)])
                let gradient = network.gradient(design, rows: batch, labels: labels, task: task, l2: l2, workspace: &workspace)
                optimizer.step(&network, gradient: gradient, learningRate: learningRate, beta1: beta1, beta2: beta2,
                               epsilon: epsilon)
            }
            guard earlyStoppingRounds > 0 else { continue }
            validationLoss.append(network.loss(design, rows: split.validation, labels: labels, task: task, workspace: &workspace))
            if validationLoss[epoch] < validationLoss[bestEpoch] || epoch == 0 {
                bestEpoch = epoch
                best = network
            }
            if epoch - bestEpoch >= earlyStoppingRounds { break }
        }
        return MLPModel(schema: features.schema, encoder: encoder, task: task,
                        network: earlyStoppingRounds > 0 ? best : network, validationLoss: validationLoss)
    }
}

/// Dense layers: layer l maps widths[l] inputs to widths[l+1] outputs with row-major weights
/// (inputs × outputs); every layer but the last applies ReLU.
struct Network: Sendable, Equatable {
    var widths: [Int]
    var weights: [[Double]]
    var biases: [[Double]]

    /// Glorot-uniform initialization: U(-b, b) with b = √(6 / (fan in + fan out)), biases too.
    init(widths: [Int], random: inout SplitMix64) {
        self.widths = widths
        weights = []
        biases = []
        for l in 0..<(widths.count - 1) {
            let bound = (6 / Double(widths[l] + widths[l + 1])).squareRoot()
            weights.append((0..<(widths[l] * widths[l + 1])).map { _ in (2 * random.unit() - 1) * bound })
            biases.append((0..<widths[l + 1]).map { _ in (2 * random.unit() - 1) * bound })
        }
    }

    init(widths: [Int], weights: [[Double]], biases: [[Double]]) {
        self.widths = widths
        self.weights = weights
        self.biases = biases
    }

    /// Activations per layer for a batch, reused across batches.
    struct Workspace {
        var activations: [[Double]]
        var deltas: [[Double]]
        var rows: Int
        init(network: Network, rows: Int) {
            self.rows = rows
            activations = network.widths.map { [Double](repeating: 0, count: $0 * rows) }
            deltas = network.widths.map { [Double](repeating: 0, count: $0 * rows) }
        }
    }

    /// Runs the batch `rows` (indices of rows of the row-major `design`) forward; the output
    /// margins end in `workspace.activations.last`.
    func forward(_ design: [Double], rows: ArraySlice<Int>, workspace: inout Workspace) {
        let count = rows.count
        if workspace.rows < count { workspace = Workspace(network: self, rows: count) }
        let inputWidth = widths[0]
        design.withUnsafeBufferPointer { x in
            workspace.activations[0].withUnsafeMutableBufferPointer { input in
                for (i, row) in rows.enumerated() {
                    let source: UnsafePointer<Double> = x.baseAddress! + row * inputWidth
                    let target: UnsafeMutablePointer<Double> = input.baseAddress! + i * inputWidth
                    target.update(from: source, count: inputWidth)
                }
            }
        }
        for l in 0..<(widths.count - 1) {
            let inWidth = widths[l], outWidth = widths[l + 1]
            let isHidden = l < widths.count - 2
            let input = workspace.activations[l]
            workspace.activations[l + 1].withUnsafeMutableBufferPointer { out in
                for i in 0..<count { for j in 0..<outWidth { out[i * outWidth + j] = biases[l][j] } }
                Matrix.gemm(input, weights[l], out.baseAddress!, m: count, k: inWidth, n: outWidth, accumulate: true)
                if isHidden { for k in 0..<(count * outWidth) where out[k] < 0 { out[k] = 0 } }
            }
        }
    }

    /// Gradient of the mean batch loss plus (l2 / 2·batch)·‖W‖², as weights then biases per layer.
    func gradient(_ design: [Double], rows: [Int], labels: [Double], task: PredictionTask, l2: Double,
                  workspace: inout Workspace) -> (weights: [[Double]], biases: [[Double]]) {
        forward(design, rows: rows[...], workspace: &workspace)
        let count = rows.count, last = widths.count - 1, outputs = widths[last]
        let scale = 1 / Double(count)
        var margins = Array(workspace.activations[last][0..<(count * outputs)])
        margins.withUnsafeMutableBufferPointer { Network.applyHead(task, $0.baseAddress!, rows: count, outputs: outputs) }
        if task == .multiclass {
            // Softmax with log loss: δ = p - one-hot(label).
            for i in 0..<count {
                for k in 0..<outputs { workspace.deltas[last][i * outputs + k] = margins[i * outputs + k] * scale }
                workspace.deltas[last][i * outputs + Int(labels[rows[i]])] -= scale
            }
        } else {
            for i in 0..<count { workspace.deltas[last][i] = (margins[i] - labels[rows[i]]) * scale }
        }
        var weightGradients = weights.map { [Double](repeating: 0, count: $0.count) }
        var biasGradients = biases.map { [Double](repeating: 0, count: $0.count) }
        for l in stride(from: last - 1, through: 0, by: -1) {
            let inWidth = widths[l], outWidth = widths[l + 1]
            let delta = workspace.deltas[l + 1]
            Matrix.gemmTransposedA(workspace.activations[l], delta, &weightGradients[l], m: inWidth, k: count, n: outWidth)
            for k in weightGradients[l].indices { weightGradients[l][k] += l2 * scale * weights[l][k] }
            for i in 0..<count { for j in 0..<outWidth { biasGradients[l][j] += delta[i * outWidth + j] } }
            guard l > 0 else { break }
            workspace.deltas[l].withUnsafeMutableBufferPointer { previous in
                Matrix.gemmTransposedB(delta, weights[l], previous.baseAddress!, m: count, k: outWidth, n: inWidth)
                // ReLU passes gradient only where its output was positive.
                let activation = workspace.activations[l]
                for k in 0..<(count * inWidth) where activation[k] <= 0 { previous[k] = 0 }
            }
        }
        return (weightGradients, biasGradients)
    }

    /// The head's link on the output margins of `rows` rows, in place: the sigmoid (binary), the
    /// softmax of each row (multiclass), or nothing (regression).
    static func applyHead(_ task: PredictionTask, _ margins: UnsafeMutablePointer<Double>, rows: Int, outputs: Int) {
        switch task {
        case .binaryClassification: Transcendentals.apply(Transcendentals.sigmoid, margins, margins, count: rows)
        case .multiclass: for i in 0..<rows { Softmax.normalize(margins + i * outputs, count: outputs) }
        case .regression: break
        }
    }

    /// Mean loss (log loss or half squared error) over `rows`, without the penalty.
    func loss(_ design: [Double], rows: [Int], labels: [Double], task: PredictionTask,
              workspace: inout Workspace) -> Double {
        var total = 0.0
        for start in stride(from: 0, to: rows.count, by: workspace.rows) {
            let batch = rows[start..<min(start + workspace.rows, rows.count)]
            forward(design, rows: batch, workspace: &workspace)
            let margins = workspace.activations[widths.count - 1], outputs = widths[widths.count - 1]
            for (i, row) in batch.enumerated() {
                let y = labels[row]
                switch task {
                case .multiclass:
                    total += margins.withUnsafeBufferPointer { Softmax.logSumExp($0.baseAddress! + i * outputs, count: outputs) }
                        - margins[i * outputs + Int(y)]
                case .binaryClassification: total += Transcendentals.log1pexp(margins[i]) - y * margins[i]
                case .regression: total += 0.5 * (margins[i] - y) * (margins[i] - y)
                }
            }
        }
        return total / Double(max(rows.count, 1))
    }
}

/// Adam's moment estimates for every parameter.
struct AdamState {
    var firstWeights: [[Double]], secondWeights: [[Double]]
    var firstBiases: [[Double]], secondBiases: [[Double]]
    var steps = 0

    init(network: Network) {
        firstWeights = network.weights.map { [Double](repeating: 0, count: $0.count) }
        secondWeights = firstWeights
        firstBiases = network.biases.map { [Double](repeating: 0, count: $0.count) }
        secondBiases = firstBiases
    }

    mutating func step(_ network: inout Network, gradient: (weights: [[Double]], biases: [[Double]]),
                       learningRate: Double, beta1: Double, beta2: Double, epsilon: Double) {
        steps += 1
        // Bias-corrected step size, as scikit-learn's AdamOptimizer.
        let correction1 = 1 - Self.power(beta1, steps), correction2 = 1 - Self.power(beta2, steps)
        let stepSize = learningRate * correction2.squareRoot() / correction1
        func update(_ parameters: inout [Double], _ g: [Double], _ m: inout [Double], _ v: inout [Double]) {
            for k in parameters.indices {
                m[k] = beta1 * m[k] + (1 - beta1) * g[k]
                v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k]
                parameters[k] -= stepSize * m[k] / (v[k].squareRoot() + epsilon)
            }
        }
        for l in network.weights.indices {
            update(&network.weights[l], gradient.weights[l], &firstWeights[l], &secondWeights[l])
            update(&network.biases[l], gradient.biases[l], &firstBiases[l], &secondBiases[l])
        }
    }

    /// base^exponent by repeated squaring (exact operation order, no libm pow).
    private static func power(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0, factor = base, remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result *= factor }
            factor *= factor
            remaining >>= 1
        }
        return result
    }
}

/// A trained MLP: encoder plus network; scores are P(label = 1), the predicted value, or the
/// class probabilities.
public struct MLPModel: Model {
    public static let kind = ModelKind.multilayerPerceptron
    public let schema: FeatureSchema
    let encoder: FeatureEncoder
    public let task: PredictionTask
    let network: Network
    /// Validation loss after each epoch (empty without early stopping).
    public let validationLoss: [Double]
    public var outputCount: Int { network.widths[network.widths.count - 1] }
    public var formatVersion: Int { task == .multiclass ? 2 : 1 }

    init(schema: FeatureSchema, encoder: FeatureEncoder, task: PredictionTask, network: Network, validationLoss: [Double]) {
        self.schema = schema
        self.encoder = encoder
        self.task = task
        self.network = network
        self.validationLoss = validationLoss
    }

    public func predict(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> [Double] {
        try features.requireSchema(schema)
        guard features.rowCount > 0 else { return [] }
        let design = try encoder.design(features, threads: threads)
        let network = self.network, task = self.task, outputs = outputCount
        let blocks = ParallelFor.map(count: design.rows, blockSize: 1024, threads: threads) { range -> [Double] in
            var workspace = Network.Workspace(network: network, rows: range.count)
            network.forward(design.rowMajor(range, threads: .one), rows: Array(0..<range.count)[...], workspace: &workspace)
            var scores = Array(workspace.activations[network.widths.count - 1][0..<(range.count * outputs)])
            scores.withUnsafeMutableBufferPointer { Network.applyHead(task, $0.baseAddress!, rows: range.count, outputs: outputs) }
            return scores
        }
        return blocks.flatMap { $0 }
    }

    public func encodePayload(into writer: inout ByteWriter) {
        writer.write(schema)
        encoder.encode(into: &writer)
        writer.write(task.rawValue)
        writer.write(UInt32(network.widths.count))
        for width in network.widths { writer.write(UInt32(width)) }
        for l in network.weights.indices {
            writer.write(network.weights[l])
            writer.write(network.biases[l])
        }
        writer.write(validationLoss)
    }

    public init(decodingPayload reader: inout ByteReader) throws(LearnerError) {
        schema = try reader.readSchema()
        encoder = try FeatureEncoder(decoding: &reader, columnCount: schema.columns.count)
        task = try reader.readTask()
        let layerCount = Int(try reader.read(UInt32.self))
        guard layerCount >= 2 else { throw .corruptModel(reason: "network needs at least two layers") }
        var widths: [Int] = []
        for _ in 0..<layerCount { widths.append(Int(try reader.read(UInt32.self))) }
        let outputs = task == .multiclass ? 2...65_536 : 1...1
        guard widths[0] == encoder.width, outputs.contains(widths[layerCount - 1]), widths.allSatisfy({ $0 >= 1 }) else {
            throw .corruptModel(reason: "network widths \(widths) do not fit the encoder")
        }
        var weights: [[Double]] = [], biases: [[Double]] = []
        for l in 0..<(layerCount - 1) {
            let w = try reader.readDoubles(), b = try reader.readDoubles()
            guard w.count == widths[l] * widths[l + 1], b.count == widths[l + 1] else {
                throw .corruptModel(reason: "layer \(l) has the wrong size")
            }
            weights.append(w)
            biases.append(b)
        }
        network = Network(widths: widths, weights: weights, biases: biases)
        validationLoss = try reader.readDoubles()
    }
}
