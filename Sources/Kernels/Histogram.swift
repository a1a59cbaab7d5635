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

    /// Adds the rows `rows` of a row-major UInt8 bin matrix (`rowStride` bytes per row) into
    /// `histogram`, for the features listed in `features` only.
    @inlinable
    public static func accumulate(
        rows: UnsafeBufferPointer<UInt32>, bins: UnsafePointer<UInt8>, rowStride: Int,
        features: UnsafeBufferPointer<Int32>,
        gradients: UnsafePointer<Double>, hessians: UnsafePointer<Double>,
        into histogram: UnsafeMutablePointer<Bin>
    ) {
        for row in rows {
            let r = Int(row)
            let update = Bin(gradients[r], hessians[r], 1, 0)
            let rowBins = bins + r * rowStride
            for feature in features {
                let f = Int(feature)
                histogram[f &* binsPerFeature &+ Int(rowBins[f])] += update
            }
        }
    }

    /// sibling[i] = parent[i] - child[i] over the given features: the subtraction trick that
    /// gives the larger child's histogram from its parent and its smaller sibling.
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
}
