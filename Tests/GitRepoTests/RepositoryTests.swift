import Foundation
import XCTest
@testable import GitRepo

/// Runs git in `directory` and returns its stdout.
@discardableResult
func git(_ args: [String], in directory: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"] + args
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    p.standardOutput = out
    p.standardError = Pipe()
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw NSError(domain: "git \(args)", code: Int(p.terminationStatus)) }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

final class RepositoryTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "gitrepo-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: dir)
        try "one\n".write(toFile: dir + "/ml.txt", atomically: true, encoding: .utf8)
        try git(["add", "."], in: dir)
        try git(["commit", "-qm", "first"], in: dir)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func testDiscoversFromASubdirectoryAndRefusesOutsideARepository() throws {
        let repo = try Repository(discoveringFrom: dir + "/sub")
        XCTAssertEqual(repo.workdir.map { ($0 as NSString).resolvingSymlinksInPath }, (dir as NSString).resolvingSymlinksInPath)
        XCTAssertTrue(repo.commonDir.hasSuffix(".git"))
        let outside = NSTemporaryDirectory() + "not-a-repo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        XCTAssertThrowsError(try Repository(discoveringFrom: outside)) { error in
            guard case GitError.notARepository = error else { return XCTFail("\(error)") }
        }
    }

    func testReadsFilesFromAnyRevisionWithoutCheckout() throws {
        try "two\n".write(toFile: dir + "/ml.txt", atomically: true, encoding: .utf8)
        try git(["commit", "-qam", "second"], in: dir)
        let repo = try Repository(discoveringFrom: dir)
        XCTAssertEqual(try repo.fileContents(at: "HEAD~1", path: "ml.txt"), Array("one\n".utf8))
        XCTAssertEqual(try repo.fileContents(at: "main", path: "ml.txt"), Array("two\n".utf8))
        XCTAssertNil(try repo.fileContents(at: "HEAD", path: "absent.txt"))
        XCTAssertThrowsError(try repo.fileContents(at: "no-such-branch", path: "ml.txt"))
    }

    func testWritesCommitsAndCompareAndSwapsRefs() throws {
        let repo = try Repository(discoveringFrom: dir)
        let blob = try repo.writeBlob(Array("{}".utf8))
        let tree = try repo.writeTree([TreeFile(name: "record.json", blob: blob)])
        let sig = Signature(name: "T", email: "t@example.com", time: Date(timeIntervalSince1970: 1_700_000_000))
        let c1 = try repo.writeCommit(tree: tree, parents: [], message: "v1\n", signature: sig)
        let c2 = try repo.writeCommit(tree: tree, parents: [c1], message: "v2\n", signature: sig)
        try repo.createRef("refs/ml/test/x", target: c1, message: "create")
        XCTAssertThrowsError(try repo.createRef("refs/ml/test/x", target: c2, message: "again")) { error in
            guard case GitError.refExists = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try repo.updateRef("refs/ml/test/x", to: c2, expected: c2, message: "stale")) { error in
            guard case GitError.refChanged = error else { return XCTFail("\(error)") }
        }
        try repo.updateRef("refs/ml/test/x", to: c2, expected: c1, message: "cas")
        XCTAssertEqual(try repo.readRef("refs/ml/test/x"), c2)
        XCTAssertEqual(try repo.refs(withPrefix: "refs/ml/test/").map(\.name), ["refs/ml/test/x"])
        XCTAssertEqual(try repo.fileContents(inCommit: c2, path: "record.json"), Array("{}".utf8))
        XCTAssertEqual(try git(["cat-file", "-t", c2.hex], in: dir), "commit")
        XCTAssertTrue(try repo.rootCommits().contains(c2))
        XCTAssertEqual(try repo.walk(from: [c2]), [c2, c1])
    }

    func testConfigValuesAreAddedOnce() throws {
        try git(["remote", "add", "origin", "/nonexistent"], in: dir)
        let repo = try Repository(discoveringFrom: dir)
        XCTAssertEqual(try repo.remoteNames(), ["origin"])
        try repo.addConfigValue("remote.origin.fetch", "refs/ml/*:refs/remotes/origin/ml/*")
        try repo.addConfigValue("remote.origin.fetch", "refs/ml/*:refs/remotes/origin/ml/*")
        XCTAssertEqual(try repo.configValues("remote.origin.fetch"),
                       ["+refs/heads/*:refs/remotes/origin/*", "refs/ml/*:refs/remotes/origin/ml/*"])
        try repo.setConfig("gitml.test", "yes")
        XCTAssertEqual(try repo.configString("gitml.test"), "yes")
    }

    // A pre-receive hook sees the refs being pushed as `pendingRefUpdates`; listing refs scanned
    // the whole list once per pending ref, so a push of n refs was listed in O(n²) time.

    /// Pending updates replace, delete and add refs exactly as git will apply them.
    func testPendingUpdatesReplaceDeleteAndAddRefs() throws {
        let repo = try Repository(discoveringFrom: dir)
        let first = try XCTUnwrap(try repo.readRef("HEAD"))
        let tree = try repo.writeTree([TreeFile(name: "x", blob: try repo.writeBlob([1]))])
        let second = try repo.writeCommit(tree: tree, parents: [first], message: "second\n",
                                          signature: Signature(name: "T", email: "t@example.com", time: Date(timeIntervalSince1970: 1_700_000_000)))
        for name in ["kept", "replaced", "deleted"] { try repo.createRef("refs/ml/runs/" + name, target: first, message: "test") }
        repo.pendingRefUpdates = ["refs/ml/runs/replaced": second, "refs/ml/runs/deleted": ObjectID?.none,
                                  "refs/ml/runs/added": second, "refs/heads/other": second]
        let listed = try repo.refs(withPrefix: "refs/ml/runs/")
        XCTAssertEqual(listed.map(\.name), ["refs/ml/runs/added", "refs/ml/runs/kept", "refs/ml/runs/replaced"])
        XCTAssertEqual(listed.map(\.target), [second, first, second])
        XCTAssertNil(try repo.readRef("refs/ml/runs/deleted"))
    }

    /// Ten times the pending refs take about ten times as long to list (n log n for the sort),
    /// not a hundred as when each pending ref scanned the whole list.
    func testListingPendingRefsTakesTimeLinearInTheirNumber() throws {
        let repo = try Repository(discoveringFrom: dir)
        let head = try XCTUnwrap(try repo.readRef("HEAD"))
        func fastest(_ count: Int) throws -> TimeInterval {
            repo.pendingRefUpdates = Dictionary(uniqueKeysWithValues: (0..<count).map { ("refs/ml/runs/\(String(format: "%064x", $0))", head) })
            var best = TimeInterval.infinity
            for _ in 0..<3 {
                let started = Date()
                XCTAssertEqual(try repo.refs(withPrefix: "refs/ml/runs/").count, count)
                best = min(best, Date().timeIntervalSince(started))
            }
            return best
        }
        let small = try fastest(2_000), large = try fastest(20_000)
        print("pending refs listed: 2,000 in \(String(format: "%.3f", small)) s, 20,000 in \(String(format: "%.3f", large)) s")
        XCTAssertLessThan(large / small, 30, "20,000 pending refs took \(large) s, 2,000 took \(small) s")
    }
}
