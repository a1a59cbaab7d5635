import Foundation
import Kernels
import Tables

/// A run's stored predictions for one split: CSV with a header
/// `row,label,score,score_seed_<s>…` — `row` is the 0-based row of the dataset version (its
/// digest is in the run record), `label` is 1 for the positive class (binary) or the numeric
/// target (regression), `score` is the candidate's score or predicted value (the seed
/// ensemble's mean, or the chosen seed's), then one column per seed when several ran, then for a
/// regression run with prediction intervals one `q_<quantile>` column per interval quantile
/// (quantile as its shortest decimal, e.g. `q_0.05`), under the same candidate rule as `score`.
/// Numbers are shortest round-trip decimals, so the file is exact and any tool (and
/// `git ml eval`) reads it. A multiclass run's file (`MulticlassPredictions`) is read into the
/// same shape with `classes` set: K probabilities per row, row-major, and each label the index
/// of its class among `classes`.
public struct PredictionsTable: Sendable, Equatable {
    public var rows: [Int]
    public var labels: [Double]
    public var seeds: [UInt64]
    /// `[seed][row]`, or `[seed][row·K + k]` for a multiclass table.
    public var scores: [[Double]]
    /// The candidate's score per row (row-major probabilities for a multiclass table).
    public var candidateScores: [Double]
    /// The candidate's predicted quantiles (`q_<quantile>` columns), ascending by quantile.
    public var intervals: [IntervalColumn] = []
    /// The declared classes of a multiclass table (nil: one score per row).
    public var classes: [String]? = nil

    /// Scores per row: 1, or the number of classes.
    public var scoresPerRow: Int { classes?.count ?? 1 }

    /// One prediction-interval quantile's column.
    public struct IntervalColumn: Sendable, Equatable {
        public var quantile: Double
        public var values: [Double]
        public init(quantile: Double, values: [Double]) {
            self.quantile = quantile
            self.values = values
        }
        public var name: String { "q_\(quantile)" }
    }

    /// `candidate`: index of the chosen seed, or nil for the mean over seeds.
    public init(rows: [Int], labels: [Double], seeds: [UInt64], scores: [[Double]], candidate: Int?) {
        self.rows = rows
        self.labels = labels
        self.seeds = seeds
        self.scores = scores
        candidateScores = Self.candidate(scores, candidate)
    }

    /// The candidate's values from per-seed columns `[seed][row]`: the chosen seed's
    /// (`candidate` indexes the seeds) or, for nil, the mean over seeds.
    public static func candidate(_ scores: [[Double]], _ candidate: Int?) -> [Double] {
        if let candidate { return scores[candidate] }
        return (0..<(scores.first?.count ?? 0)).map { row in scores.reduce(0) { $0 + $1[row] } / Double(scores.count) }
    }

    /// The CSV text; blocks of rows are formatted in parallel (formatting the numbers of every
    /// seed is most of the time a run spends writing its outputs). A multiclass table is written
    /// as `MulticlassPredictions` writes it.
    public var text: String {
        if let classes {
            return MulticlassPredictions(rows: rows, labels: labels.map { Int($0) }, classes: classes, seeds: seeds,
                                         probabilitiesBySeed: scores, probabilities: candidateScores).text
        }
        var header = "row,label,score"
        if seeds.count > 1 { header += seeds.map { ",score_seed_\($0)" }.joined() }
        header += intervals.map { "," + $0.name }.joined() + "\n"
        let table = self
        let blocks = ParallelFor.map(count: rows.count, blockSize: 8192) { range in
            var out = ""
            out.reserveCapacity(range.count * 24 * (table.seeds.count + 1))
            for i in range {
                out += "\(table.rows[i]),\(PredictionsTable.format(label: table.labels[i])),\(table.candidateScores[i])"
                if table.seeds.count > 1 { for s in table.scores.indices { out += ",\(table.scores[s][i])" } }
                for interval in table.intervals { out += ",\(interval.values[i])" }
                out += "\n"
            }
            return out
        }
        return header + blocks.joined()
    }

    /// A label as written: an integral value without a fraction (binary 0/1 stays `0`/`1`),
    /// any other number (a regression target) as its shortest round-trip decimal.
    static func format(label: Double) -> String {
        label == label.rounded() && abs(label) < 1e15 ? String(Int(label)) : "\(label)"
    }

    public func write(to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Parses a file `text` wrote, given as its bytes; `name` identifies it in errors. Read by the
    /// tables' CSV reader (parallel, exact decimals): the gate and `git ml diff` read every seed's scores.
    /// With `classes` (a multiclass suite's declared classes) the file is read as
    /// `MulticlassPredictions` of exactly those classes.
    public init(bytes: [UInt8], name: String, classes: [String]? = nil) throws {
        if let classes {
            self.init(try MulticlassPredictions(bytes: bytes, name: name, classes: classes))
        } else {
            try self.init(scoreFile: bytes, name: name)
        }
    }

    /// A file of one score per row (`row,label,score…`).
    private init(scoreFile bytes: [UInt8], name: String) throws {
        func invalid(_ problem: String) -> RunnerError { .invalidPredictions(file: name, problem: problem) }
        var options = CSVReadOptions()
        options.header = .present
        options.schema = ["row": .int64, "label": .float64, "score": .float64]
        let table: Table
        do { table = try CSVReader.read(bytes: bytes, options: options).table } catch { throw invalid("\(error)") }
        let header = table.columnNames
        guard header.count >= 3, header[0] == "row", header[1] == "label", header[2] == "score" else {
            throw invalid("header must start with row,label,score")
        }
        var seeds: [UInt64] = [], quantiles: [(Double, Int)] = []
        for (index, column) in header.enumerated().dropFirst(3) {
            if column.hasPrefix("q_"), let q = Double(column.dropFirst(2)), q > 0, q < 1, quantiles.last.map({ $0.0 < q }) ?? true {
                quantiles.append((q, index))
                continue
            }
            guard quantiles.isEmpty, column.hasPrefix("score_seed_"), let seed = UInt64(column.dropFirst("score_seed_".count)) else {
                throw invalid("unexpected column '\(column)'")
            }
            seeds.append(seed)
        }
        func numbers(_ column: Column) throws -> [Double] {
            try (0..<column.count).map { row in
                guard let value = column.number(at: row) else { throw invalid("line \(row + 2): '\(column.name)' is not a number") }
                return value
            }
        }
        let columns = table.columns
        guard case .int64(let rows) = columns[0].values, columns[0].nullCount == 0 else { throw invalid("'row' must be a row number on every line") }
        let candidate = try numbers(columns[2])
        self.rows = rows.map { Int($0) }
        labels = try numbers(columns[1])
        self.seeds = seeds
        scores = seeds.isEmpty ? [candidate] : try columns[3..<(3 + seeds.count)].map(numbers)
        candidateScores = candidate
        intervals = try quantiles.map { IntervalColumn(quantile: $0.0, values: try numbers(columns[$0.1])) }
    }

    /// A multiclass file's rows, labels as class indexes, and probabilities per seed.
    init(_ file: MulticlassPredictions) {
        self.init(rows: file.rows, labels: file.labels.map(Double.init), seeds: file.seeds, scores: file.probabilitiesBySeed,
                  candidateScores: file.probabilities, classes: file.classes)
    }
}

extension PredictionsTable {
    /// These predictions joined by row to the dataset version they score, in row order, with
    /// that version's `labels` (`labels[i]` is row i's) in place of the file's: labels come from
    /// the data, never from a predictions file. Each row may appear once and must be a row of the
    /// data; with `everyRow` (evaluation predictions) every row must appear. A file label that
    /// disagrees with the data's makes the evidence invalid. `name` identifies the file in errors.
    public func joined(to labels: [Double], everyRow: Bool, name: String) throws(RunnerError) -> PredictionsTable {
        func invalid(_ problem: String) -> RunnerError { .invalidPredictions(file: name, problem: problem + ": the evidence is invalid") }
        var index = [Int](repeating: -1, count: labels.count)
        var outside = 0, duplicated = 0, disagreeing = 0
        for (i, row) in rows.enumerated() {
            guard row >= 0, row < labels.count else { outside += 1; continue }
            if index[row] >= 0 { duplicated += 1; continue }
            index[row] = i
            if self.labels[i] != labels[row] { disagreeing += 1 }
        }
        if outside > 0 { throw invalid("\(outside) rows are not rows of the data (it has \(labels.count), numbered from 0)") }
        if duplicated > 0 { throw invalid("\(duplicated) rows appear more than once") }
        let missing = everyRow ? index.lazy.filter { $0 < 0 }.count : 0
        if missing > 0 { throw invalid("\(missing) of the data's \(labels.count) rows have no prediction (every row must be scored once)") }
        if disagreeing > 0 {
            throw invalid("its label column disagrees with the dataset's labels on \(disagreeing) rows (labels are read from the pinned data, not from predictions)")
        }
        let order = index.filter { $0 >= 0 }, width = scoresPerRow
        func reordered(_ values: [Double]) -> [Double] {
            width == 1 ? order.map { values[$0] } : order.flatMap { values[($0 * width)..<(($0 + 1) * width)] }
        }
        var joined = PredictionsTable(rows: order.map { rows[$0] }, labels: order.map { labels[rows[$0]] }, seeds: seeds,
                                      scores: scores.map(reordered), candidateScores: reordered(candidateScores), classes: classes)
        joined.intervals = intervals.map { interval in IntervalColumn(quantile: interval.quantile, values: order.map { interval.values[$0] }) }
        return joined
    }

    private init(rows: [Int], labels: [Double], seeds: [UInt64], scores: [[Double]], candidateScores: [Double], classes: [String]?) {
        self.rows = rows
        self.labels = labels
        self.seeds = seeds
        self.scores = scores
        self.candidateScores = candidateScores
        self.classes = classes
    }
}
