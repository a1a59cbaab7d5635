import Foundation
import XCTest
import Platform

/// Crash injection at the named fault points the code exposes (`GITML_FAULT_POINT`, see
/// `FaultPoint` and docs/RELIABILITY.md) and at random moments, during `data add`, `push`,
/// `pull`, `gc --remote`, `run` and `mlcommit`: after each kill fsck finds no problem (at most
/// leftovers it names), the same command then succeeds, and every version checks out byte for
/// byte. `GITML_SLOW_TESTS=1` makes more random kills.
final class CrashInjectionTests: CLITestCase {
    private var slow: Bool { ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1" }

    /// Runs `git-ml`/`git-mlcommit` (the binary itself, so the signal is its own) armed to die
    /// at `point`, and checks that it did.
    private func kill(at point: String, _ args: [String], in directory: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = CLITestCase.binaries + "/" + args[0]
        let result = try run([binary] + args.dropFirst(), in: directory, environment: ["GITML_FAULT_POINT": point], expect: nil)
        XCTAssertEqual(result.status, SIGKILL, "\(args.joined(separator: " ")) did not die at \(point): \(result.stderr)", file: file, line: line)
    }

    /// fsck in `directory` exits 0; returns its warnings (leftovers of the kill).
    @discardableResult
    private func fsckIsClean(in directory: String? = nil, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let result = try run(["git", "ml", "fsck", "--json"], in: directory, expect: nil)
        XCTAssertEqual(result.status, 0, "fsck after \(what): \(result.stdout)", file: file, line: line)
        let report = try json(result.stdout) as? [String: Any]
        return ((report?["warnings"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? String }
    }

    /// Named points in `data add`, `mlcommit`, `push`, `pull` and `gc --remote` on a directory
    /// remote; then a fresh clone pulls every live version byte for byte.
    func testKillsAtNamedPointsOfAddPushPullAndRemoteGCLoseNothing() throws {
        let (bare, blobs, other) = try setUpSharing(defaultRemote: true)
        var expected: [String: String] = [:]
        func addVersion(_ name: String, variant: Int, killedAt point: String?) throws {
            try writeCSV(name + ".csv", rows: 20_000, variant: variant)
            if let point {
                try kill(at: point, ["git-ml", "data", "add", name + ".csv", "--name", name, "--no-checks"])
                try fsckIsClean("a data add killed at \(point)")
            }
            let added = try run("git", "ml", "data", "add", name + ".csv", "--name", name, "--no-checks")
            let label = try XCTUnwrap(added.stdout.split(separator: " ").first { $0.hasPrefix(name + "@v") }.map(String.init), added.stdout)
            expected[label] = try sha256(name + ".csv")
        }
        try addVersion("d", variant: 1, killedAt: "pack.synced-before-rename")
        try addVersion("d", variant: 2, killedAt: "pack.renamed-before-index")
        try addVersion("d", variant: 3, killedAt: "add.stored-before-ref")
        try addVersion("gone", variant: 4, killedAt: nil)
        try kill(at: "mlcommit.written-before-commit", ["git-mlcommit", "-m", "three versions"])
        try fsckIsClean("mlcommit killed before its commit")
        try run("git", "mlcommit", "-m", "three versions")

        try kill(at: "push.pack-before-index", ["git-ml", "push"])
        try fsckIsClean("a push killed between a pack and its index")
        try run("git", "ml", "push")
        try addVersion("gone", variant: 5, killedAt: nil)
        try run("git", "mlcommit", "-m", "more")
        try kill(at: "push.blobs-before-refs", ["git-ml", "push"])
        try run("git", "ml", "push")

        // A fresh clone: a pull killed before it sealed what it fetched, then the same pull.
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try kill(at: "pull.fetched-before-seal", ["git-ml", "pull"], in: other)
        try fsckIsClean(in: other, "a pull killed before it sealed its pack")
        try run("git", "ml", "pull", in: other)
        try run("git", "ml", "fsck", in: other)

        // Remote garbage (two purged versions in two packs), then a remote gc killed before
        // its first deletion, one killed between an index and its pack, and one that finishes.
        try run("git", "ml", "data", "purge", "gone@v1", "--reason", "withdrawn")
        try run("git", "ml", "data", "purge", "gone@v2", "--reason", "withdrawn")
        expected["gone@v1"] = nil
        expected["gone@v2"] = nil
        try run("git", "ml", "push")
        // The killed pushes left stale shared locks: --break-lock removes them (and only them).
        try kill(at: "remote-gc.copied-before-delete", ["git-ml", "gc", "--remote", "shared", "--grace-seconds", "0", "--break-lock"])
        let locked = try run("git", "ml", "gc", "--remote", "shared", "--grace-seconds", "0", expect: 3)
        XCTAssertTrue(locked.stderr.contains("--break-lock"), "a killed gc's lock is named as stale: \(locked.stderr)")
        try kill(at: "remote-gc.index-deleted-before-pack", ["git-ml", "gc", "--remote", "shared", "--grace-seconds", "0", "--break-lock"])
        try run("git", "ml", "gc", "--remote", "shared", "--grace-seconds", "0", "--break-lock")
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: blobs).filter { $0.hasPrefix("locks/") && $0 != "locks" }
        XCTAssertEqual(leftovers, [], "no lock is left")

        let fresh = other + "-fresh"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: fresh) }
        try checkAFreshClonePulls(expected, from: bare, into: fresh)
    }

    /// `git ml repack` killed after its new pack is sealed (old packs still there) and after the
    /// old packs are deleted (the multi-pack index then names packs that are gone): fsck stays
    /// clean (the stale file is replaced when the store is opened), every version checks out byte for byte, and the
    /// rerun finishes with one pack and a multi-pack index over it.
    func testRepackKilledAtEachStepLosesNothing() throws {
        try run("git", "ml", "init")
        var expected: [String: String] = [:]
        func add(_ name: String, variant: Int) throws {
            try writeCSV(name + ".csv", rows: 4_000, variant: variant)
            let added = try run("git", "ml", "data", "add", name + ".csv", "--name", name, "--no-checks")
            let label = try XCTUnwrap(added.stdout.split(separator: " ").first { $0.hasPrefix(name + "@v") }.map(String.init), added.stdout)
            expected[label] = try sha256(name + ".csv")
        }
        func checkOutEverything(_ what: String) throws {
            for (label, digest) in expected.sorted(by: { $0.key < $1.key }) {
                let file = String(label.prefix { $0 != "@" }) + ".csv"
                try? FileManager.default.removeItem(atPath: repo + "/" + file)
                try run("git", "ml", "data", "checkout", label)
                XCTAssertEqual(try sha256(file), digest, "\(label) after \(what)")
            }
        }
        func repack() throws -> [String: Any] {
            try XCTUnwrap(try json(try run("git", "ml", "repack", "--json").stdout) as? [String: Any])
        }
        for i in 0..<3 { try add("d\(i)", variant: i) }
        try kill(at: "repack.sealed-before-delete", ["git-ml", "repack"])
        XCTAssertEqual(try fsckIsClean("a repack killed before it deleted the old packs"), [])
        try checkOutEverything("a repack killed before it deleted the old packs")
        let first = try repack()
        // The killed repack's copy is written again byte for byte (same objects, same order, so
        // the same name): three packs merged into it.
        XCTAssertEqual(first["packs_before"] as? Int, 4, "\(first)")
        XCTAssertEqual(first["packs_merged"] as? Int, 3, "\(first)")
        XCTAssertEqual(first["packs_after"] as? Int, 1, "\(first)")

        for i in 3..<5 { try add("d\(i)", variant: i) }
        try kill(at: "repack.deleted-before-multi-pack-index", ["git-ml", "repack"])
        let stale = try Data(contentsOf: URL(fileURLWithPath: repo + "/.git/ml/packs/multi-pack-index"))
        XCTAssertEqual(try fsckIsClean("a repack killed before it wrote the multi-pack index"), [])
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: repo + "/.git/ml/packs/multi-pack-index")), stale,
                          "the stale file was replaced when fsck opened the store")
        try checkOutEverything("a repack killed before it wrote the multi-pack index")
        XCTAssertEqual(try repack()["packs_after"] as? Int, 1)
        XCTAssertEqual(try fsckIsClean("the last repack"), [])
        try checkOutEverything("the last repack")
    }

    /// A run killed after storing its artifacts and before recording itself leaves no record
    /// and fsck clean; mlcommit killed
    /// between its run files and the lock commits on the rerun; runs killed at random moments
    /// leave fsck clean.
    func testKillsDuringRunAndMlcommitLeaveFsckCleanAndRerunsSucceed() throws {
        try setUpChurnProject(experiment: ChurnProject.experiment(rounds: 5, seeds: "[1]"))
        try kill(at: "run.stored-before-record", ["git-ml", "run", "churn-gbdt"])
        XCTAssertEqual(try run("git", "for-each-ref", "refs/ml/runs/").stdout, "", "no run was recorded")
        try fsckIsClean("a run killed before its record")
        try run("git", "ml", "run", "churn-gbdt")
        try run("git", "ml", "gc", "--grace-seconds", "0")
        XCTAssertEqual(try fsckIsClean("gc"), [], "gc removed the killed run's scratch folder")

        try kill(at: "mlcommit.records-before-lock", ["git-mlcommit", "-m", "first run"])
        try fsckIsClean("mlcommit killed between its run files and the lock")
        try run("git", "mlcommit", "-m", "first run")
        let lock = try XCTUnwrap(try json(try run("git", "show", "HEAD:ml/lock.json").stdout) as? [String: Any])
        XCTAssertNotNil((lock["suites"] as? [String: Any])?["churn"], "the rerun made the run the candidate: \(lock)")
        XCTAssertEqual(try run("git", "status", "--porcelain", "ml").stdout, "", "everything in ml/ is committed")

        // Random moments: a run of many rounds killed 0–1.5 s after its start.
        try ChurnProject.experiment(rounds: 400, seeds: "[1]").write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        var state: UInt64 = 2026
        let kills = slow ? 20 : 2
        for attempt in 1...kills {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let process = try start([CLITestCase.binaries + "/git-ml", "run", "churn-gbdt"])
            usleep(useconds_t((state >> 33) % 1_500_000))
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try fsckIsClean("run killed at random (\(attempt))")
        }
        try run("git", "ml", "run", "churn-gbdt")
        try run("git", "ml", "gc", "--grace-seconds", "0")
        XCTAssertEqual(try fsckIsClean("the last gc"), [])
    }

    /// Pushes and pulls killed at seeded random moments: fsck stays clean on both sides, the
    /// same command then succeeds, and every version checks out byte for byte in the clone.
    func testPushAndPullKilledAtRandomPointsLoseNothing() throws {
        let (bare, _, other) = try setUpSharing(defaultRemote: true)
        var state: UInt64 = 1900
        func nextDelay() -> useconds_t {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return useconds_t((state >> 33) % 400_000)
        }
        let kills = slow ? 30 : 3
        var expected: [String: String] = [:]
        var landed = (push: 0, pull: 0)
        for attempt in 1...kills {
            try writeCSV("d.csv", rows: 60_000, variant: attempt)
            try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
            expected["d@v\(attempt)"] = try sha256("d.csv")
            try run("git", "mlcommit", "-m", "v\(attempt)")
            let push = try start([CLITestCase.binaries + "/git-ml", "push"])
            usleep(nextDelay())
            Glibc.kill(push.processIdentifier, SIGKILL)
            push.waitUntilExit()
            if push.terminationReason == .uncaughtSignal { landed.push += 1 }
            try fsckIsClean("push killed at random (\(attempt))")
            try run("git", "ml", "push")

            if attempt == 1 {
                try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
                try run("git", "ml", "init", in: other)
            } else {
                try run("git", "pull", "-q", "--ff-only", in: other)
            }
            let pull = try start([CLITestCase.binaries + "/git-ml", "pull"], in: other)
            usleep(nextDelay())
            Glibc.kill(pull.processIdentifier, SIGKILL)
            pull.waitUntilExit()
            if pull.terminationReason == .uncaughtSignal { landed.pull += 1 }
            try fsckIsClean(in: other, "pull killed at random (\(attempt))")
            try run("git", "ml", "pull", in: other)
        }
        print("push: \(kills) kills, \(landed.push) while it ran; pull: \(kills) kills, \(landed.pull) while it ran")
        try run("git", "ml", "fsck", in: other)
        for (label, digest) in expected {
            try run("git", "ml", "data", "checkout", label, in: other)
            XCTAssertEqual(String(try run("sha256sum", "d.csv", in: other).stdout.prefix(64)), digest, label)
        }
    }
}
