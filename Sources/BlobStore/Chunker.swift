/// FastCDC content-defined chunking with a gear rolling hash and normalized chunking.
///
/// A cut point depends only on the bytes since the previous cut, so an insertion or edit moves
/// only the boundaries near it and the other chunks keep their digests. Sizes: no cut before
/// `minSize`, a strict mask until `averageSize`, a loose mask after it, a forced cut at `maxSize`.
/// The gear table is fixed (derived from a constant seed): changing it changes every chunk
/// boundary, so it is part of the store format (docs/FORMAT.md).
public struct Chunker: Sendable {
    public let minSize: Int
    public let averageSize: Int
    public let maxSize: Int
    private let strictMask: UInt64
    private let looseMask: UInt64

    /// The store's chunking: 16 KiB minimum, 64 KiB average, 256 KiB maximum.
    public static let standard = Chunker(minSize: 16 << 10, averageSize: 64 << 10, maxSize: 256 << 10)

    public init(minSize: Int, averageSize: Int, maxSize: Int) {
        precondition(0 < minSize && minSize < averageSize && averageSize < maxSize)
        self.minSize = minSize
        self.averageSize = averageSize
        self.maxSize = maxSize
        let bits = averageSize.trailingZeroBitCount
        // The hash's high bits depend on the last 64 bytes; test those (FastCDC's spread masks).
        strictMask = ~UInt64(0) << UInt64(64 - (bits + 2))
        looseMask = ~UInt64(0) << UInt64(64 - (bits - 2))
    }

    /// The end (exclusive) of the chunk that starts at `start` in `data`, or nil when more data
    /// is needed to decide (no cut found, fewer than `maxSize` bytes left and not at end of input).
    public func cut(in data: UnsafeRawBufferPointer, from start: Int, atEnd: Bool) -> Int? {
        let available = data.count - start
        if available <= minSize { return atEnd ? (available > 0 ? data.count : nil) : nil }
        let limit = min(available, maxSize)
        let normal = min(averageSize, limit)
        let bytes = data.baseAddress!.assumingMemoryBound(to: UInt8.self) + start
        let gear = Chunker.gear
        var hash: UInt64 = 0
        var i = minSize
        while i < normal {
            hash = (hash << 1) &+ gear[Int(bytes[i])]
            if hash & strictMask == 0 { return start + i + 1 }
            i += 1
        }
        while i < limit {
            hash = (hash << 1) &+ gear[Int(bytes[i])]
            if hash & looseMask == 0 { return start + i + 1 }
            i += 1
        }
        if limit == maxSize { return start + maxSize }
        return atEnd ? data.count : nil
    }

    /// 256 pseudo-random words from SplitMix64 with a fixed seed.
    private nonisolated(unsafe) static let gear: UnsafePointer<UInt64> = {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
        var state: UInt64 = 0x6769_746D_6C63_6463  // "gitmlcdc"
        for i in 0..<256 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            table[i] = z ^ (z >> 31)
        }
        return UnsafePointer(table)
    }()
}
