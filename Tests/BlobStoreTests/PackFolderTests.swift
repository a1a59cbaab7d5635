import Foundation
import XCTest
@testable import BlobStore

/// The pack folder's record: a store knows the packs GitML sealed without listing the folder, a
/// pack put there any other way is found, and a record that is damaged or stale is never trusted.
final class PackFolderTests: XCTestCase {
    /// `count` packs of small objects; returns every object's digest and bytes.
    private static func fill(_ store: ObjectStore, packs count: Int, seed: UInt64 = 1) throws -> [Digest: [UInt8]] {
        var objects: [Digest: [UInt8]] = [:]
        for p in 0..<count {
            for k in 0..<2 {
                let bytes = Array("pack \(p) object \(k) seed \(seed) ".utf8) + csvLikeBytes(rows: 10 + k, seed: seed &* 1000 &+ UInt64(p * 2 + k))
                objects[try store.put(bytes)] = bytes
            }
            try store.flush()
        }
        return objects
    }

    /// Copies the packs of a store made elsewhere into `layout`'s folder, as a user or another
    /// tool would (without GitML's lock); returns their objects.
    private func copyPacksIn(to layout: StoreLayout, seed: UInt64) throws -> [Digest: [UInt8]] {
        let elsewhere = TemporaryDirectory()
        let other = StoreLayout(root: elsewhere.path + "/ml")
        let objects = try Self.fill(try ObjectStore(layout: other), packs: 1, seed: seed)
        for name in try FileManager.default.contentsOfDirectory(atPath: other.packs) where name.hasPrefix("pack-") {
            try FileManager.default.copyItem(atPath: other.packs + "/" + name, toPath: layout.packs + "/" + name)
        }
        return objects
    }

    private func record(_ layout: StoreLayout) throws -> PackFolderRecord {
        try XCTUnwrap(PackFolderRecord(decoding: try FileIO.readAll(layout.cache + "/pack-folder")))
    }

    func testAStoreKnowsThePacksGitMLSealedWithoutListingTheFolder() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let objects = try Self.fill(try ObjectStore(layout: layout), packs: 3)
        let reopened = try ObjectStore(layout: layout)
        XCTAssertFalse(reopened.loadReport.packFolderListed)
        for (digest, bytes) in objects { XCTAssertEqual(try reopened.read(digest), bytes) }
        let folder = try PackFolder(layout: layout)
        XCTAssertEqual(try record(layout).packs, folder.list())
        XCTAssertEqual(try record(layout).stamp, folder.stamp())
        XCTAssertEqual(folder.list().count, 3)
    }

    func testAPackCopiedInByHandIsFound() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        var objects = try Self.fill(try ObjectStore(layout: layout), packs: 2)
        objects.merge(try copyPacksIn(to: layout, seed: 2)) { a, _ in a }
        let reopened = try ObjectStore(layout: layout)
        XCTAssertTrue(reopened.loadReport.packFolderListed, "the folder changed behind the record: listed")
        for (digest, bytes) in objects { XCTAssertEqual(try reopened.read(digest), bytes) }
        XCTAssertEqual(try record(layout).packs.count, 3, "the listing is recorded")
        XCTAssertFalse(try ObjectStore(layout: layout).loadReport.packFolderListed)
    }

    /// A change made without the lock in the same timestamp tick as a GitML change leaves the
    /// record's stamp right and its packs wrong; reads still find the objects, and fsck checks
    /// every pack.
    func testAnObjectOfAPackTheRecordMissesIsStillReadAndChecked() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        _ = try Self.fill(try ObjectStore(layout: layout), packs: 2)
        let stale = try record(layout).packs
        let copied = try copyPacksIn(to: layout, seed: 2)
        let folder = try PackFolder(layout: layout)
        let forged = PackFolderRecord(stamp: try XCTUnwrap(folder.stamp()), packs: stale)
        try FileIO.writeAtomically(forged.encoded(), to: layout.cache + "/pack-folder", temporaryDirectory: layout.tmp)

        let store = try ObjectStore(layout: layout)
        XCTAssertFalse(store.loadReport.packFolderListed)
        let (digest, bytes) = try XCTUnwrap(copied.first)
        XCTAssertFalse(store.contains(digest), "the record is trusted for lookups")
        XCTAssertEqual(try store.read(digest), bytes, "a read that misses lists the folder once")
        XCTAssertTrue(store.contains(digest))
        XCTAssertEqual(try record(layout).packs.count, 3, "and records what it found")

        // The folder changes again, with the same kind of miss: the read lists it again.
        let more = try copyPacksIn(to: layout, seed: 3)
        let again = PackFolderRecord(stamp: try XCTUnwrap(folder.stamp()), packs: try record(layout).packs)
        try FileIO.writeAtomically(again.encoded(), to: layout.cache + "/pack-folder", temporaryDirectory: layout.tmp)
        let (other, otherBytes) = try XCTUnwrap(more.first)
        XCTAssertEqual(try store.read(other), otherBytes)

        try FileIO.writeAtomically(forged.encoded(), to: layout.cache + "/pack-folder", temporaryDirectory: layout.tmp)
        let check = try ObjectStore(layout: layout).check()
        XCTAssertEqual(check.packs, 4)
        XCTAssertEqual(check.problems, [])
    }

    /// Threads whose reads miss while one of them lists the folder wait for that listing.
    func testReadsMissingOnManyThreadsAtOnceAllFindTheirObjects() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        _ = try Self.fill(try ObjectStore(layout: layout), packs: 2)
        let stale = try record(layout).packs
        let elsewhere = TemporaryDirectory()
        let other = StoreLayout(root: elsewhere.path + "/ml")
        let otherStore = try ObjectStore(layout: other)
        var copied: [Digest: [UInt8]] = [:]
        for k in 0..<64 {
            let bytes = Array("object \(k) ".utf8) + csvLikeBytes(rows: 8, seed: UInt64(500 + k))
            copied[try otherStore.put(bytes)] = bytes
        }
        try otherStore.flush()
        for name in try FileManager.default.contentsOfDirectory(atPath: other.packs) where name.hasPrefix("pack-") {
            try FileManager.default.copyItem(atPath: other.packs + "/" + name, toPath: layout.packs + "/" + name)
        }
        let forged = PackFolderRecord(stamp: try XCTUnwrap(try PackFolder(layout: layout).stamp()), packs: stale)
        try FileIO.writeAtomically(forged.encoded(), to: layout.cache + "/pack-folder", temporaryDirectory: layout.tmp)

        let store = try ObjectStore(layout: layout)
        let objects = Array(copied)
        let failures = FirstError()
        DispatchQueue.concurrentPerform(iterations: objects.count) { i in
            do {
                if try store.read(objects[i].key) != objects[i].value { failures.record(StoreError.missingObject(objects[i].key)) }
            } catch { failures.record(error) }
        }
        try failures.rethrow()
    }

    /// Two changes within one timestamp tick leave the folder's stamp as it was: a process that
    /// saw the first must still read the record the second wrote.
    func testASecondChangeUnderTheSameStampIsSeen() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        _ = try Self.fill(try ObjectStore(layout: layout), packs: 2)
        let before = try PackFolder(layout: layout).list()
        _ = try copyPacksIn(to: layout, seed: 2)
        let folder = try PackFolder(layout: layout)
        let all = folder.list()
        let stamp = try XCTUnwrap(folder.stamp())
        try FileIO.writeAtomically(PackFolderRecord(stamp: stamp, packs: before).encoded(), to: layout.cache + "/pack-folder",
                                   temporaryDirectory: layout.tmp)
        XCTAssertEqual(folder.refresh()?.checksums, before)
        try FileIO.writeAtomically(PackFolderRecord(stamp: stamp, packs: all).encoded(), to: layout.cache + "/pack-folder",
                                   temporaryDirectory: layout.tmp)
        XCTAssertEqual(folder.refresh()?.checksums, all)
    }

    func testADamagedRecordIsIgnoredAndRewritten() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let objects = try Self.fill(try ObjectStore(layout: layout), packs: 2)
        let path = layout.cache + "/pack-folder"
        var bytes = try FileIO.readAll(path)
        bytes[bytes.count - 40] ^= 1
        try FileIO.writeAtomically(bytes, to: path, temporaryDirectory: layout.tmp)
        XCTAssertNil(PackFolderRecord(decoding: bytes))

        let reopened = try ObjectStore(layout: layout)
        XCTAssertTrue(reopened.loadReport.packFolderListed)
        for (digest, value) in objects { XCTAssertEqual(try reopened.read(digest), value) }
        XCTAssertEqual(try record(layout).packs, try PackFolder(layout: layout).list())
    }

    /// Processes sealing packs at once each change the folder under the lock: the record names
    /// every pack.
    func testWritersSealingAtOnceLeaveARecordOfEveryPack() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        _ = try ObjectStore(layout: layout)
        let failures = FirstError()
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            do { _ = try PackFolderTests.fill(try ObjectStore(layout: layout), packs: 12, seed: UInt64(writer + 10)) } catch { failures.record(error) }
        }
        try failures.rethrow()
        let folder = try PackFolder(layout: layout)
        XCTAssertEqual(folder.list().count, 48)
        XCTAssertEqual(try record(layout).stamp, folder.stamp())
        XCTAssertEqual(try record(layout).packs, folder.list())
    }

    func testARecordRoundTripsAndAnythingElseIsRefused() throws {
        let packs = (0..<5).map { Digest.of(Array("pack \($0)".utf8)) }.sorted()
        let record = PackFolderRecord(stamp: StatCache.Key(size: 4096, mtime: -1, ctime: 1_700_000_000_123_456_789, inode: 77), packs: packs)
        let bytes = record.encoded()
        XCTAssertEqual(bytes.count, PackFolderRecord.headerSize + 5 * 32 + 32)
        XCTAssertEqual(PackFolderRecord(decoding: bytes), record)
        XCTAssertNil(PackFolderRecord(decoding: Array(bytes.dropLast())), "truncated")
        var newer = bytes
        newer[8] = 2
        newer.replaceSubrange((newer.count - 32)..., with: Digest.of(newer[..<(newer.count - 32)]).bytes)
        XCTAssertNil(PackFolderRecord(decoding: newer), "another version")
        let unsorted = PackFolderRecord(stamp: record.stamp, packs: packs.reversed()).encoded()
        XCTAssertNil(PackFolderRecord(decoding: unsorted), "packs out of order")
    }
}
