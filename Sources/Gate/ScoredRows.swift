/// One model's predictions on a set of rows, as the Runner hands them to the suite and the gate:
/// a row id, a label and a score per row — binary: a 0/1 label and a score (higher means more
/// likely positive); regression: the numeric target and the prediction; multiclass: the index
/// of the true class among the suite's declared classes and `scoresPerRow` (= K) probabilities
/// per row, row-major — and the entity and slice columns the suite names, as text; a
/// regression run with prediction intervals adds its predicted quantiles.
public struct ScoredRows: Sendable, Equatable {
    public let ids: [String]
    public let labels: [Double]
    public let scores: [Double]
    /// Scores per row: 1, or the number of classes of a multiclass suite.
    public let scoresPerRow: Int
    /// Extra columns by name (entity key, slice columns), one text value per row.
    public let columns: [String: [String]]
    /// Predicted quantiles of a regression run with intervals (the candidate's `q_<q>`
    /// columns): quantile → one value per row.
    public let quantiles: [Double: [Double]]

    public init(ids: [String], labels: [Double], scores: [Double], scoresPerRow: Int = 1, columns: [String: [String]] = [:],
                quantiles: [Double: [Double]] = [:]) {
        self.ids = ids
        self.labels = labels
        self.scores = scores
        self.scoresPerRow = scoresPerRow
        self.columns = columns
        self.quantiles = quantiles
    }

    /// The rows at `order` (each row's scores kept together), under `ids` with `columns`.
    func reordered(_ order: [Int], ids: [String], columns: [String: [String]]) -> ScoredRows {
        let width = scoresPerRow
        var scores = [Double]()
        scores.reserveCapacity(order.count * width)
        for row in order { scores += self.scores[(row * width)..<((row + 1) * width)] }
        return ScoredRows(ids: ids, labels: order.map { labels[$0] }, scores: scores, scoresPerRow: width, columns: columns,
                          quantiles: quantiles.mapValues { values in order.map { values[$0] } })
    }
}

/// Which model of a multi-seed run is the candidate artifact whose metrics are reported.
/// Encoded as `"ensemble"` or `{"seed_index": N}`; the earlier tagged forms (`{"ensemble": {}}`,
/// `{"seed": {"_0": N}}`) still decode.
public enum CandidateArtifact: Codable, Sendable, Hashable {
    /// The seed ensemble: each row's score is the mean of the seeds' scores.
    case ensemble
    /// The model trained with the seed at this index of the predictions lists.
    case seed(Int)

    private enum Keys: String, CodingKey {
        case seedIndex = "seed_index", ensemble, seed
        case unlabeled = "_0"
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .ensemble:
            var container = encoder.singleValueContainer()
            try container.encode("ensemble")
        case .seed(let index):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(index, forKey: .seedIndex)
        }
    }

    public init(from decoder: any Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self) {
            guard word == "ensemble" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(word)' is not ensemble or {seed_index: N}"))
            }
            self = .ensemble
            return
        }
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.ensemble) {
            self = .ensemble
        } else if container.contains(.seed) {
            self = .seed(try container.nestedContainer(keyedBy: Keys.self, forKey: .seed).decode(Int.self, forKey: .unlabeled))
        } else {
            self = .seed(try container.decode(Int.self, forKey: .seedIndex))
        }
    }
}
