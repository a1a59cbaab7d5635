import Contracts
import Gate
import Learners
import Tables
import Workspace

/// Checks a run's whole configuration against the columns of its data before anything is
/// spent: every column the experiment and the suite name (features, label, entity, slices, the
/// validation split's time column) exists with a usable type, the evaluation data has every
/// feature the model will need, and the model's hyperparameters exist and are in range. A
/// problem is a `RunnerError.configuration` naming the file, line and key, thrown before the
/// worker starts — so the run is neither recorded nor counted as an evaluation of the eval set.
///
/// It also decides which identifier columns stay out of the features by default (see
/// `ExcludedColumn`).
struct RunPreflight {
    /// A file of the configuration with its text, for locating keys in errors.
    struct Source {
        let file: String
        let text: String
    }

    let experiment: Experiment
    let experimentSource: Source
    let suite: Suite
    let suiteSource: Source
    /// The datasets' labels (`name@vN`) for messages, and their column names.
    let trainLabel: String
    let trainNames: [String]
    let evalLabel: String
    let evalNames: [String]
    /// The training columns the run reads (`TrainingSession.columnsRead`), summarized.
    let train: [ColumnSummary]
    /// The training contract's primary-key columns (empty without a contract).
    let primaryKey: [String]

    /// A column left out of the features although the experiment did not exclude it.
    struct ExcludedColumn: Equatable {
        let column: String
        let reason: String
    }

    /// Throws the first problem found; returns the identifier columns excluded by default.
    func check() throws -> [ExcludedColumn] {
        try require(suite.label.column, in: trainNames, of: trainLabel, at: suiteSource, [.key("label"), .key("column")])
        try require(suite.label.column, in: evalNames, of: evalLabel, at: suiteSource, [.key("label"), .key("column")])
        if let entity = suite.entity { try require(entity, in: evalNames, of: evalLabel, at: suiteSource, [.key("entity")]) }
        for (i, slice) in suite.slices.enumerated() {
            try require(slice, in: evalNames, of: evalLabel, at: suiteSource, [.key("slices"), .index(i)])
        }
        for (g, guardrail) in suite.guardrails.enumerated() {
            for (i, slice) in guardrail.slices.enumerated() {
                try require(slice, in: evalNames, of: evalLabel, at: suiteSource, [.key("guardrails"), .index(g), .key("slices"), .index(i)])
            }
            if let groups = guardrail.metric.groups {
                try require(groups, in: evalNames, of: evalLabel, at: suiteSource, [.key("guardrails"), .index(g), .key("groups")])
            }
        }
        for (i, name) in (experiment.include ?? []).enumerated() {
            try require(name, in: trainNames, of: trainLabel, at: experimentSource, [.key("features"), .key("include"), .index(i)])
        }
        for (i, name) in experiment.exclude.enumerated() {
            try require(name, in: trainNames, of: trainLabel, at: experimentSource, [.key("features"), .key("exclude"), .index(i)])
        }
        if case let .time(column, _) = experiment.validation {
            let path: [Step] = [.key("validation"), .key("column")]
            try require(column, in: trainNames, of: trainLabel, at: experimentSource, path)
            if let type = train.first(where: { $0.name == column })?.type, type == .category {
                throw fail(experimentSource, path, "'\(column)' is text in \(trainLabel): a time split needs a time or number column")
            }
        }
        try checkHyperparameters()
        let excluded = identifierColumns()
        let features = featureColumns(excludingAlso: Set(excluded.map(\.column)))
        guard !features.isEmpty else {
            throw fail(experimentSource, [.key("features")], "no feature columns are left in \(trainLabel) after the label, entity and exclusions")
        }
        let missing = features.filter { !evalNames.contains($0) }
        if !missing.isEmpty {
            throw fail(suiteSource, [.key("eval")], "\(evalLabel) lacks feature column\(missing.count == 1 ? "" : "s") "
                       + missing.map { "'\($0)'" }.joined(separator: ", ")
                       + " of \(trainLabel): exclude \(missing.count == 1 ? "it" : "them") in the experiment's features.exclude or add \(missing.count == 1 ? "it" : "them") to the evaluation data")
        }
        return excluded
    }

    /// The model's hyperparameters, as the worker will build the learner.
    private func checkHyperparameters() throws {
        do {
            _ = try LearnerConfiguration.learner(kind: experiment.modelKind, task: suite.predictionTask,
                                                 classCount: suite.label.classes?.count ?? 2, hyperparameters: experiment.hyperparameters)
        } catch {
            if case let .invalidHyperparameter(name, _, _) = error, experiment.hyperparameters[name] != nil {
                throw fail(experimentSource, [.key("model"), .key(name)], error.description)
            }
            throw fail(experimentSource, [.key("model")], error.description)
        }
    }

    /// Columns that identify rows — the contract's primary key, or a text or integer column
    /// unique per row — are not features unless `features.include` names them (with an
    /// include list, only what it names is a feature anyway).
    private func identifierColumns() -> [ExcludedColumn] {
        guard experiment.include == nil else { return [] }
        let notFeatures = Set(experiment.exclude + [suite.label.column] + [suite.entity].compactMap { $0 })
        return train.compactMap { column in
            guard !notFeatures.contains(column.name) else { return nil }
            if primaryKey.contains(column.name) { return ExcludedColumn(column: column.name, reason: "the contract's primary key") }
            if column.uniquePerRow { return ExcludedColumn(column: column.name, reason: "unique per row") }
            return nil
        }
    }

    /// The training columns that will be features.
    private func featureColumns(excludingAlso identifiers: Set<String>) -> [String] {
        let notFeatures = identifiers.union(experiment.exclude).union([suite.label.column]).union([suite.entity].compactMap { $0 })
        return train.map(\.name).filter { name in
            !notFeatures.contains(name) && (experiment.include.map { $0.contains(name) } ?? true)
        }
    }

    // MARK: Locating keys

    /// One step of a key path in a YAML document.
    enum Step {
        case key(String)
        case index(Int)
    }

    private func require(_ column: String, in names: [String], of dataset: String, at source: Source, _ path: [Step]) throws {
        guard !names.contains(column) else { return }
        throw fail(source, path, "'\(column)' is not a column of \(dataset)\(NearestName.hint(for: column, among: names))")
    }

    /// A configuration error at the key `path` of `source` (its line when the path resolves).
    private func fail(_ source: Source, _ path: [Step], _ message: String) -> RunnerError {
        var keyPath = ""
        for step in path {
            switch step {
            case .key(let key): keyPath += keyPath.isEmpty ? key : ".\(key)"
            case .index(let index): keyPath += "[\(index)]"
            }
        }
        return .configuration(file: source.file, line: Self.line(of: path, in: source), key: keyPath, message: message)
    }

    /// The 1-based line of the node at `path`, or of its deepest existing ancestor (1 at worst).
    static func line(of path: [Step], in source: Source) -> Int {
        guard var cursor = try? YAMLCursor.document(yaml: source.text, file: source.file, requiredKey: "") else { return 1 }
        for step in path {
            let next: YAMLCursor?
            switch step {
            case .key(let key): next = try? cursor.optional(key)
            case .index(let index): next = (try? cursor.items()).flatMap { index < $0.count ? $0[index] : nil }
            }
            guard let next else { break }
            cursor = next
        }
        return max(1, cursor.line)
    }
}
