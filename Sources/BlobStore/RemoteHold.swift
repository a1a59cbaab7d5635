import Foundation
import Platform

/// Stored files that a running job needs on a remote although no record names them yet — the
/// code bundle and the datasets of a cluster sweep or exec, which its nodes fetch for as long as
/// it runs (docs/FORMAT.md, "Blob remotes").
///
/// The rule remote GC follows: it keeps every file that a live hold names. A hold is the object
/// `holds/<random>` (its holder, host, pid, time and files); the job writes it *before* it
/// uploads the files (so a GC that read the holds before this one existed still holds the
/// remote's exclusive lock when the upload needs the shared one, and the upload waits for it),
/// rewrites it every `RemoteLock.refreshInterval` while it runs, and deletes it when it ends.
/// A hold goes stale by the rule a lock does (`RemoteLockInfo.isStale`: not rewritten for
/// `RemoteLock.staleAfter`, or written on this host by a process that is gone): GC then no
/// longer honours it and deletes it. A hold that one process writes and another releases
/// (`handOver`, `release(id:on:)`) names no process and goes stale by age alone.
public final class RemoteHold: @unchecked Sendable {  // `files` is guarded by `lock`
    public let remote: any RemoteBackend
    /// Who holds it, where and since when; its key is the hold object's.
    public let info: RemoteLockInfo
    private let lock = NSLock()
    private var files: [StoredFile]
    /// The members of `files`, so that `add` stays linear in a dataset of many files.
    private var held: Set<StoredFile>
    private var refresher: PeriodicTask?

    /// Writes a hold on `files` for `holder` (who and what, such as `Ada <ada@example.com>
    /// cluster sweep search`) and keeps it fresh every `interval` seconds (nil: never, for tests).
    public init(on remote: any RemoteBackend, holder: String, files: [StoredFile],
                refreshEvery interval: TimeInterval? = RemoteLock.refreshInterval) throws {
        self.remote = remote
        let id = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        info = RemoteLockInfo(key: RemoteLayout.holdsPrefix + id, holder: holder, host: RemoteLock.localHost, pid: getpid(),
                              time: RemoteLock.wholeSecondsNow(), id: id)
        self.files = files
        held = Set(files)
        try write()
        refresher = interval.map { interval in PeriodicTask(every: interval) { [weak self] in try? self?.write() } }
    }

    deinit { refresher?.stop() }

    /// Adds `more` to the hold (rewritten at once when any is new): call it before uploading them.
    public func add(_ more: [StoredFile]) throws {
        let grew = lock.withLock { () -> Bool in
            let fresh = more.filter { held.insert($0).inserted }
            files += fresh
            return !fresh.isEmpty
        }
        if grew { try write() }
    }

    /// Stops refreshing and deletes the hold object: GC may then remove what only it kept.
    public func release() throws {
        refresher?.stop()
        try remote.delete(info.key)
    }

    /// Writes, once, a hold `holds/<id>` (`id`: letters, digits and `-`) on `files` that another
    /// process releases (`release(id:on:)`): the artifacts a cluster node uploaded, until its
    /// driver has imported them. It names no process, so it outlives its writer, and it is never
    /// rewritten: unless released, it goes stale `RemoteLock.staleAfter` after it was written (a
    /// driver killed outright never releases it).
    public static func handOver(_ files: [StoredFile], on remote: any RemoteBackend, id: String, holder: String) throws {
        let info = RemoteLockInfo(key: RemoteLayout.holdsPrefix + id, holder: holder, host: RemoteLock.localHost, pid: nil,
                                  time: RemoteLock.wholeSecondsNow(), id: id)
        try remote.put(info.key, bytes: Held(info: info, files: files).encoded())
    }

    /// Deletes the hold `holds/<id>` that `handOver` wrote; one already gone is no error.
    public static func release(id: String, on remote: any RemoteBackend) throws {
        try remote.delete(RemoteLayout.holdsPrefix + id)
    }

    private func write() throws {
        let current = lock.withLock { files }
        let held = Held(info: RemoteLockInfo(key: info.key, holder: info.holder, host: info.host, pid: info.pid,
                                             time: RemoteLock.wholeSecondsNow(), id: info.id), files: current)
        try remote.put(info.key, bytes: held.encoded())
    }

    /// What one hold object says.
    public struct Held: Sendable {
        public let info: RemoteLockInfo
        public let files: [StoredFile]

        /// A hold object's JSON: a lock object's fields and `files`, in one object.
        private struct Payload: Codable {
            var lock: RemoteLockInfo.Payload
            var files: [StoredFile]

            private enum CodingKeys: String, CodingKey { case files }

            init(lock: RemoteLockInfo.Payload, files: [StoredFile]) {
                self.lock = lock
                self.files = files
            }

            init(from decoder: any Decoder) throws {
                lock = try RemoteLockInfo.Payload(from: decoder)
                files = try decoder.container(keyedBy: CodingKeys.self).decode([StoredFile].self, forKey: .files)
            }

            func encode(to encoder: any Encoder) throws {
                try lock.encode(to: encoder)
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(files, forKey: .files)
            }
        }

        func encoded() -> [UInt8] { RemoteLockInfo.canonicalJSON(Payload(lock: RemoteLockInfo.Payload(info), files: files)) }

        /// Reads a hold object; nil for one GitML cannot read (GC refuses to run: it cannot know
        /// what that hold protects).
        static func decode(key: String, bytes: [UInt8]) -> Held? {
            guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(bytes)), payload.lock.format_version == 1 else {
                return nil
            }
            let info = payload.lock.info(key: key, modified: nil)
            return info.time == nil ? nil : Held(info: info, files: payload.files)
        }
    }

    /// Every hold on `remote`, stale ones included. Throws `RemoteError.io` naming a hold that
    /// cannot be read.
    public static func held(on remote: any RemoteBackend) throws -> [Held] {
        try remote.list(prefix: RemoteLayout.holdsPrefix).sorted { $0.key < $1.key }.compactMap { object throws -> Held? in
            let bytes: [UInt8]
            do { bytes = try remote.get(object.key, range: nil) } catch RemoteError.notFound { return nil }  // released meanwhile
            guard let held = Held.decode(key: object.key, bytes: bytes) else {
                throw RemoteError.io(remote: remote.name, key: object.key,
                                     message: "not a hold GitML can read, so what it keeps alive is unknown and remote GC stops; "
                                         + "delete it if no cluster sweep or exec of yours runs")
            }
            return held
        }
    }
}
