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
        let count = rows.count
        let out = y + rows.lowerBound
        for i in 0..<count { out[i] = 0 }
        for j in 0..<columns {
            Vector.axpy(x[j], a + j * leadingDimension + rows.lowerBound, out, count: count)
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
    @inlinable
    public static func gemm<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        m: Int, k: Int, n: Int, accumulate: Bool = false
    ) {
        for i in 0..<m {
            let row = c + i * n
            if !accumulate { for j in 0..<n { row[j] = 0 } }
            for p in 0..<k { Vector.axpy(a[i * k + p], b + p * n, row, count: n) }
        }
    }

    /// c = aᵀ·b (or c += aᵀ·b) for row-major a (k×m), b (k×n), c (m×n): the sum of the outer
    /// products of matching rows of a and b, added in row order.
    @inlinable
    public static func gemmTransposedA<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        m: Int, k: Int, n: Int, accumulate: Bool = false
    ) {
        if !accumulate { for j in 0..<(m * n) { c[j] = 0 } }
        for p in 0..<k {
            for i in 0..<m { Vector.axpy(a[p * m + i], b + p * n, c + i * n, count: n) }
        }
    }

    /// c = a·bᵀ for row-major a (m×k), b (n×k), c (m×n): c[i, j] = dot(a row i, b row j).
    @inlinable
    public static func gemmTransposedB<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        m: Int, k: Int, n: Int
    ) {
        for i in 0..<m {
            for j in 0..<n { c[i * n + j] = Vector.dot(a + i * k, b + j * k, count: k) }
        }
    }
}
