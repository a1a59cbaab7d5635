/// One model's predictions on a set of rows, as the Runner hands them to the suite and the gate:
/// a row id, a label and a score per row — binary: a 0/1 label and a score (higher means more
/// likely positive); regression: the numeric target and the prediction — and the entity and
/// slice columns the suite names, as text.
public struct ScoredRows: Sendable, Equatable {
    public let ids: [String]
    public let labels: [Double]
    public let scores: [Double]
    /// Extra columns by name (entity key, slice columns), one text value per row.
    public let columns: [String: [String]]

    public init(ids: [String], labels: [Double], scores: [Double], columns: [String: [String]] = [:]) {
        self.ids = ids
        self.labels = labels
        self.scores = scores
        self.columns = columns
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
