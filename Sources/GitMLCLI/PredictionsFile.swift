import Evaluation
import Foundation
import Tables

/// A predictions file from any tool (CSV, TSV, JSON Lines, maybe compressed, or Parquet), read into the columns
/// `git ml eval` needs.
struct PredictionsFile {
    let path: String
    let table: Table

    init(path: String) throws {
        self.path = path
        table = try TableFile.read(contentsOf: path).table
    }

    func column(_ name: String) throws -> Column {
        guard let column = table.column(named: name) else {
            throw InputError("\(path) has no column '\(name)' (it has: \(table.columnNames.joined(separator: ", ")))")
        }
        return column
    }

    /// Numbers of a column; a null or non-numeric cell is an error naming its row.
    func numbers(_ name: String) throws -> [Double] {
        let c = try column(name)
        return try (0..<table.rowCount).map { row in
            guard let v = c.number(at: row) else { throw InputError("\(path): column '\(name)' has no number at row \(row + 1)") }
            return v
        }
    }

    /// Labels as booleans: with `positive`, cells equal to it are positive; without, cells must
    /// be 0/1 or true/false.
    func labels(_ name: String, positive: String?) throws -> [Bool] {
        let c = try column(name)
        return try (0..<table.rowCount).map { row in
            guard let text = c.text(at: row) else { throw InputError("\(path): column '\(name)' is empty at row \(row + 1)") }
            if let positive { return text == positive }
            switch text.lowercased() {
            case "1", "1.0", "true": return true
            case "0", "0.0", "false": return false
            default: throw InputError("\(path): label '\(text)' at row \(row + 1) is not 0/1 or true/false (name the positive class with --positive)")
            }
        }
    }

    /// A column's cells as text (ids, slice values); nulls become "∅".
    func texts(_ name: String) throws -> [String] {
        let c = try column(name)
        return (0..<table.rowCount).map { c.text(at: $0) ?? "∅" }
    }

    /// The predictions: scores, labels and optional weights.
    func predictions(label: String, score: String, weight: String?, positive: String?) throws -> BinaryPredictions {
        try BinaryPredictions(scores: try numbers(score), labels: try labels(label, positive: positive),
                              weights: try weight.map { try numbers($0) })
    }
}
