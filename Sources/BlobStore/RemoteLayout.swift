/// Where blob-store files live on a remote (docs/FORMAT.md, "Blob remotes"): the same pack and index
/// files as the local store, under `packs/`, plus lock objects under `locks/` and hold objects
/// under `holds/`.
public enum RemoteLayout {
    /// The prefix of every pack and index key.
    public static let packsPrefix = "packs/"
    /// The key of the exclusive lock remote GC holds while it deletes.
    public static let gcLockKey = "locks/gc"
    /// The prefix of the shared locks pushes hold.
    public static let sharedLockPrefix = "locks/shared-"
    /// The prefix of the holds that keep files a running job needs (`RemoteHold`).
    public static let holdsPrefix = "holds/"

    /// `packs/<name>.pack` for a pack named `pack-<hex>`.
    public static func packKey(_ name: String) -> String { packsPrefix + name + ".pack" }
    /// `packs/<name>.idx` for a pack named `pack-<hex>`.
    public static func indexKey(_ name: String) -> String { packsPrefix + name + ".idx" }

    /// The pack name of an index key (`packs/pack-<64 hex>.idx`), or nil for any other key.
    static func packName(ofIndexKey key: String) -> String? { packName(of: key, suffix: ".idx") }

    /// The pack name of a pack key (`packs/pack-<64 hex>.pack`), or nil for any other key.
    static func packName(ofPackKey key: String) -> String? { packName(of: key, suffix: ".pack") }

    /// Names from a remote's listing become local file names and keys to delete, so only the
    /// exact form GitML writes is accepted (no `/`, `..` or other character can pass).
    private static func packName(of key: String, suffix: String) -> String? {
        guard key.hasPrefix(packsPrefix + "pack-"), key.hasSuffix(suffix) else { return nil }
        let name = String(key.dropFirst(packsPrefix.count).dropLast(suffix.count))
        let hex = name.dropFirst(5)
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase && $0.isASCII }) else { return nil }
        return name
    }
}
