import Foundation
import XCTest
@testable import BlobStore

/// Holds on a remote (`RemoteHold`): what remote GC reads to keep the files of a job in flight.
final class RemoteHoldTests: XCTestCase {
    func remote() throws -> DirectoryRemote {
        let root = NSTemporaryDirectory() + "gitml-hold-" + UUID().uuidString
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        return try DirectoryRemote(name: "r", root: root)
    }

    func file(_ byte: UInt8) -> StoredFile {
        StoredFile(digest: Digest(bytes: [UInt8](repeating: byte, count: Digest.byteCount)), size: 1, manifest: nil)
    }

    /// A hold reads back with its holder and files, grows before an upload, is live while its
    /// process runs, and is gone once released.
    func testAHoldNamesItsFilesUntilReleased() throws {
        let remote = try remote()
        let hold = try RemoteHold(on: remote, holder: "Ada cluster tasks", files: [file(1)], refreshEvery: nil)
        try hold.add([file(1), file(2)])
        let read = try XCTUnwrap(try RemoteHold.held(on: remote).first)
        XCTAssertEqual(read.files, [file(1), file(2)])
        XCTAssertEqual(read.info.holder, "Ada cluster tasks")
        XCTAssertEqual(read.info.pid, getpid())
        XCTAssertFalse(read.info.isStale(), "its process runs")
        try hold.release()
        XCTAssertTrue(try RemoteHold.held(on: remote).isEmpty)
    }

    /// A hold not rewritten for `RemoteLock.staleAfter`, or written here by a process that is
    /// gone, is stale; one GitML cannot read stops the reader, naming its key.
    func testAnOldOrOrphanedHoldIsStaleAndAnUnreadableOneIsAnError() throws {
        let remote = try remote()
        let hold = try RemoteHold(on: remote, holder: "Ada cluster tasks", files: [file(1)], refreshEvery: nil)
        let read = try XCTUnwrap(try RemoteHold.held(on: remote).first)
        XCTAssertTrue(read.info.isStale(now: Date().addingTimeInterval(RemoteLock.staleAfter + 60)))
        let orphan = RemoteLockInfo(key: read.info.key, holder: read.info.holder, host: RemoteLock.localHost, pid: Int32.max - 1,
                                    time: Date(), id: read.info.id)
        XCTAssertTrue(orphan.isStale(), "written on this host by a process that is gone")
        try hold.release()

        try remote.put(RemoteLayout.holdsPrefix + "junk", bytes: Array("not json".utf8))
        XCTAssertThrowsError(try RemoteHold.held(on: remote)) { XCTAssertTrue("\($0)".contains("holds/junk"), "\($0)") }
    }

    /// A lock object and a hold object keep the bytes earlier releases wrote (docs/FORMAT.md,
    /// "Blob remotes"), and read back as written: golden JSON written by main's code.
    func testLockAndHoldObjectsKeepTheirBytes() throws {
        let time = try XCTUnwrap(RemoteLockInfo.formatter.date(from: "2026-11-30T12:00:00Z"))
        func info(_ key: String) -> RemoteLockInfo {
            RemoteLockInfo(key: key, holder: "Ada <ada@example.com> gc", host: "build-7", pid: 4242, time: time, id: "9f3a")
        }
        let fields = #""format_version":1,"holder":"Ada <ada@example.com> gc","host":"build-7","id":"9f3a","pid":4242,"time":"2026-11-30T12:00:00Z""#
        let lock = info("locks/gc"), lockJSON = "{" + fields + "}"
        XCTAssertEqual(String(decoding: lock.encoded(), as: UTF8.self), lockJSON)
        XCTAssertEqual(RemoteLockInfo.decode(key: "locks/gc", bytes: Array(lockJSON.utf8), modified: nil), lock)

        let chunked = StoredFile(digest: file(2).digest, size: 70_000_000, manifest: file(3).digest)
        let hold = RemoteHold.Held(info: info("holds/9f3a"), files: [file(1), chunked])
        let hex = { (byte: String) in "sha256:" + String(repeating: byte, count: 32) }
        let files = #""files":[{"digest":"\#(hex("01"))","size":1},{"digest":"\#(hex("02"))","manifest":"\#(hex("03"))","size":70000000}]"#
        let holdJSON = "{" + files + "," + fields + "}"
        XCTAssertEqual(String(decoding: hold.encoded(), as: UTF8.self), holdJSON)
        let read = try XCTUnwrap(RemoteHold.Held.decode(key: "holds/9f3a", bytes: Array(holdJSON.utf8)))
        XCTAssertEqual(read.info, hold.info)
        XCTAssertEqual(read.files, hold.files)
    }

    /// A handed-over hold (a cluster node's outputs, released by the driver) names no process, so
    /// its writer's exit does not make it stale; it goes stale by age, and `release(id:on:)`
    /// deletes it (one already gone is no error).
    func testAHandedOverHoldOutlivesItsWriterUntilReleasedOrOld() throws {
        let remote = try remote()
        try RemoteHold.handOver([file(4)], on: remote, id: "outputs-ab", holder: "node outputs")
        let read = try XCTUnwrap(try RemoteHold.held(on: remote).first)
        XCTAssertEqual(read.info.key, "holds/outputs-ab")
        XCTAssertEqual(read.files, [file(4)])
        XCTAssertNil(read.info.pid, "no process whose exit would make it stale")
        XCTAssertFalse(read.info.isStale())
        XCTAssertTrue(read.info.isStale(now: Date().addingTimeInterval(RemoteLock.staleAfter + 60)))
        try RemoteHold.release(id: "outputs-ab", on: remote)
        try RemoteHold.release(id: "outputs-ab", on: remote)
        XCTAssertTrue(try RemoteHold.held(on: remote).isEmpty)
    }
}
