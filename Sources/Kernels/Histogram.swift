/// Gradient/hessian histograms for histogram-based tree learners.
///
/// A histogram holds one `Bin` per (feature, bin) pair at index `feature·binsPerFeature + bin`;
/// a bin's lanes are (Σ gradient, Σ hessian, row count, 0). Rows are added in the order given,
/// so a histogram depends only on its inputs.
public enum Histogram {
    /// (Σ gradient, Σ hessian, row count, unused) of one bin.
    public typealias Bin = SIMD4<Double>
    /// Slots per feature: every UInt8 bin value has one.
    public static let binsPerFeature = 256
    /// How many rows ahead the kernel asks for a row's bins and gradients: far enough for the
    /// lines to arrive before the row is added (16 was fastest of 8–64 on the learner benchmark).
    @usableFromInline static let prefetchDistance = 16

    /// (Σ gradient, row count) of one bin, for losses whose every hessian is 1: the bin's
    /// hessian sum is then its count, exactly, and half the bytes move per update.
    public typealias UnitHessianBin = SIMD2<Double>

    /// The full bin of a unit-hessian bin: (Σ gradient, count, count, 0).
    @inlinable
    public static func expand(_ bin: UnitHessianBin) -> Bin { Bin(bin[0], bin[1], bin[1], 0) }

    /// Adds the rows `rows` of a row-major UInt8 bin matrix (`rowStride` bytes per row) into
    /// `histogram`, for the features listed in `features` only.
    @inlinable
    public static func accumulate(
        rows: UnsafeBufferPointer<UInt32>, bins: UnsafePointer<UInt8>, rowStride: Int,
        features: UnsafeBufferPointer<Int32>,
        gradients: UnsafePointer<Double>, hessians: UnsafePointer<Double>,
        into histogram: UnsafeMutablePointer<Bin>
    ) {
        accumulate(rows: rows, bins: bins, rowStride: rowStride, features: features, into: histogram,
                   update: { Bin(gradients[$0], hessians[$0], 1, 0) },
                   prefetch: { Prefetch.line(gradients + $0); Prefetch.line(hessians + $0) })
    }

    /// `accumulate` for losses whose every hessian is 1, into (Σ gradient, count) bins.
    @inlinable
    public static func accumulate(
        rows: UnsafeBufferPointer<UInt32>, bins: UnsafePointer<UInt8>, rowStride: Int,
        features: UnsafeBufferPointer<Int32>, gradients: UnsafePointer<Double>,
        into histogram: UnsafeMutablePointer<UnitHessianBin>
    ) {
        accumulate(rows: rows, bins: bins, rowStride: rowStride, features: features, into: histogram,
                   update: { UnitHessianBin(gradients[$0], 1) },
                   prefetch: { Prefetch.line(gradients + $0) })
    }

    /// The kernel of both `accumulate`s: `update(row)` is what a row adds to each of its bins.
    /// Four rows go through the features together so their bin and gradient loads (gathers in
    /// a leaf's row order, mostly cache misses) overlap, and `prefetch(row)` asks for the lines
    /// of the rows `prefetchDistance` ahead; a slot two rows share still gets their updates in
    /// row order.
    @inlinable @inline(__always)
    static func accumulate<B: SIMD>(
        rows: UnsafeBufferPointer<UInt32>, bins: UnsafePointer<UInt8>, rowStride: Int,
        features: UnsafeBufferPointer<Int32>, into histogram: UnsafeMutablePointer<B>, update: (Int) -> B,
        prefetch: (Int) -> Void
    ) where B.Scalar == Double {
        var k = 0
        while k + 4 <= rows.count {
            if k + prefetchDistance + 4 <= rows.count {
                for ahead in 0..<4 {
                    let r = Int(rows[k + prefetchDistance + ahead])
                    Prefetch.line(bins + r &* rowStride)
                    Prefetch.line(bins + (r &* rowStride &+ rowStride &- 1))  // a row may straddle two lines
                    prefetch(r)
                }
            }
            let r0 = Int(rows[k]), r1 = Int(rows[k + 1]), r2 = Int(rows[k + 2]), r3 = Int(rows[k + 3])
            let u0 = update(r0), u1 = update(r1), u2 = update(r2), u3 = update(r3)
            let b0 = bins + r0 &* rowStride, b1 = bins + r1 &* rowStride
            let b2 = bins + r2 &* rowStride, b3 = bins + r3 &* rowStride
            for feature in features {
                let f = Int(feature), base = histogram + f &* binsPerFeature
                base[Int(b0[f])] += u0
                base[Int(b1[f])] += u1
                base[Int(b2[f])] += u2
                base[Int(b3[f])] += u3
            }
            k += 4
        }
        for row in rows[k...] {
            let r = Int(row)
            let rowUpdate = update(r)
            let rowBins = bins + r &* rowStride
            for feature in features {
                let f = Int(feature)
                histogram[f &* binsPerFeature &+ Int(rowBins[f])] += rowUpdate
            }
        }
    }

    /// sibling[i] = parent[i] - child[i] over the given features: the subtraction trick that
    /// gives the larger child's histogram from its parent and its smaller sibling. `sibling` may
    /// be `parent` (the parent's histogram turned into the child's in place).
    @inlinable
    public static func subtract(
        parent: UnsafePointer<Bin>, child: UnsafePointer<Bin>, into sibling: UnsafeMutablePointer<Bin>,
        features: UnsafeBufferPointer<Int32>
    ) {
        for feature in features {
            let start = Int(feature) * binsPerFeature
            for i in start..<(start + binsPerFeature) { sibling[i] = parent[i] - child[i] }
        }
    }

    /// target[i] += source[i] over the given features: folds a partial histogram into a total.
    @inlinable
    public static func add(
        _ source: UnsafePointer<Bin>, into target: UnsafeMutablePointer<Bin>,
        features: UnsafeBufferPointer<Int32>
    ) {
        for feature in features {
            let start = Int(feature) * binsPerFeature
            for i in start..<(start + binsPerFeature) { target[i] += source[i] }
        }
    }

    /// target[i] += expand(source[i]) over the given features: folds a unit-hessian partial
    /// histogram into a full total.
    @inlinable
    public static func add(
        _ source: UnsafePointer<UnitHessianBin>, into target: UnsafeMutablePointer<Bin>,
        features: UnsafeBufferPointer<Int32>
    ) {
        for feature in features {
            let start = Int(feature) * binsPerFeature
            for i in start..<(start + binsPerFeature) { target[i] += expand(source[i]) }
        }
    }
}
