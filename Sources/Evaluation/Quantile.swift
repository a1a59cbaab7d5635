/// Sample quantiles with numpy's default "linear" method (Hyndman & Fan type 7).
public enum Quantile {
    /// The p-quantile (p in [0, 1]) of ascending `sorted` values: virtual index (n − 1)·p,
    /// linear interpolation between its neighbours with numpy's two-sided lerp.
    public static func linear(sorted: [Double], _ p: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of no values")
        let last = sorted.count - 1
        let virtual = Double(last) * p
        if virtual >= Double(last) { return sorted[last] }
        if virtual <= 0 { return sorted[0] }
        let previous = virtual.rounded(.down)
        let gamma = virtual - previous
        let a = sorted[Int(previous)], b = sorted[Int(previous) + 1]
        let difference = b - a
        return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma
    }
}
