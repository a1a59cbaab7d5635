/// How a gradient-boosted tree splits a categorical feature: LightGBM's rules and defaults
/// (`max_cat_to_onehot`, `cat_smooth`, `cat_l2`, `min_data_per_group`, `max_cat_threshold`),
/// which keep a split from isolating a handful of rows of rare categories. The rule itself is
/// in docs/STATISTICS.md ("Categorical splits").
public struct CategoricalSplitting: Sendable, Equatable {
    /// A feature of at most this many categories splits one category against the rest.
    public var oneHotMaxCategories: Int
    /// Added to hessian sums when ordering categories, and the fewest rows a category needs in
    /// a leaf to be ordered at all (as LightGBM uses `cat_smooth` for both).
    public var smoothing: Double
    /// Added to `lambda_l2` in the gain of a split of ordered categories and in its children's values.
    public var l2: Double
    /// Rows each scored step of the scan adds, and the fewest rows its other side may hold.
    public var minDataPerGroup: Int
    /// The most categories sent left by one split.
    public var maxThreshold: Int

    public init(oneHotMaxCategories: Int = 4, smoothing: Double = 10, l2: Double = 10, minDataPerGroup: Int = 100,
                maxThreshold: Int = 32) {
        self.oneHotMaxCategories = oneHotMaxCategories
        self.smoothing = smoothing
        self.l2 = l2
        self.minDataPerGroup = minDataPerGroup
        self.maxThreshold = maxThreshold
    }
}
