import CPlatform

/// A hint to bring the cache line holding an address into cache before a gather reaches it
/// (rows in a tree leaf's order, random bootstrap draws): no hardware prefetcher predicts those.
/// It never changes a result, and an address never loaded is harmless.
public enum Prefetch {
    @inlinable @inline(__always)
    public static func line(_ address: UnsafeRawPointer) { gitml_prefetch(address) }

    /// The line holding `elements[index]` (a typed element, so no byte stride is written by hand).
    @inlinable @inline(__always)
    public static func element<T>(_ elements: UnsafeBufferPointer<T>, _ index: Int) {
        gitml_prefetch(elements.baseAddress.map { UnsafeRawPointer($0 + index) })
    }
}
