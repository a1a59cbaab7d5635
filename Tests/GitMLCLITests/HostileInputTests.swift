import BlobStore
import Foundation
import XCTest

/// What a teammate with push access can put in front of a clone beyond the Attack* tests:
/// records and locks with absurd or negative sizes, YAML nested past any stack or made of
/// aliases. Each is a clear refusal naming what is wrong — never a crash, a hang or an
/// allocation sized by the claim (docs/RELIABILITY.md, "Hostile input is refused").
final class HostileInputTests: CLITestCase {
    /// Writes `change`d copies of d@v1's record as version commits of `d` (as a plain
    /// `git fetch` of a teammate's refs would leave them) and returns their refs.
    private func forgeVersion(_ version: Int, _ change: (inout [String: Any]) -> Void) throws -> String {
        var record = try XCTUnwrap(try json(try run("git", "show", "refs/ml/datasets/d/v1:dataset.json").stdout) as? [String: Any])
        record["version"] = version
        change(&record)
        let file = repo + "-record.json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]).write(to: URL(fileURLWithPath: file))
        let ref = "refs/ml/datasets/d/v\(version)"
        try run("sh", "-c", """
            set -e
            blob=$(git hash-object -w "$1")
            tree=$(printf '100644 blob %s\\tdataset.json\\n' "$blob" | git mktree)
            git update-ref "$2" "$(git commit-tree -m "dataset d@v\(version)" "$tree")"
            """, "forge", file, ref)
        return ref
    }

    private func setSizes(_ size: Int, in record: inout [String: Any]) {
        record["size"] = size
        record["files"] = (record["files"] as? [[String: Any]] ?? []).map { var f = $0; f["size"] = size; return f }
    }

    /// A record claiming 2^52 bytes for a file of one chunk trapped fsck and checkout (the
    /// claimed length did not fit the chunk list's 32 bits: SIGILL); a smaller lie passed fsck;
    /// a negative size trapped every reader of the record; a record whose `digest` is not its
    /// file's (claiming a trusted version's identity over other bytes) was read as that
    /// version. Now each version is named by fsck and refused by checkout, and the work tree's
    /// file is left as it was.
    func testRecordsWhoseSizesOrDigestLieAreRefused() throws {
        try initWithVersions(of: "d", rows: 30, variants: [0])
        let data = try Data(contentsOf: URL(fileURLWithPath: repo + "/d.csv"))
        let other = "sha256:" + String(repeating: "0", count: 64)
        let cases: [(what: String, change: (inout [String: Any]) -> Void, message: String)] = [
            ("2^52 bytes", { self.setSizes(1 << 52, in: &$0) }, "record says \(1 << 52)"),
            ("5 bytes", { self.setSizes(5, in: &$0) }, "record says 5"),
            ("-1 bytes", { self.setSizes(-1, in: &$0) }, "field \"size\" must be a byte count (0 or more), not -1"),
            ("another digest", { $0["digest"] = other }, "field \"digest\" is \(other), but its files' digest is"),
        ]
        for (k, c) in cases.enumerated() {
            let ref = try forgeVersion(2 + k, c.change)
            let fsck = try run("git", "ml", "fsck", expect: nil)
            XCTAssertEqual(fsck.status, 1, "\(c.what): \(fsck.stdout)\n\(fsck.stderr)")
            XCTAssertTrue(fsck.stdout.contains(c.message), "\(c.what): \(fsck.stdout)")
            let checkout = try run("git", "ml", "data", "checkout", "d@v\(2 + k)", expect: nil)
            XCTAssertEqual(checkout.status, 3, "\(c.what): \(checkout.stderr)")
            XCTAssertTrue(checkout.stderr.contains(c.message), "\(c.what): \(checkout.stderr)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: repo + "/d.csv")), data, "\(c.what): the work tree changed")
            try run("git", "update-ref", "-d", ref)
        }
        try run("git", "ml", "fsck")
    }

    /// A record of a file of several chunks that pairs the real manifest with another digest
    /// (its identity consistent, so it parses) was checked out without a word, and the lock
    /// then pinned the claimed digest for those bytes. Now the restore hashes a pair this store
    /// has not computed and refuses it, replacing nothing.
    func testAManifestUnderAnotherDigestIsRefusedByCheckout() throws {
        try initWithVersions(of: "d", rows: 20_000, variants: [0])
        let data = try Data(contentsOf: URL(fileURLWithPath: repo + "/d.csv"))
        let lock = try String(contentsOfFile: repo + "/ml/lock.json", encoding: .utf8)
        let other = "sha256:" + String(repeating: "1", count: 64)
        let ref = try forgeVersion(2) { record in
            record["digest"] = other
            record["files"] = (record["files"] as? [[String: Any]] ?? []).map { var f = $0; f["digest"] = other; return f }
        }
        let files = try XCTUnwrap(try json(try run("git", "show", ref + ":dataset.json").stdout) as? [String: Any])["files"] as? [[String: Any]]
        XCTAssertNotNil(files?.first?["manifest"], "the file has several chunks")
        let checkout = try run("git", "ml", "data", "checkout", "d@v2", expect: 3)
        XCTAssertTrue(checkout.stderr.contains("the record of \(other) does not match it") && checkout.stderr.contains("whose SHA-256 is sha256:"), checkout.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: repo + "/d.csv")), data, "the work tree changed")
        XCTAssertEqual(try String(contentsOfFile: repo + "/ml/lock.json", encoding: .utf8), lock, "the lock changed")
        try run("git", "update-ref", "-d", ref)
        try run("git", "ml", "data", "checkout", "d@v1")
    }

    /// A record whose manifest lists valid chunks in another order (two chunks swapped: every
    /// object, node, length and size is intact, only the assembled bytes are another file's)
    /// passed fsck, which never reassembled files; only a checkout found it. Now fsck hashes each
    /// file whose (manifest, digest) pair this store has not verified, and `--read-data` every
    /// file even when the store remembers its pair as verified; both name the version and exit 1.
    func testAManifestWhoseChunksAssembleAnotherFileFailsFsck() throws {
        try initWithVersions(of: "d", rows: 20_000, variants: [0])
        let record = try XCTUnwrap(try json(try run("git", "show", "refs/ml/datasets/d/v1:dataset.json").stdout) as? [String: Any])
        let file = try XCTUnwrap((record["files"] as? [[String: Any]])?.first)
        let manifest = try XCTUnwrap(Digest(parsing: try XCTUnwrap(file["manifest"] as? String)), "the file has several chunks")
        let digest = try XCTUnwrap(Digest(parsing: try XCTUnwrap(file["digest"] as? String)))
        let store = try ObjectStore(layout: StoreLayout(root: repo + "/.git/ml"))
        var chunks = try store.loadManifest(manifest)
        let (a, b) = try XCTUnwrap(Self.twoDistinctChunks(chunks))
        chunks.digests.swapAt(a, b)
        chunks.lengths.swapAt(a, b)
        chunks.boundaries.swapAt(a, b)
        let swapped = try store.storeManifest(chunks)
        try store.flush()
        let ref = try forgeVersion(2) { record in
            record["files"] = (record["files"] as? [[String: Any]] ?? []).map { var f = $0; f["manifest"] = swapped.description; return f }
        }
        let mismatch = "the record of \(digest) does not match it: its manifest \(swapped) assembles"
        for arguments in [["fsck"], ["fsck", "--read-data"]] {
            let fsck = try run(["git", "ml"] + arguments, expect: 1)
            XCTAssertTrue(fsck.stdout.contains("error: d@v2") && fsck.stdout.contains(mismatch), "\(arguments): \(fsck.stdout)")
            XCTAssertFalse(fsck.stdout.contains("error: d@v1"), fsck.stdout)
        }
        // A pair the store remembers as verified is not hashed again by default; --read-data trusts nothing.
        let verified = repo + "/.git/ml/cache/verified-manifests-v1"
        let remembered = try String(contentsOfFile: verified, encoding: .utf8)
        try (remembered + "\(swapped.hex) \(digest.hex)\n").write(toFile: verified, atomically: true, encoding: .utf8)
        try run("git", "ml", "fsck")
        XCTAssertTrue(try run("git", "ml", "fsck", "--read-data", expect: 1).stdout.contains(mismatch))
        try run("git", "update-ref", "-d", ref)
        let clean = try run("git", "ml", "fsck", "--read-data").stdout
        XCTAssertTrue(clean.contains("hashed 1 file (") && clean.contains("no problems"), clean)
    }

    /// Two chunks of `chunks` with different digests.
    private static func twoDistinctChunks(_ chunks: ChunkList) -> (Int, Int)? {
        guard let second = chunks.digests.indices.first(where: { chunks.digests[$0] != chunks.digests[0] }) else { return nil }
        return (0, second)
    }

    /// A lock whose entry says a negative size trapped every command that read it.
    func testANegativeSizeInTheLockIsRefused() throws {
        try initWithVersions(of: "d", rows: 30, variants: [0])
        let lockPath = repo + "/ml/lock.json"
        let text = try String(contentsOfFile: lockPath, encoding: .utf8)
        let changed = try XCTUnwrap(text.range(of: #""size": [0-9]+"#, options: .regularExpression).map { text.replacingCharacters(in: $0, with: "\"size\": -1") })
        try changed.write(toFile: lockPath, atomically: true, encoding: .utf8)
        let fsck = try run("git", "ml", "fsck", expect: 1)
        XCTAssertTrue(fsck.stdout.contains("must be a byte count (0 or more), not -1"), fsck.stdout)
        let checkout = try run("git", "ml", "data", "checkout", expect: 3)
        XCTAssertTrue(checkout.stderr.contains("ml/lock.json") && checkout.stderr.contains("not -1"), checkout.stderr)
    }

    /// A pushed `ml/config.yaml` (read by every command) of nested aliases with an alias as a
    /// key ("billion laughs") hung every command (Yams hashes the key's 9^10 nodes: killed after
    /// 30 s); one nested 200,000 levels deep failed with libyaml's error quoting the whole
    /// 200 KB line. Both are now refused at once in one short line naming the file and line.
    func testDeepOrAliasBombConfigurationIsRefused() throws {
        try run("git", "ml", "init")
        var laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for k in 1...9 { laughs += "a\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 9).joined(separator: ", ") + "]\n" }
        laughs += "? *a9\n: boom\n"
        let cases = [(String(repeating: "[", count: 200_000), "ml/config.yaml:1: invalid YAML: nested deeper than 64 levels"),
                     (laughs, "ml/config.yaml:1: invalid YAML: anchors and aliases")]
        for (text, message) in cases {
            try text.write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
            let started = Date()
            let fsck = try run("git", "ml", "fsck", expect: nil)
            XCTAssertEqual(fsck.status, 3, "\(message): \(fsck.stderr)")
            XCTAssertTrue(fsck.stderr.contains(message), fsck.stderr)
            XCTAssertLessThan(Date().timeIntervalSince(started), 30, "refused at once")
            XCTAssertLessThan(fsck.stderr.utf8.count, 1_000, "one short line: \(fsck.stderr.prefix(300))")
        }
    }

    /// 1,000 refs under refs/ml/ (20,000 with `GITML_SLOW_TESTS=1`; a teammate's push or a fetch
    /// can leave any number): fsck names each ref that holds another version's record, reads
    /// that record once, and finishes.
    func testThousandsOfRefsUnderRefsMLAreNamedInBoundedTime() throws {
        try initWithVersions(of: "d", rows: 30, variants: [0])
        let commit = try run("git", "rev-parse", "refs/ml/datasets/d/v1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let count = ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1" ? 20_000 : 1_000
        let commands = repo + "-refs.txt"
        defer { try? FileManager.default.removeItem(atPath: commands) }
        try (2...count + 1).map { "create refs/ml/datasets/d/v\($0) \(commit)\n" }.joined().write(toFile: commands, atomically: true, encoding: .utf8)
        try run("sh", "-c", "git update-ref --stdin < \"$0\" && git pack-refs --all", commands)
        let started = Date()
        let fsck = try run("git", "ml", "fsck", expect: 1)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertTrue(fsck.stdout.contains("refs/ml/datasets/d/v\(count + 1): holds the record of d@v1"), String(fsck.stdout.suffix(500)))
        XCTAssertEqual(fsck.stdout.components(separatedBy: "holds the record of d@v1").count - 1, count)
        XCTAssertLessThan(seconds, Double(count) / 1_000 * 30, "fsck over \(count) refs")
        print("fsck over \(count) refs to one record: \(String(format: "%.1f", seconds)) s")
        // The commands that list or pick versions read the same refs: none serves a ref whose
        // record is another version (they listed d@v1 once per ref, and `d@vN` showed d@v1).
        for (arguments, expect) in [(["data", "log", "d"], Int32(0)), (["data", "show", "d"], 0), (["data", "status"], 0),
                                    (["data", "show", "d@v\(count + 1)"], 3), (["data", "checkout", "d@v2"], 3)] {
            let started = Date()
            let result = try run(["git", "ml"] + arguments, expect: expect)
            let seconds = Date().timeIntervalSince(started)
            XCTAssertLessThan(seconds, Double(count) / 1_000 * 30, "\(arguments) over \(count) refs")
            print("git ml \(arguments.joined(separator: " ")) over \(count) refs: \(String(format: "%.1f", seconds)) s")
            if expect == 0 {
                XCTAssertEqual(result.stdout.components(separatedBy: "d@v").count - 1, 1, "\(arguments): \(result.stdout.prefix(300))")
            } else {
                XCTAssertTrue(result.stderr.contains("holds the record of d@v1, not d@v"), result.stderr)
            }
        }
    }

    /// A pushed ref whose record is another version (refs/ml/datasets/d/v2 holding d@v1's
    /// record) is not adopted by `git ml fetch`: the version a teammate names must be the one
    /// its record says.
    func testFetchRefusesARefWhoseRecordIsAnotherVersion() throws {
        let (bare, _, other) = try setUpSharing()
        try writeCSV("d.csv", rows: 30, variant: 0)
        try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
        try run("git", "add", "-A")
        try run("git", "commit", "-q", "-m", "one")
        try run("git", "push", "-q", "origin", "main", "refs/ml/datasets/d/v1:refs/ml/datasets/d/v1")
        try run("git", "push", "-q", "origin", "refs/ml/datasets/d/v1:refs/ml/datasets/d/v2")
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        let fetch = try run("git", "ml", "fetch", in: other, expect: 3)
        XCTAssertTrue(fetch.stderr.contains("refs/ml/datasets/d/v2 on origin: holds the record of d@v1, not the version its name says"), fetch.stderr)
        try run("git", "rev-parse", "--verify", "-q", "refs/ml/datasets/d/v2", in: other, expect: 1)
    }
}
