/// Quantiles of sorted samples, as numpy's default (`method="linear"`).
enum Quantiles {
    /// The `q`-quantile of ascending `sorted` (non-empty): the value at virtual index
    /// `(n − 1)·q`, interpolated linearly between its neighbours the way numpy does.
    static func linear(_ sorted: [Double], _ q: Double) -> Double {
        let index = Double(sorted.count - 1) * q
        let below = min(max(Int(index.rounded(.down)), 0), sorted.count - 1)
        let above = min(below + 1, sorted.count - 1)
        let gamma = index - Double(below)
        let a = sorted[below], b = sorted[above]
        let difference = b - a
        // numpy's _lerp: a + d·t, but b − d·(1 − t) when t ≥ 0.5 (monotone and exact at t = 1).
        return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma
    }
}
