import Tables

/// How a table's columns become learner input: which columns are features, their kinds, and
/// for each categorical column the vocabulary that maps its values to codes. Fitted on the
/// training table and stored beside the model (the run's "encoder" artifact), so a table read
/// at prediction time — whose own category dictionary may order values differently or hold new
/// ones — is encoded exactly as the training data was. Missing categories and values never
/// seen in training become code NaN, a category of its own for every learner: trees route it by
/// their learned default, linear models and the MLP give it its own indicator (see
/// `CategoryEncoding`). Missing numbers are NaN too, which linear models refuse or impute as
/// configured.
public struct TableEncoding: Codable, Sendable, Equatable {
    public struct Feature: Codable, Sendable, Equatable {
        public let name: String
        /// Nil for numeric columns; the training values in code order for categorical ones.
        public let vocabulary: [String]?
    }

    public let features: [Feature]
    /// The declared classes of a multiclass task, in order: a model's output k is P(classes[k]).
    /// Nil (and absent from the JSON) for binary and regression.
    public var classes: [String]?

    /// The schema of the matrices this encoding produces.
    public var schema: FeatureSchema {
        FeatureSchema(features.map { FeatureColumn(name: $0.name, kind: $0.vocabulary == nil ? .numeric : .categorical) })
    }

    /// Fits the encoding on `table`: every column except `excluded` (label, ids) is a feature;
    /// category columns are categorical with their values sorted (so the codes do not depend on
    /// row order), every other type is numeric (timestamps as microseconds, booleans as 0/1).
    public init(fitting table: Table, excluding excluded: Set<String>) throws(LearnerError) {
        var features: [Feature] = []
        for column in table.columns where !excluded.contains(column.name) {
            if let (codes, dictionary) = column.categories {
                let used = Set((0..<codes.count).filter { !column.isNull($0) }.map { dictionary[Int(codes[$0])] })
                features.append(Feature(name: column.name, vocabulary: used.sorted()))
            } else {
                features.append(Feature(name: column.name, vocabulary: nil))
            }
        }
        guard !features.isEmpty else { throw .emptyInput }
        self.features = features
    }

    /// The feature matrix of `table` under this encoding; a missing feature column is an error.
    public func matrix(_ table: Table) throws(LearnerError) -> FeatureMatrix {
        var columns: [[Float]] = []
        columns.reserveCapacity(features.count)
        for feature in features {
            guard let column = table.column(named: feature.name) else { throw .missingColumn(feature.name) }
            guard let vocabulary = feature.vocabulary else {
                columns.append((0..<table.rowCount).map { column.number(at: $0).map(Float.init) ?? .nan })
                continue
            }
            let codeOf = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Float($0)) })
            columns.append((0..<table.rowCount).map { column.text(at: $0).flatMap { codeOf[$0] } ?? .nan })
        }
        return try FeatureMatrix(schema: schema, columns: columns)
    }
}

extension TableEncoding {
    /// The labels `task` trains on: binary labels (see `binaryLabels`), numeric targets (see
    /// `numericLabels`; `positive` is ignored) or class indices (see `classLabels`; `classes`
    /// is required for a multiclass task).
    public static func labels(_ table: Table, column name: String, task: PredictionTask,
                              positive: String?, classes: [String]? = nil) throws(LearnerError) -> [Double] {
        switch task {
        case .binaryClassification: return try binaryLabels(table, column: name, positive: positive)
        case .regression: return try numericLabels(table, column: name)
        case .multiclass:
            guard let classes else {
                throw .invalidHyperparameter(name: "classes", value: "none", requirement: "a multiclass task declares its classes")
            }
            return try classLabels(table, column: name, classes: classes)
        }
    }

    /// Multiclass labels from a table column: the index of each row's value (as text) in the
    /// declared `classes`. A null or a value not in the list is an error naming the row.
    public static func classLabels(_ table: Table, column name: String, classes: [String]) throws(LearnerError) -> [Double] {
        guard let column = table.column(named: name) else { throw .missingColumn(name) }
        let index = Dictionary(classes.enumerated().map { ($1, Double($0)) }, uniquingKeysWith: { first, _ in first })
        var labels: [Double] = []
        labels.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            guard let text = column.text(at: row) else { throw .invalidLabel(row: row, value: .nan, expected: "a label, not a null") }
            guard let label = index[text] else { throw .undeclaredClass(row: row, value: text, classes: classes) }
            labels.append(label)
        }
        return labels
    }

    /// Regression targets from a table column: every row a finite number (a null or text label
    /// is an error naming the row).
    public static func numericLabels(_ table: Table, column name: String) throws(LearnerError) -> [Double] {
        guard let column = table.column(named: name) else { throw .missingColumn(name) }
        var labels: [Double] = []
        labels.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            guard let value = column.number(at: row), value.isFinite else {
                throw .invalidLabel(row: row, value: column.number(at: row) ?? .nan, expected: "a finite number (the regression target)")
            }
            labels.append(value)
        }
        return labels
    }

    /// Binary labels from a table column: `positive` names the positive class as text; without
    /// it the column must hold 0/1 or true/false. A null label is an error naming the row.
    public static func binaryLabels(_ table: Table, column name: String, positive: String? = nil) throws(LearnerError) -> [Double] {
        guard let column = table.column(named: name) else { throw .missingColumn(name) }
        var labels: [Double] = []
        labels.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            guard let text = column.text(at: row) else { throw .invalidLabel(row: row, value: .nan, expected: "a label, not a null") }
            if let positive {
                labels.append(text == positive ? 1 : 0)
            } else {
                switch text.lowercased() {
                case "1", "1.0", "true": labels.append(1)
                case "0", "0.0", "false": labels.append(0)
                default: throw .invalidLabel(row: row, value: column.number(at: row) ?? .nan, expected: "0/1 or true/false (or name the positive class)")
                }
            }
        }
        return labels
    }
}
