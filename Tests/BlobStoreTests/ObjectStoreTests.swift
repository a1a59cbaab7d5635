import XCTest
@testable import BlobStore

final class ObjectStoreTests: XCTestCase {
    func testIngestAndRestoreRoundTripWithVerifiedDigest() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        let data = csvLikeBytes(rows: 200_000, seed: 3)
        write(data, to: dir.path + "/a.csv")
        let (file, stats) = try store.ingest(path: dir.path + "/a.csv")
        try store.flush()
        XCTAssertEqual(file.digest, Digest.of(data))
        XCTAssertEqual(file.size, UInt64(data.count))
        XCTAssertNotNil(file.manifest)
        XCTAssertGreaterThan(stats.chunks, 20)
        XCTAssertEqual(stats.newChunks, stats.chunks)
        XCTAssertLessThan(stats.newStoredBytes, UInt64(data.count) / 2)

        // A fresh store object sees the sealed pack.
        let reopened = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        try reopened.restore(file, to: dir.path + "/out/a.csv")
        XCTAssertEqual(try FileIO.readAll(dir.path + "/out/a.csv"), data)
    }

    func testSmallAndEmptyFilesAreOneChunkAddressedByTheirDigest() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        for bytes in [[UInt8](), Array("hello\n".utf8)] {
            write(bytes, to: dir.path + "/f")
            let (file, _) = try store.ingest(path: dir.path + "/f")
            XCTAssertNil(file.manifest)
            XCTAssertEqual(file.digest, Digest.of(bytes))
            try store.restore(file, to: dir.path + "/g")
            XCTAssertEqual(try FileIO.readAll(dir.path + "/g"), bytes)
        }
    }

    func testUnchangedContentStoresNothingNew() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        write(csvLikeBytes(rows: 50_000, seed: 4), to: dir.path + "/a")
        _ = try store.ingest(path: dir.path + "/a")
        let (_, again) = try store.ingest(path: dir.path + "/a")
        XCTAssertEqual(again.newChunks, 0)
    }

    func testScatteredEditsStoreRoughlyTheChangedBytesAsDeltas() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        let v1 = csvLikeBytes(rows: 300_000, seed: 5)
        write(v1, to: dir.path + "/v1")
        let (f1, s1) = try store.ingest(path: dir.path + "/v1")
        try store.flush()
        // Change one byte every ~50 KB: nearly every chunk is touched.
        var v2 = v1
        for i in stride(from: 1000, to: v2.count, by: 50_000) where v2[i] >= UInt8(ascii: "0") && v2[i] <= UInt8(ascii: "8") {
            v2[i] += 1
        }
        write(v2, to: dir.path + "/v2")
        let previous = try store.chunkList(of: f1)
        let (f2, s2) = try store.ingest(path: dir.path + "/v2", previous: previous)
        try store.flush()
        XCTAssertGreaterThan(s2.deltaChunks, s2.newChunks / 2, "most new chunks are deltas")
        XCTAssertLessThan(s2.newStoredBytes, s1.newStoredBytes / 10)
        try store.restore(f2, to: dir.path + "/v2.out")
        XCTAssertEqual(try FileIO.readAll(dir.path + "/v2.out"), v2)
    }

    func testAFlippedByteInAPackIsDetectedAndNothingIsReplaced() throws {
        let dir = TemporaryDirectory()
        let layout = StoreLayout(root: dir.path + "/ml")
        let store = try ObjectStore(layout: layout)
        let data = csvLikeBytes(rows: 100_000, seed: 6)
        write(data, to: dir.path + "/a")
        let (file, _) = try store.ingest(path: dir.path + "/a")
        try store.flush()
        let pack = try FileManager.default.contentsOfDirectory(atPath: layout.packs).first { $0.hasSuffix(".pack") }!
        var bytes = try FileIO.readAll(layout.packs + "/" + pack)
        bytes[bytes.count / 2] ^= 0x40
        write(bytes, to: layout.packs + "/" + pack)
        write(Array("previous".utf8), to: dir.path + "/out")
        let reopened = try ObjectStore(layout: layout)
        XCTAssertThrowsError(try reopened.restore(file, to: dir.path + "/out")) { error in
            guard case StoreError.corruptObject = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try FileIO.readAll(dir.path + "/out"), Array("previous".utf8))
    }

    func testAFileThatChangesWhileReadIsRefused() throws {
        let dir = TemporaryDirectory()
        let store = try ObjectStore(layout: StoreLayout(root: dir.path + "/ml"))
        let path = dir.path + "/grow"
        write(csvLikeBytes(rows: 400_000, seed: 7), to: path)
        let writer = Thread {
            let h = FileHandle(forWritingAtPath: path)!
            for _ in 0..<200 { h.seekToEndOfFile(); h.write(Data(repeating: 65, count: 1000)); usleep(200) }
            h.closeFile()
        }
        writer.start()
        var sawChange = false
        for _ in 0..<20 {
            do { _ = try store.ingest(path: path) } catch StoreError.fileChanged { sawChange = true; break }
        }
        XCTAssertTrue(sawChange)
    }
}
