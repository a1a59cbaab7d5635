/// Where blob-store files live on a remote (docs/FORMAT-remote.md): the same pack and index
/// files as the local store, under `packs/`, plus lock objects under `locks/`.
public enum RemoteLayout {
    /// The prefix of every pack and index key.
    public static let packsPrefix = "packs/"
    /// The key of the exclusive lock remote GC holds while it deletes.
    public static let gcLockKey = "locks/gc"

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

/// An exclusive lock object on a remote (`createExclusively`), for remote GC: while it exists,
/// no other client starts a sweep. Release deletes it.
public struct RemoteLock: Sendable {
    public let remote: any RemoteBackend
    public let key: String

    /// Takes the lock at `key`, recording `holder` (who and when, for the message another
    /// client sees); throws `.locked` naming the current holder when it is taken.
    public static func acquire(_ remote: any RemoteBackend, key: String = RemoteLayout.gcLockKey,
                               holder: String) throws -> RemoteLock {
        if try remote.createExclusively(key, bytes: Array(holder.utf8)) { return RemoteLock(remote: remote, key: key) }
        let current = (try? remote.get(key, range: nil)).map { String(decoding: $0, as: UTF8.self) } ?? "another client"
        throw RemoteError.locked(remote: remote.name, key: key, holder: current)
    }

    /// Deletes the lock object.
    public func release() throws { try remote.delete(key) }
}
