import Platform

/// What went wrong in the blob store, with the object or file concerned and what to do.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A chunk or manifest the store does not hold.
    case missingObject(Digest)
    /// Stored bytes that do not hash to their address: damage on disk.
    case corruptObject(Digest, detail: String)
    /// A record's claim about a stored file that its bytes contradict (a size no chunk has):
    /// the record is damaged or forged, the store may be intact.
    case recordMismatch(Digest, detail: String)
    /// A pack or index file that is malformed or fails its checksum.
    case corruptFile(path: String, detail: String)
    /// A file with a format version this build does not read.
    case unsupportedVersion(path: String, version: Int, supported: Int)
    /// zstd refused to compress or decompress.
    case compression(String)
    /// A system call failed: the path, the call and errno's text.
    case io(path: String, operation: String, message: String)
    /// The file changed while it was being read.
    case fileChanged(path: String)
    /// A path listed as a file that is not a regular file when opened (a FIFO, a device).
    case notARegularFile(path: String)
    /// Another process holds the store lock.
    case locked(path: String)
    /// A folder on the way to a file GitML writes is a symbolic link or not a folder.
    case unsafePath(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingObject(let d):
            return "object \(d) is not in the store (fetch it with `git ml pull`, or run `git ml fsck`)"
        case .corruptObject(let d, let detail):
            return "object \(d) is damaged: \(detail) (run `git ml fsck`; restore it from a remote with `git ml pull`)"
        case .recordMismatch(let d, let detail):
            return "the record of \(d) does not match it: \(detail) (the record is damaged or forged: remove its ref, or fetch it again)"
        case .corruptFile(let path, let detail): return "\(path) is damaged: \(detail) (run `git ml fsck`)"
        case .unsupportedVersion(let path, let v, let supported) where v > supported:
            return "\(path): \(Release.newerFormat(v, supported: supported))"
        case .unsupportedVersion(let path, let v, _):
            return "\(path) has format version \(v), which no GitML writes: it is damaged (run `git ml fsck`)"
        case .compression(let message): return "zstd: \(message)"
        case .io(let path, let op, let message): return "\(op) \(path): \(message)"
        case .fileChanged(let path): return "\(path) changed while it was being read; retry when it is no longer written to"
        case .notARegularFile(let path):
            return "\(path) is not a regular file (a FIFO, socket or device): GitML stores regular files only; move it away and retry"
        case .locked(let path):
            return "the store is locked by another GitML process (\(path)); retry when it finishes"
        case .unsafePath(let path, let reason):
            return "\(path) \(reason): GitML never writes through a symbolic link or over a non-folder; move it away and retry"
        }
    }
}
