/// Why evaluation inputs were rejected; each case names what the caller must fix.
public enum EvaluationError: Error, Equatable, Sendable {
    /// Two arrays that describe the same rows have different lengths.
    case lengthMismatch(what: String, expected: Int, actual: Int)
    /// There are no rows (or no rows with positive weight) to evaluate.
    case empty(what: String)
    /// A value is NaN or infinite at `row`.
    case nonFinite(what: String, row: Int, value: Double)
    /// A label is not 0 or 1 at `row`.
    case labelNotBinary(row: Int, value: Double)
    /// A sample weight is negative at `row`.
    case negativeWeight(row: Int, value: Double)
    /// A probability lies outside [0, 1] at `row` (log loss, Brier, calibration need probabilities).
    case probabilityOutOfRange(row: Int, value: Double)
    /// A value lies outside the metric's domain at `row` (e.g. a non-positive prediction for
    /// the Poisson deviance); `expected` says which values are allowed.
    case outOfDomain(what: String, row: Int, value: Double, expected: String)
    /// A parameter is outside its valid range, e.g. `maxFPR` not in (0, 1].
    case invalidParameter(name: String, value: Double, expected: String)
    /// No threshold on the validation rows satisfies the operating-point rule (e.g. no
    /// threshold reaches the required precision); relax the rule or add validation rows.
    case noFeasibleThreshold(rule: String)
    /// Paired comparisons need the same rows: `what` (labels, weights) differs at `row`.
    case rowsDiffer(what: String, row: Int)
    /// Row ids of two prediction sets do not match one to one: `id` is duplicated or missing
    /// on `side` ("baseline" or "candidate").
    case unmatchedID(id: String, side: String)
}
