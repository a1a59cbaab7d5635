/// Limited-memory BFGS with a backtracking Armijo line search, for smooth convex objectives.
struct LBFGS {
    /// How a minimization ended.
    struct Outcome {
        var point: [Double]
        var value: Double
        var gradientMaxNorm: Double
        var iterations: Int
        var evaluations: Int
        var converged: Bool
    }

    var memory = 10
    var maxIterations: Int
    /// Stop when max |gradient component| ≤ this.
    var gradientTolerance: Double

    /// Minimizes `objective`, which returns the value and the gradient at a point.
    func minimize(from start: [Double], _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> Outcome {
        var x = start
        var (f, g) = objective(x)
        var evaluations = 1
        var steps: [[Double]] = [], gradientChanges: [[Double]] = [], curvatures: [Double] = []
        var iteration = 0
        while iteration < maxIterations {
            if Self.maxNorm(g) <= gradientTolerance { break }
            iteration += 1
            // Two-loop recursion: direction = -H·g.
            var q = g
            var alphas = [Double](repeating: 0, count: steps.count)
            for k in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[k] = Self.dot(steps[k], q) / curvatures[k]
                Self.addScaled(-alphas[k], gradientChanges[k], to: &q)
            }
            if let lastChange = gradientChanges.last {
                let gamma = curvatures[curvatures.count - 1] / Self.dot(lastChange, lastChange)
                q = q.map { $0 * gamma }
            } else {
                let scale = 1 / max(Self.maxNorm(g), 1)
                q = q.map { $0 * scale }
            }
            for k in 0..<steps.count {
                let beta = Self.dot(gradientChanges[k], q) / curvatures[k]
                Self.addScaled(alphas[k] - beta, steps[k], to: &q)
            }
            var direction = q.map { -$0 }
            var slope = Self.dot(direction, g)
            if slope >= 0 {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                steps.removeAll(); gradientChanges.removeAll(); curvatures.removeAll()
                direction = g.map { -$0 }
                slope = Self.dot(direction, g)
            }
            var stepLength = 1.0
            var candidate = x, candidateValue = f, candidateGradient = g
            var accepted = false
            for _ in 0..<60 {
                candidate = zip(x, direction).map { $0 + stepLength * $1 }
                (candidateValue, candidateGradient) = objective(candidate)
                evaluations += 1
                let sufficientDecrease = candidateValue <= f + 1e-4 * stepLength * slope
                // Near the optimum, f changes below its rounding error; a step that keeps f within
                // that noise and shrinks the gradient is progress too.
                let withinRounding = candidateValue <= f + 1e-14 * max(abs(f), 1e-300)
                    && Self.maxNorm(candidateGradient) < Self.maxNorm(g)
                if sufficientDecrease || withinRounding {
                    accepted = true
                    break
                }
                stepLength *= 0.5
            }
            if !accepted { break }
            let step = zip(candidate, x).map { $0 - $1 }
            let change = zip(candidateGradient, g).map { $0 - $1 }
            let curvature = Self.dot(step, change)
            x = candidate; f = candidateValue; g = candidateGradient
            if curvature > 1e-300 {
                steps.append(step); gradientChanges.append(change); curvatures.append(curvature)
                if steps.count > memory {
                    steps.removeFirst(); gradientChanges.removeFirst(); curvatures.removeFirst()
                }
            }
        }
        let norm = Self.maxNorm(g)
        return Outcome(point: x, value: f, gradientMaxNorm: norm, iterations: iteration,
                       evaluations: evaluations, converged: norm <= gradientTolerance)
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var total = 0.0
        for i in a.indices { total += a[i] * b[i] }
        return total
    }

    private static func addScaled(_ alpha: Double, _ x: [Double], to y: inout [Double]) {
        for i in y.indices { y[i] += alpha * x[i] }
    }

    private static func maxNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
}
