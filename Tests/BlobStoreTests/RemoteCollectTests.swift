import XCTest
import MotoSupport
@testable import BlobStore

/// Remote GC on a directory remote: the live set read through the remote's indexes, and sweeps.
final class RemoteCollectTests: XCTestCase {
    // One moto server for the class, started by the first S3 test.
    nonisolated(unsafe) private static var server: MotoServer?

    override class func tearDown() {
        server = nil
        super.tearDown()
    }

    /// Every object the remote's indexes list.
    private func objectsOn(_ remote: any RemoteBackend, cache store: ObjectStore) throws -> Set<Digest> {
        Set(try RemoteSync(store: store, remote: remote).remotePackIndexes().flatMap { $0.entries().map(\.digest) })
    }

    func testTheLiveSetFromAnEmptyCloneMatchesTheLocalClosureDeltaBasesIncluded() throws {
        let scenario = try RemoteScenario()
        let remote = try DirectoryRemote(name: "r", root: scenario.dir.path + "/remote")
        try RemoteSync(store: scenario.source, remote: remote).push(scenario.allFiles)
        let wanted = [scenario.files[1].file, scenario.files[3].file]
        // An empty clone must download the manifest nodes to see which chunks they name.
        let keep = try RemoteSync(store: try scenario.emptyStore(), remote: remote).remoteReachable(from: wanted)
        let expected = scenario.source.reachable(from: wanted.map { ($0, "v2") })
        XCTAssertGreaterThan(expected.objects.count, expected.direct.count, "v2 has delta bases outside its own chunks")
        XCTAssertEqual(keep, expected.objects)
    }

    func testSweepOnADirectoryRemote() throws {
        let scenario = try RemoteScenario()
        let remote = try DirectoryRemote(name: "r", root: scenario.dir.path + "/remote")
        write([1, 2, 3], to: remote.root + "/tmp/put-interrupted")
        try checkSweep(remote, scenario)
        XCTAssertFalse(FileManager.default.fileExists(atPath: remote.root + "/tmp/put-interrupted"), "stale temp files go")
    }

    func testSweepOnAnS3Remote() throws {
        try checkSweep(try s3Remote(bucket: "gitml-gc"), try RemoteScenario())
    }

    func testAPullRacingAGCOnADirectoryRemoteGetsIdenticalBytesOrAClearError() throws {
        let scenario = try RemoteScenario()
        try checkPullRacingGC(try DirectoryRemote(name: "r", root: scenario.dir.path + "/remote"), scenario)
    }

    func testAPullRacingAGCOnAnS3RemoteGetsIdenticalBytesOrAClearError() throws {
        try checkPullRacingGC(try s3Remote(bucket: "gitml-gc-race"), try RemoteScenario())
    }

    /// A remote GC rewrites the pack a pull is about to read (it uploads the live objects' new
    /// pack and index, then deletes the old index and pack): the pull lists the indexes anew and
    /// gets identical bytes. A pack that vanishes again is a retryable error, and nothing
    /// unverified is stored.
    private func checkPullRacingGC(_ remote: any RemoteBackend, _ scenario: RemoteScenario) throws {
        let sync = RemoteSync(store: scenario.source, remote: remote)
        try sync.push(scenario.allFiles)
        let live = [scenario.files[0].file]
        let keep = try sync.remoteReachable(from: live)
        let packBefore = try XCTUnwrap(try remote.list(prefix: "packs/").first { $0.key.hasSuffix(".pack") }).key
        let lock = try RemoteLock.acquire(remote, kind: .exclusive, holder: "test gc", refreshEvery: nil)
        let racing = RacingRemote(remote, beforeEveryPackRead: false) { _ in
            let swept = try sync.collectGarbage(keep: keep, olderThan: .distantFuture, repackBelow: 1, holding: lock, dryRun: false)
            XCTAssertEqual(swept.packsRewritten, 1)
        }
        let clone = try scenario.emptyStore()
        try RemoteSync(store: clone, remote: racing).pull(live)
        XCTAssertEqual(racing.packReads.first, packBefore, "the pull began on the pack the GC then rewrote")
        XCTAssertNil(try remote.stat(packBefore))
        try scenario.assertIdentical(clone, [0])

        // Every pack the pull reads vanishes (its index stays listed): a clear, retryable error.
        let vanishing = RacingRemote(remote, beforeEveryPackRead: true) { key in try remote.delete(key) }
        let other = try scenario.emptyStore()
        XCTAssertThrowsError(try RemoteSync(store: other, remote: vanishing).pull(live)) { error in
            guard case RemoteError.changedDuringRead(let name, let key) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, remote.name)
            XCTAssertTrue(key.hasPrefix("packs/pack-"), key)
            XCTAssertTrue("\(error)".contains("retry"))
        }
        XCTAssertFalse(other.contains(scenario.files[0].file.root))
    }

    /// A bucket of the class's moto server (skips when moto is not installed).
    private func s3Remote(bucket: String) throws -> S3Remote {
        guard let binary = MotoServer.binary() else { throw XCTSkip("moto_server is not installed (see RemoteS3Tests)") }
        if Self.server == nil { Self.server = try MotoServer(binary: binary) }
        let server = try XCTUnwrap(Self.server)
        let remote = try S3Remote(name: "team-s3", bucket: bucket, prefix: "repo/ml", endpoint: server.endpoint,
                                  addressing: .path, credentials: server.credentials)
        try remote.createBucket()
        return remote
    }

    /// Two pushes (a wholly dead pack, a partly live one) and a stray pack without an index:
    /// grace protects all, a dry run changes nothing, a sweep leaves exactly the live objects,
    /// and a fresh clone still pulls the live files byte for byte.
    private func checkSweep(_ remote: any RemoteBackend, _ scenario: RemoteScenario) throws {
        let sync = RemoteSync(store: scenario.source, remote: remote)
        try sync.push([scenario.files[2].file])       // a pack that will be wholly dead
        try sync.push(scenario.allFiles)              // the rest, in a second pack
        try remote.put("packs/pack-" + String(repeating: "ab", count: 32) + ".pack", bytes: [1, 2, 3])  // no index
        let live = [scenario.files[1].file, scenario.files[3].file]
        let keep = try sync.remoteReachable(from: live)
        let lock = try RemoteLock.acquire(remote, kind: .exclusive, holder: "test gc", refreshEvery: nil)
        let before = try remote.list(prefix: "")
        XCTAssertTrue(before.allSatisfy { $0.modified != nil }, "the backend reports when each object was written")

        let young = try sync.collectGarbage(keep: keep, olderThan: .distantPast, holding: lock, dryRun: false)
        XCTAssertEqual(young.packsInGrace, 2)
        XCTAssertEqual(young.objectsRemoved, 0)
        let preview = try sync.collectGarbage(keep: keep, olderThan: .distantFuture, repackBelow: 1, holding: nil, dryRun: true)
        XCTAssertEqual(try remote.list(prefix: "").map(\.key).sorted(), before.map(\.key).sorted(), "a dry run changes nothing")

        let swept = try sync.collectGarbage(keep: keep, olderThan: .distantFuture, repackBelow: 1, holding: lock, dryRun: false)
        XCTAssertEqual(swept, { var r = preview; r.dryRun = false; r.packsUploaded = 1; return r }())
        XCTAssertEqual(swept.packsDeleted, 1)
        XCTAssertEqual(swept.packsRewritten, 1)
        XCTAssertEqual(swept.strayPacksRemoved, 1)
        let remaining = try objectsOn(remote, cache: scenario.source)
        XCTAssertEqual(remaining, keep, "exactly the live objects are left")
        XCTAssertEqual(swept.objectsRemoved, try objectsOnPushed(scenario).subtracting(keep).count)

        // A fresh clone still gets the live files, byte for byte; the dead one is gone.
        let clone = try scenario.emptyStore()
        try RemoteSync(store: clone, remote: remote).pull(live)
        try scenario.assertIdentical(clone, [1, 3])
        XCTAssertThrowsError(try RemoteSync(store: try scenario.emptyStore(), remote: remote).pull([scenario.files[2].file]))
        XCTAssertEqual(try sync.collectGarbage(keep: keep, olderThan: .distantFuture, repackBelow: 1, holding: lock, dryRun: false).objectsRemoved, 0)
    }

    /// Every object of the scenario's files (what the two pushes sent).
    private func objectsOnPushed(_ scenario: RemoteScenario) throws -> Set<Digest> {
        scenario.source.reachable(from: scenario.allFiles.map { ($0, "all") }).objects
    }
}

/// Forwards to a backend and runs `action` with the pack's key before the first read of a pack
/// (or before every one), recording which packs were read: a remote that changes under a reader.
final class RacingRemote: RemoteBackend, @unchecked Sendable {  // `action` and `reads` are guarded by `lock`
    private let inner: any RemoteBackend
    private let everyRead: Bool
    private let lock = NSLock()
    private var action: ((String) throws -> Void)?
    private var reads: [String] = []

    init(_ inner: any RemoteBackend, beforeEveryPackRead: Bool, _ action: @escaping (String) throws -> Void) {
        self.inner = inner
        everyRead = beforeEveryPackRead
        self.action = action
    }

    /// The packs read so far, in order.
    var packReads: [String] { lock.withLock { reads } }

    var name: String { inner.name }
    func list(prefix: String) throws -> [RemoteObjectInfo] { try inner.list(prefix: prefix) }
    func stat(_ key: String) throws -> RemoteObjectInfo? { try inner.stat(key) }
    func put(_ key: String, bytes: [UInt8]) throws { try inner.put(key, bytes: bytes) }
    func put(_ key: String, file path: String) throws { try inner.put(key, file: path) }
    func delete(_ key: String) throws { try inner.delete(key) }
    func createExclusively(_ key: String, bytes: [UInt8]) throws -> Bool { try inner.createExclusively(key, bytes: bytes) }

    func get(_ key: String, range: Range<UInt64>?) throws -> [UInt8] {
        if key.hasSuffix(".pack") {
            let pending: ((String) throws -> Void)? = lock.withLock {
                reads.append(key)
                defer { if !everyRead { action = nil } }
                return action
            }
            try pending?(key)
        }
        return try inner.get(key, range: range)
    }
}
