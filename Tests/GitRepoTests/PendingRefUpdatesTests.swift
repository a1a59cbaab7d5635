import Foundation
import XCTest
@testable import GitRepo

/// A pre-receive hook sees the refs being pushed as `pendingRefUpdates`. Listing refs scanned the
/// whole list once per pending ref, so a push of n refs was listed in O(n²) time.
final class PendingRefUpdatesTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "gitrepo-pending-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: dir)
        try "one\n".write(toFile: dir + "/ml.txt", atomically: true, encoding: .utf8)
        try git(["add", "."], in: dir)
        try git(["commit", "-qm", "first"], in: dir)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

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
