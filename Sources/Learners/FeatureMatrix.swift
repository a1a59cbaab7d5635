/// How a learner reads one feature column.
public enum FeatureKind: UInt8, Sendable, Equatable {
    /// A real value; NaN means missing.
    case numeric = 0
    /// A non-negative integer category code stored exactly in a Float (< 2^24); NaN means missing.
    case categorical = 1
}

/// Name and kind of one feature column.
public struct FeatureColumn: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let kind: FeatureKind
    public init(name: String, kind: FeatureKind) {
        self.name = name
        self.kind = kind
    }
    public var description: String { "\(name):\(kind == .numeric ? "numeric" : "categorical")" }
}

/// The ordered columns a model was trained on; predicting requires the same schema.
public struct FeatureSchema: Sendable, Equatable, CustomStringConvertible {
    public let columns: [FeatureColumn]
    public init(_ columns: [FeatureColumn]) { self.columns = columns }
    public var description: String { columns.map(\.description).joined(separator: ", ") }
}

/// Dense learner input: one Float32 array per column (column-major), NaN for missing values.
public struct FeatureMatrix: Sendable {
    public let schema: FeatureSchema
    public let rowCount: Int
    /// `columns[j][i]` is row i of column j.
    public let columns: [[Float]]

    /// Checks that there is one column per schema entry, all of the same length.
    public init(schema: FeatureSchema, columns: [[Float]]) throws(LearnerError) {
        guard schema.columns.count == columns.count else {
            throw .columnCountMismatch(schemaColumns: schema.columns.count, dataColumns: columns.count)
        }
        let rowCount = columns.first?.count ?? 0
        for (column, values) in zip(schema.columns, columns) where values.count != rowCount {
            throw .columnLengthMismatch(column: column.name, expected: rowCount, found: values.count)
        }
        self.schema = schema
        self.rowCount = rowCount
        self.columns = columns
    }

    /// Convenience for all-numeric data: columns named x0, x1, ….
    public init(numericColumns: [[Float]]) throws(LearnerError) {
        let schema = FeatureSchema(numericColumns.indices.map { FeatureColumn(name: "x\($0)", kind: .numeric) })
        try self.init(schema: schema, columns: numericColumns)
    }

    public var columnCount: Int { columns.count }

    /// Throws unless `schema` equals the training schema `expected`.
    func requireSchema(_ expected: FeatureSchema) throws(LearnerError) {
        guard schema == expected else { throw .schemaMismatch(expected: expected, found: schema) }
    }

    /// Throws on a categorical value that is not a non-negative integer code (NaN is allowed).
    func validateCategoryCodes() throws(LearnerError) {
        for (j, column) in schema.columns.enumerated() where column.kind == .categorical {
            for (i, value) in columns[j].enumerated() where !value.isNaN {
                guard value >= 0, value < 16_777_216, value == value.rounded(.towardZero) else {
                    throw .invalidCategoryCode(column: column.name, row: i, value: value)
                }
            }
        }
    }
}
