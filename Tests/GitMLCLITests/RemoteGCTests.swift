import Foundation
import XCTest

/// `git ml gc --remote`: a blob remote shared by two clones through a bare git repository.
final class RemoteGCTests: CLITestCase {
    private var bare: String { repo + "-bare.git" }
    private var blobs: String { repo + "-blobs" }
    private var other: String { repo + "-b" }

    override func tearDownWithError() throws {
        [bare, blobs, other].forEach { try? FileManager.default.removeItem(atPath: $0) }
        try super.tearDownWithError()
    }

    /// Clone A publishes, in this order: a pack with train v1, keep v1 and a large old v1 (from
    /// a side branch), a pack with only scratch v1 (same branch), and on main a pack with train
    /// v2 (deltas against v1). Then it purges old v1 and scratch v1 and pushes the purge
    /// records: the first pack becomes mostly dead, the second wholly dead, and train v1 stays
    /// alive only as the delta base of v2.
    private func publishAndPurge() throws -> (train: String, keep: String) {
        try run("git", "init", "-q", "--bare", "-b", "main", bare)
        try run("git", "remote", "add", "origin", bare)
        try run("git", "ml", "init")
        try run("git", "ml", "remote", "add", "shared", blobs, "--default")
        try writeCSV("data/train.csv", rows: 3_000)
        try writeCSV("keep.csv", rows: 500, variant: 2)
        try run("git", "ml", "data", "add", "data/train.csv")
        try run("git", "ml", "data", "add", "keep.csv")
        try run("git", "mlcommit", "-m", "v1")
        try run("git", "checkout", "-q", "-b", "experiment")
        try writeCSV("old.csv", rows: 20_000, variant: 7)
        try run("git", "ml", "data", "add", "old.csv")
        try run("git", "mlcommit", "-m", "old")
        try run("git", "ml", "push")
        try writeCSV("scratch.csv", rows: 2_000, variant: 9)
        try run("git", "ml", "data", "add", "scratch.csv")
        try run("git", "mlcommit", "-m", "scratch")
        try run("git", "ml", "push")
        try run("git", "checkout", "-q", "main")
        try writeCSV("data/train.csv", rows: 3_000, variant: 4)
        try run("git", "ml", "data", "add", "data/train.csv")
        try run("git", "mlcommit", "-m", "v2")
        try run("git", "ml", "push")
        try run("git", "ml", "data", "purge", "old@v1", "--reason", "withdrawn")
        try run("git", "ml", "data", "purge", "scratch@v1", "--reason", "withdrawn")
        try run("git", "ml", "push")
        return (try sha256("data/train.csv"), try sha256("keep.csv"))
    }

    /// Every file under the blob remote with its size.
    private func remoteFiles() throws -> [String: UInt64] {
        var files: [String: UInt64] = [:]
        let walker = FileManager.default.enumerator(atPath: blobs)
        while let path = walker?.nextObject() as? String {
            if walker?.fileAttributes?[.type] as? FileAttributeType == .typeRegular {
                files[path] = (walker?.fileAttributes?[.size] as? NSNumber)?.uint64Value
            }
        }
        return files
    }

    /// `git ml gc --remote shared --json` with the given grace period, parsed.
    private func gc(grace: Int = 3600, dryRun: Bool = false) throws -> [String: Any] {
        let result = dryRun
            ? try run("git", "ml", "gc", "--remote", "shared", "--json", "--grace-seconds", "\(grace)", "--dry-run")
            : try run("git", "ml", "gc", "--remote", "shared", "--json", "--grace-seconds", "\(grace)")
        return try json(result.stdout) as? [String: Any] ?? [:]
    }

    func testRemoteGCDeletesOnlyUnreachableBytesAndAFreshCloneStillChecksOutEveryLiveVersion() throws {
        let (train, keep) = try publishAndPurge()
        let before = try remoteFiles()

        let preview = try gc(grace: 0, dryRun: true)
        XCTAssertEqual(preview["dry_run"] as? Bool, true)
        let wouldRemove = try XCTUnwrap(preview["objects_removed"] as? Double)
        XCTAssertGreaterThan(wouldRemove, 0, "\(preview)")
        XCTAssertEqual(preview["packs_deleted"] as? Double, 1, "\(preview)")
        XCTAssertEqual(preview["packs_rewritten"] as? Double, 1, "\(preview)")
        XCTAssertEqual(try remoteFiles(), before, "a dry run changes nothing")

        let swept = try gc(grace: 0)
        XCTAssertEqual(swept["objects_removed"] as? Double, wouldRemove, "\(swept)")
        XCTAssertEqual(swept["bytes_freed"] as? Double, preview["bytes_freed"] as? Double)
        let after = try remoteFiles()
        XCTAssertNotEqual(after, before)
        XCTAssertNil(after["locks/gc"], "the exclusive lock is released")
        let packBytes = { (files: [String: UInt64]) in files.filter { $0.key.hasPrefix("packs/") }.values.reduce(0, +) }
        XCTAssertLessThan(packBytes(after), packBytes(before))
        XCTAssertEqual(try gc(grace: 0)["objects_removed"] as? Double, 0, "a second sweep finds nothing")

        // A fresh clone gets every live version, v2's delta bases included, byte for byte.
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", in: other)
        try run("git", "ml", "data", "checkout", in: other)
        XCTAssertEqual(String(try run("sha256sum", "data/train.csv", in: other).stdout.prefix(64)), train)
        XCTAssertEqual(String(try run("sha256sum", "keep.csv", in: other).stdout.prefix(64)), keep)
        XCTAssertTrue(try run("git", "ml", "fsck", in: other).stdout.contains("no problems"))
    }

    func testRemoteGCHonoursTheGracePeriodAndRefusesWhileAPushHoldsTheLock() throws {
        _ = try publishAndPurge()
        let before = try remoteFiles()

        let young = try gc()
        XCTAssertEqual(young["objects_removed"] as? Double, 0, "\(young)")
        XCTAssertGreaterThan(try XCTUnwrap(young["packs_in_grace"] as? Double), 0)
        XCTAssertEqual(try remoteFiles(), before, "just-pushed packs are left alone")

        try "alice push at 2026-01-01T00:00:00Z".write(toFile: blobs + "/locks/shared-1234", atomically: true, encoding: .utf8)
        let refused = try run("git", "ml", "gc", "--remote", "shared", "--grace-seconds", "0", expect: 3)
        XCTAssertTrue(refused.stderr.contains("locked by alice push"), refused.stderr)
        var files = try remoteFiles()
        files["locks/shared-1234"] = nil
        XCTAssertEqual(files, before, "a refused gc changes nothing")
        try FileManager.default.removeItem(atPath: blobs + "/locks/shared-1234")

        // The other way round: while a gc holds the remote, a push fails cleanly, uploading nothing.
        try "bob gc at 2026-01-01T00:00:00Z".write(toFile: blobs + "/locks/gc", atomically: true, encoding: .utf8)
        try writeCSV("late.csv", rows: 200, variant: 5)
        try run("git", "ml", "data", "add", "late.csv")
        try run("git", "mlcommit", "-m", "late")
        let blocked = try run("git", "ml", "push", expect: 3)
        XCTAssertTrue(blocked.stderr.contains("locked by bob gc"), blocked.stderr)
        files = try remoteFiles()
        files["locks/gc"] = nil
        XCTAssertEqual(files, before)
        try FileManager.default.removeItem(atPath: blobs + "/locks/gc")
        try run("git", "ml", "push")
        XCTAssertGreaterThan(try XCTUnwrap(try gc(grace: 0)["objects_removed"] as? Double), 0)
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", in: other)
        try run("git", "ml", "data", "checkout", in: other)
        XCTAssertEqual(String(try run("sha256sum", "late.csv", in: other).stdout.prefix(64)), try sha256("late.csv"))
    }

    func testAStaleLockOfACrashedClientIsNamedWithItsAgeAndBrokenOnlyOnRequest() throws {
        _ = try publishAndPurge()
        try "bob gc".write(toFile: blobs + "/locks/gc", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3 * 3600)],
                                              ofItemAtPath: blobs + "/locks/gc")
        try writeCSV("late.csv", rows: 200, variant: 5)
        try run("git", "ml", "data", "add", "late.csv")
        try run("git", "mlcommit", "-m", "late")
        let blocked = try run("git", "ml", "push", expect: 3)
        for expected in ["locked by bob gc since ", "(3 h 0 min ago)", "the lock is stale",
                         "`git ml gc --remote shared --break-lock`"] {
            XCTAssertTrue(blocked.stderr.contains(expected), "\(expected): \(blocked.stderr)")
        }

        // --break-lock removes only stale locks: a push in flight keeps its fresh one.
        try "carol push".write(toFile: blobs + "/locks/shared-77", atomically: true, encoding: .utf8)
        let broken = try run("git", "ml", "gc", "--remote", "shared", "--break-lock", "--dry-run")
        XCTAssertTrue(broken.stdout.contains("removed the stale lock locks/gc of bob gc since "), broken.stdout)
        XCTAssertEqual(Set(try remoteFiles().keys.filter { $0.hasPrefix("locks/") }), ["locks/shared-77"])
        let refused = try run("git", "ml", "gc", "--remote", "shared", "--break-lock", expect: 3)
        XCTAssertTrue(refused.stderr.contains("locked by carol push"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("stale"), refused.stderr)
        try FileManager.default.removeItem(atPath: blobs + "/locks/shared-77")
        try run("git", "ml", "push")
        XCTAssertEqual(try remoteFiles().keys.filter { $0.hasPrefix("locks/") }, [], "a push releases its lock")
    }

    func testPushesRacingARemoteGCFromAnotherCloneNeverLoseObjects() throws {
        _ = try publishAndPurge()
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        for round in 1...3 {
            try writeCSV("race.csv", rows: 1_000, variant: 10 + round)
            try run("git", "ml", "data", "add", "race.csv")
            try run("git", "mlcommit", "-m", "race \(round)")
            let push = try start(["git", "ml", "push"])
            let sweep = try run("git", "ml", "gc", "--remote", "shared", "--grace-seconds", "0", in: other, expect: nil)
            push.waitUntilExit()
            let pushErrors = String(decoding: (push.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            for (status, errors) in [(push.terminationStatus, pushErrors), (sweep.status, sweep.stderr)] where status != 0 {
                XCTAssertEqual(status, 3, errors)
                XCTAssertTrue(errors.contains("is locked by"), errors)
            }
            if push.terminationStatus != 0 { try run("git", "ml", "push") }
        }
        try run("git", "ml", "gc", "--remote", "shared", "--grace-seconds", "0", in: other)
        let fresh = repo + "-c"
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        try run("git", "clone", "-q", bare, fresh, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: fresh)
        try run("git", "ml", "pull", in: fresh)
        try run("git", "ml", "data", "checkout", in: fresh)
        for name in ["race.csv", "data/train.csv", "keep.csv"] {
            XCTAssertEqual(String(try run("sha256sum", name, in: fresh).stdout.prefix(64)), try sha256(name), name)
        }
        for version in 1...3 {
            try run("git", "ml", "pull", "shared", "race@v\(version)", in: fresh)
        }
    }
}
