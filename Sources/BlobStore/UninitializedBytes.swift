extension Array where Element == UInt8 {
    /// `count` bytes that `write` fills, not zeroed first: zeroing a chunk-sized buffer just
    /// before a read or a decompression overwrites it was a measurable share of every ingest and
    /// checkout. `write` must set all `count` bytes or throw (the bytes are then dropped).
    init(writingAll count: Int, _ write: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        guard count > 0 else {
            var empty: [UInt8] = []
            try empty.withUnsafeMutableBytes(write)
            self = empty
            return
        }
        try self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            try write(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }
}
