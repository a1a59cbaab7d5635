import Foundation

/// The survival function of the one-sample two-sided Kolmogorov statistic Dₙ, used for the
/// asymptotic two-sample p-value (`kstwo.sf(D, round(n₁n₂/(n₁+n₂)))` in scipy).
///
/// Regions are scipy's `_kolmogn` (survival side), checked in this order: 0 for x ≥ 1, 1 for
/// x ≤ 0 or n·x ≤ ½; the Ruben–Gambino closed forms for n·x ≤ 1 and n·x ≥ n − 1; 2·smirnov(n, x)
/// for x ≥ ½; for n ≤ 140 the Durbin matrix for n·x² ≤ 0.754693, the Pomeranz recursion for
/// n·x² ≤ 4 and 2·smirnov above; for n > 140: 0 for n·x² ≥ 370, 2·smirnov for n·x² ≥ 2.2,
/// the Durbin matrix for n ≤ 100,000 with n·x^1.5 ≤ 1.4, and the Pelz–Good expansion otherwise.
enum KolmogorovDistribution {
    /// P(Dₙ ≥ x), as `scipy.stats.kstwo.sf(x, n)`, for n ≥ 1.
    static func survival(n: Int, x: Double) -> Double {
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let nd = Double(n)
        let t = nd * x
        if t <= 1 {
            if t <= 0.5 { return 1 }
            var product = 1.0
            if n <= 140 {
                for i in 1...n { product *= Double(i) * (1.0 / nd) * (2 * t - 1) }
            } else {
                product = exp(logFactorialOverPower(n) + nd * log(2 * t - 1))
            }
            return clip(1 - product)
        }
        if t >= nd - 1 { return clip(2 * pow(1 - x, nd)) }
        if x >= 0.5 { return clip(2 * SmirnovDistribution.survival(n: n, x: x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return clip(1 - durbinCDF(n: n, d: x)) }
            if nxSquared <= 4 { return clip(1 - pomeranzCDF(n: n, d: x)) }
            return clip(2 * SmirnovDistribution.survival(n: n, x: x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * SmirnovDistribution.survival(n: n, x: x)) }
        if n <= 100_000 && nd * pow(x, 1.5) <= 1.4 { return clip(1 - durbinCDF(n: n, d: x)) }
        return clip(pelzGoodSurvival(n: nd, x: x))
    }

    /// P(Dₙ ≤ d) by Durbin's matrix method as Marsaglia, Tsang and Wang compute it (scipy
    /// `_kolmogn_DMTW`): the k-th diagonal entry of Hⁿ·n!/nⁿ with d = (k − h)/n, powers
    /// by repeated squaring with scaling by 2¹²⁸ tracked in an exponent.
    static func durbinCDF(n: Int, d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = (1...m).map { 1.0 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var factorial = 1.0
        for j in 1...m {
            w[j - 1] = factorial
            factorial /= Double(j)
            v[j - 1] *= factorial
        }
        v[m - 1] = (1.0 + pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))) * factorial
        var hMatrix = [Double](repeating: 0, count: m * m)
        for i in 1..<m { for r in (i - 1)..<m { hMatrix[r * m + i] = w[r - i + 1] } }
        for r in 0..<m { hMatrix[r * m] = v[r] }
        for c in 0..<m { hMatrix[(m - 1) * m + c] = v[m - 1 - c] }
        let scale = 0x1p128, inverseScale = 0x1p-128
        var power = [Double](repeating: 0, count: m * m)
        for i in 0..<m { power[i * m + i] = 1 }
        var exponent = 0, hExponent = 0
        var remaining = n
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = multiply(power, hMatrix, m)
                exponent += hExponent
            }
            hMatrix = multiply(hMatrix, hMatrix, m)
            hExponent *= 2
            if abs(hMatrix[(k - 1) * m + (k - 1)]) > scale {
                for i in hMatrix.indices { hMatrix[i] *= inverseScale }
                hExponent += 128
            }
            remaining /= 2
        }
        var p = power[(k - 1) * m + (k - 1)]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < inverseScale {
                p *= scale
                exponent -= 128
            }
        }
        return min(max(Foundation.scalbn(p, exponent), 0), 1)
    }

    /// P(Dₙ ≤ d) by Pomeranz's recursion as scipy's `_kolmogn_Pomeranz` computes it: 2n + 1
    /// rows, each the previous row's band convolved with one of three scaled Poisson weight
    /// sequences, rows rescaled by 2¹²⁸ against underflow, the last entry times n!.
    static func pomeranzCDF(n: Int, d: Double) -> Double {
        let nd = Double(n)
        let t = nd * d
        let whole = Int(t.rounded(.down))
        let f = t - Double(whole)
        let g = min(f, 1 - f)
        let band = PomeranzBand(n: n, whole: whole, ceilF: f > 0 ? 1 : 0, roundF: f > 0.5 ? 1 : 0)
        let count = 2 * (whole + 1)
        func weights(_ step: Double) -> [Double] {
            var w = [Double](repeating: 1, count: count)
            for m in 1..<count { w[m] = w[m - 1] * step / Double(m) }
            return w
        }
        let gWeights = weights(g / nd), twoGWeights = weights(2 * g / nd), restWeights = weights((1 - 2 * g) / nd)
        let scale = 0x1p128, inverseScale = 0x1p-128
        var previous = [Double](repeating: 0, count: count)
        var current = previous
        current[0] = 1
        var previousStart = 0, currentStart = 0, exponent = 0
        var (j1, _) = band.interval(row: 0)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&previous, &current)
            swap(&previousStart, &currentStart)
            for c in current.indices { current[c] = 0 }
            let (newJ1, j2) = band.interval(row: i)
            j1 = newJ1
            let w = i == 1 || i == 2 * n + 1 ? gWeights : (i % 2 == 1 ? twoGWeights : restWeights)
            let length = j2 - k1 + 1
            guard length > 0 else { continue }
            let offset = k1 - previousStart
            for out in 0..<(j2 - j1 + 1) {
                let k = out + j1 - k1
                var sum = 0.0
                for a in 0...k where offset + a < count && k - a < count {
                    sum += previous[offset + a] * w[k - a]
                }
                current[out] = sum
            }
            if let largest = current.max(), largest > 0, largest < inverseScale {
                for c in current.indices { current[c] *= scale }
                exponent -= 128
            }
            currentStart = previousStart + j1 - k1
        }
        var answer = current[n - currentStart]
        for m in 1...n {
            if abs(answer) > scale {
                answer *= inverseScale
                exponent += 128
            }
            answer *= Double(m)
        }
        return Foundation.scalbn(answer, exponent)
    }

    private static func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for l in 0..<m {
                let x = a[i * m + l]
                if x == 0 { continue }
                for j in 0..<m { c[i * m + j] += x * b[l * m + j] }
            }
        }
        return c
    }

    private static func clip(_ p: Double) -> Double { min(max(p, 0), 1) }

    private static let stirling: [Double] = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
                                             8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
                                             -2.7777777777777777778e-3, 8.3333333333333333333e-2]

    /// log(n!/nⁿ) by Stirling's series.
    private static func logFactorialOverPower(_ n: Int) -> Double {
        let rn = 1.0 / Double(n)
        let polynomial = stirling.reduce(0.0) { $0 * (rn / Double(n)) + $1 }
        return log(Double(n)) / 2 - Double(n) + log(2 * Double.pi) / 2 + rn * polynomial
    }

    /// 1 − Pelz–Good approximation of P(Dₙ ≤ x) (Pelz & Good 1976), as scipy computes it.
    private static func pelzGoodSurvival(n: Double, x: Double) -> Double {
        let piSquared = Double.pi * Double.pi
        let piFour = piSquared * piSquared, piSix = piFour * piSquared
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = n.squareRoot() * x
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
        let qlog = -piSquared / 8 / z2
        if qlog < -708 { return 1 }
        var q = exp(qlog)
        let k1a = -z2, k1b = piSquared / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * piSquared / 4
        let k2c = piFour * (1 - 2 * z2) / 16
        let k3d = piSix * (5 - 30 * z2) / 64
        let k3c = piFour * (-60 * z2 + 212 * z4) / 16
        let k3b = piSquared * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)
        var terms = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        for k in stride(from: maxk, to: 0, by: -1) {
            let m = Double(2 * k - 1)
            let m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
            let qpower = pow(q, Double(8 * k))
            let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
            for i in 0..<4 { terms[i] = terms[i] * qpower + coefficients[i] }
        }
        let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for i in 0..<4 { terms[i] = terms[i] * q * sqrt2pi / divisors[i] }
        q = exp(-piSquared / 2 / z2)
        var k2extra = 0.0, k3extra = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        for k in stride(from: maxk, to: 0, by: -1) {
            let ks = Double(k), ks2 = ks * ks
            let qk = pow(q, ks2)
            k2extra += ks2 * qk
            k3extra += (sqrt3z + Double.pi * ks) * (sqrt3z - Double.pi * ks) * ks2 * qk
        }
        terms[2] += k2extra * (piSquared * sqrt2pi / (-36 * z3))
        terms[3] += k3extra * (piSquared * sqrt2pi / (216 * z6))
        var survival = 1.0
        for i in 0..<4 { survival -= terms[i] / pow(n, Double(i) / 2) }
        return survival
    }
}

/// The band of non-zero entries in each row of Pomeranz's recursion for P(Dₙ ≤ d) with
/// n·d = whole + f (scipy `_pomeranz_compute_j1j2`).
private struct PomeranzBand {
    let n: Int
    let whole: Int
    /// 1 when f > 0.
    let ceilF: Int
    /// 1 when f > ½.
    let roundF: Int

    /// The first and last column (inclusive, clamped to 0…n) that can be non-zero in `row`.
    func interval(row i: Int) -> (Int, Int) {
        let j1: Int, j2: Int
        if i == 0 {
            (j1, j2) = (-whole - ceilF - 1, whole + ceilF - 1)
        } else {
            let half = (i + 1) / 2
            if (i + 1) % 2 == 0 {
                if half == n + 1 {
                    (j1, j2) = (n - whole - ceilF - 1, n + whole + ceilF - 1)
                } else {
                    (j1, j2) = (half - 1 - whole - roundF - 1, half + whole - 1 + ceilF - 1)
                }
            } else {
                (j1, j2) = (half - 1 - whole - 1, half + whole + roundF - 1)
            }
        }
        return (max(j1 + 2, 0), min(j2, n))
    }
}
