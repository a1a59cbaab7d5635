/// Where blob-store files live on a remote (docs/FORMAT.md, "Blob remotes"): the same pack and index
/// files as the local store, under `packs/`, plus lock objects under `locks/`.
public enum RemoteLayout {
    /// The prefix of every pack and index key.
    public static let packsPrefix = "packs/"
    /// The key of the exclusive lock remote GC holds while it deletes.
    public static let gcLockKey = "locks/gc"
    /// The prefix of the shared locks pushes hold.
    public static let sharedLockPrefix = "locks/shared-"

    /// `packs/<name>.pack` for a pack named `pack-<hex>`.
    public static func packKey(_ name: String) -> String { packsPrefix + name + ".pack" }
    /// `packs/<name>.idx` for a pack named `pack-<hex>`.
    public static func indexKey(_ name: String) -> String { packsPrefix + name + ".idx" }

    /// The pack name of an index key (`packs/pack-<64 hex>.idx`), or nil for any other key.
    static func packName(ofIndexKey key: String) -> String? {
        guard key.hasPrefix(packsPrefix + "pack-"), key.hasSuffix(".idx") else { return nil }
        let name = String(key.dropFirst(packsPrefix.count).dropLast(4))
        let hex = name.dropFirst(5)
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return name
    }
}

/// A lock on a remote, in the manner of restic's: pushes hold it shared (many at once),
/// remote GC holds it exclusive, so a sweep never deletes an object a push in flight relies on.
///
/// Each side writes its own lock object first and then looks for the other side's: a shared
/// holder writes `locks/shared-<random>` and backs off if `locks/gc` exists; GC creates
/// `locks/gc` only if absent and backs off if any `locks/shared-*` exists. With read-after-write
/// listing (directories, S3), two racing clients cannot both proceed; at worst both back off
/// and retry. Release deletes the object. A client that dies leaves its object behind; its
/// content (`holder`, which should say who and since when) lets a user judge and delete it.
public struct RemoteLock: Sendable {
    /// What the lock allows others.
    public enum Kind: Sendable {
        /// Many holders at once (pushes), none while GC runs.
        case shared
        /// One holder (remote GC), no shared holders.
        case exclusive
    }

    public let remote: any RemoteBackend
    /// The lock object this holder wrote.
    public let key: String

    /// Takes the lock, recording `holder`; throws `.locked` naming a conflicting holder.
    public static func acquire(_ remote: any RemoteBackend, kind: Kind, holder: String) throws -> RemoteLock {
        switch kind {
        case .shared:
            let key = RemoteLayout.sharedLockPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            try remote.put(key, bytes: Array(holder.utf8))
            let lock = RemoteLock(remote: remote, key: key)
            if try remote.stat(RemoteLayout.gcLockKey) != nil {
                try lock.release()
                throw conflict(remote, RemoteLayout.gcLockKey)
            }
            return lock
        case .exclusive:
            guard try remote.createExclusively(RemoteLayout.gcLockKey, bytes: Array(holder.utf8)) else {
                throw conflict(remote, RemoteLayout.gcLockKey)
            }
            let lock = RemoteLock(remote: remote, key: RemoteLayout.gcLockKey)
            if let shared = try remote.list(prefix: RemoteLayout.sharedLockPrefix).first {
                try lock.release()
                throw conflict(remote, shared.key)
            }
            return lock
        }
    }

    private static func conflict(_ remote: any RemoteBackend, _ key: String) -> RemoteError {
        let holder = (try? remote.get(key, range: nil)).map { String(decoding: $0, as: UTF8.self) } ?? "another client"
        return .locked(remote: remote.name, key: key, holder: holder)
    }

    /// Deletes the lock object.
    public func release() throws { try remote.delete(key) }
}
