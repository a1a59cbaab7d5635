import BlobStore
import Foundation

extension Project {
    /// Uploads what the blob remote `spec` lacks of `files` (under a shared remote lock, so a
    /// remote gc cannot run meanwhile, and the local store's shared lock).
    public func upload(_ files: [StoredFile], to spec: RemoteSpec, holder: String) throws {
        guard !files.isEmpty else { return }
        let backend = try wrapping { try spec.open() }
        let remoteLock = try wrapping { try RemoteLock.acquire(backend, kind: .shared, holder: "\(actor()) \(holder)") }
        defer { try? remoteLock.release() }
        let sync = RemoteSync(store: store, remote: backend)
        _ = try withStoreLock(.shared) { try sync.push(files) }
    }

    /// Downloads from the blob remote `spec` what this store lacks of `files`; every object is
    /// verified against its digest before it is stored (`RemoteSync.pull`), so a blob altered
    /// on the remote is refused.
    public func download(_ files: [StoredFile], from spec: RemoteSpec) throws {
        guard !files.isEmpty else { return }
        let sync = RemoteSync(store: store, remote: try wrapping { try spec.open() })
        _ = try withStoreLock(.shared) { try sync.pull(files) }
    }

    /// Places a hold (`RemoteHold`) on `files` on the blob remote `spec`, before they are
    /// uploaded: remote GC keeps them until the hold is released or goes stale.
    public func hold(_ files: [StoredFile], on spec: RemoteSpec, holder: String) throws -> RemoteHold {
        let backend = try wrapping { try spec.open() }
        return try wrapping { try RemoteHold(on: backend, holder: "\(actor()) \(holder)", files: files) }
    }

    /// Places a hold `holds/<id>` on `files` on the blob remote `spec`, before they are uploaded,
    /// for another process to release (`releaseHold(id:on:)`) once a record there names them
    /// (`RemoteHold.handOver`: it outlives this process, and goes stale unless released).
    public func handOverHold(_ files: [StoredFile], on spec: RemoteSpec, id: String, holder: String) throws {
        let backend = try wrapping { try spec.open() }
        try wrapping { try RemoteHold.handOver(files, on: backend, id: id, holder: "\(actor()) \(holder)") }
    }

    /// Deletes the hold `holds/<id>` on the blob remote `spec` (`RemoteHold.release(id:on:)`).
    public func releaseHold(id: String, on spec: RemoteSpec) throws {
        let backend = try wrapping { try spec.open() }
        try wrapping { try RemoteHold.release(id: id, on: backend) }
    }
}
