/// The identity of one slice: a category value, or a numeric bin `lower < x ≤ upper`
/// (the first bin also holds x = lower). Encoded as plain values: a category as its text
/// (`"north"`), a bin as `{"lower": …, "upper": …}`; the earlier tagged form
/// (`{"category": {"_0": "north"}}`) still decodes.
public enum SliceKey: Codable, Sendable, Hashable {
    case category(String)
    case bin(lower: Double, upper: Double)

    private enum Keys: String, CodingKey {
        case lower, upper, category, bin
        case unlabeled = "_0"
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .category(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bin(let lower, let upper):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(lower, forKey: .lower)
            try container.encode(upper, forKey: .upper)
        }
    }

    public init(from decoder: any Decoder) throws {
        if let value = try? decoder.singleValueContainer().decode(String.self) {
            self = .category(value)
            return
        }
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.category) {
            self = .category(try container.nestedContainer(keyedBy: Keys.self, forKey: .category).decode(String.self, forKey: .unlabeled))
            return
        }
        let bin = container.contains(.bin) ? try container.nestedContainer(keyedBy: Keys.self, forKey: .bin) : container
        self = .bin(lower: try bin.decode(Double.self, forKey: .lower), upper: try bin.decode(Double.self, forKey: .upper))
    }
}

/// A metric on the rows of one slice, with the counts that make it trustworthy or not.
public struct SliceResult: Codable, Sendable, Hashable {
    public let key: SliceKey
    public let rows: Int
    public let positives: Int
    /// Total weight of the slice's rows (equals `rows` when unweighted).
    public let weight: Double
    /// Nil when the slice has fewer than the minimum rows (not applicable).
    public let value: MetricValue?
    /// Percentile bootstrap interval of `value` over the slice's rows, when the caller computed
    /// one (a suite's reported slices); nil otherwise.
    public var interval: ConfidenceInterval? = nil
}

/// Metrics per slice of the rows.
public enum Slices {
    /// `metric` per distinct value of `categories` (one per row), in order of first appearance.
    /// Slices with fewer than `minimumRows` rows get no value.
    public static func byCategory(_ data: BinaryPredictions, categories: [String], metric: BinaryMetric,
                                  minimumRows: Int = 1) throws(EvaluationError) -> [SliceResult] {
        try byCategory(RankedPredictions(data, threads: .one), categories: categories, metric: metric, minimumRows: minimumRows)
    }

    /// `metric` per distinct value of `categories` for any task's rows (see the binary form).
    public static func byCategory<Metric: ResampledMetric>(_ data: Metric.Rows, categories: [String], metric: Metric,
                                                           minimumRows: Int = 1) throws(EvaluationError) -> [SliceResult] {
        guard categories.count == data.count else {
            throw .lengthMismatch(what: "slice column", expected: data.count, actual: categories.count)
        }
        var results = [SliceResult]()
        for (value, rows) in rowsByValue(categories) {
            results.append(try slice(data, key: .category(value), rows: rows, metric: metric, minimumRows: minimumRows))
        }
        return results
    }

    /// The rows of each distinct value of `categories`, values in order of first appearance.
    static func rowsByValue(_ categories: [String]) -> [(value: String, rows: [Int])] {
        var index = [String: Int]()
        var groups = [(value: String, rows: [Int])]()
        for (row, value) in categories.enumerated() {
            if let group = index[value] {
                groups[group].rows.append(row)
            } else {
                index[value] = groups.count
                groups.append((value, [row]))
            }
        }
        return groups
    }

    /// `metric` per bin of a numeric column given by ascending `edges` (bins lowerEdge < x ≤ upperEdge,
    /// the first bin closed below; a repeated edge makes an empty bin). Rows outside [first edge, last edge] belong to no slice.
    public static func byNumericBins(_ data: BinaryPredictions, values: [Double], edges: [Double], metric: BinaryMetric,
                                     minimumRows: Int = 1) throws(EvaluationError) -> [SliceResult] {
        guard values.count == data.count else {
            throw .lengthMismatch(what: "slice column", expected: data.count, actual: values.count)
        }
        guard edges.count >= 2, zip(edges, edges.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw .invalidParameter(name: "edges", value: Double(edges.count), expected: "at least two ascending edges")
        }
        var rowsByBin = [[Int]](repeating: [], count: edges.count - 1)
        for (row, value) in values.enumerated() where value >= edges[0] && value <= edges[edges.count - 1] {
            rowsByBin[max(0, Calibration.countBelow(value, in: edges[...]) - 1)].append(row)
        }
        var results = [SliceResult]()
        let ranked = RankedPredictions(data, threads: .one)
        for (bin, rows) in rowsByBin.enumerated() {
            results.append(try slice(ranked, key: .bin(lower: edges[bin], upper: edges[bin + 1]), rows: rows,
                                     metric: metric, minimumRows: minimumRows))
        }
        return results
    }

    /// Edges for `byNumericBins` at the 0, 1/n, …, 1 quantiles of `values` (numpy linear
    /// percentiles, as `CalibrationBinning.quantile`), with repeated edges merged (heavily tied
    /// columns give fewer bins; a constant column gives one bin [v, v]). Values must be finite.
    public static func quantileEdges(_ values: [Double], bins: Int) throws(EvaluationError) -> [Double] {
        guard !values.isEmpty else { throw .empty(what: "slice column") }
        guard bins >= 1 else { throw .invalidParameter(name: "bins", value: Double(bins), expected: "at least 1") }
        for (row, value) in values.enumerated() where !value.isFinite {
            throw .nonFinite(what: "slice column value", row: row, value: value)
        }
        var edges = [Double]()
        for edge in Calibration.quantileEdges(values, bins: bins) where edges.last.map({ edge > $0 }) ?? true {
            edges.append(edge)
        }
        if edges.count == 1 { edges.append(edges[0]) }
        return edges
    }

    private static func slice<Metric: ResampledMetric>(_ data: Metric.Rows, key: SliceKey, rows: [Int], metric: Metric,
                                                       minimumRows: Int) throws(EvaluationError) -> SliceResult {
        let weight = data.totalWeight(rows)
        var value: MetricValue?
        if rows.count >= max(1, minimumRows) && weight > 0 {
            value = try metric.evaluate(try data.subset(rows), multiplicity: nil)
        }
        return SliceResult(key: key, rows: rows.count, positives: data.positives(in: rows) ?? 0, weight: weight, value: value)
    }
}
