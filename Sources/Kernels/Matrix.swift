/// Dense matrix kernels on raw buffers: matrix-vector products in row- and column-major layout
/// and small matrix-matrix products in row-major layout. Built on `Vector`, so they share its
/// fixed summation order and its no-FMA rule.
public enum Matrix {
    /// y[i] = Σ_j a[i, j]·x[j] for a row-major `rows × columns` matrix `a`.
    @inlinable
    public static func gemvRowMajor<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, rows: Int, columns: Int,
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>
    ) {
        for i in 0..<rows { y[i] = Vector.dot(a + i * columns, x, count: columns) }
    }

    /// y[i] = Σ_j a[i, j]·x[j] for the rows `rows` of a column-major matrix whose column j
    /// starts at `a + j·leadingDimension`. Only `y[rows]` is written, so disjoint row ranges
    /// can run in parallel.
    @inlinable
    public static func gemvColumnMajor<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, leadingDimension: Int, rows: Range<Int>, columns: Int,
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>
    ) {
        // 32 rows at a time stay in registers while the columns stream by; each y[i] adds
        // x[j]·a[i, j] for j = 0, 1, … in order onto 0.
        let out = y + rows.lowerBound
        let base = a + rows.lowerBound
        var i = 0
        while i + 32 <= rows.count {
            var acc0 = SIMD16<T>(), acc1 = SIMD16<T>()
            for j in 0..<columns {
                let column = base + (j &* leadingDimension &+ i)
                let scale = SIMD16<T>(repeating: x[j])
                acc0 += scale * Vector.load16(column)
                acc1 += scale * Vector.load16(column + 16)
            }
            Vector.store16(acc0, out + i)
            Vector.store16(acc1, out + i + 16)
            i += 32
        }
        while i < rows.count {
            var total: T = 0
            for j in 0..<columns { total += x[j] * base[j &* leadingDimension &+ i] }
            out[i] = total
            i += 1
        }
    }

    /// out[j] = Σ_{i ∈ rows} a[i, j]·v[i] for a column-major matrix (the transposed product
    /// restricted to a row range): one partial of Aᵀv that callers fold in block order.
    @inlinable
    public static func gemvTransposedColumnMajor<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, leadingDimension: Int, rows: Range<Int>, columns: Int,
        _ v: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>
    ) {
        for j in 0..<columns {
            out[j] = Vector.dot(a + j * leadingDimension + rows.lowerBound, v + rows.lowerBound,
                                count: rows.count)
        }
    }

    /// c = a·b (or c += a·b when `accumulate`) for row-major a (m×k), b (k×n), c (m×n).
    /// Each c[i, j] adds a[i, p]·b[p, j] for p = 0, 1, … in order, onto 0 or its old value.
    @inlinable
    public static func gemm<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        m: Int, k: Int, n: Int, accumulate: Bool = false
    ) {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        accumulateProducts(m: m, k: k, n: n, c) { i, p in a[i &* k &+ p] } b: { p in b + p &* n }
    }

    /// c = aᵀ·b (or c += aᵀ·b) for row-major a (k×m), b (k×n), c (m×n); c[i, j] adds
    /// a[p, i]·b[p, j] for p = 0, 1, … in order.
    @inlinable
    public static func gemmTransposedA<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        m: Int, k: Int, n: Int, accumulate: Bool = false
    ) {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        accumulateProducts(m: m, k: k, n: n, c) { i, p in a[p &* m &+ i] } b: { p in b + p &* n }
    }

    /// c[i, j] += Σ_p left(i, p)·rightRow(p)[j], p in order, with 16 columns of a row of c
    /// held in registers while p runs (so small products are not dominated by call overhead).
    @inlinable @inline(__always)
    static func accumulateProducts<T: BinaryFloatingPoint & SIMDScalar>(
        m: Int, k: Int, n: Int, _ c: UnsafeMutablePointer<T>,
        _ left: (Int, Int) -> T, b rightRow: (Int) -> UnsafePointer<T>
    ) {
        var j0 = 0
        while j0 + 16 <= n {
            for i in 0..<m {
                let out = c + (i &* n &+ j0)
                var acc = Vector.load16(UnsafePointer(out))
                for p in 0..<k { acc += SIMD16(repeating: left(i, p)) * Vector.load16(rightRow(p) + j0) }
                Vector.store16(acc, out)
            }
            j0 += 16
        }
        guard j0 < n else { return }
        for i in 0..<m {
            let out = c + i &* n
            for p in 0..<k {
                let scale = left(i, p), row = rightRow(p)
                for j in j0..<n { out[j] += scale * row[j] }
            }
        }
    }

    /// c = a·bᵀ for row-major a (m×k), b (n×k), c (m×n): c[i, j] = dot(a row i, b row j).
    @inlinable
    public static func gemmTransposedB<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        m: Int, k: Int, n: Int
    ) {
        guard k < 16 else {
            for i in 0..<m {
                for j in 0..<n { c[i &* n &+ j] = Vector.dot(a + i &* k, b + j &* k, count: k) }
            }
            return
        }
        // Short rows: the same sum as `dot` (which adds such rows in order onto zero), inline.
        for i in 0..<m {
            for j in 0..<n {
                var total: T = 0
                for p in 0..<k { total += a[i &* k &+ p] * b[j &* k &+ p] }
                c[i &* n &+ j] = total
            }
        }
    }
}
