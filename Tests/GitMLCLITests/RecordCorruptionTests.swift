import Foundation
import XCTest

/// Single-byte flips in the git objects of a dataset record and in `ml/lock.json`
/// (docs/RELIABILITY.md, "A damaged record or lock is refused"). The default mode flips one
/// byte in each part of a zlib stream and of the lock's JSON, chosen deterministically;
/// `GITML_SLOW_TESTS=1` flips every byte with two values.
final class RecordCorruptionTests: CLITestCase {
    private var slow: Bool { ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1" }

    /// The XOR value for flip `k` at `offset`: a single bit or a seeded byte.
    private func flipValue(_ k: Int, offset: Int) -> UInt8 {
        var z = UInt64(offset &* 31 &+ k) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return [0x01, 0x80, UInt8(1 + (z ^ (z >> 31)) % 255)][k % 3]
    }

    /// Offsets to flip in a loose object of `count` bytes: all of them in slow mode, else one in
    /// each part of its zlib stream — the header's check bits (1), the first deflate bytes, which
    /// hold git's `<type> <length>` header (3), the middle, the last deflate byte (the end of the
    /// stream, where libgit2 1.5 looped forever on a stream cut short) and the Adler-32 trailer.
    private func objectOffsets(_ count: Int) -> [Int] {
        slow ? Array(0..<count) : Array(Set([1, 3, count / 2, count - 5, count - 1])).sorted()
    }

    /// Offsets to flip in the lock's text: all of them in slow mode, else — deterministically —
    /// one in each kind of place its meaning lives, for every dataset entry (the name, a digit of
    /// the digest, the path, a digit of the size and of the version) and `format_version`, plus
    /// the JSON's structure (the first brace, a key's quote, a colon, a comma, the final brace).
    private func lockOffsets(_ original: Data) -> [Int] {
        guard !slow else { return Array(0..<original.count) }
        let text = String(decoding: original, as: UTF8.self)
        let places: [(pattern: String, every: Bool)] = [
            (#"^\{"#, false), (#""(?=datasets)"#, false), (#""[a-z](?=": \{\n\s*"digest)"#, true), (#""sha256:[a-f]*[0-9]"#, true),
            (#""path": "[a-z]"#, true), (#""size": [0-9]"#, true), (#""version": "v[0-9]"#, true), (#""format_version": [0-9]"#, false),
            (#"":"#, false), (#",(?=\n)"#, false), (#"\}(?=\n$)"#, false),
        ]
        var offsets = Set<Int>()
        for (pattern, every) in places {
            let regex = try! NSRegularExpression(pattern: pattern)
            let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
            // Every character of the lock is ASCII, so a character's UTF-16 offset is its byte offset.
            offsets.formUnion((every ? matches : Array(matches.prefix(1))).map { NSMaxRange($0.range) - 1 })
        }
        return offsets.sorted()
    }

    /// Writes `bytes` over a file git made read-only.
    private func overwrite(_ path: String, with bytes: Data) throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// A flipped byte in a version's loose commit, tree or `dataset.json` blob: either git reads
    /// the object back unchanged (the flip hit bits zlib never reads: the header's level hint,
    /// unused code lengths, the padding after the last block — nothing to detect, the record is
    /// intact), or fsck reports the version's ref as damaged (exit 1) and checkout refuses it,
    /// leaving the working-tree file as it was. Last session's probe took a padding flip at
    /// offset 164 of a 169-byte commit for a missed corruption.
    func testEveryFlippedByteOfARecordsGitObjectsIsFoundOrHarmless() throws {
        try initWithVersions(of: "d", rows: 30, variants: [0, 2])
        let commit = try run("git", "rev-parse", "refs/ml/datasets/d/v2").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try run("git", "rev-parse", commit + "^{tree}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let blob = try run("git", "rev-parse", commit + ":dataset.json").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let data = try Data(contentsOf: URL(fileURLWithPath: repo + "/d.csv"))
        var (flips, harmless, found) = (0, 0, 0)
        for object in [commit, tree, blob] {
            let path = repo + "/.git/objects/" + object.prefix(2) + "/" + object.dropFirst(2)
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            let content = try run("git", "cat-file", "-p", object).stdout
            for offset in objectOffsets(original.count) {
                for k in 0..<(slow ? 2 : 1) {
                    var bytes = original
                    bytes[offset] ^= flipValue(k, offset: offset)
                    try overwrite(path, with: bytes)
                    flips += 1
                    let what = "object \(object.prefix(8)) byte \(offset) of \(original.count)"
                    let read = try run(["git", "cat-file", "-p", object], expect: nil)
                    if read.status == 0, read.stdout == content {
                        harmless += 1
                        XCTAssertEqual(try run("git", "ml", "fsck", expect: nil).status, 0, "\(what): an intact object is not reported")
                        continue
                    }
                    let fsck = try run("git", "ml", "fsck", expect: nil)
                    XCTAssertEqual(fsck.status, 1, "\(what): fsck passed a damaged record\n\(fsck.stdout)")
                    XCTAssertTrue(fsck.stdout.contains("refs/ml/datasets/d/v2") && fsck.stdout.contains("damaged"), "\(what): \(fsck.stdout)")
                    let checkout = try run("git", "ml", "data", "checkout", "d@v2", expect: nil)
                    XCTAssertEqual(checkout.status, 3, "\(what): checkout went ahead")
                    XCTAssertTrue(checkout.stderr.contains("damaged"), "\(what): \(checkout.stderr)")
                    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: repo + "/d.csv")), data, "\(what): the work tree file changed")
                    if fsck.status == 1, checkout.status == 3 { found += 1 }
                }
            }
            try overwrite(path, with: original)
        }
        print("record objects: \(flips) flips, \(found) found by fsck and refused by checkout, \(harmless) left the object unchanged")
        XCTAssertEqual(found + harmless, flips)
        XCTAssertGreaterThan(found, 0)
        try run("git", "ml", "fsck")
    }

    /// A flipped byte in `ml/lock.json`: the lock no longer parses (fsck reports it, every
    /// command refuses it), or it parses to the same lock (a whitespace change), or it parses to
    /// another lock — and then fsck names the entry that disagrees with its record and
    /// `git ml data checkout` refuses before writing anything. Before the fix, 2 of 8 such
    /// flips passed fsck (a digit of a size or version) and checkout followed the changed entry.
    func testEveryFlippedByteOfTheLockIsFoundOrHarmless() throws {
        try initWithVersions(of: "d", rows: 30, variants: [0, 2])
        try writeCSV("e.csv", rows: 25, variant: 3)
        try run("git", "ml", "data", "add", "e.csv", "--name", "e", "--no-checks")
        let lockPath = repo + "/ml/lock.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: lockPath))
        let parsed = try JSONSerialization.jsonObject(with: original) as? NSDictionary
        let files = try ["d.csv", "e.csv"].map { try Data(contentsOf: URL(fileURLWithPath: repo + "/" + $0)) }
        var (flips, unreadable, same, caught) = (0, 0, 0, 0)
        for offset in lockOffsets(original) {
            for k in 0..<(slow ? 2 : 1) {
                var bytes = original
                bytes[offset] ^= flipValue(k, offset: offset)
                try bytes.write(to: URL(fileURLWithPath: lockPath))
                flips += 1
                let what = "lock byte \(offset) (\(String(decoding: original[offset...offset], as: UTF8.self).debugDescription) → \(String(decoding: bytes[offset...offset], as: UTF8.self).debugDescription))"
                let fsck = try run("git", "ml", "fsck", expect: nil)
                if (try? JSONSerialization.jsonObject(with: bytes)) as? NSDictionary == parsed {
                    same += 1
                    XCTAssertEqual(fsck.status, 0, "\(what): the same lock is not reported\n\(fsck.stdout)")
                    continue
                }
                XCTAssertEqual(fsck.status, 1, "\(what): fsck passed a changed lock\n\(fsck.stdout)")
                XCTAssertTrue(fsck.stdout.contains("ml/lock.json"), "\(what): \(fsck.stdout)")
                let checkout = try run("git", "ml", "data", "checkout", expect: nil)
                XCTAssertEqual(checkout.status, 3, "\(what): checkout followed a changed lock\n\(checkout.stdout)")
                XCTAssertTrue(checkout.stderr.contains("ml/lock.json"), "\(what): \(checkout.stderr)")
                XCTAssertEqual(try ["d.csv", "e.csv"].map { try Data(contentsOf: URL(fileURLWithPath: repo + "/" + $0)) }, files, "\(what): data changed")
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: lockPath)), bytes, "\(what): the lock was rewritten")
                if fsck.stdout.contains("entry ") { caught += 1 } else { unreadable += 1 }
            }
        }
        print("lock: \(flips) flips, \(unreadable) unreadable, \(caught) parsed to another lock and were caught by entry, \(same) parsed to the same lock")
        XCTAssertEqual(unreadable + caught + same, flips)
        XCTAssertGreaterThan(caught, 0, "some flips changed an entry and still parsed")
        try original.write(to: URL(fileURLWithPath: lockPath))
        try run("git", "ml", "fsck")
        try run("git", "ml", "data", "checkout")
    }

    /// Each way a lock entry can disagree with its record is named, and a checkout of the
    /// version rewrites the entry from the record.
    func testEachDisagreementOfALockEntryIsNamed() throws {
        try initWithVersions(of: "d", rows: 30, variants: [0, 2])
        let lockPath = repo + "/ml/lock.json"
        let text = try String(contentsOfFile: lockPath, encoding: .utf8)
        let v1 = try XCTUnwrap(try json(try run("git", "ml", "data", "log", "d", "--json").stdout) as? [[String: Any]]).first { $0["label"] as? String == "d@v1" }
        let v1Digest = try XCTUnwrap(v1?["digest"] as? String)
        let lock = try XCTUnwrap(try json(text) as? [String: Any])
        let entry = try XCTUnwrap((lock["datasets"] as? [String: Any])?["d"] as? [String: Any])
        let digest = try XCTUnwrap(entry["digest"] as? String), size = try XCTUnwrap(entry["size"] as? Int)
        let cases: [(String, String, String)] = [
            ("label", text.replacingOccurrences(of: "\"v2\"", with: "\"v1\""), "says v1, but its digest"),
            ("digest", text.replacingOccurrences(of: digest, with: String(digest.dropLast()) + (digest.hasSuffix("0") ? "1" : "0")), "as v2, but d@v2 here is"),
            ("digest of another version", text.replacingOccurrences(of: digest, with: v1Digest), "says v2, but its digest"),
            ("size", text.replacingOccurrences(of: "\"size\": \(size)", with: "\"size\": \(size + 1)"), "says \(size + 1) bytes"),
            ("path", text.replacingOccurrences(of: "\"d.csv\"", with: "\"e.csv\""), "says path e.csv"),
            ("name", text.replacingOccurrences(of: "\"d\":", with: "\"e\":"), "which is the data of d@v2, not a version of e"),
        ]
        for (what, changed, message) in cases {
            XCTAssertNotEqual(changed, text, what)
            try changed.write(toFile: lockPath, atomically: true, encoding: .utf8)
            let fsck = try run("git", "ml", "fsck", expect: 1)
            XCTAssertTrue(fsck.stdout.contains(message), "\(what): \(fsck.stdout)")
            let refused = try run("git", "ml", "data", "checkout", expect: 3)
            XCTAssertTrue(refused.stderr.contains("ml/lock.json entry") && refused.stderr.contains(message), "\(what): \(refused.stderr)")
            XCTAssertTrue(try run("git", "ml", "data", "status", expect: 3).stderr.contains(message), what)
        }
        try run("git", "ml", "data", "checkout", "d@v2")
        XCTAssertEqual(try run("git", "ml", "fsck", expect: 1).stdout.contains("entry e"), true, "the renamed entry is still named")
        try text.write(toFile: lockPath, atomically: true, encoding: .utf8)
        try run("git", "ml", "fsck")
    }

    /// `git ml gc` removes the folders a killed command left in the store's `tmp/` (a run's
    /// scratch, a push's staging) and keeps those whose process still runs. Before the fix it
    /// called `unlink` on them, which fails on a folder: they stayed forever and fsck warned
    /// about them after every gc.
    func testGCRemovesTheTmpFoldersOfDeadProcesses() throws {
        try run("git", "ml", "init")
        try writeCSV("d.csv", rows: 30)
        try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
        let gone = try start(["true"])
        gone.waitUntilExit()
        let dead = gone.processIdentifier, alive = ProcessInfo.processInfo.processIdentifier
        let tmp = repo + "/.git/ml/tmp"
        let names = ["run-\(dead)-11", "push-\(dead)-22", "exec-\(dead)-33", "pack-\(dead)-44.tmp", "run-\(alive)-55"]
        for name in names {
            if name.hasSuffix(".tmp") {
                try Data("partial pack".utf8).write(to: URL(fileURLWithPath: tmp + "/" + name))
            } else {
                try FileManager.default.createDirectory(atPath: tmp + "/" + name + "/work/deeper", withIntermediateDirectories: true)
                try Data("partial output".utf8).write(to: URL(fileURLWithPath: tmp + "/" + name + "/work/deeper/out.bin"))
                try Data("x".utf8).write(to: URL(fileURLWithPath: tmp + "/" + name + "/top.json"))
            }
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3_600)], ofItemAtPath: tmp + "/" + name)
        }
        let before = try XCTUnwrap(try json(try run("git", "ml", "fsck", "--json").stdout) as? [String: Any])
        XCTAssertEqual((before["warnings"] as? [Any])?.count, 4, "the dead processes' leftovers are named: \(before)")
        try run("git", "ml", "gc", "--grace-seconds", "0")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp).sorted(), ["run-\(alive)-55"])
        let after = try XCTUnwrap(try json(try run("git", "ml", "fsck", "--json").stdout) as? [String: Any])
        XCTAssertEqual((after["warnings"] as? [Any])?.count, 0, "\(after)")
    }
}
