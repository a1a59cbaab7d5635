import Platform

/// Advisory file locks (flock) held for the duration of a closure, never longer.
///
/// The store lock (`locks/store`): writers (add, checkout, push, pull) hold it shared, so many
/// run at once; `gc` and `purge` hold it exclusive, so they never delete a chunk that a running
/// add has just decided to reuse. Other files under `locks/` guard read-modify-write of one file
/// (`ml/lock.json`, `.gitignore`). The lock is released when the closure returns or throws, or
/// when the process dies (the kernel drops flocks), so a kill -9 never leaves a stale lock.
public enum FileLock {
    /// Shared: many holders at once. Exclusive: one holder, no shared ones.
    public enum Mode: Sendable { case shared, exclusive }

    /// Runs `body` holding a lock on `path` (created when absent). With `wait: false`, throws
    /// `StoreError.locked` instead of waiting for a conflicting holder.
    public static func withLock<T>(path: String, mode: Mode, wait: Bool = true, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileIO.error(path, "open") }
        defer { close(fd) }
        var operation = mode == .shared ? LOCK_SH : LOCK_EX
        if !wait { operation |= LOCK_NB }
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            throw errno == EWOULDBLOCK ? StoreError.locked(path: path) : FileIO.error(path, "lock")
        }
        return try body()
    }
}

extension StoreLayout {
    /// Runs `body` holding the store lock (`locks/store`) in `mode`; see `FileLock`.
    public func withStoreLock<T>(_ mode: FileLock.Mode, wait: Bool = true, _ body: () throws -> T) throws -> T {
        try FileLock.withLock(path: locks + "/store", mode: mode, wait: wait, body)
    }
}
