import Kernels

/// Per-class weights for binary classifiers.
public enum ClassWeights: Sendable, Equatable {
    /// Every row weighs 1.
    case uniform
    /// Class c weighs rows / (2 · rows in c), as scikit-learn's "balanced".
    case balanced
    /// Explicit weights for label 0 and label 1.
    case explicit(negative: Double, positive: Double)

    /// The (label 0, label 1) weights for these labels.
    func resolve(_ labels: [Double]) -> (negative: Double, positive: Double) {
        switch self {
        case .uniform: return (1, 1)
        case let .explicit(negative, positive): return (negative, positive)
        case .balanced:
            let positives = labels.reduce(0, +), n = Double(labels.count)
            return (n / (2 * (n - positives)), n / (2 * positives))
        }
    }
}

/// How an iterative fit ended.
public struct ConvergenceReport: Sendable, Equatable {
    public let converged: Bool
    public let iterations: Int
    public let objectiveEvaluations: Int
    /// Final objective: weighted mean loss plus the penalty over the weight sum.
    public let objective: Double
    /// Largest absolute gradient component at the end.
    public let gradientMaxNorm: Double
}

extension ConvergenceReport {
    func encode(into writer: inout ByteWriter) {
        writer.write(converged)
        writer.write(UInt64(iterations))
        writer.write(UInt64(objectiveEvaluations))
        writer.write(objective)
        writer.write(gradientMaxNorm)
    }

    init(decoding reader: inout ByteReader) throws(LearnerError) {
        self.init(converged: try reader.readBool(), iterations: Int(try reader.read(UInt64.self)),
                  objectiveEvaluations: Int(try reader.read(UInt64.self)),
                  objective: try reader.readDouble(), gradientMaxNorm: try reader.readDouble())
    }
}

/// L2-regularized logistic regression fit by L-BFGS on the encoded (by default standardized)
/// features. Minimizes Σ wᵢ·logloss(i) + (l2/2)·‖β‖² (intercept not penalized): the same
/// minimizer as scikit-learn's LogisticRegression with C = 1/l2 on the same encoded columns.
public struct LogisticRegression: Learner {
    public var l2: Double
    public var classWeights: ClassWeights
    public var encoding: EncodingOptions
    public var maxIterations: Int
    /// Convergence when the largest gradient component of the weight-normalized objective is ≤ this.
    public var tolerance: Double

    public init(l2: Double = 1, classWeights: ClassWeights = .uniform, encoding: EncodingOptions = EncodingOptions(),
                maxIterations: Int = 500, tolerance: Double = 1e-8) {
        self.l2 = l2
        self.classWeights = classWeights
        self.encoding = encoding
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    /// Rows per block of the parallel objective; fixed so results do not depend on threads.
    /// 2048 rows × 30 Float64 columns stay in L2 between the forward and the transposed product.
    static let blockSize = 2048

    public func validateHyperparameters() throws(LearnerError) {
        guard l2 >= 0, l2.isFinite else { throw .invalidHyperparameter(name: "l2", value: "\(l2)", requirement: "finite and ≥ 0") }
        guard (1...100_000).contains(maxIterations) else {
            throw .invalidHyperparameter(name: "max_iterations", value: "\(maxIterations)", requirement: "1…100000")
        }
        guard tolerance >= 0, tolerance.isFinite else {
            throw .invalidHyperparameter(name: "tolerance", value: "\(tolerance)", requirement: "finite and ≥ 0")
        }
        if case let .explicit(negative, positive) = classWeights, !(negative > 0 && positive > 0 && negative.isFinite && positive.isFinite) {
            throw .invalidHyperparameter(name: "class_weights", value: "[\(negative), \(positive)]", requirement: "positive and finite")
        }
    }

    public func fit(_ features: FeatureMatrix, labels: [Double], seed: UInt64,
                    threads: ParallelFor.Threads) throws(LearnerError) -> LogisticRegressionModel {
        try validateHyperparameters()
        try Labels.validate(labels, rowCount: features.rowCount, task: .binaryClassification)
        let weights = classWeights.resolve(labels)
        guard weights.negative > 0, weights.positive > 0, weights.negative.isFinite, weights.positive.isFinite else {
            throw .invalidHyperparameter(name: "class_weights", value: "\(weights)", requirement: "positive and finite")
        }
        let (encoder, design) = try FeatureEncoder.fit(features, options: encoding, threads: threads)
        let rowWeights = labels.map { $0 == 1 ? weights.positive : weights.negative }
        let width = design.columns
        // Parameters: [β₀ … β_{d-1}, intercept]; the objective is divided by the weight sum.
        let objective = PenalizedLogLoss(design: design, groups: 1, free: encoder.constant.map { !$0 }, l2: l2,
                                         scale: rowWeights.reduce(0, +))
        let (point, report) = objective.minimize(parameterCount: width + 1, maxIterations: maxIterations, tolerance: tolerance,
                                                 threads: threads) { parameters, values, range in
            Self.blockTerm(values, rows: design.rows, width: width, range: range, labels: labels, weights: rowWeights,
                           parameters: parameters)
        }
        return LogisticRegressionModel(schema: features.schema, encoder: encoder, coefficients: Array(point[0..<width]),
                                       intercept: point[width], report: report)
    }

    /// One row block's gradient of Σ wᵢ·logloss (weights then intercept) followed by its loss.
    private static func blockTerm(_ x: UnsafeMutablePointer<Double>, rows: Int, width: Int, range: Range<Int>, labels: [Double],
                                  weights: [Double], parameters: [Double]) -> [Double] {
        let count = range.count
        var margins = [Double](repeating: 0, count: count)
        var residuals = [Double](repeating: 0, count: count)
        var loss = 0.0, residualSum = 0.0
        parameters.withUnsafeBufferPointer { beta in
            margins.withUnsafeMutableBufferPointer { z in
                // gemvColumnMajor writes y[range]; shift the output so the block lands at 0.
                Matrix.gemvColumnMajor(x + range.lowerBound, leadingDimension: rows,
                                       rows: 0..<count, columns: width, beta.baseAddress!, z.baseAddress!)
                for i in 0..<count { z[i] += beta[width] }
                var softplus = [Double](repeating: 0, count: count)
                Transcendentals.apply(Transcendentals.log1pexp, z.baseAddress!, &softplus, count: count)
                residuals.withUnsafeMutableBufferPointer { r in
                    Transcendentals.apply(Transcendentals.sigmoid, z.baseAddress!, r.baseAddress!, count: count)
                    for i in 0..<count {
                        let row = range.lowerBound + i, w = weights[row], y = labels[row]
                        loss += w * (softplus[i] - y * z[i])
                        r[i] = w * (r[i] - y)
                        residualSum += r[i]
                    }
                }
            }
        }
        var partial = [Double](repeating: 0, count: width + 2)
        residuals.withUnsafeBufferPointer { r in
            partial.withUnsafeMutableBufferPointer { out in
                Matrix.gemvTransposedColumnMajor(x + range.lowerBound, leadingDimension: rows,
                                                 rows: 0..<count, columns: width, r.baseAddress!, out.baseAddress!)
            }
        }
        partial[width] = residualSum
        partial[width + 1] = loss
        return partial
    }
}

/// A fitted logistic regression: encoder, coefficients on the encoded columns, intercept and
/// the optimizer's convergence report.
public struct LogisticRegressionModel: Model {
    public static let kind = ModelKind.logisticRegression
    public let schema: FeatureSchema
    let encoder: FeatureEncoder
    /// One coefficient per encoded column (see `encodedColumnNames`), in standardized units
    /// when standardization is on.
    public let coefficients: [Double]
    public let intercept: Double
    public let report: ConvergenceReport
    public var task: PredictionTask { .binaryClassification }
    public var encodedColumnNames: [String] { encoder.names }
    /// Encoded columns that were constant in training (their coefficient is 0).
    public var constantColumns: [String] { encoder.constantColumnNames }

    init(schema: FeatureSchema, encoder: FeatureEncoder, coefficients: [Double], intercept: Double, report: ConvergenceReport) {
        self.schema = schema
        self.encoder = encoder
        self.coefficients = coefficients
        self.intercept = intercept
        self.report = report
    }

    public func predict(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> [Double] {
        try features.requireSchema(schema)
        guard features.rowCount > 0 else { return [] }
        let margins = try LinearScores.margins(encoder.design(features, threads: threads),
                                               coefficients: coefficients, intercept: intercept, threads: threads)
        var probabilities = margins
        margins.withUnsafeBufferPointer { z in
            probabilities.withUnsafeMutableBufferPointer { p in
                Transcendentals.apply(Transcendentals.sigmoid, z.baseAddress!, p.baseAddress!, count: z.count)
            }
        }
        return probabilities
    }

    public func encodePayload(into writer: inout ByteWriter) {
        writer.write(schema)
        encoder.encode(into: &writer)
        writer.write(coefficients)
        writer.write(intercept)
        report.encode(into: &writer)
    }

    public init(decodingPayload reader: inout ByteReader) throws(LearnerError) {
        schema = try reader.readSchema()
        encoder = try FeatureEncoder(decoding: &reader, columnCount: schema.columns.count)
        coefficients = try reader.readDoubles()
        guard coefficients.count == encoder.width else { throw .corruptModel(reason: "coefficient count") }
        intercept = try reader.readDouble()
        report = try ConvergenceReport(decoding: &reader)
    }
}

/// Xβ + b over fixed row blocks, shared by the linear models.
enum LinearScores {
    static func margins(_ design: DesignMatrix, coefficients: [Double], intercept: Double,
                        threads: ParallelFor.Threads) -> [Double] {
        var out = [Double](repeating: intercept, count: design.rows)
        guard design.rows > 0 else { return out }
        design.values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                let xPointer = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
                let yPointer = SendablePointer(y.baseAddress!)
                ParallelFor.run(count: design.rows, blockSize: LogisticRegression.blockSize, threads: threads) { range in
                    coefficients.withUnsafeBufferPointer { beta in
                        Matrix.gemvColumnMajor(xPointer.base, leadingDimension: design.rows, rows: range,
                                               columns: design.columns, beta.baseAddress!, yPointer.base)
                    }
                    for i in range { yPointer.base[i] += intercept }
                }
            }
        }
        return out
    }
}
