import Foundation

/// A run's stored predictions for one split: CSV with a header
/// `row,label,score,score_seed_<s>…` — `row` is the 0-based row of the dataset version (its
/// digest is in the run record), `label` is 1 for the positive class, `score` is the
/// candidate's score (the seed ensemble's mean, or the chosen seed's), then one column per
/// seed when several ran. Numbers are shortest round-trip decimals, so the file is exact and
/// any tool (and `git ml eval`) reads it.
public struct PredictionsTable: Sendable, Equatable {
    public var rows: [Int]
    public var labels: [Double]
    public var seeds: [UInt64]
    /// `[seed][row]`.
    public var scores: [[Double]]
    /// The candidate's score per row.
    public var candidateScores: [Double]

    /// `candidate`: index of the chosen seed, or nil for the mean over seeds.
    public init(rows: [Int], labels: [Double], seeds: [UInt64], scores: [[Double]], candidate: Int?) {
        self.rows = rows
        self.labels = labels
        self.seeds = seeds
        self.scores = scores
        if let candidate {
            candidateScores = scores[candidate]
        } else {
            candidateScores = (0..<rows.count).map { row in scores.reduce(0) { $0 + $1[row] } / Double(scores.count) }
        }
    }

    public var text: String {
        var out = "row,label,score"
        if seeds.count > 1 { out += seeds.map { ",score_seed_\($0)" }.joined() }
        out += "\n"
        for i in rows.indices {
            out += "\(rows[i]),\(labels[i] == 1 ? 1 : 0),\(candidateScores[i])"
            if seeds.count > 1 { for s in scores.indices { out += ",\(scores[s][i])" } }
            out += "\n"
        }
        return out
    }

    public func write(to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Parses the text `text` wrote; `name` identifies the file in errors.
    public init(text: String, name: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw RunnerError.invalidExperiment("\(name): empty predictions file") }
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        guard header.count >= 3, header[0] == "row", header[1] == "label", header[2] == "score" else {
            throw RunnerError.invalidExperiment("\(name): header must start with row,label,score")
        }
        let seedColumns = header.dropFirst(3)
        var seeds: [UInt64] = []
        for column in seedColumns {
            guard column.hasPrefix("score_seed_"), let seed = UInt64(column.dropFirst("score_seed_".count)) else {
                throw RunnerError.invalidExperiment("\(name): unexpected column '\(column)'")
            }
            seeds.append(seed)
        }
        var rows: [Int] = [], labels: [Double] = [], candidate: [Double] = []
        var scores = [[Double]](repeating: [], count: seeds.count)
        for (index, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count, let row = Int(fields[0]), let label = Double(fields[1]), let score = Double(fields[2]) else {
                throw RunnerError.invalidExperiment("\(name): line \(index + 2) is not row,label,score…")
            }
            rows.append(row)
            labels.append(label)
            candidate.append(score)
            for s in seeds.indices {
                guard let value = Double(fields[3 + s]) else { throw RunnerError.invalidExperiment("\(name): line \(index + 2) has a bad score") }
                scores[s].append(value)
            }
        }
        self.rows = rows
        self.labels = labels
        self.seeds = seeds.isEmpty ? [] : seeds
        self.scores = seeds.isEmpty ? [candidate] : scores
        candidateScores = candidate
    }
}
