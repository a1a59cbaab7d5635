import BlobStore
import Foundation
import Records

extension Project {
    /// Materializes a version's exact bytes at its path (every chunk verified; files replaced
    /// atomically). Files already identical (by stat cache or digest) are left alone. When the
    /// version differs from the lock's, the lock is moved to it.
    /// Returns the number of files written.
    @discardableResult
    public func checkoutDataset(_ version: DatasetVersion, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> Int {
        let record = version.record
        if record.purged != nil { throw WorkspaceError.purged(record.label) }
        let storeLock = try wrapping { try StoreLock(layout: layout, mode: .shared) }
        defer { _ = storeLock }
        let stats = StatCache(layout: layout)
        let base = root + "/" + record.path
        var written = 0
        var done: UInt64 = 0
        for file in record.files {
            let path = file.path.isEmpty ? base : base + "/" + file.path
            let relative = file.path.isEmpty ? record.path : record.path + "/" + file.path
            let stored = try Project.storedFile(file)
            if try currentDigest(of: path, relative: relative, cache: stats) == stored.digest {
                done += file.size
                continue
            }
            let before = done
            try wrapping { try store.restore(stored, to: path) { n in progress?(before + n, record.size) } }
            done += file.size
            written += 1
            if let key = StatCache.key(of: path) { stats.remember(relative, key: key, digest: stored.digest) }
        }
        if record.isDirectory { try removeExtraFiles(in: base, keeping: Set(record.files.map(\.path))) }
        stats.save()
        let locked = try readLock().datasets[record.name]
        if locked?.digest != record.digest || locked?.version != record.version {
            try updateLock { lock in
                lock.datasets[record.name] = Lock.LockedDataset(version: record.version, digest: record.digest,
                                                                size: record.size, path: record.path)
            }
        }
        return written
    }

    /// The digest of a working-tree file, from the stat cache when the file is untouched.
    /// Nil when the file does not exist.
    func currentDigest(of path: String, relative: String, cache: StatCache) throws -> Digest? {
        guard let key = StatCache.key(of: path) else { return nil }
        if let cached = cache.digest(of: relative, key: key) { return cached }
        let digest = try wrapping { try Digest.ofFile(atPath: path) }
        cache.remember(relative, key: key, digest: digest)
        return digest
    }

    /// Checkout of a directory version removes files the version does not have.
    private func removeExtraFiles(in directory: String, keeping: Set<String>) throws {
        for file in try Project.listFiles(in: directory) where !keeping.contains(file) {
            try? FileManager.default.removeItem(atPath: directory + "/" + file)
        }
    }
}
