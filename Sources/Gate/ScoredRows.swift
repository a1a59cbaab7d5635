/// One model's predictions on a set of rows, as the Runner hands them to the suite and the gate:
/// a row id, a 0/1 label and a score per row (higher means more likely positive), and the
/// entity and slice columns the suite names, as text.
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
public enum CandidateArtifact: Codable, Sendable, Hashable {
    /// The seed ensemble: each row's score is the mean of the seeds' scores.
    case ensemble
    /// The model trained with the seed at this index of the predictions lists.
    case seed(Int)
}
