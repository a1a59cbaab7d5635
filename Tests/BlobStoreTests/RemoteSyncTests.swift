import XCTest
@testable import BlobStore

/// Two stores and a few files (a multi-chunk file, its edited next version stored as deltas,
/// a small file, an empty file) for push/pull checks against any backend.
final class RemoteScenario {
    let dir = TemporaryDirectory()
    let source: ObjectStore
    let files: [(file: StoredFile, bytes: [UInt8])]
    /// Chunks of the second version stored as deltas (so pulls must fetch bases first).
    let deltaChunks: Int
    private var clones = 0

    init() throws {
        source = try ObjectStore(layout: StoreLayout(root: dir.path + "/a/ml"))
        let v1 = csvLikeBytes(rows: 40_000, seed: 11)
        var v2 = v1
        for i in stride(from: 500, to: v2.count, by: 70_000) { v2[i] = UInt8(ascii: "#") }
        var stored: [(StoredFile, [UInt8])] = []
        var previous: ChunkList?
        var deltas = 0
        for (index, bytes) in [v1, v2, Array("id,label\n1,cat\n".utf8), []].enumerated() {
            write(bytes, to: "\(dir.path)/f\(index)")
            let (file, stats) = try source.ingest(path: "\(dir.path)/f\(index)", previous: index == 1 ? previous : nil)
            deltas += stats.deltaChunks
            if index == 0 { previous = try source.chunkList(of: file) }
            stored.append((file, bytes))
        }
        try source.flush()
        files = stored
        deltaChunks = deltas
    }

    /// A new empty store (another clone).
    func emptyStore() throws -> ObjectStore {
        clones += 1
        return try ObjectStore(layout: StoreLayout(root: "\(dir.path)/clone\(clones)/ml"))
    }

    /// Restores every file from `store` and checks its bytes.
    func assertIdentical(_ store: ObjectStore, _ which: [Int]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        for i in which ?? Array(files.indices) {
            let out = "\(dir.path)/restored-\(clones)-\(i)"
            try store.restore(files[i].file, to: out)
            XCTAssertEqual(try FileIO.readAll(out), files[i].bytes, "file \(i)", file: file, line: line)
        }
    }

    var allFiles: [StoredFile] { files.map(\.file) }

    // MARK: Checks shared by every backend

    func checkRoundTrip(_ remote: any RemoteBackend) throws {
        XCTAssertGreaterThan(deltaChunks, 5)
        var wholePacks = RemoteSync(store: source, remote: remote)
        wholePacks.wholePackMinimum = 0
        let pushed = try wholePacks.push(allFiles)
        XCTAssertGreaterThan(pushed.objectsNeeded, 20)
        XCTAssertEqual(pushed.objectsUploaded, pushed.objectsNeeded)
        XCTAssertEqual(pushed.packsUploaded, 1)
        // Packed: one pack and its index, never one key per object.
        XCTAssertEqual(try remote.list(prefix: "packs/").map(\.key).filter { !$0.hasPrefix("packs/pack-") }, [])
        XCTAssertEqual(try remote.list(prefix: "packs/").count, 2)
        // The remote lacked every object of the local pack: it went up as it is (same name and bytes).
        let local = try FileManager.default.contentsOfDirectory(atPath: source.layout.packs).sorted()
        XCTAssertEqual(try remote.list(prefix: "packs/").map(\.key).sorted(), local.map { "packs/" + $0 })
        for name in local {
            XCTAssertEqual(try remote.get("packs/" + name, range: nil), try FileIO.readAll(source.layout.packs + "/" + name))
        }
        XCTAssertEqual(try RemoteSync(store: source, remote: remote).push(allFiles).objectsUploaded, 0)

        let clone = try emptyStore()
        let pulled = try RemoteSync(store: clone, remote: remote).pull(allFiles)
        XCTAssertEqual(pulled.objectsFetched, pushed.objectsNeeded)
        XCTAssertEqual(pulled.indexesDownloaded, 1)
        try assertIdentical(clone)
        XCTAssertEqual(try RemoteSync(store: clone, remote: remote).pull(allFiles).objectsFetched, 0)
    }

    func checkIncrementalTransfers(_ remote: any RemoteBackend) throws {
        let sync = RemoteSync(store: source, remote: remote)
        let dryRun = try sync.plan([files[0].file])
        XCTAssertEqual(dryRun.objectsLacking, dryRun.objectsNeeded)
        XCTAssertGreaterThan(dryRun.storedBytesLacking, 0)
        XCTAssertEqual(try remote.list(prefix: "packs/"), [], "planning uploads nothing")
        let first = try sync.push([files[0].file])
        XCTAssertEqual(try sync.plan([files[0].file]).objectsLacking, 0)
        let second = try sync.push([files[0].file, files[1].file])
        XCTAssertGreaterThan(second.objectsUploaded, 0)
        XCTAssertEqual(second.objectsUploaded, second.objectsNeeded - first.objectsNeeded)
        XCTAssertEqual(second.packsUploaded, 1)

        let clone = try emptyStore()
        let cloneSync = RemoteSync(store: clone, remote: remote)
        let a = try cloneSync.pull([files[0].file])
        let b = try cloneSync.pull([files[1].file])
        XCTAssertEqual(a.objectsFetched, first.objectsNeeded)
        XCTAssertEqual(b.objectsFetched, second.objectsUploaded)
        try assertIdentical(clone, [0, 1])
        XCTAssertThrowsError(try cloneSync.pull([files[2].file])) { error in
            guard case RemoteError.missingOnRemote(_, let objects) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(objects, [self.files[2].file.digest])
        }
    }

    func checkCorruptionIsDetected(_ remote: any RemoteBackend) throws {
        try RemoteSync(store: source, remote: remote).push(allFiles)
        let packKey = try XCTUnwrap(try remote.list(prefix: "packs/").map(\.key).first { $0.hasSuffix(".pack") })
        var bytes = try remote.get(packKey, range: nil)
        bytes[PackFormat.headerSize + PackFormat.entryHeaderSize + 3] ^= 0x40  // inside the first frame
        try remote.put(packKey, bytes: bytes)
        let clone = try emptyStore()
        XCTAssertThrowsError(try RemoteSync(store: clone, remote: remote).pull(allFiles)) { error in
            guard case RemoteError.corruptObject(_, let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, packKey)
        }
    }

    /// A remote's index whose entry lies past the end of any pack (a forged or damaged index) is
    /// refused by name before any range is computed from it.
    func checkImpossibleIndexEntryIsRefused(_ remote: any RemoteBackend) throws {
        try RemoteSync(store: source, remote: remote).push(allFiles)
        let indexKey = try XCTUnwrap(try remote.list(prefix: "packs/").map(\.key).first { $0.hasSuffix(".idx") })
        var bytes = try remote.get(indexKey, range: nil)
        let offsets = PackFormat.headerSize + PackFormat.fanoutSize + 32
        let count = (bytes.count - PackFormat.headerSize - PackFormat.fanoutSize - 32) / PackFormat.indexEntrySize
        for entry in 0..<count {
            bytes.replaceSubrange((offsets + entry * PackFormat.indexEntrySize)..<(offsets + entry * PackFormat.indexEntrySize + 8),
                                  with: [UInt8](repeating: 0xFF, count: 8))
        }
        // A forger recomputes the index's checksum.
        let checksum = Digest.of(Array(bytes[..<(bytes.count - 32)]))
        bytes.withUnsafeMutableBytes { checksum.write(to: $0.baseAddress! + $0.count - 32) }
        try remote.put(indexKey, bytes: bytes)
        let clone = try emptyStore()
        XCTAssertThrowsError(try RemoteSync(store: clone, remote: remote).pull(allFiles)) { error in
            guard case RemoteError.corruptObject(_, let key, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, indexKey)
            XCTAssertTrue(detail.contains("past the end of any pack"), detail)
        }
    }

    func checkInterruptedPushResumes(_ remote: any RemoteBackend) throws {
        let sync = RemoteSync(store: source, remote: remote)
        let full = try sync.push(allFiles)
        let keys = try remote.list(prefix: "packs/")
        let index = try XCTUnwrap(keys.first { $0.key.hasSuffix(".idx") })
        let pack = try XCTUnwrap(keys.first { $0.key.hasSuffix(".pack") })

        // Interrupted after the pack went up, before its index: only the index is sent again.
        try remote.delete(index.key)
        let resumed = try sync.push(allFiles)
        XCTAssertEqual(resumed.packsResumed, 1)
        XCTAssertEqual(resumed.packsUploaded, 0)
        XCTAssertEqual(resumed.bytesUploaded, index.size)
        XCTAssertEqual(resumed.objectsUploaded, full.objectsUploaded)

        // Interrupted in the middle of the pack (a store without atomic puts): the pack is sent again.
        try remote.delete(index.key)
        try remote.put(pack.key, bytes: Array(try remote.get(pack.key, range: 0..<(pack.size / 2))))
        let again = try sync.push(allFiles)
        XCTAssertEqual(again.packsUploaded, 1)
        XCTAssertEqual(again.bytesUploaded, pack.size + index.size)

        let clone = try emptyStore()
        try RemoteSync(store: clone, remote: remote).pull(allFiles)
        try assertIdentical(clone)
    }

    /// Two clients push different files to one remote at the same time; a third pulls both.
    func checkConcurrentPushes(_ remote: any RemoteBackend) throws {
        let other = try emptyStore()
        write(csvLikeBytes(rows: 20_000, seed: 12), to: dir.path + "/other")
        let (otherFile, _) = try other.ingest(path: dir.path + "/other")
        try other.flush()
        let pushes: [(ObjectStore, [StoredFile])] = [(source, allFiles), (other, [otherFile])]
        let failures = Tally([String]())
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do { try RemoteSync(store: pushes[i].0, remote: remote).push(pushes[i].1) } catch {
                failures.update { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.value, [])
        let clone = try emptyStore()
        let meter = Tally([(UInt64, UInt64)]())
        var sync = RemoteSync(store: clone, remote: remote)
        sync.progress = { done, planned in meter.update { $0.append((done, planned)) } }
        let pulled = try sync.pull(allFiles + [otherFile])
        try assertIdentical(clone)
        try clone.restore(otherFile, to: dir.path + "/other-restored")
        XCTAssertEqual(try FileIO.readAll(dir.path + "/other-restored"), csvLikeBytes(rows: 20_000, seed: 12))
        let last = try XCTUnwrap(meter.value.last)
        XCTAssertEqual(last.0, last.1)
        XCTAssertEqual(last.0, pulled.bytesDownloaded)
    }

    func checkLock(_ remote: any RemoteBackend) throws {
        let gc = try RemoteLock.acquire(remote, kind: .exclusive, holder: "ada gc", refreshEvery: nil)
        for kind in [RemoteLock.Kind.exclusive, .shared] {
            XCTAssertThrowsError(try RemoteLock.acquire(remote, kind: kind, holder: "bob push")) { error in
                XCTAssertEqual(error as? RemoteError, .locked(remote: remote.name, lock: gc.info, stale: false))
                XCTAssertTrue("\(error)".contains("locked by ada gc on \(RemoteLock.localHost) (pid \(getpid())) since "),
                              "\(error)")
            }
        }
        try gc.release()
        let pushA = try RemoteLock.acquire(remote, kind: .shared, holder: "bob push", refreshEvery: nil)
        let pushB = try RemoteLock.acquire(remote, kind: .shared, holder: "eve push", refreshEvery: nil)
        try pushA.release()
        XCTAssertThrowsError(try RemoteLock.acquire(remote, kind: .exclusive, holder: "ada gc")) { error in
            XCTAssertEqual(error as? RemoteError, .locked(remote: remote.name, lock: pushB.info, stale: false))
        }
        XCTAssertNil(try remote.stat(RemoteLayout.gcLockKey), "a GC that backs off leaves no lock behind")
        try pushB.release()
        try RemoteLock.acquire(remote, kind: .exclusive, holder: "ada gc").release()
        XCTAssertEqual(try remote.list(prefix: "locks/"), [])
    }

    /// A lock left by a crashed client: the error names it as stale with its holder; only stale
    /// locks are removed (restic's unlock), after which the lock can be taken again.
    func checkStaleLockIsBrokenOnlyWhenStale(_ remote: any RemoteBackend) throws {
        let crashed = try RemoteLock.acquire(remote, kind: .exclusive, holder: "ada gc", refreshEvery: nil)
        let later = Date().addingTimeInterval(RemoteLock.staleAfter + 60)
        XCTAssertEqual(try RemoteLock.removeStale(on: remote), [], "a fresh lock stays")
        XCTAssertEqual(try RemoteLock.held(on: remote), [crashed.info])
        XCTAssertFalse(crashed.info.isStale(now: Date()))
        XCTAssertTrue(crashed.info.isStale(now: later))

        // A refreshed lock is fresh again; a lock that is no longer this holder's is left alone.
        XCTAssertTrue(try crashed.refresh())
        let refreshed = try XCTUnwrap(try RemoteLock.held(on: remote).first)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(refreshed.time), try XCTUnwrap(crashed.info.time))
        XCTAssertEqual(try RemoteLock.removeStale(on: remote, now: later).map(\.key), [RemoteLayout.gcLockKey])
        XCTAssertFalse(try crashed.refresh(), "a broken lock is not rewritten by its old holder")
        XCTAssertEqual(try remote.list(prefix: "locks/"), [])

        // A lock of a process on this host that no longer exists is stale at once; so is an old
        // plain-text lock whose object is older than the stale time (the backend's time).
        let now = ISO8601DateFormatter().string(from: Date())
        let deadJSON = #"{"format_version":1,"holder":"bob gc","host":""# + RemoteLock.localHost
            + #"","id":"1","pid":2147483000,"time":""# + now + #""}"#
        let dead = RemoteLockInfo.decode(key: RemoteLayout.gcLockKey, bytes: Array(deadJSON.utf8), modified: nil)
        XCTAssertEqual(dead.holder, "bob gc")
        XCTAssertEqual(dead.pid, 2147483000)
        XCTAssertTrue(dead.isStale())
        XCTAssertFalse(dead.isStale(localHost: "elsewhere"), "another host's process cannot be checked")
        try remote.put(RemoteLayout.gcLockKey, bytes: dead.encoded())
        XCTAssertThrowsError(try RemoteLock.acquire(remote, kind: .shared, holder: "eve push")) { error in
            XCTAssertEqual(error as? RemoteError, .locked(remote: remote.name, lock: dead, stale: true))
            XCTAssertTrue("\(error)".contains("git ml gc --remote \(remote.name) --break-lock"), "\(error)")
        }
        XCTAssertEqual(try RemoteLock.removeStale(on: remote), [dead])
        let legacy = RemoteLockInfo.decode(key: "locks/shared-1", bytes: Array("ada@host1 push at 10:00".utf8),
                                           modified: Date().addingTimeInterval(-2 * RemoteLock.staleAfter))
        XCTAssertEqual(legacy.holder, "ada@host1 push at 10:00")
        XCTAssertTrue(legacy.isStale())
        try RemoteLock.acquire(remote, kind: .exclusive, holder: "eve gc").release()
    }
}

final class RemoteSyncTests: XCTestCase {
    private func directoryRemote(_ scenario: RemoteScenario) throws -> DirectoryRemote {
        try DirectoryRemote(name: "shared", root: scenario.dir.path + "/remote")
    }

    func testDirectoryRoundTripGivesIdenticalBytes() throws {
        let scenario = try RemoteScenario()
        try scenario.checkRoundTrip(try directoryRemote(scenario))
    }

    func testDirectoryTransfersOnlyWhatIsMissing() throws {
        let scenario = try RemoteScenario()
        try scenario.checkIncrementalTransfers(try directoryRemote(scenario))
    }

    func testDirectoryCorruptedRemoteObjectIsDetectedOnPull() throws {
        let scenario = try RemoteScenario()
        try scenario.checkCorruptionIsDetected(try directoryRemote(scenario))
    }

    func testDirectoryImpossibleIndexEntryIsRefusedOnPull() throws {
        let scenario = try RemoteScenario()
        try scenario.checkImpossibleIndexEntryIsRefused(try directoryRemote(scenario))
    }

    func testDirectoryInterruptedPushResumes() throws {
        let scenario = try RemoteScenario()
        try scenario.checkInterruptedPushResumes(try directoryRemote(scenario))
    }

    func testDirectoryConcurrentPushesLoseNothing() throws {
        let scenario = try RemoteScenario()
        try scenario.checkConcurrentPushes(try directoryRemote(scenario))
    }

    func testDirectoryLockIsExclusive() throws {
        let scenario = try RemoteScenario()
        try scenario.checkLock(try directoryRemote(scenario))
    }

    func testDirectoryStaleLockIsBrokenOnlyWhenStale() throws {
        let scenario = try RemoteScenario()
        try scenario.checkStaleLockIsBrokenOnlyWhenStale(try directoryRemote(scenario))
    }

    func testAHeldLockIsRefreshedUntilItIsReleased() throws {
        let scenario = try RemoteScenario()
        let remote = try directoryRemote(scenario)
        let lock = try RemoteLock.acquire(remote, kind: .shared, holder: "ada push", refreshEvery: 0.05)
        let written = try XCTUnwrap(lock.info.time)
        var refreshed: Date?
        for _ in 0..<100 where refreshed == nil {  // lock times have whole seconds
            Thread.sleep(forTimeInterval: 0.05)
            refreshed = try RemoteLock.held(on: remote).first.flatMap(\.time).flatMap { $0 > written ? $0 : nil }
        }
        XCTAssertNotNil(refreshed, "the holder rewrote its lock with a later time")
        try lock.release()
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(try remote.list(prefix: "locks/"), [], "no refresh brings a released lock back")
    }

    func testPushRemovesStagingLeftByADeadPushOnly() throws {
        let scenario = try RemoteScenario()
        let tmp = scenario.source.layout.tmp
        for name in ["push-1-dead", "push-2-running"] {
            try FileManager.default.createDirectory(atPath: "\(tmp)/\(name)/packs", withIntermediateDirectories: true)
        }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)],
                                              ofItemAtPath: "\(tmp)/push-1-dead")
        try RemoteSync(store: scenario.source, remote: try directoryRemote(scenario)).push(scenario.allFiles)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), ["push-2-running"])
    }

    func testPushRefusesFilesTheStoreDoesNotHold() throws {
        let scenario = try RemoteScenario()
        let absent = StoredFile(digest: Digest.of(Array("nowhere".utf8)), size: 7, manifest: nil)
        XCTAssertThrowsError(try RemoteSync(store: scenario.source, remote: try directoryRemote(scenario)).push([absent])) {
            XCTAssertEqual($0 as? RemoteError, .missingLocally(objects: [absent.digest]))
        }
    }

    func testRemoteSpecOpensDirectoriesAndRejectsUnknownSchemes() throws {
        let dir = TemporaryDirectory()
        let byURL = try RemoteSpec(name: "n", url: "file://\(dir.path)/r1").open(environment: [:])
        XCTAssertEqual((byURL as? DirectoryRemote)?.root, dir.path + "/r1")
        let relative = try RemoteSpec(name: "n", url: "r2/../r3").open(environment: [:], workingDirectory: dir.path)
        XCTAssertEqual((relative as? DirectoryRemote)?.root, dir.path + "/r3")
        XCTAssertThrowsError(try RemoteSpec(name: "n", url: "ftp://x/y").open(environment: [:]))
        let nothingConfigured = ["HOME": dir.path, "AWS_EC2_METADATA_DISABLED": "true"]
        XCTAssertThrowsError(try RemoteSpec(name: "team", url: "s3://bucket/p").open(environment: nothingConfigured)) {
            XCTAssertEqual($0 as? RemoteError, .missingCredentials(remote: "team"))
        }
    }
}
