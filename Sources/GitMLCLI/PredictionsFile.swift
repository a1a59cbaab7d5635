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

    /// Numbers of a column; a null or non-numeric cell is an error naming its row. A float64
    /// column without nulls is returned as it is (its storage shared, not copied).
    func numbers(_ name: String) throws -> [Double] {
        let c = try column(name)
        if case .float64(let values) = c.values, c.nullCount == 0 { return values }
        return try (0..<table.rowCount).map { row in
            guard let v = c.number(at: row) else { throw InputError("\(path): column '\(name)' has no number at row \(row + 1)") }
            return v
        }
    }

    /// Labels as booleans: with `positive`, cells equal to it are positive; without, cells must
    /// be 0/1 or true/false. Each distinct value's text is decided once (a label column holds a
    /// few values, and making a `String` of every row cost 7% of `git ml eval` at 10^8 rows).
    func labels(_ name: String, positive: String?) throws -> [Bool] {
        let c = try column(name)
        func label(_ row: Int) throws -> Bool {
            guard let text = c.text(at: row) else { throw InputError("\(path): column '\(name)' is empty at row \(row + 1)") }
            if let positive { return text == positive }
            switch text.lowercased() {
            case "1", "1.0", "true": return true
            case "0", "0.0", "false": return false
            default: throw InputError("\(path): label '\(text)' at row \(row + 1) is not 0/1 or true/false (name the positive class with --positive)")
            }
        }
        switch c.values {
        case .int64(let v): return try labels(of: c, key: { v[$0] }, label)
        case .float64(let v): return try labels(of: c, key: { v[$0].bitPattern }, label)
        case .float32(let v): return try labels(of: c, key: { v[$0].bitPattern }, label)
        case .bool(let v): return try labels(of: c, key: { v[$0] }, label)
        case .category, .text:
            let codes = c.categories!.codes
            return try labels(of: c, key: { codes[$0] }, label)
        case .timestamp: return try (0..<table.rowCount).map(label)
        }
    }

    /// Each row's label, `label(row)` run at the first row of each of the first 16 distinct
    /// keys (a value's bits or a category's code, which fix its text) and reused for the rows
    /// that repeat it; rows of other keys and null rows are decided one by one.
    private func labels<Key: Equatable>(of c: Column, key: (Int) -> Key, _ label: (Int) throws -> Bool) throws -> [Bool] {
        var decided: [(key: Key, label: Bool)] = []
        return try (0..<table.rowCount).map { row in
            if c.isNull(row) { return try label(row) }
            let k = key(row)
            if let hit = decided.first(where: { $0.key == k }) { return hit.label }
            let value = try label(row)
            if decided.count < 16 { decided.append((k, value)) }
            return value
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
