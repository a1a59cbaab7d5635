import Kernels

/// The loss a boosted model minimizes, with its parameters: base scores, per-row gradients and
/// hessians, the validation loss for early stopping, and (for L1 and quantile) the refit of
/// each leaf's output. Gradients, hessians, base scores and refits follow LightGBM's objectives
/// (`binary`, `regression`, `regression_l1`, `huber`, `quantile`, `multiclass`); see
/// docs/STATISTICS.md ("Boosting losses").
struct BoostingLoss: Sendable {
    let objective: GradientBoostedTrees.Objective
    /// Classes of a multiclass objective (1 tree per class per round); 1 otherwise.
    let classCount: Int
    let huberDelta: Double
    let quantileAlpha: Double

    init(_ learner: GradientBoostedTrees) {
        objective = learner.objective
        classCount = learner.objective == .multiclassSoftmax ? learner.classCount : 1
        huberDelta = learner.huberDelta
        quantileAlpha = learner.quantileAlpha
    }

    /// Trees grown per round (one per class for multiclass).
    var treesPerRound: Int { classCount }

    /// The initial raw score of each class: the log-odds of the positive rate (binary), the log
    /// of each class's rate (multiclass, rates floored at 1e-15), the mean (L2, Huber), the
    /// median (L1) or the alpha quantile (quantile) of the labels.
    func baseScores(_ labels: [Double]) -> [Double] {
        let mean = labels.reduce(0, +) / Double(labels.count)
        switch objective {
        case .squaredError, .huber: return [mean]
        case .absoluteError: return [Self.percentile(labels, alpha: 0.5)]
        case .quantile: return [Self.percentile(labels, alpha: quantileAlpha)]
        case .binaryLogLoss:
            let p = min(max(mean, 1e-15), 1 - 1e-15)
            return [Transcendentals.log1p(p - 1) - Transcendentals.log1p(-p)]
        case .multiclassSoftmax:
            let counts = Labels.classCounts(labels, classCount: classCount)
            return counts.map { Transcendentals.log1p(max(Double($0) / Double(labels.count), 1e-15) - 1) }
        }
    }

    /// Whether every hessian is exactly 1 (L2, L1, Huber, quantile). The trees then build
    /// histograms of (Σ gradient, count) alone: a sum of ones is its count, exactly.
    var hasUnitHessian: Bool {
        switch objective {
        case .binaryLogLoss, .multiclassSoftmax: false
        case .squaredError, .absoluteError, .huber, .quantile: true
        }
    }

    /// First and second derivatives of the loss at each score, class-major: class k's values
    /// are `gradients[k·rows ..< (k+1)·rows]`. The buffers are reused from round to round (sized
    /// here on first use); `hessians` stays empty when `hasUnitHessian`.
    func gradients(_ scores: [[Double]], _ labels: [Double], into gradients: inout [Double], hessians: inout [Double],
                   threads: ParallelFor.Threads) {
        let rows = labels.count
        if gradients.count != classCount * rows { gradients = [Double](repeating: 0, count: classCount * rows) }
        let hessianCount = hasUnitHessian ? 0 : classCount * rows
        if hessians.count != hessianCount { hessians = [Double](repeating: 0, count: hessianCount) }
        guard rows > 0 else { return }
        gradients.withUnsafeMutableBufferPointer { g in
            hessians.withUnsafeMutableBufferPointer { h in
                let gPointer = SendablePointer(g.baseAddress!)
                let hPointer = h.baseAddress.map(SendablePointer.init)
                switch objective {
                case .binaryLogLoss: Self.binaryGradients(scores[0], labels, gPointer, hPointer!, threads: threads)
                case .multiclassSoftmax: softmaxGradients(scores, labels, gPointer, hPointer!, threads: threads)
                case .squaredError, .absoluteError, .huber, .quantile: unitHessianGradients(scores[0], labels, gPointer, threads: threads)
                }
            }
        }
    }

    /// Gradients of the objectives whose hessian is 1, in parallel blocks of rows.
    private func unitHessianGradients(_ scores: [Double], _ labels: [Double], _ g: SendablePointer<Double>,
                                      threads: ParallelFor.Threads) {
        let objective = objective, huberDelta = huberDelta, quantileAlpha = quantileAlpha
        ParallelFor.run(count: labels.count, blockSize: 16_384, threads: threads) { range in
            for i in range {
                let difference = scores[i] - labels[i]
                switch objective {
                case .absoluteError: g.base[i] = difference > 0 ? 1 : (difference < 0 ? -1 : 0)
                case .huber: g.base[i] = abs(difference) <= huberDelta ? difference : (difference > 0 ? huberDelta : -huberDelta)
                case .quantile: g.base[i] = difference >= 0 ? 1 - quantileAlpha : -quantileAlpha
                default: g.base[i] = difference
                }
            }
        }
    }

    private static func binaryGradients(_ scores: [Double], _ labels: [Double], _ g: SendablePointer<Double>,
                                        _ h: SendablePointer<Double>, threads: ParallelFor.Threads) {
        scores.withUnsafeBufferPointer { s in
            let sPointer = SendablePointer(UnsafeMutablePointer(mutating: s.baseAddress!))
            ParallelFor.run(count: scores.count, blockSize: 16_384, threads: threads) { range in
                Transcendentals.apply(Transcendentals.sigmoid, sPointer.base + range.lowerBound, g.base + range.lowerBound,
                                      count: range.count)
                for i in range {
                    let probability = g.base[i]
                    g.base[i] = probability - labels[i]
                    h.base[i] = max(probability * (1 - probability), 1e-16)
                }
            }
        }
    }

    /// Softmax gradients of every class in one pass over the rows: p = softmax(scores),
    /// g_k = p_k - [y = k], h_k = K/(K-1) · p_k(1 - p_k) (LightGBM's multiclass hessian factor).
    private func softmaxGradients(_ scores: [[Double]], _ labels: [Double], _ g: SendablePointer<Double>,
                                  _ h: SendablePointer<Double>, threads: ParallelFor.Threads) {
        let classes = classCount, rows = labels.count
        let factor = Double(classes) / Double(classes - 1)
        ParallelFor.run(count: rows, blockSize: 16_384, threads: threads) { range in
            // Eight rows at a time, one per lane (the values `Softmax.normalize` gives per row).
            typealias Lanes = Transcendentals.Lanes
            var lanes = [Lanes](repeating: Lanes(), count: classes)
            var start = range.lowerBound
            while start + 8 <= range.upperBound {
                Softmax.normalizeRows(classes: classes, { k in
                    scores[k].withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + start).loadUnaligned(as: Lanes.self) }
                }, into: &lanes)
                let label = labels.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + start).loadUnaligned(as: Lanes.self) }
                for k in 0..<classes {
                    let p = lanes[k]
                    let gradient = p.replacing(with: p - 1, where: label .== Lanes(repeating: Double(k)))
                    var hessian = Lanes(repeating: factor) * p * (1 - p)
                    hessian.replace(with: 1e-16, where: Lanes(repeating: 1e-16) .>= hessian)  // Swift.max(hessian, 1e-16)
                    UnsafeMutableRawPointer(g.base + k * rows + start).storeBytes(of: gradient, as: Lanes.self)
                    UnsafeMutableRawPointer(h.base + k * rows + start).storeBytes(of: hessian, as: Lanes.self)
                }
                start += 8
            }
            var probabilities = [Double](repeating: 0, count: classes)
            for i in start..<range.upperBound {
                for k in 0..<classes { probabilities[k] = scores[k][i] }
                Softmax.normalize(&probabilities, count: classes)
                let label = Int(labels[i])
                for k in 0..<classes {
                    let p = probabilities[k]
                    g.base[k * rows + i] = k == label ? p - 1 : p
                    h.base[k * rows + i] = max(factor * p * (1 - p), 1e-16)
                }
            }
        }
    }

    /// Mean loss of raw scores: log loss (binary, multiclass), squared error (L2), absolute
    /// error (L1), Huber loss, or pinball loss at alpha (quantile).
    func loss(_ scores: [[Double]], _ labels: [Double]) -> Double {
        var total = 0.0
        var row = [Double](repeating: 0, count: classCount)
        for i in labels.indices {
            let y = labels[i]
            switch objective {
            case .binaryLogLoss: total += Transcendentals.log1pexp(scores[0][i]) - y * scores[0][i]
            case .squaredError: total += (scores[0][i] - y) * (scores[0][i] - y)
            case .absoluteError: total += abs(scores[0][i] - y)
            case .huber:
                let a = abs(scores[0][i] - y)
                total += a <= huberDelta ? 0.5 * a * a : huberDelta * (a - 0.5 * huberDelta)
            case .quantile:
                let residual = y - scores[0][i]
                total += residual >= 0 ? quantileAlpha * residual : (quantileAlpha - 1) * residual
            case .multiclassSoftmax:
                for k in 0..<classCount { row[k] = scores[k][i] }
                total += Softmax.logSumExp(row, count: classCount) - scores[Int(y)][i]
            }
        }
        return total / Double(max(labels.count, 1))
    }

    /// L1 and quantile losses refit each leaf's output (before the learning rate) to the alpha
    /// quantile of the residuals label - score of the leaf's rows, as LightGBM's RenewTreeOutput.
    var renewsLeaves: Bool { objective == .absoluteError || objective == .quantile }

    func renewedLeafValues(_ tree: GrownTree, labels: [Double], scores: [Double]) -> [Double] {
        let alpha = objective == .quantile ? quantileAlpha : 0.5
        return tree.leafRanges.map { range in
            Self.percentile(tree.rowsByLeaf[range].map { labels[Int($0)] - scores[Int($0)] }, alpha: alpha)
        }
    }

    /// LightGBM's `PercentileFun` (unweighted): with the values in descending order d₀ ≥ d₁ ≥ …
    /// and position t = (1 - alpha)·n, the value d_{⌊t⌋-1} + (d_{⌊t⌋} - d_{⌊t⌋-1})·(t - ⌊t⌋),
    /// clamped to the largest (t < 1) or smallest (⌊t⌋ ≥ n) value.
    static func percentile(_ values: [Double], alpha: Double) -> Double {
        guard values.count > 1 else { return values.first ?? 0 }
        let descending = values.sorted(by: >)
        let position = (1 - alpha) * Double(values.count)
        let index = Int(position)
        if index < 1 { return descending[0] }
        if index >= values.count { return descending[values.count - 1] }
        let upper = descending[index - 1], lower = descending[index]
        return upper - (upper - lower) * (position - Double(index))
    }
}
