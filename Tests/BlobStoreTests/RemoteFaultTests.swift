import Foundation
import XCTest
import MotoSupport
@testable import BlobStore

/// Remote faults: lost responses, lost locks, a frozen or missing S3 server.
final class RemoteFaultTests: XCTestCase {
    /// A conditional PUT whose first response was lost is sent again and finds the object its
    /// first attempt wrote: the lock is this holder's, not a conflict with itself.
    func testAGCLockWhoseFirstResponseWasLostIsRecognisedAsOwn() throws {
        let dir = TemporaryDirectory()
        let remote = LostFirstResponse(try DirectoryRemote(name: "r", root: dir.path + "/remote"))
        let lock = try RemoteLock.acquire(remote, kind: .exclusive, holder: "test gc", refreshEvery: nil)
        XCTAssertNoThrow(try lock.confirm())
        // Another client's lock is still a conflict.
        XCTAssertThrowsError(try RemoteLock.acquire(remote, kind: .exclusive, holder: "other gc", refreshEvery: nil)) { error in
            guard case RemoteError.locked = error else { return XCTFail("\(error)") }
        }
    }

    /// A GC whose lock another client removed (as stale) stops before its first deletion and
    /// says why; every pack on the remote is still there.
    func testAGCThatLostItsLockDeletesNothing() throws {
        let scenario = try RemoteScenario()
        let remote = try DirectoryRemote(name: "r", root: scenario.dir.path + "/remote")
        let sync = RemoteSync(store: scenario.source, remote: remote)
        try sync.push([scenario.files[2].file])  // a pack that is wholly dead below
        try sync.push(scenario.allFiles)
        let keep = try sync.remoteReachable(from: [scenario.files[1].file])
        let lock = try RemoteLock.acquire(remote, kind: .exclusive, holder: "test gc", refreshEvery: nil)
        try RemoteLock.removeStale(on: remote, now: Date().addingTimeInterval(RemoteLock.staleAfter + 60))
        let before = try remote.list(prefix: "packs/").map(\.key).sorted()
        XCTAssertThrowsError(try sync.collectGarbage(keep: keep, olderThan: .distantFuture, repackBelow: 1, holding: lock, dryRun: false)) { error in
            guard case RemoteError.lockLost = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("stopped before deleting anything more"), "\(error)")
        }
        XCTAssertEqual(try remote.list(prefix: "packs/").map(\.key).sorted(), before)
    }

    /// A refresh that cannot reach the remote is no proof either.
    func testAGCThatCannotRefreshItsLockStops() throws {
        let dir = TemporaryDirectory()
        let remote = try DirectoryRemote(name: "r", root: dir.path + "/remote")
        let lock = try RemoteLock.acquire(remote, kind: .exclusive, holder: "test gc", refreshEvery: nil)
        try FileManager.default.removeItem(atPath: dir.path + "/remote")
        XCTAssertThrowsError(try lock.confirm()) { error in
            guard case RemoteError.lockLost = error else { return XCTFail("\(error)") }
        }
    }

    /// A bucket that does not exist is named as such, with the endpoint, not as a missing object.
    func testAMissingBucketIsNamed() throws {
        let server = try Self.motoServer()
        let remote = try S3Remote(name: "team-s3", bucket: "no-such-bucket", prefix: "repo/ml", endpoint: server.endpoint,
                                  addressing: .path, credentials: server.credentials)
        XCTAssertThrowsError(try RemoteLock.acquire(remote, kind: .shared, holder: "test push", refreshEvery: nil)) { error in
            XCTAssertEqual(error as? RemoteError, .bucketMissing(remote: "team-s3", bucket: "no-such-bucket", endpoint: server.endpoint.absoluteString))
            XCTAssertTrue("\(error)".contains("bucket no-such-bucket does not exist at \(server.endpoint.absoluteString)"), "\(error)")
        }
    }

    /// A frozen server (SIGSTOP) made a push wait for minutes: each attempt now times out when
    /// no bytes come, retries stop after the retry window, and the message says so.
    func testAFrozenServerFailsAPushWithinTheRetryWindow() throws {
        let server = try Self.motoServer()
        var remote = try S3Remote(name: "team-s3", bucket: "frozen", prefix: "repo/ml", endpoint: server.endpoint,
                                  addressing: .path, credentials: server.credentials)
        try remote.createBucket()
        remote.requestTimeout = 1
        remote.retryWindow = 3
        remote.initialBackoff = 0.05
        let scenario = try RemoteScenario()
        XCTAssertEqual(kill(server.processID, SIGSTOP), 0)
        defer { kill(server.processID, SIGCONT) }
        let started = Date()
        XCTAssertThrowsError(try RemoteSync(store: scenario.source, remote: remote).push(scenario.allFiles)) { error in
            guard case RemoteError.connection = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("no answer within 1 s"), "\(error)")
        }
        let waited = Date().timeIntervalSince(started)
        XCTAssertLessThan(waited, 10, "a frozen server is given up on within the retry window")
        kill(server.processID, SIGCONT)
        XCTAssertNoThrow(try RemoteSync(store: scenario.source, remote: remote).push(scenario.allFiles), "a retry after the thaw succeeds")
    }

    /// A fresh bucket on a moto server of this test's own, a `FaultProxy` in front of it, and a
    /// maker of remotes that reach the bucket through the proxy (each with its own HTTP client,
    /// so its first requests open new connections).
    private func proxied(_ bucket: String, timeout: TimeInterval = 30, window: TimeInterval = 90) throws
        -> (server: MotoServer, proxy: FaultProxy, remote: () throws -> S3Remote) {
        let server = try Self.motoServer()
        try S3Remote(name: "direct", bucket: bucket, endpoint: server.endpoint, addressing: .path, credentials: server.credentials).createBucket()
        let proxy = try FaultProxy(to: server.endpoint)
        return (server, proxy, {
            var remote = try S3Remote(name: "team-s3", bucket: bucket, prefix: "repo/ml", endpoint: proxy.endpoint,
                                      addressing: .path, credentials: server.credentials)
            remote.initialBackoff = 0.05
            remote.requestTimeout = timeout
            remote.retryWindow = window
            return remote
        })
    }

    /// 503 answers, connections reset while a request is sent, and a slow link: pushes and
    /// pulls retry through them and every pulled byte is identical.
    func testPushAndPullSucceedThroughServerErrorsResetsAndDelays() throws {
        let (server, proxy, remote) = try proxied("flaky")
        defer { withExtendedLifetime(server) {} }
        let scenario = try RemoteScenario()
        proxy.inject(.serverError(connections: 3))
        try RemoteSync(store: scenario.source, remote: try remote()).push(scenario.allFiles)
        XCTAssertEqual(proxy.fault, .none, "the 503s were answered")

        proxy.inject(.reset(connections: 3, afterBytes: 64))
        let clone = try scenario.emptyStore()
        try RemoteSync(store: clone, remote: try remote()).pull(scenario.allFiles)
        XCTAssertEqual(proxy.fault, .none, "the resets happened")
        try scenario.assertIdentical(clone)

        proxy.inject(.delay(0.02))
        let slow = try scenario.emptyStore()
        try RemoteSync(store: slow, remote: try remote()).pull(scenario.allFiles)
        try scenario.assertIdentical(slow)
    }

    /// A request that reaches the server damaged (here: a signed header changed by the proxy)
    /// gets `SignatureDoesNotMatch` from a server that accepted the same credentials a moment
    /// before: it is signed and sent again over a new connection, not reported as wrong
    /// credentials. Credentials never accepted still fail at once (testWrongCredentials…).
    func testARequestDamagedInTransitIsSentAgainNotTakenForWrongCredentials() throws {
        let (server, proxy, remote) = try proxied("damaged")
        defer { withExtendedLifetime(server) {} }
        let scenario = try RemoteScenario()
        let sync = RemoteSync(store: scenario.source, remote: try remote())
        _ = try sync.remoteReachable(from: [])  // the server accepts this remote's signature
        proxy.inject(.damageRequest(requests: 2))
        try sync.push(scenario.allFiles)
        XCTAssertEqual(proxy.damagedRequests, 2, "requests reached the server damaged")
        let clone = try scenario.emptyStore()
        try RemoteSync(store: clone, remote: try remote()).pull(scenario.allFiles)
        try scenario.assertIdentical(clone)
    }

    /// The server freezes in the middle of a push, then goes away in the middle of a pull: each
    /// fails within the retry window with a connection error naming the remote, nothing damaged
    /// is stored, and the same command succeeds once the server is back.
    func testAServerFrozenMidPushOrStoppedMidPullFailsClearlyAndTheRetrySucceeds() throws {
        let (server, proxy, remote) = try proxied("faulty", timeout: 1, window: 3)
        defer { withExtendedLifetime(server) {} }
        let scenario = try RemoteScenario()
        // Mid-push: the link is slow enough that the freeze lands while the push runs.
        proxy.inject(.delay(0.05))
        let freezer = Thread { [proxy] in
            while proxy.connections < 2 { usleep(5_000) }
            proxy.inject(.freeze)
        }
        freezer.start()
        XCTAssertThrowsError(try RemoteSync(store: scenario.source, remote: try remote()).push(scenario.allFiles)) { error in
            guard case RemoteError.connection = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("team-s3"), "\(error)")
        }
        proxy.inject(.none)
        try RemoteSync(store: scenario.source, remote: try remote()).push(scenario.allFiles)

        // Mid-pull: the server goes away after the pull's first request.
        proxy.inject(.delay(0.05))
        let before = proxy.connections
        let stopper = Thread { [proxy] in
            while proxy.connections < before + 1 { usleep(5_000) }
            usleep(100_000)
            proxy.stop()
        }
        stopper.start()
        let clone = try scenario.emptyStore()
        XCTAssertThrowsError(try RemoteSync(store: clone, remote: try remote()).pull(scenario.allFiles)) { error in
            guard case RemoteError.connection = error else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(clone.check().problems.isEmpty, "a cut pull stores nothing damaged: \(clone.check().problems)")
        try proxy.restart()
        proxy.inject(.none)
        try RemoteSync(store: clone, remote: try remote()).pull(scenario.allFiles)
        try scenario.assertIdentical(clone)
    }

    /// A moto server of this class's own (the tests freeze it).
    private static func motoServer() throws -> MotoServer {
        guard let binary = MotoServer.binary() else { throw XCTSkip("moto_server is not installed (see RemoteS3Tests)") }
        return try MotoServer(binary: binary)
    }
}

/// A backend whose first `createExclusively` succeeds on the server but whose response is
/// lost, so the caller's retry finds the object there.
private final class LostFirstResponse: RemoteBackend, @unchecked Sendable {  // `creates` is a locked counter
    let base: any RemoteBackend
    private let creates = Counter()
    init(_ base: any RemoteBackend) { self.base = base }
    var name: String { base.name }
    func list(prefix: String) throws -> [RemoteObjectInfo] { try base.list(prefix: prefix) }
    func stat(_ key: String) throws -> RemoteObjectInfo? { try base.stat(key) }
    func get(_ key: String, range: Range<UInt64>?) throws -> [UInt8] { try base.get(key, range: range) }
    func put(_ key: String, bytes: [UInt8]) throws { try base.put(key, bytes: bytes) }
    func put(_ key: String, file path: String) throws { try base.put(key, file: path) }
    func delete(_ key: String) throws { try base.delete(key) }
    func createExclusively(_ key: String, bytes: [UInt8]) throws -> Bool {
        if creates.increment() == 1 { _ = try base.createExclusively(key, bytes: bytes) }
        return try base.createExclusively(key, bytes: bytes)
    }
}

final class Counter: @unchecked Sendable {  // `count` is guarded by `lock`
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.withLock { count += 1; return count } }
    var value: Int { lock.withLock { count } }
}
