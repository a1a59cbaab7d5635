import Kernels

/// L2-regularized multinomial (softmax) logistic regression fit by L-BFGS on the encoded (by
/// default standardized) features, for labels 0…classCount-1. One coefficient vector and
/// intercept per class; minimizes Σᵢ −log softmax(xᵢW + b)_{yᵢ} + (l2/2)·‖W‖² (intercepts not
/// penalized): the same minimizer as scikit-learn's LogisticRegression (lbfgs, multinomial)
/// with C = 1/l2 on the same encoded columns, and so the same probabilities.
public struct MultinomialLogisticRegression: Learner {
    public var classCount: Int
    public var l2: Double
    public var encoding: EncodingOptions
    public var maxIterations: Int
    /// Convergence when the largest gradient component of the row-normalized objective is ≤ this.
    public var tolerance: Double

    public init(classCount: Int, l2: Double = 1, encoding: EncodingOptions = EncodingOptions(),
                maxIterations: Int = 500, tolerance: Double = 1e-8) {
        self.classCount = classCount
        self.l2 = l2
        self.encoding = encoding
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    public func validateHyperparameters() throws(LearnerError) {
        guard (2...65_536).contains(classCount) else {
            throw .invalidHyperparameter(name: "classes", value: "\(classCount)", requirement: "2…65536 classes")
        }
        // The binary learner's checks cover l2, max_iterations and tolerance.
        try LogisticRegression(l2: l2, maxIterations: maxIterations, tolerance: tolerance).validateHyperparameters()
    }

    public func fit(_ features: FeatureMatrix, labels: [Double], seed: UInt64,
                    threads: ParallelFor.Threads) throws(LearnerError) -> MultinomialLogisticRegressionModel {
        try validateHyperparameters()
        try Labels.validate(labels, rowCount: features.rowCount, task: .multiclass, classCount: classCount)
        let (encoder, design) = try FeatureEncoder.fit(features, options: encoding, threads: threads)
        let width = design.columns, classes = classCount, rows = design.rows
        // Parameters: class k's coefficients at [k·width ..< (k+1)·width], then the intercepts.
        let objective = PenalizedLogLoss(design: design, groups: classes, free: encoder.constant.map { !$0 }, l2: l2,
                                         scale: Double(rows))
        let (point, report) = objective.minimize(parameterCount: (width + 1) * classes, maxIterations: maxIterations,
                                                 tolerance: tolerance, threads: threads) { parameters, values, range in
            labels.withUnsafeBufferPointer { y in
                parameters.withUnsafeBufferPointer { beta in
                    SoftmaxLossBlock.evaluate(values + range.lowerBound, leadingDimension: rows, count: range.count, width: width,
                                              classes: classes, labels: y.baseAddress! + range.lowerBound, parameters: beta.baseAddress!)
                }
            }
        }
        return MultinomialLogisticRegressionModel(schema: features.schema, encoder: encoder, classCount: classes,
                                                  coefficients: Array(point[0..<(width * classes)]),
                                                  intercepts: Array(point[(width * classes)...]), report: report)
    }
}

/// A fitted multinomial logistic regression: encoder, one coefficient vector (on the encoded
/// columns) and intercept per class, and the optimizer's convergence report.
public struct MultinomialLogisticRegressionModel: Model {
    public static let kind = ModelKind.multinomialLogisticRegression
    public let schema: FeatureSchema
    let encoder: FeatureEncoder
    public let classCount: Int
    /// Class k's coefficients are `coefficients[k·width ..< (k+1)·width]`, width being the
    /// number of encoded columns (see `encodedColumnNames`).
    public let coefficients: [Double]
    public let intercepts: [Double]
    public let report: ConvergenceReport
    public var task: PredictionTask { .multiclass }
    public var outputCount: Int { classCount }
    public var formatVersion: Int { 2 }
    public var encodedColumnNames: [String] { encoder.names }

    init(schema: FeatureSchema, encoder: FeatureEncoder, classCount: Int, coefficients: [Double], intercepts: [Double],
         report: ConvergenceReport) {
        self.schema = schema
        self.encoder = encoder
        self.classCount = classCount
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.report = report
    }

    /// Row-major margins (count × classes) of `count` rows of a column-major design whose
    /// columns start at `x + j·leadingDimension`, for parameters laid out as in training.
    static func margins(_ x: UnsafeMutablePointer<Double>, leadingDimension: Int, count: Int, width: Int, classes: Int,
                        parameters: [Double]) -> [Double] {
        var margins = [Double](repeating: 0, count: count * classes)
        var column = [Double](repeating: 0, count: count)
        parameters.withUnsafeBufferPointer { beta in
            for k in 0..<classes {
                column.withUnsafeMutableBufferPointer { z in
                    Matrix.gemvColumnMajor(x, leadingDimension: leadingDimension, rows: 0..<count, columns: width,
                                           beta.baseAddress! + k * width, z.baseAddress!)
                }
                let intercept = beta[width * classes + k]
                for i in 0..<count { margins[i * classes + k] = column[i] + intercept }
            }
        }
        return margins
    }

    public func predict(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> [Double] {
        try features.requireSchema(schema)
        guard features.rowCount > 0 else { return [] }
        let design = try encoder.design(features, threads: threads)
        let parameters = coefficients + intercepts, classes = classCount, rows = design.rows, width = design.columns
        let blocks = design.mapRowBlocks(threads: threads) { x, range -> [Double] in
            var margins = Self.margins(x + range.lowerBound, leadingDimension: rows, count: range.count,
                                       width: width, classes: classes, parameters: parameters)
            margins.withUnsafeMutableBufferPointer { z in
                for i in 0..<range.count { Softmax.normalize(z.baseAddress! + i * classes, count: classes) }
            }
            return margins
        }
        return blocks.flatMap { $0 }
    }

    public func encodePayload(into writer: inout ByteWriter) {
        writer.write(schema)
        encoder.encode(into: &writer)
        writer.write(UInt32(classCount))
        writer.write(coefficients)
        writer.write(intercepts)
        report.encode(into: &writer)
    }

    public init(decodingPayload reader: inout ByteReader) throws(LearnerError) {
        schema = try reader.readSchema()
        encoder = try FeatureEncoder(decoding: &reader, columnCount: schema.columns.count)
        classCount = try reader.readClassCount()
        coefficients = try reader.readDoubles()
        guard coefficients.count == encoder.width * classCount else { throw .corruptModel(reason: "coefficient count") }
        intercepts = try reader.readDoubles()
        guard intercepts.count == classCount else { throw .corruptModel(reason: "intercept count") }
        report = try ConvergenceReport(decoding: &reader)
    }
}
