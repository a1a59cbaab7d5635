#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on the store (`locks/store`, flock). Writers (add, checkout) hold it
/// shared, so many run at once; `gc` and `purge` hold it exclusive, so they never delete a chunk
/// that a running add has just decided to reuse. Released when the value is deinitialized or
/// the process dies (the kernel drops flocks), so a kill -9 never leaves a stale lock.
public final class StoreLock {
    public enum Mode { case shared, exclusive }
    private let fd: Int32

    /// Takes the lock; with `wait: false`, throws `.locked` instead of waiting.
    public init(layout: StoreLayout, mode: Mode, wait: Bool = true) throws {
        let path = layout.locks + "/store"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileIO.error(path, "open") }
        var operation = mode == .shared ? LOCK_SH : LOCK_EX
        if !wait { operation |= LOCK_NB }
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            let failure: StoreError = errno == EWOULDBLOCK ? .locked(path: path) : FileIO.error(path, "lock")
            close(fd)
            throw failure
        }
    }

    deinit { close(fd) }
}
