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
}
