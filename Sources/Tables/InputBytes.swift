import Platform

/// Read-only input bytes shared by parallel blocks, in ordinary memory or mapped from a file.
///
/// Safety of the unchecked `Sendable`: the bytes are never written, and their owner (the
/// caller's array or a `MappedFile`) outlives every use inside one read call.
struct InputBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    /// Whether `bytes` is a private read-only file mapping (only then does `release` act).
    let isMapped: Bool

    var count: Int { bytes.count }

    /// Tells the kernel that `range` will not be read again soon. For a mapped file the
    /// whole pages inside the range leave the process's resident memory (they stay in the page
    /// cache and fault back in, unchanged, if read again); for ordinary memory it does nothing.
    func release(_ range: Range<Int>) {
        guard isMapped, let base = bytes.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        // The mapping covers whole pages, so the last page may be released to its end.
        let end = range.upperBound == count ? (count + page - 1) / page * page : range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }
}

/// A file mapped read-only and private into memory (`mmap`), unmapped when released. Its pages
/// are clean page cache, not anonymous memory, so `InputBytes.release` can drop them behind a
/// parser. The file must not be truncated while mapped: reading a page past the new end
/// raises SIGBUS.
final class MappedFile {
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    /// Maps the file at `path`; an empty file maps to no bytes.
    init(path: String) throws(TableReadError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        length = Int(status.st_size)
        guard length > 0 else { base = nil; return }
        let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        base = address
    }

    deinit {
        if let base { munmap(base, length) }
    }

    /// Calls `body` with the mapped bytes, which stay mapped until it returns.
    func withInput<R>(_ body: (InputBytes) throws(TableReadError) -> R) throws(TableReadError) -> R {
        let bytes = UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : length)
        return try withExtendedLifetime(self) { () throws(TableReadError) -> R in
            try body(InputBytes(bytes: bytes, isMapped: base != nil))
        }
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for bodies with a typed error, which it passes on as that type.
    func withTypedBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { raw in
            do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
