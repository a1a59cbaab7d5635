/// A stable least-significant-digit radix sort of `Double` keys: 8-bit digits over the
/// sortable-bit transform of each value, parallel over fixed blocks, linear in the input size.
/// (8-bit rather than 11-bit digits: a scatter into 2 × 2,048 output streams misses the TLB on
/// nearly every write; 2 × 256 streams stay in it, and two more passes cost far less.)
/// A stable sort has exactly one result, so the output never depends on the thread count.
public enum RadixSort {
    /// The rows of a sorted input: `keys[p]` is the transformed key at sorted position `p` and
    /// `order[p]` the input index it came from. Equal values have equal keys and keep input order.
    public struct Sorted: Sendable {
        public let keys: [UInt64]
        public let order: [UInt32]
    }

    /// Maps a non-NaN `Double` to a `UInt64` whose unsigned order is the numeric order.
    /// `-0.0` and `+0.0` map to the same key (they compare equal).
    @inlinable
    public static func ascendingKey(_ value: Double) -> UInt64 {
        let bits = (value + 0.0).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The value whose `ascendingKey` is `key` (−0.0 comes back as +0.0).
    @inlinable
    public static func value(ofAscendingKey key: UInt64) -> Double {
        Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
    }

    /// The sorted values themselves, recovered from the keys (a sequential pass, no gather).
    public static func values(of sorted: Sorted, descending: Bool) -> [Double] {
        sorted.keys.map { value(ofAscendingKey: descending ? ~$0 : $0) }
    }

    /// Stable sort of `values` (NaN not allowed), ascending or descending.
    /// Precondition: `values.count < UInt32.max`.
    public static func sort(_ values: [Double], descending: Bool = false,
                            threads: ParallelFor.Threads = .all) -> Sorted {
        precondition(values.count < Int(UInt32.max), "RadixSort handles fewer than 2^32 values")
        let n = values.count
        guard n > 0 else { return Sorted(keys: [], order: []) }
        let blockSize = Swift.max(1 << 15, (n + 15) / 16)
        // Every array of n elements below is written in full by a parallel pass before it is
        // read, so none is zero-filled first: at 10^8 rows a fill was 2.4 GB of memset, and of
        // page faults, on one thread.
        var keys = uninitialized(UInt64.self, count: n)
        var order = uninitialized(UInt32.self, count: n)
        // Digit histograms of the whole input decide which passes can be skipped.
        let partials: [[Int]] = keys.withUnsafeMutableBufferPointer { keyBuffer in
            order.withUnsafeMutableBufferPointer { orderBuffer in
                let keyOut = SendablePointer(keyBuffer.baseAddress!)
                let orderOut = SendablePointer(orderBuffer.baseAddress!)
                return values.withUnsafeBufferPointer { input in
                    let source = SendableConstPointer(input.baseAddress)
                    return ParallelFor.map(count: n, blockSize: blockSize, threads: threads) { range in
                        var histogram = [Int](repeating: 0, count: passCount * radix)
                        for i in range {
                            let ascending = ascendingKey(source.base![i])
                            let key = descending ? ~ascending : ascending
                            keyOut.base[i] = key
                            orderOut.base[i] = UInt32(truncatingIfNeeded: i)
                            for pass in 0..<passCount {
                                histogram[pass * radix + Int((key >> UInt64(pass * digitBits)) & digitMask)] += 1
                            }
                        }
                        return histogram
                    }
                }
            }
        }
        guard n > 1 else { return Sorted(keys: keys, order: order) }
        var total = [Int](repeating: 0, count: passCount * radix)
        for histogram in partials { for j in 0..<total.count { total[j] += histogram[j] } }
        var scratchKeys = uninitialized(UInt64.self, count: n)
        var scratchOrder = uninitialized(UInt32.self, count: n)
        for pass in 0..<passCount {
            let digits = total[(pass * radix)..<((pass + 1) * radix)]
            if digits.contains(n) { continue }  // every key has the same digit: nothing moves
            scatterPass(pass: pass, count: n, blockSize: blockSize, threads: threads,
                        keys: &keys, order: &order, outKeys: &scratchKeys, outOrder: &scratchOrder)
            swap(&keys, &scratchKeys)
            swap(&order, &scratchOrder)
        }
        return Sorted(keys: keys, order: order)
    }

    /// An array of `count` elements of a trivial type whose contents are not set; the caller
    /// writes every element before reading any.
    private static func uninitialized<Element: BitwiseCopyable>(_: Element.Type, count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    @usableFromInline static let digitBits = 8
    @usableFromInline static let radix = 1 << 8
    @usableFromInline static let digitMask: UInt64 = (1 << 8) - 1
    @usableFromInline static let passCount = 8

    /// One stable counting pass on digit `pass`: per-block histograms, block-ordered offsets,
    /// then each block scatters its own elements to disjoint output positions.
    private static func scatterPass(pass: Int, count n: Int, blockSize: Int, threads: ParallelFor.Threads,
                                    keys: inout [UInt64], order: inout [UInt32],
                                    outKeys: inout [UInt64], outOrder: inout [UInt32]) {
        let shift = UInt64(pass * digitBits)
        keys.withUnsafeBufferPointer { keyIn in
            order.withUnsafeBufferPointer { orderIn in
                outKeys.withUnsafeMutableBufferPointer { keyOutBuffer in
                    outOrder.withUnsafeMutableBufferPointer { orderOutBuffer in
                        let sourceKeys = SendableConstPointer(keyIn.baseAddress)
                        let sourceOrder = SendableConstPointer(orderIn.baseAddress)
                        let keyOut = SendablePointer(keyOutBuffer.baseAddress!)
                        let orderOut = SendablePointer(orderOutBuffer.baseAddress!)
                        let histograms = ParallelFor.map(count: n, blockSize: blockSize, threads: threads) { range in
                            var histogram = [Int](repeating: 0, count: radix)
                            for i in range { histogram[Int((sourceKeys.base![i] >> shift) & digitMask)] += 1 }
                            return histogram
                        }
                        var offsets = [[Int]](repeating: [Int](repeating: 0, count: radix), count: histograms.count)
                        var running = 0
                        for digit in 0..<radix {
                            for block in 0..<histograms.count {
                                offsets[block][digit] = running
                                running += histograms[block][digit]
                            }
                        }
                        let blockOffsets = offsets
                        ParallelFor.run(count: n, blockSize: blockSize, threads: threads) { range in
                            var next = blockOffsets[range.lowerBound / blockSize]
                            for i in range {
                                let key = sourceKeys.base![i]
                                let digit = Int((key >> shift) & digitMask)
                                let position = next[digit]
                                next[digit] = position + 1
                                keyOut.base[position] = key
                                orderOut.base[position] = sourceOrder.base![i]
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A read-only pointer that parallel blocks read through; the memory outlives the parallel call.
struct SendableConstPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>?
    init(_ base: UnsafePointer<T>?) { self.base = base }
}
