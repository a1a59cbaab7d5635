import Foundation
import Kernels
import Tables

/// A multiclass run's stored predictions for one split (docs/FORMAT.md, "Predictions files"):
/// CSV with the header `row,label,p_<class1>,…,p_<classK>` — `row` is the 0-based row of the
/// dataset version, `label` the class name as in the data, then the candidate's probability of
/// each declared class in declared order (the seeds' mean, or the chosen seed's) — followed,
/// when several seeds ran, by `p_<class>_seed_<s>` for each seed (in seed order) and each class
/// (in class order). Columns are found by the declared class names, never by pattern. Numbers
/// are shortest round-trip decimals.
public struct MulticlassPredictions: Sendable, Equatable {
    public var rows: [Int]
    /// Each row's class, as an index into `classes`.
    public var labels: [Int]
    public var classes: [String]
    /// The seeds with their own columns (empty when one seed ran).
    public var seeds: [UInt64]
    /// `[seed][row·K + k]`: each seed's probabilities, row-major (the candidate's alone when
    /// `seeds` is empty).
    public var probabilitiesBySeed: [[Double]]
    /// The candidate's probabilities, row-major: row i's P(class k) is `[i·K + k]`.
    public var probabilities: [Double]

    /// `probabilities`: one row-major array per seed of `seeds` (all the run's seeds);
    /// `candidate`: index of the chosen seed, or nil for the mean over seeds.
    public init(rows: [Int], labels: [Int], classes: [String], seeds: [UInt64], probabilities: [[Double]], candidate: Int?) {
        let candidateProbabilities: [Double]
        if let candidate {
            candidateProbabilities = probabilities[candidate]
        } else {
            let count = Double(probabilities.count)
            candidateProbabilities = (0..<(rows.count * classes.count)).map { i in probabilities.reduce(0) { $0 + $1[i] } / count }
        }
        self.init(rows: rows, labels: labels, classes: classes, seeds: seeds, probabilitiesBySeed: probabilities,
                  probabilities: candidateProbabilities)
    }

    /// The parts as they are: each seed's probabilities and the candidate's (seeds are kept only
    /// when several ran, as the file has seed columns only then).
    init(rows: [Int], labels: [Int], classes: [String], seeds: [UInt64], probabilitiesBySeed: [[Double]], probabilities: [Double]) {
        self.rows = rows
        self.labels = labels
        self.classes = classes
        self.seeds = seeds.count > 1 ? seeds : []
        self.probabilitiesBySeed = probabilitiesBySeed
        self.probabilities = probabilities
    }

    /// The CSV text; blocks of rows are formatted in parallel.
    public var text: String {
        var header = "row,label" + classes.map { ",p_\($0)" }.joined()
        for seed in seeds { header += classes.map { ",p_\($0)_seed_\(seed)" }.joined() }
        let table = self, width = classes.count
        let blocks = ParallelFor.map(count: rows.count, blockSize: 8192) { range in
            var out = ""
            for i in range {
                out += "\(table.rows[i]),\(CSVField.escaped(table.classes[table.labels[i]]))"
                for k in 0..<width { out += ",\(table.probabilities[i * width + k])" }
                if !table.seeds.isEmpty {
                    for column in table.probabilitiesBySeed { for k in 0..<width { out += ",\(column[i * width + k])" } }
                }
                out += "\n"
            }
            return out
        }
        return header + "\n" + blocks.joined()
    }

    public func write(to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Largest |Σₖ p − 1| a row may have.
    public static let sumTolerance = 1e-6

    /// Parses a predictions file of the declared `classes`; `name` identifies it in errors. The
    /// file is invalid unless it has `row`, `label` and every `p_<class>` column, its labels are
    /// declared classes, and each row's probabilities (every seed's too) are finite, in [0, 1]
    /// and sum to 1 within `sumTolerance`. Seed columns are read when present for every class.
    /// Its header must be exactly the one `text` writes for these classes and its seeds: a
    /// file of other classes, or of the same classes in another order, was made by a model of
    /// another class list and is refused, naming both lists.
    public init(bytes: [UInt8], name: String, classes: [String]) throws {
        func invalid(_ problem: String) -> RunnerError { .invalidPredictions(file: name, problem: problem) }
        var options = CSVReadOptions()
        options.header = .present
        options.schema = ["row": .int64, "label": .category]
        for name in classes { options.schema["p_" + name] = .float64 }
        let table: Table
        do {
            do {
                table = try CSVReader.read(bytes: bytes, options: options).table
            } catch TableReadError.unknownSchemaColumn(let missing) where missing.hasPrefix("p_") {
                // A file of other classes: read as it is, so that the header check names them.
                options.schema = ["row": .int64, "label": .category]
                table = try CSVReader.read(bytes: bytes, options: options).table
            }
        } catch { throw invalid("\(error)") }
        guard let rowColumn = table.column(named: "row"), case .int64(let rows) = rowColumn.values, rowColumn.nullCount == 0 else {
            throw invalid("it needs a 'row' column with a row number on every line")
        }
        guard let labelColumn = table.column(named: "label") else { throw invalid("it has no 'label' column") }
        let seedPrefix = "p_\(classes[0])_seed_"
        let seeds = table.columnNames.filter { $0.hasPrefix(seedPrefix) }.compactMap { UInt64($0.dropFirst(seedPrefix.count)) }
        let expected = ["row", "label"] + classes.map { "p_" + $0 } + seeds.flatMap { seed in classes.map { "p_\($0)_seed_\(seed)" } }
        guard table.columnNames == expected else {
            let found = table.columnNames.filter { $0.hasPrefix("p_") && !$0.contains("_seed_") }.map { String($0.dropFirst(2)) }
            guard found == classes else {
                throw invalid("its columns are for the classes [\(found.joined(separator: ", "))], not the declared [\(classes.joined(separator: ", "))]: "
                              + "a model must be trained with the suite's declared classes, in their order")
            }
            throw invalid("its header is \(table.columnNames.joined(separator: ",")), expected \(expected.joined(separator: ",")) "
                          + "(row, label, p_<class> per declared class, then p_<class>_seed_<s> per seed and class)")
        }
        let index = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var labels: [Int] = []
        labels.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            guard let text = labelColumn.text(at: row), let label = index[text] else {
                throw invalid("line \(row + 2): label '\(labelColumn.text(at: row) ?? "")' is not one of the declared classes (\(classes.joined(separator: ", ")))")
            }
            labels.append(label)
        }
        self.rows = rows.map { Int($0) }
        self.labels = labels
        self.classes = classes
        self.seeds = seeds
        func readProbabilities(_ suffix: String) throws -> [Double] {
            // Present: the header was checked.
            try Self.probabilities(classes.map { table.column(named: "p_" + $0 + suffix)! },
                                   what: suffix.isEmpty ? "probabilities" : "probabilities of \(suffix.dropFirst())", invalid: invalid)
        }
        probabilities = try readProbabilities("")
        let bySeed = try seeds.map { try readProbabilities("_seed_\($0)") }
        probabilitiesBySeed = seeds.isEmpty ? [probabilities] : bySeed
    }

    /// Row-major probabilities from one column per class: every value finite and in [0, 1],
    /// each row's summing to 1 within `sumTolerance`; `invalid` words a problem (`what`: "the
    /// probabilities" of the message).
    static func probabilities(_ columns: [Column], what: String, invalid: (String) -> RunnerError) throws -> [Double] {
        let rowCount = columns.first?.count ?? 0
        var out = [Double](repeating: 0, count: rowCount * columns.count)
        for row in 0..<rowCount {
            var sum = 0.0
            for (k, column) in columns.enumerated() {
                guard let p = column.number(at: row), p.isFinite, p >= 0, p <= 1 else {
                    throw invalid("line \(row + 2): '\(column.name)' is not a probability in [0, 1]")
                }
                out[row * columns.count + k] = p
                sum += p
            }
            guard abs(sum - 1) <= sumTolerance else { throw invalid("line \(row + 2): the \(what) sum to \(sum), not 1") }
        }
        return out
    }
}
