import Foundation
import Records
import XCTest

/// Hostile dataset records and hostile work trees: a teammate who only runs `git clone`,
/// `git ml init`, `git ml pull`, `git fetch` and `git ml data checkout` never gets a file written
/// outside the work tree or under `.git/` (docs/security/paths.md).
final class AttackPathTests: CLITestCase {
    private var bare = "", other = "", outside = ""

    /// Repository A (the attacker) publishes a good dataset `good@v1` (its bytes on the shared
    /// blob remote), the lock and the config; B is a fresh clone with `git ml init`, `git ml pull`
    /// and `git ml data checkout` done. `outside` is an empty folder beside both.
    private func setUpVictim() throws {
        let sharing = try setUpSharing(defaultRemote: true)
        bare = sharing.bare
        other = sharing.other
        outside = repo + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        addTeardownBlock { [outside] in try? FileManager.default.removeItem(atPath: outside) }
        try writeCSV("data/x.csv", rows: 50)
        try run("git", "ml", "data", "add", "data/x.csv", "--name", "good", "--no-checks")
        try run("git", "add", "-A")
        try run("git", "commit", "-q", "-m", "good")
        try run("git", "ml", "push")
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", in: other)
        try run("git", "ml", "data", "checkout", in: other)
    }

    /// Writes a record like good@v1's (same bytes) with the given fields as a version commit in
    /// A, by hand (`git hash-object` / `git mktree` / `git commit-tree`), and pushes its ref.
    private func publishRecord(name: String, version: Int = 1, path: String, directoryFiles: [String]? = nil) throws {
        let good = try json(try run("git", "show", "refs/ml/datasets/good/v1:dataset.json").stdout) as! [String: Any]
        var record = good
        let file = (good["files"] as! [[String: Any]])[0]
        record["name"] = name
        record["version"] = version
        record["path"] = path
        if let directoryFiles {
            record["type"] = "directory"
            record["files"] = directoryFiles.map { var f = file; f["path"] = $0; return f }
            // A directory's digest and size are its files' (a record that says otherwise is refused).
            let size = UInt64(file["size"] as! Int)
            record["digest"] = DatasetRecord.directoryDigest(directoryFiles.map {
                DatasetRecord.File(path: $0, digest: file["digest"] as! String, size: size, manifest: file["manifest"] as? String)
            })
            record["size"] = directoryFiles.count * Int(size)
        }
        let recordFile = repo + "-record.json"
        try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: URL(fileURLWithPath: recordFile))
        defer { try? FileManager.default.removeItem(atPath: recordFile) }
        let ref = "refs/ml/datasets/\(name)/v\(version)"
        try run("sh", "-c", """
            set -e
            blob=$(git hash-object -w "$1")
            tree=$(printf '100644 blob %s\\tdataset.json\\n' "$blob" | git mktree)
            commit=$(git commit-tree -m "dataset \(name)@v\(version)" "$tree")
            git update-ref "\(ref)" "$commit"
            git push -q origin "\(ref)"
            """, "craft", recordFile)
    }

    /// Files anywhere under `folder`, links included (not followed).
    private func entries(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
    }

    private func assertNothingEscaped(gitConfig: Data, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: other + "/.git/config")), gitConfig, ".git/config changed", file: file, line: line)
        XCTAssertEqual(entries(outside), [], "files written outside the work tree", file: file, line: line)
        for planted in [".git/hooks/x", ".git/x", "sub", "git~1", "a", ".git\u{200C}", "x", "d"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: other + "/" + planted), planted, file: file, line: line)
        }
    }

    func testHostileRecordPathsAreRefusedByPullFetchCheckoutAndFsck() throws {
        try setUpVictim()
        let outsideName = (outside as NSString).lastPathComponent
        let gitConfig = try Data(contentsOf: URL(fileURLWithPath: other + "/.git/config"))
        let cases: [(name: String, path: String, files: [String]?, field: String)] = [
            ("dotgit", ".git/config", nil, "path"),
            ("upper", ".GIT/hooks/x", nil, "path"),
            ("parent", "../\(outsideName)/x", nil, "path"),
            ("absolute", outside + "/x", nil, "path"),
            ("climb", "a/../../\(outsideName)/x", nil, "path"),
            ("nested", "sub/.git/x", nil, "path"),
            ("ignorable", ".git\u{200C}/config", nil, "path"),
            ("shortname", "git~1/config", nil, "path"),
            ("nul", "a\u{0000}b", nil, "path"),
            ("dirfile", "d", ["ok.csv", "../x", "../../\(outsideName)/y"], "files[1].path"),
        ]
        for c in cases {
            try publishRecord(name: c.name, path: c.path, directoryFiles: c.files)
            let label = "\(c.name)@v1", ref = "refs/ml/datasets/\(c.name)/v1"
            let field = "field \"\(c.field)\""

            // git ml pull: the record is read before a local ref is made for it, and refused.
            let pulled = try run("git", "ml", "pull", in: other, expect: nil)
            XCTAssertNotEqual(pulled.status, 0, label)
            XCTAssertTrue(pulled.stderr.contains(label) && pulled.stderr.contains(field), "\(label): \(pulled.stderr)")
            let afterPull = try run("git", "ml", "data", "checkout", label, in: other, expect: nil)
            XCTAssertNotEqual(afterPull.status, 0, label)
            try assertNothingEscaped(gitConfig: gitConfig)

            // Plain git fetch straight into refs/ml/*, then checkout: refused when read.
            try run("git", "fetch", "-q", "origin", "\(ref):\(ref)", in: other)
            let checkout = try run("git", "ml", "data", "checkout", label, in: other, expect: 3)
            XCTAssertTrue(checkout.stderr.contains(label) && checkout.stderr.contains(field), "\(label): \(checkout.stderr)")
            XCTAssertTrue(checkout.stderr.contains("git update-ref -d"), checkout.stderr)
            try assertNothingEscaped(gitConfig: gitConfig)

            // fsck reports the record (exit 1) and goes on checking the rest.
            let fsck = try run("git", "ml", "fsck", in: other, expect: 1)
            XCTAssertTrue(fsck.stdout.contains(ref) && fsck.stdout.contains(field), "\(label): \(fsck.stdout)")
            XCTAssertTrue(fsck.stdout.contains("dataset versions"), fsck.stdout)

            // Clean up for the next case, as the message says.
            try run("git", "update-ref", "-d", ref, in: other)
            try run("git", "update-ref", "-d", "refs/ml/remotes/origin/datasets/\(c.name)/v1", in: other)
            try run("git", "push", "-q", "origin", ":\(ref)")
        }
        // The good version still checks out, and fsck is clean again.
        try run("git", "ml", "data", "checkout", "good@v1", in: other)
        try run("git", "ml", "fsck", in: other)
        try assertNothingEscaped(gitConfig: gitConfig)
    }

    /// A folder on the way that is a symbolic link — committed in git, or made in the work tree —
    /// is never followed, neither to write nor to remove "extra" files of a directory dataset.
    func testSymbolicLinksOnTheWayAreNotFollowed() throws {
        try setUpVictim()
        // A commits `links -> <outside>` as a symbolic link and a valid directory dataset under it.
        try run("ln", "-s", outside, "links")
        try run("git", "add", "links")
        try run("git", "commit", "-q", "-m", "a link")
        try run("git", "push", "-q", "origin", "main")
        try publishRecord(name: "linked", path: "links/set", directoryFiles: ["a.csv"])
        try run("git", "pull", "-q", "--no-rebase", "origin", "main", in: other)
        try run("git", "ml", "pull", in: other)
        let parent = try run("git", "ml", "data", "checkout", "linked@v1", in: other, expect: 3)
        XCTAssertTrue(parent.stderr.contains("links is a symbolic link"), parent.stderr)
        XCTAssertEqual(entries(outside), [])

        // A link at a directory dataset's own path, made in the work tree, with a file out there:
        // checkout neither writes through it nor removes the file as "extra".
        try "keep".write(toFile: outside + "/keep.csv", atomically: true, encoding: .utf8)
        try publishRecord(name: "empty", path: "set", directoryFiles: [])
        try publishRecord(name: "full", path: "set", directoryFiles: ["a.csv"])
        try run("git", "ml", "pull", in: other)
        try FileManager.default.createSymbolicLink(atPath: other + "/set", withDestinationPath: outside)
        for label in ["empty@v1", "full@v1"] {
            let own = try run("git", "ml", "data", "checkout", label, in: other, expect: 3)
            XCTAssertTrue(own.stderr.contains("set is a symbolic link"), own.stderr)
        }
        XCTAssertEqual(entries(outside), ["keep.csv"])

        // A link at a file's own place is replaced by the file, never written through.
        try FileManager.default.removeItem(atPath: other + "/data/x.csv")
        try FileManager.default.createSymbolicLink(atPath: other + "/data/x.csv", withDestinationPath: outside + "/keep.csv")
        try run("git", "ml", "data", "checkout", "good@v1", in: other)
        XCTAssertEqual(try String(contentsOfFile: outside + "/keep.csv", encoding: .utf8), "keep")
        let type = try FileManager.default.attributesOfItem(atPath: other + "/data/x.csv")[.type] as? FileAttributeType
        XCTAssertEqual(type, .typeRegular)
        XCTAssertEqual(String(try run("sha256sum", "data/x.csv", in: other).stdout.prefix(64)), try sha256("data/x.csv"))
    }

    /// A blob remote's listing is data too: only `packs/pack-<64 hex>.idx` names are used, so
    /// odd names and links planted in a shared directory remote write nothing anywhere.
    func testDirectoryRemoteListingWithHostileNamesWritesNothingOutside() throws {
        try setUpVictim()
        let blobs = repo + "-blobs"
        try FileManager.default.createDirectory(atPath: blobs + "/packs/sub", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: blobs + "/packs/pack-..idx"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: blobs + "/packs/sub/pack-" + String(repeating: "a", count: 64) + ".idx"))
        try FileManager.default.createSymbolicLink(atPath: blobs + "/packs/pack-" + String(repeating: "b", count: 64) + ".idx",
                                                   withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: blobs + "/packs/evil", withDestinationPath: outside)
        try FileManager.default.removeItem(atPath: other + "/data/x.csv")
        try run("git", "ml", "pull", in: other)
        try run("git", "ml", "data", "checkout", in: other)
        XCTAssertEqual(entries(outside), [])
        let cached = entries(other + "/.git/ml/cache/remote-indexes")
        XCTAssertFalse(cached.isEmpty)
        for name in cached { XCTAssertNotNil(name.range(of: "^pack-[0-9a-f]{64}\\.idx$", options: .regularExpression), name) }
    }
}
