/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator. Every random draw
/// in GitML (bootstrap resamples, subsampling, initialization, shuffles) comes from one of
/// these, seeded explicitly, so results are reproducible on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream for `index` (a replicate, a dataset) derived from `seed`, so
    /// parallel work gives the same draws whatever thread runs it.
    public init(seed: UInt64, stream index: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-shift with rejection; unbiased).
    /// Inlinable: the bootstrap draws one per resampled unit.
    @inlinable
    public mutating func index(below bound: Int) -> Int {
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Calls `body` with `count` uniform draws from 0..<bound: the values, in the order, of
    /// `count` calls of `index(below:)`. It draws a block at a time and hands each draw to
    /// `prefetch` as it is drawn, so what `body` gathers for a whole block is already on its
    /// way when the first gather waits. For gathers over arrays larger than the caches (a
    /// bootstrap over 10^7 rows), which one draw at a time take one miss after another.
    @inlinable
    public mutating func draws(_ count: Int, below bound: Int, prefetch: (Int) -> Void, _ body: (Int) -> Void) {
        let blockSize = 256
        withUnsafeTemporaryAllocation(of: Int.self, capacity: blockSize) { block in
            var left = count
            while left > 0 {
                let n = Swift.min(left, blockSize)
                for k in 0..<n {
                    let draw = index(below: bound)
                    block[k] = draw
                    prefetch(draw)
                }
                for k in 0..<n { body(block[k]) }
                left -= n
            }
        }
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniformly random permutation of 0..<count (Fisher–Yates; the swap partner is
    /// `next() % (i + 1)`, fixed so that models trained before keep their bytes).
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        if count < 2 { return order }
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(next() % UInt64(i + 1)))
        }
        return order
    }
}
