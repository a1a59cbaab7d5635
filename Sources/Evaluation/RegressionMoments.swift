import Kernels

/// RMSE, MAE, R², explained variance and the mean residual from ONE pass over the rows
/// (y, ŷ, weight × multiplicity), with scikit-learn 1.9.1's definitions (docs/STATISTICS.md).
///
/// The targets and residuals e = y − ŷ are taken relative to shifts (the plain means of the
/// first block's), so the sums stay small next to the data's spread. The rows are cut into
/// fixed blocks of `blockSize`; each block gives Σw, Σw|e|, Σw·e² and the shifted sums, then —
/// by a second sweep of the block while it is still in cache — the scatters of the targets and
/// residuals about the block's own means, with the corrected two-pass term. Blocks merge in
/// block order (`WeightedScatter.merging`): the values equal a two-pass computation's to
/// rounding (y = 10⁹ + noise keeps its digits), whatever the number of threads. Eight-lane
/// sums add their lanes in lane order.
public struct RegressionMoments: Sendable {
    /// Rows per block: 4,096 targets and predictions (64 KiB) stay in L2 for the second sweep.
    static let blockSize = 4096

    /// Rows in the data (R² and explained variance need two).
    public let rows: Int
    /// Σw|y − ŷ| and Σw(y − ŷ)².
    let absoluteResidualSum: Double
    let squaredResidualSum: Double
    /// Weight, mean and scatter of the shifted targets y − targetShift and residuals e − residualShift.
    let target: WeightedScatter
    let residual: WeightedScatter
    let residualShift: Double

    /// One pass over `data`, each row's weight multiplied by its `multiplicity` (a bootstrap
    /// resample), blocks spread over `threads`.
    public init(_ data: RegressionPredictions, multiplicity: [Double]? = nil, threads: ParallelFor.Threads = .all) {
        let weights: [Double]? = switch (data.weights, multiplicity) {
        case let (w?, m?): zip(w, m).map { $0 * $1 }
        case let (w, m): w ?? m
        }
        let first = 0..<min(data.count, Self.blockSize)
        let shifts = Shifts(targets: first.reduce(0) { $0 + data.targets[$1] } / Double(first.count),
                            residuals: first.reduce(0) { $0 + data.residual($1) } / Double(first.count))
        let blocks: [BlockSums] = data.targets.withUnsafeBufferPointer { y in
            data.predictions.withUnsafeBufferPointer { p in
                Self.withOptionalPointer(weights) { w in
                    let y = SendablePointer(UnsafeMutablePointer(mutating: y.baseAddress!))
                    let p = SendablePointer(UnsafeMutablePointer(mutating: p.baseAddress!))
                    let w = w.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                    return ParallelFor.map(count: data.count, blockSize: Self.blockSize, threads: threads) { rows in
                        BlockSums(y.base, p.base, w.map { UnsafePointer($0.base) }, rows, shifts)
                    }
                }
            }
        }
        rows = data.count
        absoluteResidualSum = blocks.reduce(0) { $0 + $1.absoluteResidual }
        squaredResidualSum = blocks.reduce(0) { $0 + $1.squaredResidual }
        target = .merging(blocks.map(\.target))
        residual = .merging(blocks.map(\.residual))
        residualShift = shifts.residuals
    }

    /// Σw — every row's weight (1 unweighted) times its multiplicity.
    public var totalWeight: Double { target.weight }

    /// Σw|y − ŷ| / Σw.
    public var meanAbsoluteError: MetricValue { MetricValue(absoluteResidualSum / totalWeight) }

    /// √(Σw(y − ŷ)² / Σw).
    public var rootMeanSquaredError: MetricValue { MetricValue((squaredResidualSum / totalWeight).squareRoot()) }

    /// 1 − Σw(y − ŷ)² / Σw(y − ȳ_w)². A constant target gives 1 when predicted exactly, else 0
    /// (scikit-learn's force_finite); fewer than two rows give NaN with a warning.
    public var r2: MetricValue {
        explainedFraction(squaredResidualSum / totalWeight, target.scatter / totalWeight)
    }

    /// 1 − Var_w(y − ŷ) / Var_w(y): R² that ignores a constant bias; same rules as `r2`.
    public var explainedVariance: MetricValue {
        explainedFraction(residual.scatter / totalWeight, target.scatter / totalWeight)
    }

    /// Σw(y − ŷ) / Σw: calibration in the large (positive: the model under-predicts).
    public var meanResidual: MetricValue { MetricValue(residualShift + residual.mean) }

    /// 1 − numerator / denominator with scikit-learn's force_finite for a zero denominator.
    private func explainedFraction(_ numerator: Double, _ denominator: Double) -> MetricValue {
        guard rows >= 2 else { return MetricValue(.nan, warnings: [.tooFewSamples]) }
        if denominator == 0 { return MetricValue(numerator == 0 ? 1 : 0) }
        return MetricValue(1 - numerator / denominator)
    }

    private static func withOptionalPointer<R>(_ values: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
        guard let values else { return body(nil) }
        return values.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// What the targets and the residuals are taken relative to.
private struct Shifts: Sendable {
    let targets: Double
    let residuals: Double
}

/// One block's sums (see `RegressionMoments`).
private struct BlockSums: Sendable {
    typealias Lanes = SIMD8<Double>
    var absoluteResidual = 0.0
    var squaredResidual = 0.0
    var target = WeightedScatter()
    var residual = WeightedScatter()

    /// Rows `rows` of targets `y`, predictions `p` and weights `w` (nil: all 1).
    init(_ y: UnsafePointer<Double>, _ p: UnsafePointer<Double>, _ w: UnsafePointer<Double>?, _ rows: Range<Int>,
         _ shifts: Shifts) {
        let targetShift = Lanes(repeating: shifts.targets), residualShift = Lanes(repeating: shifts.residuals)
        var weight = Lanes(), absolute = Lanes(), squared = Lanes(), targetSum = Lanes(), residualSum = Lanes()
        Self.sweep(y, p, w, rows) { y, p, w in
            let e = y - p
            weight += w
            absolute += w * e.replacing(with: -e, where: e .< 0)
            squared += w * (e * e)
            targetSum += w * (y - targetShift)
            residualSum += w * (e - residualShift)
        }
        let total = Self.sum(weight)
        guard total > 0 else { return }
        absoluteResidual = Self.sum(absolute)
        squaredResidual = Self.sum(squared)
        // Second sweep, from cache: deviations about the block's means; Σw·d/Σw corrects the
        // rounding of each mean (the corrected two-pass form).
        let targetMean = Self.sum(targetSum) / total, residualMean = Self.sum(residualSum) / total
        let targetMeanLanes = Lanes(repeating: targetMean), residualMeanLanes = Lanes(repeating: residualMean)
        var targetDeviation = Lanes(), targetScatter = Lanes(), residualDeviation = Lanes(), residualScatter = Lanes()
        Self.sweep(y, p, w, rows) { y, p, w in
            let d = (y - targetShift) - targetMeanLanes, r = ((y - p) - residualShift) - residualMeanLanes
            targetDeviation += w * d
            targetScatter += w * (d * d)
            residualDeviation += w * r
            residualScatter += w * (r * r)
        }
        let dt = Self.sum(targetDeviation), dr = Self.sum(residualDeviation)
        target = WeightedScatter(weight: total, mean: targetMean + dt / total, scatter: Self.sum(targetScatter) - dt * dt / total)
        residual = WeightedScatter(weight: total, mean: residualMean + dr / total,
                                   scatter: Self.sum(residualScatter) - dr * dr / total)
    }

    /// Calls `body(y, ŷ, w)` for the rows eight at a time; the last call's missing lanes hold
    /// y = ŷ = 0 with weight 0, so they add nothing.
    @inline(__always)
    private static func sweep(_ y: UnsafePointer<Double>, _ p: UnsafePointer<Double>, _ w: UnsafePointer<Double>?,
                              _ rows: Range<Int>, _ body: (Lanes, Lanes, Lanes) -> Void) {
        var i = rows.lowerBound
        let fullEnd = rows.upperBound - rows.count % 8
        if let w {
            while i < fullEnd {
                body(load(y + i), load(p + i), load(w + i))
                i += 8
            }
        } else {
            while i < fullEnd {
                body(load(y + i), load(p + i), Lanes(repeating: 1))
                i += 8
            }
        }
        guard i < rows.upperBound else { return }
        var tailY = Lanes(), tailP = Lanes(), tailW = Lanes()
        for lane in 0..<(rows.upperBound - i) {
            (tailY[lane], tailP[lane], tailW[lane]) = (y[i + lane], p[i + lane], w?[i + lane] ?? 1)
        }
        body(tailY, tailP, tailW)
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Double>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    /// The lanes added in lane order.
    @inline(__always)
    private static func sum(_ lanes: Lanes) -> Double {
        var total = 0.0
        for lane in 0..<8 { total += lanes[lane] }
        return total
    }
}
