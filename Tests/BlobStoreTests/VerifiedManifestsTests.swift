import XCTest
@testable import BlobStore

/// A file of several chunks is read through its manifest, whose chunks and nodes are verified;
/// that they assemble the digest a record gives the file is checked once per pair the store has
/// not computed itself. Before, a record pairing a real manifest with another file's digest was
/// restored without a word, and the lock and runs took the claimed digest for those bytes.
final class VerifiedManifestsTests: XCTestCase {
    func testAManifestPairedWithAnotherDigestIsRefusedAndAnHonestPairIsHashedOnce() throws {
        let dir = TemporaryDirectory()
        let (layout, store, data, file) = try storeHoldingOneFile(in: dir, rows: 50_000, seed: 7)
        XCTAssertNotNil(file.manifest)
        XCTAssertTrue(store.verifiedManifests.contains(file), "ingest remembers the pair it computed")

        let lie = StoredFile(digest: Digest.of(Array("other bytes".utf8)), size: file.size, manifest: file.manifest)
        write(Array("keep".utf8), to: dir.path + "/out.csv")
        XCTAssertThrowsError(try store.restore(lie, to: dir.path + "/out.csv")) { error in
            guard case .recordMismatch(let digest, let detail)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(digest, lie.digest)
            XCTAssertTrue(detail.contains("whose SHA-256 is \(file.digest)"), detail)
        }
        XCTAssertEqual(try FileIO.readAll(dir.path + "/out.csv"), Array("keep".utf8), "nothing replaced")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".gitml-restore") }, [])

        // A store that did not compute the pair (as after a pull) hashes it once, then trusts it.
        try FileManager.default.removeItem(atPath: layout.cache + "/verified-manifests-v1")
        let fetched = try ObjectStore(layout: layout)
        XCTAssertFalse(fetched.verifiedManifests.contains(file))
        try fetched.restore(file, to: dir.path + "/out.csv")
        XCTAssertEqual(try FileIO.readAll(dir.path + "/out.csv"), data)
        XCTAssertTrue(try ObjectStore(layout: layout).verifiedManifests.contains(file), "remembered on disk")
        XCTAssertFalse(try ObjectStore(layout: layout).verifiedManifests.contains(lie))
    }
}
