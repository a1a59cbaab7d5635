/// Why a learner refused its input or a model could not be read. Rows are 0-based.
public enum LearnerError: Error, Equatable, CustomStringConvertible {
    case emptyInput
    case columnCountMismatch(schemaColumns: Int, dataColumns: Int)
    case columnLengthMismatch(column: String, expected: Int, found: Int)
    case labelCountMismatch(rows: Int, labels: Int)
    /// A label that the task cannot use (binary tasks need 0 or 1; regression needs finite values).
    case invalidLabel(row: Int, value: Double, expected: String)
    /// A column the encoding or the label needs is not in the table.
    case missingColumn(String)
    /// A label text that is not one of the declared classes of a multiclass task.
    case undeclaredClass(row: Int, value: String, classes: [String])
    /// Binary or multiclass classification with only one class present in the labels.
    case singleClass(label: Double)
    /// NaN (under a refusing missing-value policy) or ±infinity in a feature of a linear model or MLP.
    case nonFiniteFeature(column: String, row: Int, value: Float)
    case invalidCategoryCode(column: String, row: Int, value: Float)
    /// The columns given at predict time differ from those the model was trained on.
    case schemaMismatch(expected: FeatureSchema, found: FeatureSchema)
    case invalidHyperparameter(name: String, value: String, requirement: String)
    /// Unregularized least squares on collinear columns; use a positive ridge penalty.
    case singularSystem(detail: String)
    case corruptModel(reason: String)
    case unsupportedModelVersion(found: Int, supported: Int)

    public var description: String {
        switch self {
        case .emptyInput: return "no rows to train on"
        case let .columnCountMismatch(schemaColumns, dataColumns):
            return "schema has \(schemaColumns) columns but \(dataColumns) were given"
        case let .columnLengthMismatch(column, expected, found):
            return "column \(column) has \(found) rows, expected \(expected)"
        case let .labelCountMismatch(rows, labels): return "\(rows) feature rows but \(labels) labels"
        case let .invalidLabel(row, value, expected): return "label \(value) at row \(row): expected \(expected)"
        case let .missingColumn(name): return "the table has no column '\(name)', which the model needs"
        case let .undeclaredClass(row, value, classes):
            return "label '\(value)' at row \(row) is not one of the declared classes (\(classes.joined(separator: ", "))): add it to the class list or fix the data"
        case let .singleClass(label): return "all labels are \(label): classification needs at least two classes in the training rows"
        case let .nonFiniteFeature(column, row, value):
            return "column \(column) row \(row) is \(value): impute it or choose missing: impute"
        case let .invalidCategoryCode(column, row, value):
            return "column \(column) row \(row): category code \(value) is not a non-negative integer"
        case let .schemaMismatch(expected, found):
            return "feature schema differs from training: expected [\(expected)], found [\(found)]"
        case let .invalidHyperparameter(name, value, requirement): return "hyperparameter \(name)=\(value): \(requirement)"
        case let .singularSystem(detail): return "singular least-squares system (\(detail)): use a positive l2 penalty"
        case let .corruptModel(reason): return "model bytes are invalid: \(reason)"
        case let .unsupportedModelVersion(found, supported):
            return "model format version \(found) is not supported (this build reads \(supported))"
        }
    }
}

extension LearnerError {
    /// The same error about row `map(row)`: for callers that handed the learner a subset of a
    /// table's rows and report rows of the table (and so of the file) instead.
    public func mappingRow(_ map: (Int) -> Int) -> LearnerError {
        switch self {
        case let .invalidLabel(row, value, expected): .invalidLabel(row: map(row), value: value, expected: expected)
        case let .undeclaredClass(row, value, classes): .undeclaredClass(row: map(row), value: value, classes: classes)
        case let .nonFiniteFeature(column, row, value): .nonFiniteFeature(column: column, row: map(row), value: value)
        case let .invalidCategoryCode(column, row, value): .invalidCategoryCode(column: column, row: map(row), value: value)
        default: self
        }
    }
}
