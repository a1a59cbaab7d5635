import CZlib
import Foundation
import XCTest
@testable import GitRepo

/// Loose objects libgit2 1.5 cannot read safely: a header that gives a shorter length than the
/// object has (libgit2 copied the rest over a 2-byte buffer: heap overflow, SIGABRT or SIGSEGV in
/// `git_revwalk_push`), and a zlib stream that ends early (libgit2 #7342: `inflate` forever).
/// GitRepo checks each loose object before libgit2 reads it and walks history itself.
final class DamagedLooseObjectTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "gitrepo-damaged-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: dir)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// A version commit and its parent, written as GitML writes records.
    private func twoCommits(_ repo: Repository) throws -> (ObjectID, ObjectID) {
        let tree = try repo.writeTree([TreeFile(name: "dataset.json", blob: try repo.writeBlob(Array("{}".utf8)))])
        let sig = Signature(name: "T", email: "t@example.com", time: Date(timeIntervalSince1970: 1_700_000_000))
        let c1 = try repo.writeCommit(tree: tree, parents: [], message: "v1\n", signature: sig)
        return (c1, try repo.writeCommit(tree: tree, parents: [c1], message: "v2\n", signature: sig))
    }

    /// Replaces the loose file of `id` with `bytes` zlib-compressed, cut short by `cut` bytes.
    private func overwrite(_ id: ObjectID, with bytes: [UInt8], cut: Int = 0) throws {
        var length = compressBound(UInt(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        XCTAssertEqual(compress(&out, &length, bytes, UInt(bytes.count)), Z_OK)
        let path = dir + "/.git/objects/" + id.hex.prefix(2) + "/" + id.hex.dropFirst(2)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data(out.prefix(Int(length) - cut)).write(to: URL(fileURLWithPath: path))
    }

    private func assertDamaged(_ repo: Repository, _ id: ObjectID, tip: ObjectID, file: StaticString = #filePath, line: UInt = #line) {
        let walked = repo.reachable(from: [tip])
        XCTAssertEqual(walked.damaged.map(\.id), [id], file: file, line: line)
        XCTAssertThrowsError(try repo.walk(from: [tip]), file: file, line: line) { error in
            guard case GitError.damagedObject(let object, _) = error else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(object, id.hex, file: file, line: line)
        }
        XCTAssertThrowsError(try repo.fileContents(inCommit: id, path: "dataset.json"), file: file, line: line)
    }

    func testAHeaderShorterThanTheObjectIsDamageNotAnOverflow() throws {
        let repo = try Repository(discoveringFrom: dir)
        let (c1, c2) = try twoCommits(repo)
        let body = Array(try git(["cat-file", "commit", c1.hex], in: dir).utf8) + [10]
        try overwrite(c1, with: Array("commit 2\0".utf8) + body)
        assertDamaged(repo, c1, tip: c2)
    }

    /// A loose blob that inflates past 64 MiB from a small file (a million-file dataset's
    /// record compresses ~20:1) is read, not called damaged: the check was once capped by the
    /// compressed size and refused what it inflated to beyond the cap.
    func testALargeLooseObjectThatCompressesWellIsRead() throws {
        let repo = try Repository(discoveringFrom: dir)
        let line = Array("data/part00042/row0004242.csv,5d41402abc4b2a76b9719d911017c592,1234\n".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(70 << 20)
        while bytes.count < 70 << 20 { bytes += line }
        let blob = try repo.writeBlob(bytes)
        let path = dir + "/.git/objects/" + blob.hex.prefix(2) + "/" + blob.hex.dropFirst(2)
        XCTAssertLessThan(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int, 8 << 20, "a loose file")
        XCTAssertEqual(try repo.blobContents(blob), bytes)
    }

    /// A loose object whose stream inflates to far more than its header's length is damaged, and
    /// the check stops at the header's length instead of inflating all of it.
    func testAStreamLongerThanItsHeaderIsDamage() throws {
        let repo = try Repository(discoveringFrom: dir)
        let blob = try repo.writeBlob(Array("small".utf8))
        try overwrite(blob, with: Array("blob 5\0".utf8) + [UInt8](repeating: 65, count: 32 << 20))
        XCTAssertThrowsError(try repo.blobContents(blob)) { error in
            guard case GitError.damagedObject(let object, let message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(object, blob.hex)
            XCTAssertTrue(message.contains("more than its header allows"), message)
        }
    }

    /// A complete stream that inflates to less than its header's length is damaged, and says so.
    func testAStreamShorterThanItsHeaderIsDamage() throws {
        let repo = try Repository(discoveringFrom: dir)
        let blob = try repo.writeBlob(Array("small".utf8))
        try overwrite(blob, with: Array("blob 100\0small".utf8))
        XCTAssertThrowsError(try repo.blobContents(blob)) { error in
            guard case GitError.damagedObject(_, let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("less than its header gives"), message)
        }
    }

    func testAZlibStreamThatEndsEarlyIsDamageNotAHang() throws {
        let repo = try Repository(discoveringFrom: dir)
        let (c1, c2) = try twoCommits(repo)
        let body = Array(try git(["cat-file", "commit", c1.hex], in: dir).utf8) + [10]
        try overwrite(c1, with: Array("commit \(body.count)\0".utf8) + body, cut: 6)
        assertDamaged(repo, c1, tip: c2)
    }

    /// Resolving a typed revision through a damaged loose commit (`HEAD~1`, its id, a ref to it)
    /// and asking ancestry across it are "damaged", never libgit2's unchecked read.
    func testRevisionsAndAncestryThroughADamagedCommitAreDamage() throws {
        let repo = try Repository(discoveringFrom: dir)
        let (c1, c2) = try twoCommits(repo)
        let c3 = try repo.writeCommit(tree: try repo.writeTree([]), parents: [c2],
                                      message: "v3\n", signature: Signature(name: "T", email: "t@example.com", time: Date()))
        try git(["update-ref", "refs/heads/main", c3.hex], in: dir)
        try git(["update-ref", "refs/tags/old", c2.hex], in: dir)
        XCTAssertEqual(try repo.resolveCommit("main~2"), c1)
        XCTAssertEqual(try repo.resolveCommit("HEAD^^"), c1)
        XCTAssertEqual(try repo.resolveCommit("old^{commit}"), c2)
        XCTAssertEqual(try repo.resolveCommit(String(c2.hex.prefix(10)) + "~1"), c1)
        XCTAssertTrue(try repo.isAncestor(c1, of: c3))
        XCTAssertFalse(try repo.isAncestor(c3, of: c1))
        XCTAssertThrowsError(try repo.resolveCommit("main@{1}"))
        let body = Array(try git(["cat-file", "commit", c2.hex], in: dir).utf8) + [10]
        for damage in [(Array("commit 2\0".utf8) + body, 0), (Array("commit \(body.count)\0".utf8) + body, 6)] {
            try overwrite(c2, with: damage.0, cut: damage.1)
            for revision in ["main~1", "main~2", "HEAD^^", c2.hex, "old", String(c2.hex.prefix(12))] {
                assertDamagedError(c2, revision) { try repo.resolveCommit(revision) }
            }
            assertDamagedError(c2, "ancestry") { try repo.isAncestor(c1, of: c3) }
        }
    }

    private func assertDamagedError<R>(_ id: ObjectID, _ what: String, _ body: () throws -> R, line: UInt = #line) {
        XCTAssertThrowsError(try body(), what, line: line) { error in
            guard case GitError.damagedObject(let object, _) = error else { return XCTFail("\(what): \(error)", line: line) }
            XCTAssertEqual(object, id.hex, what, line: line)
        }
    }
}
