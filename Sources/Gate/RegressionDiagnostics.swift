import Evaluation

/// What a review plots for a regression model: predicted against actual as counts on a square
/// grid (a density that stays small for any number of rows) and the calibration by decile of
/// the prediction (mean prediction, mean target and mean residual per tenth of the rows).
public struct RegressionDiagnostics: Codable, Sendable, Equatable {
    /// One tenth of the rows by ascending prediction.
    public struct Decile: Codable, Sendable, Equatable {
        public let rows: Int
        public let meanPrediction: Double
        public let meanTarget: Double
        /// Mean of y − ŷ (positive: the model under-predicts in this decile).
        public let meanResidual: Double
    }
    /// The grid's range, the same on both axes: [lower, upper] covers every target and prediction.
    public let lower: Double
    public let upper: Double
    /// `counts[i][j]`: rows whose target is in bin i and prediction in bin j (bins of equal width).
    public let counts: [[Int]]
    public let deciles: [Decile]

    /// Bins per axis of the density grid.
    public static let bins = 24

    /// Unweighted summaries of `data` (rows in ascending prediction order form the deciles; ties
    /// keep row order).
    public init(_ data: RegressionPredictions) {
        let values = data.targets + data.predictions
        let lower = values.min()!, upper = values.max()!
        let width = (upper - lower) / Double(Self.bins)
        func bin(_ x: Double) -> Int { width > 0 ? min(Self.bins - 1, Int((x - lower) / width)) : 0 }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: Self.bins), count: Self.bins)
        for row in 0..<data.count { counts[bin(data.targets[row])][bin(data.predictions[row])] += 1 }
        let order = data.predictions.indices.sorted { data.predictions[$0] != data.predictions[$1] ? data.predictions[$0] < data.predictions[$1] : $0 < $1 }
        var deciles = [Decile]()
        for decile in 0..<10 {
            let members = order[(decile * order.count / 10)..<((decile + 1) * order.count / 10)]
            guard !members.isEmpty else { continue }
            let n = Double(members.count)
            let prediction = members.reduce(0.0) { $0 + data.predictions[$1] } / n
            let target = members.reduce(0.0) { $0 + data.targets[$1] } / n
            deciles.append(Decile(rows: members.count, meanPrediction: prediction, meanTarget: target, meanResidual: target - prediction))
        }
        self.lower = lower
        self.upper = upper
        self.counts = counts
        self.deciles = deciles
    }
}
