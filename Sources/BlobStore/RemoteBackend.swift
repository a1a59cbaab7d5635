import Foundation

/// One object on a remote: its key (relative to the remote's root, `/`-separated), size, and
/// when it was last written (nil when the backend does not say; remote GC never touches such).
public struct RemoteObjectInfo: Sendable, Equatable {
    public let key: String
    public let size: UInt64
    public let modified: Date?

    public init(key: String, size: UInt64, modified: Date? = nil) {
        self.key = key
        self.size = size
        self.modified = modified
    }
}

/// A place that holds blob-store files by key, in the manner of restic's backends: a new store
/// type is one conforming type. Keys are `/`-separated paths such as `packs/pack-<hex>.pack`.
///
/// Contract: `put` is atomic (a reader sees either no object or the whole object, never a
/// prefix); objects are immutable once written (GitML never rewrites a key with other bytes);
/// `list` may lag a `put` on eventually consistent stores but never shows a partial object.
/// Every method may be called from many threads at once.
public protocol RemoteBackend: Sendable {
    /// The remote's name as the user declared it, for messages.
    var name: String { get }
    /// Every object whose key starts with `prefix`, in no particular order.
    func list(prefix: String) throws -> [RemoteObjectInfo]
    /// The object at `key`, or nil when there is none.
    func stat(_ key: String) throws -> RemoteObjectInfo?
    /// The bytes of `key`, or of `range` within it (`range` must lie inside the object).
    func get(_ key: String, range: Range<UInt64>?) throws -> [UInt8]
    /// Stores `bytes` at `key` atomically, replacing any object there.
    func put(_ key: String, bytes: [UInt8]) throws
    /// Stores the contents of the local file at `path` under `key` atomically.
    func put(_ key: String, file path: String) throws
    /// Removes `key`; removing an absent key is not an error.
    func delete(_ key: String) throws
    /// Stores `bytes` at `key` only if no object is there (the lock primitive for remote GC);
    /// returns false, writing nothing, when the key exists.
    func createExclusively(_ key: String, bytes: [UInt8]) throws -> Bool
}
