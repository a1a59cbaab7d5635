/// Conditions under which scikit-learn warns; the value is still returned (often NaN or a
/// zero-division replacement) and the warning travels with it instead of being printed.
public enum MetricWarning: String, Codable, Sendable, Hashable {
    /// Only one class is present (after dropping zero-weight rows): ROC AUC is NaN, average
    /// precision is 0 (no positives) or 1 (no negatives).
    case singleClass = "single_class"
    /// A ratio's denominator was zero; the `ZeroDivision` replacement was used.
    case zeroDivision = "zero_division"
    /// Fewer than two rows: R² is NaN.
    case tooFewSamples = "too_few_samples"
}

/// A metric's value together with the warnings raised while computing it.
public struct MetricValue: Codable, Sendable, Hashable {
    public let value: Double
    public let warnings: [MetricWarning]
    public init(_ value: Double, warnings: [MetricWarning] = []) {
        self.value = value
        self.warnings = warnings
    }
}

/// What a ratio with a zero denominator becomes (scikit-learn's `zero_division`):
/// `warn` gives 0 and a `.zeroDivision` warning; the others give their value silently.
public enum ZeroDivision: String, Codable, Sendable, Hashable {
    case warn, zero, one, nan

    /// `numerator / denominator`, or the replacement when the denominator is zero.
    func divide(_ numerator: Double, _ denominator: Double) -> MetricValue {
        guard denominator == 0 else { return MetricValue(numerator / denominator) }
        switch self {
        case .warn: return MetricValue(0, warnings: [.zeroDivision])
        case .zero: return MetricValue(0)
        case .one: return MetricValue(1)
        case .nan: return MetricValue(.nan)
        }
    }
}
