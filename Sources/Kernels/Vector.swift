/// Vector primitives over raw buffers, written with SIMD16 accumulators so reductions vectorize.
///
/// Products and sums use separate multiply and add (never a fused multiply-add), so a result
/// depends only on the inputs and the fixed summation order, not on whether the CPU has FMA.
/// Every reduction adds in one fixed order: lanes of two SIMD16 accumulators, then the tail.
public enum Vector {
    /// Loads 16 consecutive scalars starting at `pointer`, without alignment requirements.
    @inlinable @inline(__always)
    static func load16<T: SIMDScalar>(_ pointer: UnsafePointer<T>) -> SIMD16<T> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<T>.self)
    }

    /// Stores 16 consecutive scalars starting at `pointer`, without alignment requirements.
    @inlinable @inline(__always)
    static func store16<T: SIMDScalar>(_ value: SIMD16<T>, _ pointer: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD16<T>.self)
    }

    /// Σ a[i]·b[i] for i in 0..<count.
    @inlinable
    public static func dot<T: BinaryFloatingPoint & SIMDScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count: Int
    ) -> T {
        var acc0 = SIMD16<T>(), acc1 = SIMD16<T>()
        var i = 0
        while i + 32 <= count {
            acc0 += load16(a + i) * load16(b + i)
            acc1 += load16(a + i + 16) * load16(b + i + 16)
            i += 32
        }
        if i + 16 <= count {
            acc0 += load16(a + i) * load16(b + i)
            i += 16
        }
        var total = (acc0 + acc1).sum()
        while i < count {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }

    /// Σ x[i] for i in 0..<count.
    @inlinable
    public static func sum<T: BinaryFloatingPoint & SIMDScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
        var acc0 = SIMD16<T>(), acc1 = SIMD16<T>()
        var i = 0
        while i + 32 <= count {
            acc0 += load16(x + i)
            acc1 += load16(x + i + 16)
            i += 32
        }
        if i + 16 <= count {
            acc0 += load16(x + i)
            i += 16
        }
        var total = (acc0 + acc1).sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// Σ scale·x[i] computed as scale·Σ x[i]: the scaled sum of a buffer.
    @inlinable
    public static func scaledSum<T: BinaryFloatingPoint & SIMDScalar>(
        _ x: UnsafePointer<T>, count: Int, scale: T
    ) -> T {
        scale * sum(x, count: count)
    }

    /// y[i] += alpha·x[i] for i in 0..<count (axpy).
    @inlinable
    public static func axpy<T: BinaryFloatingPoint & SIMDScalar>(
        _ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int
    ) {
        let alphaLanes = SIMD16<T>(repeating: alpha)
        var i = 0
        while i + 16 <= count {
            store16(load16(UnsafePointer(y + i)) + alphaLanes * load16(x + i), y + i)
            i += 16
        }
        while i < count {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// x[i] *= alpha for i in 0..<count.
    @inlinable
    public static func scale<T: BinaryFloatingPoint & SIMDScalar>(
        _ x: UnsafeMutablePointer<T>, count: Int, by alpha: T
    ) {
        for i in 0..<count { x[i] *= alpha }
    }
}
