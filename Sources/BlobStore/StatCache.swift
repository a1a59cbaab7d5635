import Foundation
import Platform

/// Remembers the digest of working-tree files by (size, mtime, ctime, inode), so status never
/// rehashes a file that has not been touched. A file whose timestamps are not at least
/// `racyWindow` older than the moment this cache was opened (`startedAt`, taken before any of
/// its keys) is not trusted ("racily clean", as in git's index) and is rehashed next time: a
/// write in the same timestamp tick as the stat could change the bytes and keep the key.
///
/// File layout (`cache/stat-v1`): `GMSTAT1\n`, then per entry u16 path length, the UTF-8 path,
/// u64 size, i64 mtime ns, i64 ctime ns, u64 inode, 32-byte digest (little-endian integers).
public final class StatCache {
    public struct Key: Equatable, Sendable {
        public let size: UInt64, mtime: Int64, ctime: Int64, inode: UInt64

        public init(size: UInt64, mtime: Int64, ctime: Int64, inode: UInt64) {
            self.size = size
            self.mtime = mtime
            self.ctime = ctime
            self.inode = inode
        }

        /// The key of a `stat` result.
        public init(_ st: stat) {
            self.init(size: UInt64(st.st_size), mtime: st.modificationNanoseconds,
                      ctime: st.statusChangeNanoseconds, inode: UInt64(st.st_ino))
        }

        /// The key of the open file `fd` (`path` names it in an error).
        init(fd: Int32, path: String) throws {
            var st = stat()
            if fstat(fd, &st) != 0 { throw FileIO.error(path, "stat") }
            self.init(st)
        }

        /// Whether the file changed too recently before `startedAt` (nanoseconds since the
        /// epoch, taken before the key) for the key to vouch for its bytes: less than `window`
        /// nanoseconds before.
        public func isRacy(startedAt: Int64, window: Int64 = StatCache.racyWindow) -> Bool {
            max(mtime, ctime) > startedAt - window
        }
    }

    /// How long (ns) before a stat pass began a change must lie for its key to be trusted; far
    /// wider than any file system's timestamp tick and the lag of its coarse clock.
    public static let racyWindow: Int64 = 2_000_000_000

    /// The wall clock in nanoseconds since the epoch.
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    /// When this cache was opened: every key it is given must be taken after this moment.
    public let startedAt: Int64

    private let file: String
    private let tmp: String
    private var entries: [String: (Key, Digest)] = [:]
    private var dirty = false
    private static let magic = Array("GMSTAT1\n".utf8)

    /// The cache of `layout`, read at its first use (a clean status never needs it); a missing
    /// or damaged cache starts empty (it is only a cache). `startedAt` is for tests that need a
    /// clock of their own.
    public init(layout: StoreLayout, startedAt: Int64 = StatCache.now()) {
        self.startedAt = startedAt
        file = layout.cache + "/stat-v1"
        tmp = layout.tmp
    }

    private var loaded = false

    private func load() {
        guard !loaded else { return }
        loaded = true
        guard let bytes = try? FileIO.readAll(file), bytes.starts(with: StatCache.magic) else { return }
        entries.reserveCapacity(bytes.count / 80)
        bytes.withUnsafeBytes { p in
            var at = StatCache.magic.count
            while at + 2 <= p.count {
                let length = Int(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
                guard at + 2 + length + 64 <= p.count else { return }
                let path = String(decoding: p[(at + 2)..<(at + 2 + length)], as: UTF8.self)
                at += 2 + length
                func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at + o, as: UInt64.self)) }
                let key = Key(size: u64(0), mtime: Int64(bitPattern: u64(8)), ctime: Int64(bitPattern: u64(16)), inode: u64(24))
                entries[path] = (key, Digest(pointer: p.baseAddress! + at + 32))
                at += 64
            }
        }
    }

    /// The stat key of `path`, or nil when it does not exist or is not a regular file.
    public static func key(of path: String) -> Key? {
        path.withCString { key(ofCString: $0) }
    }

    /// `key(of:)` for a NUL-terminated path, without building a String.
    public static func key(ofCString path: UnsafePointer<CChar>) -> Key? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Key(st)
    }

    /// The cached digest of `path` if its stat key is unchanged.
    public func digest(of path: String, key: Key) -> Digest? {
        load()
        guard let (cached, digest) = entries[path], cached == key else { return nil }
        return digest
    }

    /// Records the digest of `path` at `key`, a key taken after `startedAt` (skipped while the
    /// file is racily clean).
    public func remember(_ path: String, key: Key, digest: Digest) {
        guard !key.isRacy(startedAt: startedAt) else { return }
        load()
        if let (k, d) = entries[path], k == key, d == digest { return }
        entries[path] = (key, digest)
        dirty = true
    }

    /// Writes the cache back if it changed (atomically; failures only cost a later rehash).
    /// Entries are written in the dictionary's order: a cache's order carries nothing.
    public func save() {
        guard dirty else { return }
        var out = StatCache.magic
        out.reserveCapacity(out.count + entries.count * 120)
        func append(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for (path, (key, digest)) in entries {
            let bytes = path.utf8
            guard bytes.count < 65536 else { continue }
            withUnsafeBytes(of: UInt16(bytes.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytes)
            append(key.size)
            append(UInt64(bitPattern: key.mtime))
            append(UInt64(bitPattern: key.ctime))
            append(key.inode)
            out.append(contentsOf: digest.bytes)
        }
        try? FileIO.writeAtomically(out, to: file, temporaryDirectory: tmp)
        dirty = false
    }
}
