import Kernels

/// The fit both logistic learners share: L-BFGS on (loss + (l2/2)·‖coefficients‖²) / scale,
/// where the data term and its gradient come from fixed row blocks of the design matrix. The
/// parameters are `groups` coefficient vectors of the design's width (group k at
/// `k·width ..< (k+1)·width`: one group for the binary learner, one per class for the
/// multinomial one) followed by unpenalized intercepts; coefficients of columns that were
/// constant in training are held at 0 (their gradient is zeroed).
struct PenalizedLogLoss {
    let design: DesignMatrix
    /// Coefficient vectors (1, or the number of classes).
    let groups: Int
    /// Whether each encoded column's coefficient is free (false: constant in training).
    let free: [Bool]
    let l2: Double
    /// The divisor of the objective (the weight sum or the row count): the optimizer works on
    /// mean losses so that `tolerance` means the same for any number of rows.
    let scale: Double

    /// Minimizes the penalized objective from 0 and returns the parameters with the optimizer's
    /// report. `blockTerm` gives, for one row block (the design's column-major values and the
    /// block's rows), the parameters' gradient followed by the block's loss, `parameterCount + 1`
    /// values; blocks are folded in block order, so the result does not depend on `threads`.
    func minimize(parameterCount: Int, maxIterations: Int, tolerance: Double, threads: ParallelFor.Threads,
                  blockTerm: @Sendable (_ parameters: [Double], _ values: UnsafeMutablePointer<Double>, _ rows: Range<Int>) -> [Double])
        -> (parameters: [Double], report: ConvergenceReport) {
        let width = design.columns
        let outcome = LBFGS(maxIterations: maxIterations, gradientTolerance: tolerance).minimize(
            from: [Double](repeating: 0, count: parameterCount)
        ) { parameters in
            let (loss, gradient) = dataTerm(parameters, count: parameterCount, threads: threads, blockTerm)
            var value = loss / scale
            var scaled = gradient.map { $0 / scale }
            for k in 0..<groups {
                for j in 0..<width {
                    let index = k * width + j
                    if free[j] {
                        value += 0.5 * l2 * parameters[index] * parameters[index] / scale
                        scaled[index] += l2 * parameters[index] / scale
                    } else {
                        scaled[index] = 0
                    }
                }
            }
            return (value, scaled)
        }
        let report = ConvergenceReport(converged: outcome.converged, iterations: outcome.iterations,
                                       objectiveEvaluations: outcome.evaluations, objective: outcome.value,
                                       gradientMaxNorm: outcome.gradientMaxNorm)
        return (outcome.point, report)
    }

    /// The loss and gradient summed over the fixed row blocks, in block order.
    private func dataTerm(_ parameters: [Double], count: Int, threads: ParallelFor.Threads,
                          _ blockTerm: @Sendable ([Double], UnsafeMutablePointer<Double>, Range<Int>) -> [Double]) -> (Double, [Double]) {
        let partials = design.mapRowBlocks(threads: threads) { values, range in blockTerm(parameters, values, range) }
        var gradient = [Double](repeating: 0, count: count), loss = 0.0
        for partial in partials {
            for j in 0..<count { gradient[j] += partial[j] }
            loss += partial[count]
        }
        return (loss, gradient)
    }
}

extension DesignMatrix {
    /// `body` over fixed blocks of `LogisticRegression.blockSize` rows, given the column-major
    /// values (row i of column j at `values[j·rows + i]`); the results in block order.
    func mapRowBlocks<T: Sendable>(threads: ParallelFor.Threads,
                                   _ body: @Sendable (_ values: UnsafeMutablePointer<Double>, _ rows: Range<Int>) -> T) -> [T] {
        self.values.withUnsafeBufferPointer { x in
            let xPointer = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
            return ParallelFor.map(count: rows, blockSize: LogisticRegression.blockSize, threads: threads) { range in
                body(xPointer.base, range)
            }
        }
    }
}
