import Kernels

/// One row block's term of the multinomial log loss Σᵢ −log softmax(xᵢW + b)_{yᵢ} and its
/// gradient, fused into one pass over the block while its design columns stay in cache:
/// logits, softmax, loss and residuals, then the gradient, with eight rows per SIMD register.
///
/// Each row's logits, probabilities and loss term are exactly those of `Softmax` applied to
/// the row (the same additions in the same order, the library's own exp and log1p), so they
/// do not depend on the row's position. Sums over rows run in eight lanes (row i of the block
/// in lane i mod 8) added in lane order at the end: a fixed order for a given block.
enum SoftmaxLossBlock {
    typealias Lanes = SIMD8<Double>

    /// Classes whose accumulators share the registers in one sweep (4 × 2 AVX2 registers).
    static let classGroup = 4

    /// The gradient of the block's loss — coefficients class by class (class k's at
    /// `k·width ..< (k+1)·width`), then one intercept per class — followed by the loss.
    ///
    /// - Parameters:
    ///   - x: the block's first row of design column 0; column j starts at `x + j·leadingDimension`.
    ///   - labels: the block's labels (0…classes-1 as Double).
    ///   - parameters: coefficients class by class, then intercepts (the training layout).
    static func evaluate(_ x: UnsafePointer<Double>, leadingDimension: Int, count: Int, width: Int, classes: Int,
                         labels: UnsafePointer<Double>, parameters: UnsafePointer<Double>) -> [Double] {
        let stride = (count + 7) & ~7
        var result = [Double](repeating: 0, count: (width + 1) * classes + 1)
        // Class-major scores of the block (class k's rows at k·stride): logits, then residuals
        // p − 1{y = k}; the padding rows of the last chunk hold 0.
        var scores = [Double](repeating: 0, count: classes * stride)
        let columns = Columns(x: x, leadingDimension: leadingDimension, count: count, width: width)
        scores.withUnsafeMutableBufferPointer { scoreBuffer in
            result.withUnsafeMutableBufferPointer { resultBuffer in
                let z = scoreBuffer.baseAddress!, out = resultBuffer.baseAddress!
                for first in Swift.stride(from: 0, to: classes, by: classGroup) {
                    let group = first..<min(first + classGroup, classes)
                    logits(columns, group: group, coefficients: parameters, intercepts: parameters + width * classes,
                           into: z, stride: stride)
                }
                out[(width + 1) * classes] = residuals(z, stride: stride, count: count, classes: classes, labels: labels)
                for first in Swift.stride(from: 0, to: classes, by: classGroup) {
                    let group = first..<min(first + classGroup, classes)
                    for j in 0..<width { gradient(columns, column: j, group: group, residuals: z, stride: stride, into: out) }
                    for k in group { out[width * classes + k] = sum(z + k * stride, count: stride) }
                }
            }
        }
        return result
    }

    /// The block's design columns, read eight rows at a time; the last chunk's missing rows
    /// read as 0 (nothing past the block is touched).
    struct Columns {
        let x: UnsafePointer<Double>
        let leadingDimension: Int
        let count: Int
        let width: Int

        @inline(__always)
        func load(column j: Int, row i: Int) -> Lanes {
            let start = x + (j &* leadingDimension &+ i)
            if i &+ 8 <= count { return UnsafeRawPointer(start).loadUnaligned(as: Lanes.self) }
            var lanes = Lanes()
            for lane in 0..<(count - i) { lanes[lane] = start[lane] }
            return lanes
        }
    }

    /// Logits of the classes `group` (at most `classGroup`): Σⱼ x_ij·w_kj for j in order onto 0,
    /// then + b_k — the additions of `Matrix.gemvColumnMajor` followed by the intercept.
    @inline(__always)
    private static func logits(_ x: Columns, group: Range<Int>, coefficients: UnsafePointer<Double>,
                               intercepts: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>, stride: Int) {
        let n = group.count, k0 = group.lowerBound, width = x.width
        let w0 = coefficients + k0 * width
        var i = 0
        while i < x.count {
            var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
            for j in 0..<width {
                let v = x.load(column: j, row: i)
                a0 += v * Lanes(repeating: w0[j])
                if n > 1 { a1 += v * Lanes(repeating: w0[width &+ j]) }
                if n > 2 { a2 += v * Lanes(repeating: w0[2 &* width &+ j]) }
                if n > 3 { a3 += v * Lanes(repeating: w0[3 &* width &+ j]) }
            }
            let out = z + k0 * stride + i
            store(a0 + Lanes(repeating: intercepts[k0]), out)
            if n > 1 { store(a1 + Lanes(repeating: intercepts[k0 + 1]), out + stride) }
            if n > 2 { store(a2 + Lanes(repeating: intercepts[k0 + 2]), out + 2 * stride) }
            if n > 3 { store(a3 + Lanes(repeating: intercepts[k0 + 3]), out + 3 * stride) }
            i += 8
        }
    }

    /// Turns the logits into residuals p_k − 1{y = k} (0 on padding rows) and returns the
    /// block's loss Σᵢ (max + log Σₖ e^{z_k − max} − z_y), eight rows at a time.
    @inline(__always)
    private static func residuals(_ z: UnsafeMutablePointer<Double>, stride: Int, count: Int, classes: Int,
                                  labels: UnsafePointer<Double>) -> Double {
        var loss = Lanes(), i = 0
        while i < count {
            let valid = min(8, count - i)
            var label = Lanes(repeating: -1), live = SIMDMask<SIMD8<Int64>>()
            for lane in 0..<valid { (label[lane], live[lane]) = (labels[i + lane], true) }
            var largest = Lanes(repeating: -.infinity)
            for k in 0..<classes {
                let logit = load(z + k * stride + i)
                largest.replace(with: logit, where: logit .> largest)
            }
            var total = Lanes(), chosen = Lanes()
            for k in 0..<classes {
                let row = z + k * stride + i, logit = load(row)
                chosen.replace(with: logit, where: label .== Lanes(repeating: Double(k)))
                let e = Transcendentals.exp(logit - largest)
                store(e, row)
                total += e
            }
            let terms = largest + Transcendentals.log1p(total - 1) - chosen
            loss += terms.replacing(with: 0, where: .!live)
            for k in 0..<classes {
                let row = z + k * stride + i
                var residual = load(row) / total
                residual.replace(with: residual - 1, where: label .== Lanes(repeating: Double(k)))
                store(residual.replacing(with: 0, where: .!live), row)
            }
            i += 8
        }
        return laneSum(loss)
    }

    /// out[k·width + j] = Σᵢ x_ij·r_ik for the classes `group` and one column j.
    @inline(__always)
    private static func gradient(_ x: Columns, column j: Int, group: Range<Int>, residuals r: UnsafeMutablePointer<Double>,
                                 stride: Int, into out: UnsafeMutablePointer<Double>) {
        let n = group.count, r0 = r + group.lowerBound * stride
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
        var i = 0
        while i < x.count {
            let v = x.load(column: j, row: i)
            a0 += v * load(r0 + i)
            if n > 1 { a1 += v * load(r0 + (stride &+ i)) }
            if n > 2 { a2 += v * load(r0 + (2 &* stride &+ i)) }
            if n > 3 { a3 += v * load(r0 + (3 &* stride &+ i)) }
            i += 8
        }
        let first = out + group.lowerBound * x.width + j
        first[0] = laneSum(a0)
        if n > 1 { first[x.width] = laneSum(a1) }
        if n > 2 { first[2 * x.width] = laneSum(a2) }
        if n > 3 { first[3 * x.width] = laneSum(a3) }
    }

    /// Σ values[0..<count] (count a multiple of 8) in eight lanes, added in lane order.
    private static func sum(_ values: UnsafeMutablePointer<Double>, count: Int) -> Double {
        var lanes = Lanes(), i = 0
        while i < count {
            lanes += load(values + i)
            i += 8
        }
        return laneSum(lanes)
    }

    @inline(__always)
    private static func laneSum(_ lanes: Lanes) -> Double {
        var total = 0.0
        for lane in 0..<8 { total += lanes[lane] }
        return total
    }

    @inline(__always)
    private static func load(_ pointer: UnsafeMutablePointer<Double>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func store(_ lanes: Lanes, _ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: Lanes.self)
    }
}
