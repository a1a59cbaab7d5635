import Foundation
import Platform

/// What a lock object on a remote says: who holds it, on which host and process, and when it
/// was written or last refreshed (docs/FORMAT.md, "Blob remotes").
public struct RemoteLockInfo: Sendable, Equatable {
    /// The lock object's key (`locks/gc` or `locks/shared-<hex>`).
    public let key: String
    /// Who and what, such as `Ada <ada@example.com> gc`.
    public let holder: String
    /// The host the holder runs on, when the lock says.
    public let host: String?
    /// The holder's process id on `host`, when the lock says.
    public let pid: Int32?
    /// When the lock was written or last refreshed: from its content, else the backend's
    /// modification time; nil when neither says.
    public let time: Date?
    /// A random id telling this holder's object apart from a later one under the same key.
    let id: String?

    /// A lock that went away before it could be read.
    static func unknown(_ key: String) -> RemoteLockInfo {
        RemoteLockInfo(key: key, holder: "another client", host: nil, pid: nil, time: nil, id: nil)
    }

    /// Stale, as restic judges its locks: not refreshed for `RemoteLock.staleAfter`, or written on
    /// this host by a process that no longer exists. A lock whose time is unknown is stale only by
    /// the second rule.
    public func isStale(now: Date = Date(), localHost: String = RemoteLock.localHost) -> Bool {
        if let time, now.timeIntervalSince(time) > RemoteLock.staleAfter { return true }
        guard let pid, host == localHost, pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// A lock object's JSON fields (docs/FORMAT.md, "Blob remotes"); a hold object holds the
    /// same fields and its files (`RemoteHold.Held`). Absent host and pid are "" and 0.
    struct Payload: Codable {
        var format_version = 1
        var id: String
        var holder: String
        var host: String
        var pid: Int32
        var time: String

        init(_ info: RemoteLockInfo) {
            id = info.id ?? ""
            holder = info.holder
            host = info.host ?? ""
            pid = info.pid ?? 0
            time = RemoteLockInfo.formatter.string(from: info.time ?? Date())
        }

        /// The lock object at `key` these fields describe; its time is `modified` when `time`
        /// is not an RFC 3339 time.
        func info(key: String, modified: Date?) -> RemoteLockInfo {
            RemoteLockInfo(key: key, holder: holder, host: host.isEmpty ? nil : host, pid: pid > 0 ? pid : nil,
                           time: RemoteLockInfo.formatter.date(from: time) ?? modified, id: id)
        }
    }

    /// The lock object's bytes: canonical JSON (sorted keys, RFC 3339 time with seconds).
    func encoded() -> [UInt8] { Self.canonicalJSON(Payload(self)) }

    /// `value` as lock and hold objects store it: sorted keys, slashes unescaped.
    static func canonicalJSON(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data())
    }

    /// Reads a lock object; a lock GitML did not write (or an older plain-text one) keeps its text
    /// as the holder and takes its time from `modified`.
    static func decode(key: String, bytes: [UInt8], modified: Date?) -> RemoteLockInfo {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(bytes)) else {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return RemoteLockInfo(key: key, holder: text.isEmpty ? "another client" : text, host: nil, pid: nil,
                                  time: modified, id: nil)
        }
        return payload.info(key: key, modified: modified)
    }

    static var formatter: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f
    }

    /// "Ada gc on host1 (pid 42) since 2026-11-30T10:00:00Z (12 min ago)", for messages.
    public var summary: String {
        var text = holder
        if let host { text += " on \(host)" }
        if let pid { text += " (pid \(pid))" }
        if let time {
            text += " since \(Self.formatter.string(from: time)) (\(Self.describe(age: Date().timeIntervalSince(time))) ago)"
        }
        return text
    }

    /// "45 s", "12 min", "3 h 5 min", "2 d 4 h".
    static func describe(age: TimeInterval) -> String {
        let seconds = max(0, Int(age))
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min"
        case ..<86_400: return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: return "\(seconds / 86_400) d \(seconds % 86_400 / 3600) h"
        }
    }
}

/// A lock on a remote, in the manner of restic's: pushes hold it shared (many at once),
/// remote GC holds it exclusive, so a sweep never deletes an object a push in flight relies on.
///
/// Each side writes its own lock object first and then looks for the other side's: a shared
/// holder writes `locks/shared-<random>` and backs off if `locks/gc` exists; GC creates
/// `locks/gc` only if absent and backs off if any `locks/shared-*` exists. With read-after-write
/// listing (directories, S3), two racing clients cannot both proceed; at worst both back off
/// and retry. The holder rewrites its object every `refreshInterval` while it holds the lock;
/// release deletes it. A lock left by a client that died goes stale (`RemoteLockInfo.isStale`)
/// and is removed by `removeStale(on:)` — as `restic unlock` does; never automatically.
public final class RemoteLock: Sendable {
    /// What the lock allows others.
    public enum Kind: Sendable {
        /// Many holders at once (pushes), none while GC runs.
        case shared
        /// One holder (remote GC), no shared holders.
        case exclusive
    }

    /// How often a holder rewrites its lock object with the current time (restic: 5 min).
    public static let refreshInterval: TimeInterval = 5 * 60
    /// A lock not refreshed for this long is stale (restic: 30 min).
    public static let staleAfter: TimeInterval = 30 * 60
    /// This host's name, as lock objects record it.
    public static var localHost: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public let remote: any RemoteBackend
    /// The lock object this holder wrote.
    public let key: String
    /// What the lock object says.
    public let info: RemoteLockInfo
    private let refresher: PeriodicTask?
    /// Why the last periodic refresh failed, if it did (for `confirm`'s message).
    private let refreshFailure: RefreshFailure

    private init(remote: any RemoteBackend, info: RemoteLockInfo, refreshEvery interval: TimeInterval?) {
        self.remote = remote
        key = info.key
        self.info = info
        let failure = RefreshFailure()
        refreshFailure = failure
        refresher = interval.map { interval in
            PeriodicTask(every: interval) { [remote, info] in
                do {
                    failure.set(try Self.refresh(remote, info) ? nil : "its object was removed or replaced")
                } catch {
                    failure.set("\(error)")
                }
            }
        }
    }

    deinit { refresher?.stop() }

    /// Takes the lock for `holder` (who and what, such as `Ada <ada@example.com> gc`) and keeps it
    /// fresh every `interval` seconds (nil: never, for tests); throws `.locked` naming a
    /// conflicting holder and whether its lock is stale.
    public static func acquire(_ remote: any RemoteBackend, kind: Kind, holder: String,
                               refreshEvery interval: TimeInterval? = refreshInterval) throws -> RemoteLock {
        let key = kind == .exclusive ? RemoteLayout.gcLockKey
            : RemoteLayout.sharedLockPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let info = RemoteLockInfo(key: key, holder: holder, host: localHost, pid: getpid(), time: wholeSecondsNow(),
                                  id: String(UInt64.random(in: 0...UInt64.max), radix: 16))
        switch kind {
        case .shared:
            try remote.put(key, bytes: info.encoded())
            if try remote.stat(RemoteLayout.gcLockKey) != nil {
                try remote.delete(key)
                throw try conflict(remote, RemoteLayout.gcLockKey)
            }
        case .exclusive:
            // A retried conditional write whose first response was lost finds its own object.
            guard try remote.createExclusively(key, bytes: info.encoded()) || read(remote, key)?.id == info.id else {
                throw try conflict(remote, key)
            }
            if let shared = try remote.list(prefix: RemoteLayout.sharedLockPrefix).first {
                try remote.delete(key)
                throw try conflict(remote, shared.key)
            }
        }
        return RemoteLock(remote: remote, info: info, refreshEvery: interval)
    }

    /// Rewrites the lock object with the current time. Returns false, writing nothing, when the
    /// object is no longer this holder's (someone removed it as stale).
    @discardableResult
    public func refresh() throws -> Bool { try Self.refresh(remote, info) }

    private static func refresh(_ remote: any RemoteBackend, _ info: RemoteLockInfo) throws -> Bool {
        guard let current = try read(remote, info.key), current.id == info.id else { return false }
        let renewed = RemoteLockInfo(key: info.key, holder: info.holder, host: info.host, pid: info.pid,
                                     time: wholeSecondsNow(), id: info.id)
        try remote.put(info.key, bytes: renewed.encoded())
        return true
    }

    /// Proves that this holder still holds the lock, as a remote GC must before each deletion:
    /// rewrites the lock object with the current time if it is still this holder's. Throws
    /// `RemoteError.lockLost` when it is not (another client removed it as stale) or when the
    /// remote cannot be asked — either way nothing proves that no push runs meanwhile.
    public func confirm() throws {
        let held: Bool
        do {
            held = try refresh()
        } catch {
            throw RemoteError.lockLost(remote: remote.name, key: key, detail: "it cannot be refreshed: \(error)")
        }
        guard held else {
            let earlier = refreshFailure.value.map { " (an earlier refresh failed: \($0))" } ?? ""
            throw RemoteError.lockLost(remote: remote.name, key: key,
                                       detail: "its object was removed or replaced by another client\(earlier)")
        }
    }

    /// Stops refreshing and deletes the lock object.
    public func release() throws {
        refresher?.stop()
        try remote.delete(key)
    }

    /// Every lock object on the remote (GC's and pushes').
    public static func held(on remote: any RemoteBackend) throws -> [RemoteLockInfo] {
        try remote.list(prefix: "locks/").sorted { $0.key < $1.key }.compactMap { try read(remote, $0.key, modified: $0.modified) }
    }

    /// Deletes the stale locks (`RemoteLockInfo.isStale`) and returns them, as `restic unlock`
    /// does; fresh ones stay.
    @discardableResult
    public static func removeStale(on remote: any RemoteBackend, now: Date = Date()) throws -> [RemoteLockInfo] {
        let stale = try held(on: remote).filter { $0.isStale(now: now) }
        for lock in stale { try remote.delete(lock.key) }
        return stale
    }

    /// Now, to the second, as the lock object records it (so `info` equals what is read back).
    static func wholeSecondsNow() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    /// The lock at `key`, or nil when it is gone.
    private static func read(_ remote: any RemoteBackend, _ key: String, modified: Date? = nil) throws -> RemoteLockInfo? {
        do {
            let bytes = try remote.get(key, range: nil)
            let time = try modified ?? remote.list(prefix: key).first { $0.key == key }?.modified
            return RemoteLockInfo.decode(key: key, bytes: bytes, modified: time)
        } catch RemoteError.notFound {
            return nil
        }
    }

    private static func conflict(_ remote: any RemoteBackend, _ key: String) throws -> RemoteError {
        let lock = try read(remote, key) ?? .unknown(key)
        return .locked(remote: remote.name, lock: lock, stale: lock.isStale())
    }
}

/// The last periodic refresh's failure, written by the refresher thread.
private final class RefreshFailure: @unchecked Sendable {  // `message` is guarded by `lock`
    private let lock = NSLock()
    private var message: String?
    func set(_ value: String?) { lock.withLock { message = value } }
    var value: String? { lock.withLock { message } }
}

/// Calls an action every `interval` seconds on its own thread until stopped.
final class PeriodicTask: @unchecked Sendable {  // `stopped` and `running` are guarded by `condition`
    private let condition = NSCondition()
    private var stopped = false
    private var running = false

    init(every interval: TimeInterval, _ action: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                if !condition.wait(until: Date().addingTimeInterval(interval)), !stopped {
                    running = true
                    condition.unlock()
                    action()
                    condition.lock()
                    running = false
                    condition.broadcast()
                }
            }
            condition.unlock()
        }
        thread.stackSize = 1 << 18
        thread.start()
    }

    /// Stops the calls; returns once a call in progress has finished, so none starts or runs after.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }
}
