import Kernels

/// The softmax of a row of raw class scores, shared by the multiclass models so they turn
/// scores into probabilities the same way (shifted by the row's largest score, so no exp
/// overflows; the library's own exp, so the result is the same under every numeric profile).
/// The exps of a row are taken eight classes per lane call: each lane computes exactly what
/// the one-value `exp` does, so the values are those of a class-by-class loop, at an eighth of
/// the calls (a one-value exp costs a whole eight-lane evaluation).
enum Softmax {
    /// Replaces `values[0..<count]` by their softmax.
    static func normalize(_ values: UnsafeMutablePointer<Double>, count: Int) {
        let largest = self.largest(values, count: count)
        var total = 0.0
        shiftedExps(values, count: count, largest: largest) { k, e in
            values[k] = e
            total += e
        }
        for k in 0..<count { values[k] /= total }
    }

    /// The softmax of eight rows at once, one row per lane: `classScores(k)` gives class k's
    /// scores of the eight rows, and `probabilities[k]` receives their probabilities. Each lane
    /// goes through the operations `normalize` applies to one row, in the same order (largest
    /// score, shifted exps, their sum in class order, the divisions), so every value is the one
    /// `normalize` gives, at an eighth of the exp calls for a few classes.
    @inline(__always)
    static func normalizeRows(classes: Int, _ classScores: (Int) -> Transcendentals.Lanes,
                              into probabilities: inout [Transcendentals.Lanes]) {
        typealias Lanes = Transcendentals.Lanes
        var largest = Lanes(repeating: -.infinity)
        for k in 0..<classes {
            let score = classScores(k)
            probabilities[k] = score
            largest.replace(with: score, where: score .>= largest)  // Swift.max(largest, score) per lane
        }
        var total = Lanes()
        for k in 0..<classes {
            let e = Transcendentals.exp(probabilities[k] - largest)
            probabilities[k] = e
            total += e
        }
        for k in 0..<classes { probabilities[k] /= total }
    }

    /// log Σₖ exp(values[k]), shifted by the largest value.
    static func logSumExp(_ values: UnsafePointer<Double>, count: Int) -> Double {
        let largest = self.largest(values, count: count)
        var total = 0.0
        shiftedExps(values, count: count, largest: largest) { _, e in total += e }
        return largest + Transcendentals.log1p(total - 1)
    }

    @inline(__always)
    private static func largest(_ values: UnsafePointer<Double>, count: Int) -> Double {
        var largest = -Double.infinity
        for k in 0..<count { largest = max(largest, values[k]) }
        return largest
    }

    /// Calls `body(k, exp(values[k] − largest))` for k = 0, 1, … in order, reading a block of
    /// eight values before `body` sees any of its results.
    @inline(__always)
    private static func shiftedExps(_ values: UnsafePointer<Double>, count: Int, largest: Double,
                                    _ body: (Int, Double) -> Void) {
        var start = 0
        while start < count {
            let width = min(8, count - start)
            var lanes = Transcendentals.Lanes()
            for j in 0..<width { lanes[j] = values[start + j] - largest }
            let exps = Transcendentals.exp(lanes)
            for j in 0..<width { body(start + j, exps[j]) }
            start += width
        }
    }
}
