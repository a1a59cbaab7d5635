import BlobStore
import Foundation
import XCTest
@testable import Workspace

/// The stat-based shortcuts of `git ml data status`: the stat cache's racy-clean rule and the
/// clean snapshot's file and folder keys.
final class CleanSnapshotTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "clean-snapshot-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/data/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/store", withIntermediateDirectories: true)
        try StoreLayout(root: dir + "/store").create()
        for (name, text) in [("a.csv", "x\n1\n"), ("sub/b.csv", "x\n2\n"), ("sub/c.csv", "x\n3\n")] {
            try text.write(toFile: dir + "/data/" + name, atomically: false, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private let files = ["a.csv", "sub/b.csv", "sub/c.csv"]

    /// A snapshot of `data/`, for a pass that began `after` seconds from now (a pass that began
    /// later than the files' changes by more than the racy window trusts them).
    private func capture(after seconds: Double = 2.5) -> CleanSnapshot? {
        CleanSnapshot.capture(digest: "sha256:d", path: "data", base: dir + "/data", isDirectory: true, files: files,
                              startedAt: StatCache.now() + Int64(seconds * 1e9))
    }

    /// Lets the file system's timestamp tick pass, so that a change gets new times.
    private func tick() { Thread.sleep(forTimeInterval: 0.03) }

    func testStatCacheTrustsOnlyKeysOlderThanThePassByTheRacyWindow() throws {
        let path = dir + "/data/a.csv"
        let layout = StoreLayout(root: dir + "/store")
        let digest = Digest.of(Array("x\n1\n".utf8))
        let written = StatCache.now()
        Thread.sleep(forTimeInterval: 2.3)
        let key = try XCTUnwrap(StatCache.key(of: path))
        // Changed just before a pass began: racily clean, not remembered.
        let racy = StatCache(layout: layout, startedAt: written + 500_000_000)
        racy.remember("data/a.csv", key: key, digest: digest)
        XCTAssertNil(racy.digest(of: "data/a.csv", key: key))
        // Changed while a long pass ran, more than the window before it remembers: a same-tick
        // rewrite after the pass read the bytes keeps the key, so it is still not trusted.
        let long = StatCache(layout: layout, startedAt: written - 100_000_000)
        long.remember("data/a.csv", key: key, digest: digest)
        XCTAssertNil(long.digest(of: "data/a.csv", key: key))
        // Older than the window when the pass began: trusted, saved and loaded again.
        let settled = StatCache(layout: layout)
        settled.remember("data/a.csv", key: key, digest: digest)
        XCTAssertEqual(settled.digest(of: "data/a.csv", key: key), digest)
        settled.save()
        XCTAssertEqual(StatCache(layout: layout).digest(of: "data/a.csv", key: key), digest)
    }

    func testRacySnapshotsAreNotCaptured() {
        XCTAssertNil(CleanSnapshot.capture(digest: "sha256:d", path: "data", base: dir + "/data", isDirectory: true,
                                           files: files, startedAt: StatCache.now()))
        XCTAssertNotNil(capture())
    }

    func testSnapshotRoundTripsAndRefusesDamage() throws {
        let snapshot = try XCTUnwrap(capture())
        let file = dir + "/store/cache/clean-d"
        try Data(snapshot.encode()).write(to: URL(fileURLWithPath: file))
        let loaded = try XCTUnwrap(CleanSnapshot.load(file))
        XCTAssertEqual(loaded.digest, "sha256:d")
        XCTAssertEqual(loaded.path, "data")
        XCTAssertTrue(loaded.isUnchanged(base: dir + "/data", isDirectory: true))
        XCTAssertFalse(loaded.isUnchanged(base: dir + "/data", isDirectory: false))
        for cut in [1, 20, snapshot.encode().count / 2] {
            try Data(snapshot.encode().dropLast(cut)).write(to: URL(fileURLWithPath: file))
            XCTAssertNil(CleanSnapshot.load(file), "truncated by \(cut)")
        }
    }

    func testSnapshotCapturesOnlyTheTreeStatusCompared() throws {
        try "x\n".write(toFile: dir + "/data/sub/extra.csv", atomically: false, encoding: .utf8)
        XCTAssertNil(capture(), "a file status did not compare")
        try FileManager.default.removeItem(atPath: dir + "/data/sub/extra.csv")
        try FileManager.default.removeItem(atPath: dir + "/data/sub/c.csv")
        XCTAssertNil(capture(), "a compared file is gone")
    }

    /// Every change a status must see, each on a fresh snapshot: the folder keys stand in for a
    /// directory listing, so additions anywhere below the data path count.
    func testEveryKindOfChangeBreaksTheSnapshot() throws {
        let changes: [(String, () throws -> Void)] = [
            ("same size, old mtime", {
                let old = try FileManager.default.attributesOfItem(atPath: self.dir + "/data/sub/b.csv")[.modificationDate] as! Date
                try "x\n9\n".write(toFile: self.dir + "/data/sub/b.csv", atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: self.dir + "/data/sub/b.csv")
            }),
            ("new file", { try "y".write(toFile: self.dir + "/data/sub/new.csv", atomically: false, encoding: .utf8) }),
            ("new file in a new folder", {
                try FileManager.default.createDirectory(atPath: self.dir + "/data/sub/deeper", withIntermediateDirectories: false)
                try "y".write(toFile: self.dir + "/data/sub/deeper/new.csv", atomically: false, encoding: .utf8)
            }),
            ("empty folder", { try FileManager.default.createDirectory(atPath: self.dir + "/data/empty", withIntermediateDirectories: false) }),
            ("removed file", { try FileManager.default.removeItem(atPath: self.dir + "/data/a.csv") }),
            ("file replaced by a link to a copy", {
                try "x\n2\n".write(toFile: self.dir + "/copy.csv", atomically: false, encoding: .utf8)
                try FileManager.default.removeItem(atPath: self.dir + "/data/sub/b.csv")
                try FileManager.default.createSymbolicLink(atPath: self.dir + "/data/sub/b.csv", withDestinationPath: self.dir + "/copy.csv")
            }),
            ("folder replaced by a link", {
                try FileManager.default.moveItem(atPath: self.dir + "/data/sub", toPath: self.dir + "/elsewhere")
                try FileManager.default.createSymbolicLink(atPath: self.dir + "/data/sub", withDestinationPath: self.dir + "/elsewhere")
            }),
        ]
        for (label, change) in changes {
            try tearDownWithError()
            try setUpWithError()
            let snapshot = try XCTUnwrap(capture(), label)
            XCTAssertTrue(snapshot.isUnchanged(base: dir + "/data", isDirectory: true), label)
            tick()
            try change()
            XCTAssertFalse(snapshot.isUnchanged(base: dir + "/data", isDirectory: true), label)
        }
    }

    func testSingleFileSnapshot() throws {
        let base = dir + "/data/a.csv"
        XCTAssertNil(CleanSnapshot.capture(digest: "sha256:a", path: "data/a.csv", base: base, isDirectory: false,
                                           files: [""], startedAt: StatCache.now()))
        let snapshot = try XCTUnwrap(CleanSnapshot.capture(digest: "sha256:a", path: "data/a.csv", base: base, isDirectory: false,
                                                           files: [""], startedAt: StatCache.now() + 2_500_000_000))
        XCTAssertTrue(snapshot.isUnchanged(base: base, isDirectory: false))
        XCTAssertFalse(snapshot.isUnchanged(base: base, isDirectory: true))
        tick()
        try "x\n7\n".write(toFile: base, atomically: false, encoding: .utf8)
        XCTAssertFalse(snapshot.isUnchanged(base: base, isDirectory: false))
    }
}
