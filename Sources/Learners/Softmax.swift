import Kernels

/// The softmax of a row of raw class scores, shared by the multiclass models so they turn
/// scores into probabilities the same way (shifted by the row's largest score, so no exp
/// overflows; the library's own exp, so the result is the same under every numeric profile).
enum Softmax {
    /// Replaces `values[0..<count]` by their softmax.
    static func normalize(_ values: UnsafeMutablePointer<Double>, count: Int) {
        var largest = -Double.infinity
        for k in 0..<count { largest = max(largest, values[k]) }
        var total = 0.0
        for k in 0..<count {
            values[k] = Transcendentals.exp(values[k] - largest)
            total += values[k]
        }
        for k in 0..<count { values[k] /= total }
    }

    /// log Σₖ exp(values[k]), shifted by the largest value.
    static func logSumExp(_ values: UnsafePointer<Double>, count: Int) -> Double {
        var largest = -Double.infinity
        for k in 0..<count { largest = max(largest, values[k]) }
        var total = 0.0
        for k in 0..<count { total += Transcendentals.exp(values[k] - largest) }
        return largest + Transcendentals.log1p(total - 1)
    }
}
