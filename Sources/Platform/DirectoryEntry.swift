/// The name of a `readdir` entry: the bytes of `d_name` before its NUL.
extension dirent {
    /// Hands the name's bytes to `body`, without making a String of them.
    public func withName<R>(_ body: (Slice<UnsafeRawBufferPointer>) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: d_name) { try body($0.prefix(while: { $0 != 0 })) }
    }

    /// The name, decoded as UTF-8 (invalid bytes repaired).
    public var name: String { withName { String(decoding: $0, as: UTF8.self) } }
}
