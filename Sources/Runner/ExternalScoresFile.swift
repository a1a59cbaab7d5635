import Tables

/// Scores an external command wrote (`git ml exec`'s predictions files, a predict command's
/// `predictions.csv`; docs/FORMAT.md): CSV with `row` — 0-based, each at most once, below the
/// input's row count — and `score`, one finite number per row, or for a multiclass run one
/// `p_<class>` column per declared class, each row's probabilities in [0, 1] summing to 1
/// within `MulticlassPredictions.sumTolerance`. Untrusted: every problem names its line.
struct ExternalScoresFile {
    /// The rows, in file order.
    let rows: [Int]
    /// The scores in file order, row-major: one per row, or one per declared class.
    let scores: [Double]

    /// Reads `path` (which must exist); `name` identifies it in errors, `rowCount` is the
    /// input's, `classes` the run's declared classes (nil: one score per row).
    init(path: String, name: String, rowCount: Int, classes: [String]?) throws {
        func invalid(_ problem: String) -> RunnerError { .invalidPredictions(file: name, problem: problem) }
        let scoreNames = classes.map { $0.map { "p_" + $0 } } ?? ["score"]
        var schema: [String: ColumnType] = ["row": .int64]
        for column in scoreNames { schema[column] = .float64 }
        let file: Table
        do {
            file = try CSVReader.read(contentsOf: path, options: CSVReadOptions(schema: schema)).table
        } catch {
            guard case .unknownSchemaColumn = error else { throw error }
            let header = (try? CSVReader.read(contentsOf: path, options: CSVReadOptions()).table.columnNames) ?? []
            throw invalid("needs the columns row and \(scoreNames.joined(separator: ", ")) (it has \(header.joined(separator: ", ")))")
        }
        let rowColumn = file.column(named: "row")!, scoreColumns = scoreNames.map { file.column(named: $0)! }
        var rows: [Int] = []
        var seen = Set<Int>()
        for i in 0..<file.rowCount {
            guard let row = rowColumn.number(at: i).map(Int.init), (0..<rowCount).contains(row), seen.insert(row).inserted else {
                throw invalid("line \(i + 2): row must be a distinct row number from 0 to \(rowCount - 1)")
            }
            rows.append(row)
        }
        self.rows = rows
        if classes != nil {
            scores = try MulticlassPredictions.probabilities(scoreColumns, what: "probabilities", invalid: invalid)
        } else {
            scores = try (0..<file.rowCount).map { i in
                guard let score = scoreColumns[0].number(at: i), score.isFinite else { throw invalid("line \(i + 2): score must be a finite number") }
                return score
            }
        }
    }
}
