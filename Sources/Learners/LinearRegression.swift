import Kernels

/// Least squares with an optional ridge penalty, solved in closed form by Cholesky:
/// minimizes Σ (yᵢ - xᵢ·β - b)² + l2·‖β‖² on the encoded columns (intercept not penalized),
/// the same solution as scikit-learn's Ridge(alpha: l2) (LinearRegression when l2 = 0).
/// Standardization is off by default so coefficients are in the columns' own units.
public struct LinearRegression: Learner {
    public var l2: Double
    public var encoding: EncodingOptions

    public init(l2: Double = 0, encoding: EncodingOptions = EncodingOptions(standardize: false)) {
        self.l2 = l2
        self.encoding = encoding
    }

    public func validateHyperparameters() throws(LearnerError) {
        guard l2 >= 0, l2.isFinite else { throw .invalidHyperparameter(name: "l2", value: "\(l2)", requirement: "finite and ≥ 0") }
    }

    public func fit(_ features: FeatureMatrix, labels: [Double], seed: UInt64,
                    threads: ParallelFor.Threads) throws(LearnerError) -> LinearRegressionModel {
        try validateHyperparameters()
        try Labels.validate(labels, rowCount: features.rowCount, task: .regression)
        let (encoder, encoded) = try FeatureEncoder.fit(features, options: encoding, threads: threads)
        var design = encoded
        let rows = design.rows
        let free = (0..<design.columns).filter { !encoder.constant[$0] }
        // Center the free columns and the labels; the intercept then follows from the means.
        var means = [Double](repeating: 0, count: design.columns)
        design.values.withUnsafeMutableBufferPointer { x in
            for j in free {
                let column = x.baseAddress! + j * rows
                means[j] = Vector.sum(column, count: rows) / Double(rows)
                for i in 0..<rows { column[i] -= means[j] }
            }
        }
        let labelMean = labels.reduce(0, +) / Double(rows)
        let centeredLabels = labels.map { $0 - labelMean }
        let (gram, moment) = Self.normalEquations(design, columns: free, labels: centeredLabels, threads: threads)
        var system = gram
        for k in free.indices { system[k * free.count + k] += l2 }
        guard let solution = Cholesky.solve(system, moment, size: free.count) else {
            throw .singularSystem(detail: "\(free.count) non-constant columns are linearly dependent")
        }
        var coefficients = [Double](repeating: 0, count: design.columns)
        for (k, j) in free.enumerated() { coefficients[j] = solution[k] }
        let intercept = labelMean - free.reduce(0.0) { $0 + means[$1] * coefficients[$1] }
        return LinearRegressionModel(schema: features.schema, encoder: encoder, coefficients: coefficients, intercept: intercept)
    }

    /// XᵀX and Xᵀy over the given columns, accumulated per fixed row block and folded in order.
    static func normalEquations(_ design: DesignMatrix, columns: [Int], labels: [Double],
                                threads: ParallelFor.Threads) -> ([Double], [Double]) {
        let p = columns.count, rows = design.rows
        guard p > 0 else { return ([], []) }
        let partials = design.values.withUnsafeBufferPointer { x in
            let xPointer = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
            return labels.withUnsafeBufferPointer { y in
                let yPointer = SendablePointer(UnsafeMutablePointer(mutating: y.baseAddress!))
                return ParallelFor.map(count: rows, blockSize: 65_536, threads: threads) { range -> [Double] in
                    var partial = [Double](repeating: 0, count: p * p + p)
                    for a in 0..<p {
                        let columnA = xPointer.base + columns[a] * rows + range.lowerBound
                        for b in a..<p {
                            let value = Vector.dot(columnA, xPointer.base + columns[b] * rows + range.lowerBound,
                                                   count: range.count)
                            partial[a * p + b] = value
                            partial[b * p + a] = value
                        }
                        partial[p * p + a] = Vector.dot(columnA, yPointer.base + range.lowerBound, count: range.count)
                    }
                    return partial
                }
            }
        }
        var total = [Double](repeating: 0, count: p * p + p)
        for partial in partials { for k in total.indices { total[k] += partial[k] } }
        return (Array(total[0..<(p * p)]), Array(total[(p * p)...]))
    }
}

/// Cholesky factorization for small symmetric positive definite systems.
enum Cholesky {
    /// Solves A·x = b for row-major symmetric A (size × size); nil unless A is positive
    /// definite to working precision.
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        let scale = (0..<n).reduce(0.0) { max($0, abs(a[$1 * n + $1])) }
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > scale * 1e-13, sum.isFinite else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = b[i]
            for k in 0..<i { sum -= l[i * n + k] * y[k] }
            y[i] = sum / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<n { sum -= l[k * n + i] * x[k] }
            x[i] = sum / l[i * n + i]
        }
        return x
    }
}

/// A fitted linear regression: encoder, coefficients on the encoded columns and intercept.
public struct LinearRegressionModel: Model {
    public static let kind = ModelKind.linearRegression
    public let schema: FeatureSchema
    let encoder: FeatureEncoder
    public let coefficients: [Double]
    public let intercept: Double
    public var task: PredictionTask { .regression }
    public var encodedColumnNames: [String] { encoder.names }
    /// Encoded columns that were constant in training (their coefficient is 0).
    public var constantColumns: [String] { encoder.constantColumnNames }

    init(schema: FeatureSchema, encoder: FeatureEncoder, coefficients: [Double], intercept: Double) {
        self.schema = schema
        self.encoder = encoder
        self.coefficients = coefficients
        self.intercept = intercept
    }

    public func predict(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> [Double] {
        try features.requireSchema(schema)
        return LinearScores.margins(try encoder.design(features, threads: threads),
                                    coefficients: coefficients, intercept: intercept, threads: threads)
    }

    public func encodePayload(into writer: inout ByteWriter) {
        writer.write(schema)
        encoder.encode(into: &writer)
        writer.write(coefficients)
        writer.write(intercept)
    }

    public init(decodingPayload reader: inout ByteReader) throws(LearnerError) {
        schema = try reader.readSchema()
        encoder = try FeatureEncoder(decoding: &reader, columnCount: schema.columns.count)
        coefficients = try reader.readDoubles()
        guard coefficients.count == encoder.width else { throw .corruptModel(reason: "coefficient count") }
        intercept = try reader.readDouble()
    }
}
