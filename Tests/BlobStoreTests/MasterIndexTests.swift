import Foundation
import XCTest
@testable import BlobStore

/// The master index: one multi-pack index read instead of every pack's index, checked before
/// use and rewritten when damaged or stale; consolidation of small packs; pack descriptors kept
/// under a limit.
final class MasterIndexTests: XCTestCase {
    /// `count` packs of `perPack` small objects each; returns every object's digest and bytes.
    private func fill(_ store: ObjectStore, packs count: Int, perPack: Int = 3, seed: UInt64 = 1) throws -> [Digest: [UInt8]] {
        var objects: [Digest: [UInt8]] = [:]
        for p in 0..<count {
            for k in 0..<perPack {
                let bytes = Array("pack \(p) object \(k) seed \(seed) ".utf8) + csvLikeBytes(rows: 20 + k, seed: seed &* 1000 &+ UInt64(p * perPack + k))
                objects[try store.put(bytes)] = bytes
            }
            try store.flush()
        }
        return objects
    }

    private func assertReadable(_ objects: [Digest: [UInt8]], in store: ObjectStore, file: StaticString = #filePath, line: UInt = #line) throws {
        for (digest, bytes) in objects { XCTAssertEqual(try store.read(digest), bytes, file: file, line: line) }
    }

    func testManyPacksAreReadThroughOneMultiPackIndexAfterTheFirstOpen() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let objects = try fill(try ObjectStore(layout: layout), packs: 20)

        let first = try ObjectStore(layout: layout)
        XCTAssertEqual(first.loadReport, IndexLoadReport(indexesOpened: 20, multiPackIndexUsed: false, multiPackIndexWritten: true))
        XCTAssertTrue(FileManager.default.fileExists(atPath: layout.packs + "/multi-pack-index"))
        try assertReadable(objects, in: first)

        let second = try ObjectStore(layout: layout)
        XCTAssertEqual(second.loadReport, IndexLoadReport(indexesOpened: 0, multiPackIndexUsed: true, multiPackIndexWritten: false))
        try assertReadable(objects, in: second)

        // Packs sealed later are loose until more than eight are outside the file.
        let more = try fill(second, packs: 3, seed: 2)
        let third = try ObjectStore(layout: layout)
        XCTAssertEqual(third.loadReport, IndexLoadReport(indexesOpened: 3, multiPackIndexUsed: true, multiPackIndexWritten: false))
        try assertReadable(objects.merging(more) { a, _ in a }, in: third)
        XCTAssertEqual(third.check().problems, [])
        XCTAssertEqual(third.check().warnings, [])
    }

    /// A store skips listing its pack folder again while the folder is unchanged; a pack another
    /// process seals afterwards changes the folder, and the next reload finds it.
    func testAPackSealedElsewhereAfterAnUnchangedListingIsFound() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let objects = try fill(try ObjectStore(layout: layout), packs: 2)
        // The folder last changed 10 s ago: the listing at open is trusted.
        var past = [timespec(tv_sec: time(nil) - 10, tv_nsec: 0), timespec(tv_sec: time(nil) - 10, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, layout.packs, &past, 0), 0)
        let reader = try ObjectStore(layout: layout)
        try reader.reloadIndexes()
        try assertReadable(objects, in: reader)

        let writer = try ObjectStore(layout: layout)
        let later = try XCTUnwrap(try fill(writer, packs: 1, seed: 3).first)
        XCTAssertFalse(reader.contains(later.key))
        try reader.reloadIndexes()
        XCTAssertEqual(try reader.read(later.key), later.value)
    }

    func testAMultiPackIndexNamingADeletedPackIsNotUsedAndIsReplaced() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        var objects = try fill(try ObjectStore(layout: layout), packs: 12)
        let store = try ObjectStore(layout: layout)
        XCTAssertTrue(store.loadReport.multiPackIndexWritten)
        // A pack deleted behind the file's back (as a repack killed before it rewrote the file).
        let gone = store.packs[0]
        let goneObjects = try XCTUnwrap(PackIndex(indexPath: gone.indexPath)).entries().map(\.digest)
        for path in [gone.indexPath, gone.packPath] { XCTAssertEqual(unlink(path), 0) }
        for digest in goneObjects { objects[digest] = nil }

        let reopened = try ObjectStore(layout: layout)
        XCTAssertFalse(reopened.loadReport.multiPackIndexUsed)
        XCTAssertTrue(reopened.loadReport.multiPackIndexWritten)
        for digest in goneObjects { XCTAssertFalse(reopened.contains(digest)) }
        try assertReadable(objects, in: reopened)
        XCTAssertTrue(try ObjectStore(layout: layout).loadReport.multiPackIndexUsed)
    }

    func testADamagedMultiPackIndexIsAWarningAndIsNeverUsed() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let store = try ObjectStore(layout: layout)
        let objects = try fill(store, packs: 3)
        try store.rewriteMultiPackIndex()
        let path = layout.packs + "/multi-pack-index"
        var bytes = try FileIO.readAll(path)
        bytes[bytes.count / 2] ^= 0x40
        write(bytes, to: path)

        let reopened = try ObjectStore(layout: layout)
        XCTAssertEqual(reopened.loadReport, IndexLoadReport(indexesOpened: 3, multiPackIndexUsed: false, multiPackIndexWritten: true,
                                                            packFolderListed: true))
        try assertReadable(objects, in: reopened)
        XCTAssertTrue(try ObjectStore(layout: layout).loadReport.multiPackIndexUsed, "replaced at once")
        XCTAssertEqual(reopened.check().warnings, [])
        write(bytes, to: path)  // damaged again while a process has the store open: fsck says so
        let report = reopened.check()
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.warnings.map(\.subject), [path])
        XCTAssertTrue(report.warnings[0].message.contains("checksum mismatch"), report.warnings[0].message)
    }

    func testAWellFormedMultiPackIndexThatLiesIsAProblemAndReadsStillVerify() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let store = try ObjectStore(layout: layout)
        let objects = try fill(store, packs: 2, perPack: 2)
        // Swap the offsets of two objects of one pack in a file whose checksum is right.
        let index = try PackIndex(indexPath: store.packs[0].indexPath)
        var entries = index.entries()
        (entries[0].offset, entries[1].offset) = (entries[1].offset, entries[0].offset)
        let other = try PackIndex(indexPath: store.packs[1].indexPath)
        write(MultiPackIndex.encode([(index.file, entries), (other.file, other.entries())]), to: layout.packs + "/multi-pack-index")

        let reopened = try ObjectStore(layout: layout)
        XCTAssertTrue(reopened.loadReport.multiPackIndexUsed)
        XCTAssertThrowsError(try reopened.read(entries[0].digest)) { error in
            guard case StoreError.corruptObject(let digest, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(digest, entries[0].digest)
        }
        let report = reopened.check()
        XCTAssertEqual(report.problems.count, 1, "\(report.problems)")
        XCTAssertTrue(report.problems.first?.message.contains("does not match the index of \(index.name)") ?? false, "\(report.problems)")
        // `repack` writes a true one.
        _ = try reopened.consolidate()
        try assertReadable(objects, in: try ObjectStore(layout: layout))
        XCTAssertEqual(try ObjectStore(layout: layout).check().problems, [])
    }

    func testAMultiPackIndexEntryNamingNoListedPackIsSkippedAndNamedByFsck() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let store = try ObjectStore(layout: layout)
        let objects = try fill(store, packs: 1, perPack: 2)
        let index = try PackIndex(indexPath: store.packs[0].indexPath)
        var bytes = MultiPackIndex.encode([(index.file, index.entries())])
        // The last entry's pack number (its final 4 bytes) → 7, with a checksum that matches.
        let at = bytes.count - 32 - 4
        bytes.replaceSubrange(at..<(at + 4), with: [7, 0, 0, 0])
        bytes.replaceSubrange((bytes.count - 32)..., with: Digest.of(bytes[..<(bytes.count - 32)]).bytes)
        write(bytes, to: layout.packs + "/multi-pack-index")

        let reopened = try ObjectStore(layout: layout)
        XCTAssertTrue(reopened.loadReport.multiPackIndexUsed)
        let skipped = index.entries().last!.digest
        XCTAssertFalse(reopened.contains(skipped))
        try assertReadable(objects.filter { $0.key != skipped }, in: reopened)
        let problems = reopened.check().problems
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.first?.message.contains("lists 1 objects of \(index.name), whose index has 2") ?? false, "\(problems)")
    }

    func testConsolidateMergesSmallPacksAndLosesNothing() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let store = try ObjectStore(layout: layout)
        var objects = try fill(store, packs: 30)
        // One object in two packs (a pull and an add of the same bytes), copied once.
        let shared = Array("in two packs".utf8)
        for _ in 0..<2 {
            let writer = PackWriter(layout: layout)
            let chunk = try shared.withUnsafeBytes { try store.prepare($0, digest: Digest.of(shared), base: nil) }
            try writer.append(chunk.entry, stored: chunk.stored)
            try writer.seal()
            try writer.append(chunk.entry, stored: chunk.stored)
        }
        objects[Digest.of(shared)] = shared
        let reopened = try ObjectStore(layout: layout)
        let report = try reopened.consolidate()
        XCTAssertEqual(report.packsBefore, 31)
        XCTAssertEqual(report.packsMerged, 31)
        XCTAssertEqual(report.packsWritten, 1)
        XCTAssertEqual(report.packsAfter, 1)
        XCTAssertEqual(report.objectsCopied, objects.count)
        try assertReadable(objects, in: reopened)
        let after = try ObjectStore(layout: layout)
        XCTAssertEqual(after.loadReport, IndexLoadReport(indexesOpened: 0, multiPackIndexUsed: true, multiPackIndexWritten: false))
        try assertReadable(objects, in: after)
        let check = after.check()
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.objects, objects.count)
        XCTAssertEqual(try after.consolidate().packsMerged, 0, "a single pack is left alone")
    }

    func testReadsOverMorePacksThanTheDescriptorLimitKeepFewOpen() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let objects = try fill(try ObjectStore(layout: layout), packs: ObjectStore.maxOpenPacks + 40, perPack: 1)
        let store = try ObjectStore(layout: layout)
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        try assertReadable(objects, in: store)
        let after = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        XCTAssertLessThanOrEqual(after - before, ObjectStore.maxOpenPacks)
        XCTAssertGreaterThan(after - before, 0)
    }

    func testARemoteOfManyPacksIsLookedUpThroughACachedMultiPackIndexAndRemoteGCMergesThem() throws {
        let dir = TemporaryDirectory()
        let source = try ObjectStore(layout: StoreLayout(root: dir.path + "/a/ml"))
        let remote = try DirectoryRemote(name: "shared", root: dir.path + "/remote")
        var files: [(StoredFile, [UInt8])] = []
        for i in 0..<12 {  // one push, so one remote pack, per file
            let bytes = csvLikeBytes(rows: 3_000, seed: UInt64(100 + i))
            write(bytes, to: "\(dir.path)/f\(i)")
            let (file, _) = try source.ingest(path: "\(dir.path)/f\(i)")
            try RemoteSync(store: source, remote: remote).push([file])
            files.append((file, bytes))
        }
        XCTAssertEqual(try remote.list(prefix: "packs/").filter { $0.key.hasSuffix(".idx") }.count, 12)
        let clone = try ObjectStore(layout: StoreLayout(root: dir.path + "/b/ml"))
        let sync = RemoteSync(store: clone, remote: remote)
        XCTAssertEqual(try sync.pull(files.map(\.0)).indexesDownloaded, 12)
        let cached = try FileManager.default.contentsOfDirectory(atPath: sync.indexCache).filter { $0.hasPrefix("multi-pack-index-") }
        XCTAssertEqual(cached.count, 1)
        XCTAssertEqual(try sync.remoteIndex(report: nil).loose.count, 0)
        for (file, bytes) in files {
            try clone.restore(file, to: dir.path + "/out")
            XCTAssertEqual(try FileIO.readAll(dir.path + "/out"), bytes)
        }
        XCTAssertEqual(try RemoteSync(store: source, remote: remote).push(files.map(\.0)).objectsUploaded, 0)
        XCTAssertEqual(try sync.lacking(files.map { ($0.0, "f") }), [])

        // Remote gc merges the twelve small packs (all live) into one, then deletes them; a
        // dry run only counts them, and a remote of few small packs is left alone.
        let everything = Set(files.flatMap { source.reachable(from: [($0.0, "f")]).objects })
        let preview = try sync.collectGarbage(keep: everything, olderThan: .distantFuture, holding: nil, dryRun: true)
        XCTAssertEqual(preview.packsConsolidated, 12)
        XCTAssertEqual(try remote.list(prefix: "packs/").count, 24)
        let lock = try RemoteLock.acquire(remote, kind: .exclusive, holder: "test gc", refreshEvery: nil)
        let swept = try sync.collectGarbage(keep: everything, olderThan: .distantFuture, holding: lock, dryRun: false)
        try lock.release()
        XCTAssertEqual(swept.packsConsolidated, 12)
        XCTAssertEqual(swept.packsUploaded, 1)
        XCTAssertEqual(swept.objectsRemoved, 0)
        XCTAssertEqual(try remote.list(prefix: "packs/").count, 2)
        let fresh = try ObjectStore(layout: StoreLayout(root: dir.path + "/c/ml"))
        XCTAssertLessThan(try RemoteSync(store: fresh, remote: remote).pull(files.map(\.0)).rangeRequests, 12, "one pack, few ranged reads")
        for (file, bytes) in files {
            try fresh.restore(file, to: dir.path + "/out")
            XCTAssertEqual(try FileIO.readAll(dir.path + "/out"), bytes)
        }
        let again = try RemoteLock.acquire(remote, kind: .exclusive, holder: "test gc", refreshEvery: nil)
        XCTAssertEqual(try sync.collectGarbage(keep: everything, olderThan: .distantFuture, holding: again, dryRun: false).packsConsolidated, 0)
        try again.release()

        // The clone's cached table named the twelve deleted packs: it is not used, and is replaced.
        let master = try sync.remoteIndex(report: nil)
        let remaining = try remote.list(prefix: "packs/").map(\.key).filter { $0.hasSuffix(".idx") }
        XCTAssertEqual(master.packs.map { "packs/\($0.name).idx" }, remaining)
        XCTAssertEqual(master.loose.count, 0)
        for (file, _) in files { XCTAssertEqual(master.lookup(file.root)?.pack.name, master.packs.first?.name) }
    }
}
