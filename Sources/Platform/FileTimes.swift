/// A file's times from `stat`, in nanoseconds since the epoch: the fields are `st_mtim` and
/// `st_ctim` on Linux, `st_mtimespec` and `st_ctimespec` on Darwin.
extension stat {
    #if canImport(Darwin)
    /// The last modification of the content.
    public var modificationNanoseconds: Int64 { Self.nanoseconds(st_mtimespec) }
    /// The last change of the inode (content, owner, mode, links).
    public var statusChangeNanoseconds: Int64 { Self.nanoseconds(st_ctimespec) }
    #else
    /// The last modification of the content.
    public var modificationNanoseconds: Int64 { Self.nanoseconds(st_mtim) }
    /// The last change of the inode (content, owner, mode, links).
    public var statusChangeNanoseconds: Int64 { Self.nanoseconds(st_ctim) }
    #endif

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
