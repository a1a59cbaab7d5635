import Evaluation

/// Why a suite or the gate could not be evaluated on the predictions handed to it.
public enum GateEvaluationError: Error, Equatable, Sendable {
    /// The metric computation rejected its input (lengths, labels, probabilities, …).
    case evaluation(EvaluationError)
    /// No prediction sets were given for `what` (e.g. "candidate evaluation").
    case noPredictions(what: String)
    /// `what` has predictions for `count` seeds where `expected` were needed.
    case seedCountMismatch(what: String, expected: Int, count: Int)
    /// Seed `seed` of `what` does not hold the same row ids in the same order as seed 0.
    case seedRowsDiffer(what: String, seed: Int, row: Int)
    /// `what` lacks the column `column` that the suite names (entity or slice).
    case missingColumn(what: String, column: String)
    /// The column `column` of `what` has `actual` values for `expected` rows.
    case columnLength(what: String, column: String, expected: Int, actual: Int)
    /// The candidate artifact names seed `seed`, but only `seeds` seeds ran.
    case artifactSeedOutOfRange(seed: Int, seeds: Int)
}
