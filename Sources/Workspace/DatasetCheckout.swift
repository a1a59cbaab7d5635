import BlobStore
import Foundation
import Records

extension Project {
    /// Materializes a version's exact bytes at its path (every chunk verified; files replaced
    /// atomically). Files already identical (by stat cache or digest) are left alone. When the
    /// lock's entry differs from the version in anything, it is rewritten from the record.
    ///
    /// Nothing is written outside the work tree or under `.git`: the record's paths are
    /// `WorkTreePath`s (a record that fails the check is refused before anything is written),
    /// and every folder from the work tree root down is opened without following symbolic links
    /// (`ConfinedDirectory`) — a link on the way is an error; a link at a file's own place is
    /// replaced by the file, never written through.
    /// Returns the number of files written.
    @discardableResult
    public func checkoutDataset(_ version: DatasetVersion, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) throws -> Int {
        let record = version.record
        if record.purged != nil { throw WorkspaceError.purged(record.label) }
        let locations = try wrapping { try record.locations() }
        return try withStoreLock(.shared) {
            let stats = StatCache(layout: layout)
            let workTree = try wrapping { try ConfinedDirectory.open(root: root, create: false) }
            var written = 0
            var done: UInt64 = 0
            var folder: (components: ArraySlice<String>, directory: ConfinedDirectory)? = nil
            for (file, location) in zip(record.files, locations) {
                let components = location.components
                let name = components.last!, parent = components.dropLast()
                if folder?.components != parent {
                    folder = (parent, try wrapping { try workTree.subdirectory(parent, create: true) })
                }
                let path = root + "/" + location.string
                let stored = try Project.storedFile(file)
                // A file is left alone only when it has the record's digest and size: a record whose
                // size lies is then refused by the restore, never written into the lock.
                if folder!.directory.isRegularFile(name), StatCache.key(of: path)?.size == file.size,
                   try currentDigest(of: path, relative: location.string, cache: stats) == stored.digest {
                    done += file.size
                    continue
                }
                let before = done
                try wrapping { try store.restore(stored, into: folder!.directory, name: name) { n in progress?(before + n, record.size) } }
                done += file.size
                written += 1
                if let key = StatCache.key(of: path) { stats.remember(location.string, key: key, digest: stored.digest) }
            }
            folder = nil
            if record.isDirectory {
                let base = try wrapping { try record.location() }
                try removeExtraFiles(in: try wrapping { try workTree.subdirectory(base.components, create: true) },
                                     keeping: Set(record.files.map(\.path)))
            }
            stats.save()
            let entry = Lock.LockedDataset(version: record.version, digest: record.digest, size: record.size, path: record.path)
            if try readLock().datasets[record.name] != entry {
                try updateLock { lock in lock.datasets[record.name] = entry }
            }
            return written
        }
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

    /// Checkout of a directory version removes files the version does not have (links are
    /// neither followed nor listed: only regular files below `directory` are candidates).
    private func removeExtraFiles(in directory: ConfinedDirectory, keeping: Set<String>) throws {
        for file in try wrapping({ try directory.listFiles() }) where !keeping.contains(file) {
            var components = file.split(separator: "/").map(String.init)
            let name = components.removeLast()
            try wrapping { try directory.subdirectory(components, create: false).removeFile(name) }
        }
    }
}
