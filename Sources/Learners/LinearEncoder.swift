import Kernels

/// What linear models and the MLP do with NaN in numeric features (±infinity is always
/// refused). A missing category is never refused: it is a category of its own (see
/// `CategoryEncoding`).
public enum MissingValuePolicy: UInt8, Sendable, Equatable {
    /// Throw `nonFiniteFeature` naming the numeric column and row.
    case refuse = 0
    /// Replace NaN by the training mean and add a 0/1 "column_missing" indicator for every
    /// column that had missing values in training.
    case imputeMean = 1
}

/// How linear models and the MLP turn categorical codes into numbers. A missing (or unseen)
/// category, code NaN, is a level of its own under either encoding: when training had missing
/// categories in a column, a 0/1 `column_missing` design column marks them.
public enum CategoryEncoding: UInt8, Sendable, Equatable {
    /// One 0/1 column per category seen in training; unseen or missing categories are all zeros
    /// (plus the missing indicator).
    case oneHot = 0
    /// The code itself as a number; a missing category takes the training mean code (plus the
    /// missing indicator).
    case ordinal = 1
}

/// Encoding choices that become part of a linear model or MLP.
public struct EncodingOptions: Sendable, Equatable {
    public var missing: MissingValuePolicy
    public var categories: CategoryEncoding
    /// Center each encoded column on its training mean and divide by its standard deviation.
    public var standardize: Bool
    public init(missing: MissingValuePolicy = .refuse, categories: CategoryEncoding = .oneHot, standardize: Bool = true) {
        self.missing = missing
        self.categories = categories
        self.standardize = standardize
    }
}

/// Dense Float64 design matrix in column-major order: column j is `values[j·rows ..< (j+1)·rows]`.
struct DesignMatrix {
    var values: [Double]
    let rows: Int
    let columns: Int

    /// The rows `range` in row-major order (row i is `[i·columns ..< (i+1)·columns]`), for
    /// learners that read whole rows.
    func rowMajor(_ range: Range<Int>, threads: ParallelFor.Threads) -> [Double] {
        var out = [Double](repeating: 0, count: range.count * columns)
        guard !out.isEmpty else { return out }
        let columns = self.columns, rows = self.rows
        values.withUnsafeBufferPointer { x in
            let source = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
            out.withUnsafeMutableBufferPointer { o in
                let target = SendablePointer(o.baseAddress!)
                ParallelFor.run(count: range.count, blockSize: 8192, threads: threads) { block in
                    for j in 0..<columns {
                        let column = source.base + j * rows + range.lowerBound
                        for i in block { target.base[i * columns + j] = column[i] }
                    }
                }
            }
        }
        return out
    }
}

/// The fitted feature encoding of a linear model or MLP: maps a `FeatureMatrix` to design
/// columns (imputed numerics, one-hot levels, missing indicators), then standardizes them.
struct FeatureEncoder: Sendable, Equatable {
    /// Where one design column comes from.
    enum Source: Sendable, Equatable {
        case value(column: Int, imputed: Double)
        case level(column: Int, code: Float)
        case missingIndicator(column: Int)

        /// The input column this design column reads.
        var column: Int {
            switch self {
            case let .value(column, _), let .level(column, _), let .missingIndicator(column): return column
            }
        }

        /// Calls `body(i, x)` with the unstandardized design value x of every input value, in
        /// row order (one loop per source kind, so the kind is not re-examined per row).
        @inline(__always)
        func forEachRaw(_ input: UnsafeBufferPointer<Float>, _ body: (Int, Double) -> Void) {
            switch self {
            case let .value(_, imputed):
                for i in input.indices { body(i, input[i].isNaN ? imputed : Double(input[i])) }
            case let .level(_, code):
                for i in input.indices { body(i, input[i] == code ? 1 : 0) }
            case .missingIndicator:
                for i in input.indices { body(i, input[i].isNaN ? 1 : 0) }
            }
        }
    }

    let options: EncodingOptions
    let sources: [Source]
    let names: [String]
    /// Standardization per design column: (x - center) / scale (0 and 1 when off or constant).
    let centers: [Double]
    let scales: [Double]
    /// Design columns that were constant in training; models give them no weight.
    let constant: [Bool]

    var width: Int { sources.count }
    var constantColumnNames: [String] { zip(names, constant).filter(\.1).map(\.0) }

    /// Learns the encoding from training features and returns it with their encoded design
    /// (identical to `design(features)` of the result, computed in one pass).
    static func fit(_ features: FeatureMatrix, options: EncodingOptions,
                    threads: ParallelFor.Threads) throws(LearnerError) -> (FeatureEncoder, DesignMatrix) {
        try features.validateCategoryCodes()
        try rejectNonFinite(features, refuseNaN: options.missing == .refuse, threads: threads)
        // Per column: sum and count of present values, and whether any is missing.
        let summaries = ParallelFor.map(count: features.columnCount, blockSize: 1, threads: threads) { range in
            var sum = 0.0, present = 0
            for value in features.columns[range.lowerBound] where !value.isNaN {
                sum += Double(value)
                present += 1
            }
            return (sum, present)
        }
        var sources: [Source] = [], names: [String] = []
        for (j, column) in features.schema.columns.enumerated() {
            let values = features.columns[j]
            let (sum, present) = summaries[j]
            let hasMissing = present < values.count
            if column.kind == .categorical && options.categories == .oneHot {
                for code in Set(values.filter { !$0.isNaN }).sorted() {
                    sources.append(.level(column: j, code: code))
                    names.append("\(column.name)=\(Int(code))")
                }
            } else {
                sources.append(.value(column: j, imputed: present > 0 ? sum / Double(present) : 0))
                names.append(column.name)
            }
            if hasMissing {
                sources.append(.missingIndicator(column: j))
                names.append("\(column.name)_missing")
            }
        }
        // Standardization statistics straight from the input columns (the design is written once).
        let rows = features.rowCount, finalSources = sources
        let statistics = ParallelFor.map(count: finalSources.count, blockSize: 1, threads: threads) { range in
            let source = finalSources[range.lowerBound]
            return features.columns[source.column].withUnsafeBufferPointer { input -> (Double, Double, Bool) in
                var sum = 0.0, first = 0.0
                source.forEachRaw(input) { i, x in
                    if i == 0 { first = x }
                    sum += x
                }
                let mean = sum / Double(rows)
                var squares = 0.0, isConstant = true
                source.forEachRaw(input) { _, x in
                    squares += (x - mean) * (x - mean)
                    isConstant = isConstant && x == first
                }
                let deviation = (squares / Double(rows)).squareRoot()
                let center = options.standardize ? mean : 0
                let scale = options.standardize && !isConstant && deviation > 0 ? deviation : 1
                return (center, scale, isConstant)
            }
        }
        let encoder = FeatureEncoder(options: options, sources: sources, names: names,
                                     centers: statistics.map(\.0), scales: statistics.map(\.1),
                                     constant: statistics.map(\.2))
        return (encoder, encoder.fill(features, threads: threads))
    }

    /// Encodes and standardizes `features` (whose schema the caller has checked).
    func design(_ features: FeatureMatrix, threads: ParallelFor.Threads) throws(LearnerError) -> DesignMatrix {
        try Self.rejectNonFinite(features, refuseNaN: options.missing == .refuse, threads: threads)
        return fill(features, threads: threads)
    }

    /// The design of already validated features: (raw value - center) / scale per column.
    private func fill(_ features: FeatureMatrix, threads: ParallelFor.Threads) -> DesignMatrix {
        let rows = features.rowCount
        // Every element is written below, so the buffer starts uninitialized.
        let values = [Double](unsafeUninitializedCapacity: rows * width) { buffer, initialized in
            initialized = rows * width
            guard let base = buffer.baseAddress else { return }
            let out = SendablePointer(base)
            ParallelFor.run(count: width, blockSize: 1, threads: threads) { range in
                let d = range.lowerBound
                let target = out.base + d * rows
                let source = sources[d], center = centers[d], scale = scales[d]
                features.columns[source.column].withUnsafeBufferPointer { input in
                    source.forEachRaw(input) { i, x in target[i] = (x - center) / scale }
                }
            }
        }
        return DesignMatrix(values: values, rows: rows, columns: width)
    }

    /// Throws `nonFiniteFeature` for the first ±infinity (or NaN in a numeric column, when
    /// refused) in column order, then row order; columns are scanned in parallel.
    private static func rejectNonFinite(_ features: FeatureMatrix, refuseNaN: Bool,
                                        threads: ParallelFor.Threads) throws(LearnerError) {
        let firstRejected = ParallelFor.map(count: features.columnCount, blockSize: 1, threads: threads) { range in
            let refusesNaN = refuseNaN && features.schema.columns[range.lowerBound].kind == .numeric
            return features.columns[range.lowerBound].firstIndex { $0.isInfinite || (refusesNaN && $0.isNaN) }
        }
        for (j, row) in firstRejected.enumerated() {
            if let row {
                throw .nonFiniteFeature(column: features.schema.columns[j].name, row: row, value: features.columns[j][row])
            }
        }
    }

    func encode(into writer: inout ByteWriter) {
        writer.write(options.missing.rawValue)
        writer.write(options.categories.rawValue)
        writer.write(options.standardize)
        writer.write(UInt64(sources.count))
        for (d, source) in sources.enumerated() {
            switch source {
            case let .value(column, imputed):
                writer.write(UInt8(0)); writer.write(UInt32(column)); writer.write(imputed)
            case let .level(column, code):
                writer.write(UInt8(1)); writer.write(UInt32(column)); writer.write(code)
            case let .missingIndicator(column):
                writer.write(UInt8(2)); writer.write(UInt32(column))
            }
            writer.write(names[d])
            writer.write(centers[d])
            writer.write(scales[d])
            writer.write(constant[d])
        }
    }

    init(decoding reader: inout ByteReader, columnCount: Int) throws(LearnerError) {
        guard let missing = MissingValuePolicy(rawValue: try reader.read(UInt8.self)),
              let categories = CategoryEncoding(rawValue: try reader.read(UInt8.self)) else {
            throw .corruptModel(reason: "unknown encoding option")
        }
        let options = EncodingOptions(missing: missing, categories: categories, standardize: try reader.readBool())
        let count = try reader.readCount(elementSize: 5)
        var sources: [Source] = [], names: [String] = [], centers: [Double] = [], scales: [Double] = [], constant: [Bool] = []
        for _ in 0..<count {
            let tag = try reader.read(UInt8.self)
            let column = Int(try reader.read(UInt32.self))
            guard column < columnCount else { throw .corruptModel(reason: "encoder column \(column) out of range") }
            switch tag {
            case 0: sources.append(.value(column: column, imputed: try reader.readDouble()))
            case 1: sources.append(.level(column: column, code: try reader.readFloat()))
            case 2: sources.append(.missingIndicator(column: column))
            default: throw .corruptModel(reason: "unknown encoder source \(tag)")
            }
            names.append(try reader.readString())
            centers.append(try reader.readDouble())
            scales.append(try reader.readDouble())
            constant.append(try reader.readBool())
        }
        self.init(options: options, sources: sources, names: names, centers: centers, scales: scales, constant: constant)
    }

    private init(options: EncodingOptions, sources: [Source], names: [String],
                 centers: [Double], scales: [Double], constant: [Bool]) {
        self.options = options
        self.sources = sources
        self.names = names
        self.centers = centers
        self.scales = scales
        self.constant = constant
    }
}
