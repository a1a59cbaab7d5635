import Foundation
import XCTest

/// Crash injection and corruption through the built binary (docs/RELIABILITY.md). The default
/// mode takes a few seconds per test; `GITML_SLOW_TESTS=1` runs the counts the promises name.
final class CrashAndCorruptionTests: CLITestCase {
    private var slow: Bool { ProcessInfo.processInfo.environment["GITML_SLOW_TESTS"] == "1" }

    /// SplitMix64, so that every run of a test kills and flips at the same points.
    private struct Points {
        var state: UInt64
        mutating func next(below bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// `data add` killed with SIGKILL at a random moment leaves the store clean for fsck, the
    /// same add then succeeds, and every version recorded (by a killed add or a rerun) checks
    /// out byte for byte as its record says.
    func testDataAddKilledAtRandomPointsLosesNothing() throws {
        try run("git", "ml", "init")
        var points = Points(state: 19)
        let kills = slow ? 100 : 8
        var landed = 0
        for attempt in 1...kills {
            try writeCSV("d.csv", rows: 20_000, variant: attempt)
            let add = try start([CLITestCase.binaries + "/git-ml", "data", "add", "d.csv", "--name", "d", "--no-checks"])
            usleep(useconds_t(points.next(below: 150_000)))
            kill(add.processIdentifier, SIGKILL)
            add.waitUntilExit()
            if add.terminationReason == .uncaughtSignal { landed += 1 }
            let fsck = try run("git", "ml", "fsck", expect: 0)
            XCTAssertTrue(fsck.stdout.contains("no problems"), "after kill \(attempt): \(fsck.stdout)")
            try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
        }
        XCTAssertGreaterThan(landed, 0, "some kills landed while the add ran")
        print("data add: \(kills) kills, \(landed) while it ran; fsck clean after each, reruns succeeded")
        let versions = try XCTUnwrap(try json(try run("git", "ml", "data", "log", "d", "--json").stdout) as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(versions.count, kills)
        for version in versions {
            let label = try XCTUnwrap(version["label"] as? String), digest = try XCTUnwrap(version["digest"] as? String)
            try FileManager.default.removeItem(atPath: repo + "/d.csv")
            try run("git", "ml", "data", "checkout", label)
            XCTAssertEqual("sha256:" + (try sha256("d.csv")), digest, label)
        }
    }

    /// A single flipped byte anywhere in a pack or a pack index is found by fsck (exit 1), and a
    /// checkout either refuses or writes the right bytes — never a damaged file.
    func testEveryFlippedByteInPacksAndIndexesIsDetected() throws {
        try initWithVersions(of: "d", rows: 20_000, variants: [0, 3])
        let expected = try sha256("d.csv")
        let packs = repo + "/.git/ml/packs"
        let files = try FileManager.default.contentsOfDirectory(atPath: packs).sorted().map { packs + "/" + $0 }
        XCTAssertEqual(files.count, 4, "two packs and their indexes")
        var points = Points(state: 384)
        let flips = slow ? 240 : 12
        var refused = 0
        for flip in 0..<flips {
            let path = files[flip % files.count]
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let offset = points.next(below: bytes.count)
            bytes[offset] ^= UInt8(1 + points.next(below: 255))
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let what = "\((path as NSString).lastPathComponent) byte \(offset)"
            XCTAssertEqual(try run("git", "ml", "fsck", expect: nil).status, 1, what)
            try? FileManager.default.removeItem(atPath: repo + "/d.csv")
            let checkout = try run("git", "ml", "data", "checkout", "d@v2", expect: nil)
            if checkout.status != 0 { refused += 1 }
            if checkout.status == 0 {
                XCTAssertEqual(try sha256("d.csv"), expected, "\(what): checkout wrote other bytes")
            } else {
                let left = FileManager.default.fileExists(atPath: repo + "/d.csv") ? try sha256("d.csv") : expected
                XCTAssertEqual(left, expected, "\(what): a refused checkout left damaged bytes")
            }
            try original.write(to: URL(fileURLWithPath: path))
        }
        print("flips: \(flips) in packs and indexes, all found by fsck; checkout refused \(refused), wrote the right bytes otherwise")
        try run("git", "ml", "fsck")
    }

    /// `data checkout` and `gc` killed at random moments: fsck stays clean, a rerun succeeds,
    /// and every version still checks out byte for byte.
    func testCheckoutAndGCKilledAtRandomPointsLoseNothing() throws {
        try run("git", "ml", "init")
        var expected: [String: String] = [:]
        for version in 1...3 {
            try writeCSV("d.csv", rows: 20_000, variant: version)
            expected["d@v\(version)"] = try sha256("d.csv")
            try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
        }
        var points = Points(state: 270)
        let kills = slow ? 50 : 4
        var landed = (checkout: 0, gc: 0)
        for attempt in 1...kills {
            let label = "d@v\(1 + points.next(below: 3))"
            try? FileManager.default.removeItem(atPath: repo + "/d.csv")
            let checkout = try start([CLITestCase.binaries + "/git-ml", "data", "checkout", label])
            usleep(useconds_t(points.next(below: 100_000)))
            kill(checkout.processIdentifier, SIGKILL)
            checkout.waitUntilExit()
            if checkout.terminationReason == .uncaughtSignal { landed.checkout += 1 }
            try run("git", "ml", "fsck")
            try run("git", "ml", "data", "checkout", label)
            XCTAssertEqual(try sha256("d.csv"), expected[label], "checkout of \(label) after kill \(attempt)")

            // Garbage for gc: a version whose ref is gone.
            try writeCSV("junk.csv", rows: 5_000, variant: 100 + attempt)
            try run("git", "ml", "data", "add", "junk.csv", "--name", "junk", "--no-checks")
            try run("git", "update-ref", "-d", "refs/ml/datasets/junk/v\(attempt)")
            let gc = try start([CLITestCase.binaries + "/git-ml", "gc", "--grace-seconds", "0"])
            usleep(useconds_t(points.next(below: 100_000)))
            kill(gc.processIdentifier, SIGKILL)
            gc.waitUntilExit()
            if gc.terminationReason == .uncaughtSignal { landed.gc += 1 }
            try run("git", "ml", "fsck")
        }
        print("checkout: \(kills) kills, \(landed.checkout) while it ran; gc: \(kills) kills, \(landed.gc) while it ran")
        try run("git", "ml", "gc", "--grace-seconds", "0")
        try run("git", "ml", "fsck")
        for (label, digest) in expected {
            try? FileManager.default.removeItem(atPath: repo + "/d.csv")
            try run("git", "ml", "data", "checkout", label)
            XCTAssertEqual(try sha256("d.csv"), digest, label)
        }
    }

    /// Eight writers on one store at once — four datasets, and four versions of one dataset
    /// racing for version numbers — with a gc among them: every add succeeds, gc either runs or
    /// says the store is locked and to retry, and nothing is lost.
    func testConcurrentWritersAndAGCLoseNothing() throws {
        try run("git", "ml", "init")
        var contents: [String: String] = [:]
        var commands: [[String]] = []
        for writer in 0..<8 {
            let file = "f\(writer).csv"
            try writeCSV(file, rows: 10_000, variant: writer + 1)
            contents[file] = try sha256(file)
            commands.append([CLITestCase.binaries + "/git-ml", "data", "add", file, "--name", writer < 4 ? "d\(writer)" : "shared", "--no-checks"])
        }
        let adds = try commands.map { try start($0) }
        let gc = try start([CLITestCase.binaries + "/git-ml", "gc", "--grace-seconds", "0"])
        adds.forEach { $0.waitUntilExit() }
        gc.waitUntilExit()
        for (add, command) in zip(adds, commands) {
            XCTAssertEqual(add.terminationStatus, 0, command.joined(separator: " "))
        }
        if gc.terminationStatus != 0 {
            let message = String(decoding: (gc.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(message.contains("locked") && message.contains("retry"), message)
        }
        try run("git", "ml", "fsck")
        let shared = try XCTUnwrap(try json(try run("git", "ml", "data", "log", "shared", "--json").stdout) as? [[String: Any]])
        XCTAssertEqual(Set(shared.compactMap { $0["digest"] as? String }),
                       Set((4..<8).map { "sha256:" + contents["f\($0).csv"]! }), "each racing version got its own number")
        for writer in 0..<4 {
            try FileManager.default.removeItem(atPath: repo + "/f\(writer).csv")
            try run("git", "ml", "data", "checkout", "d\(writer)")
            XCTAssertEqual(try sha256("f\(writer).csv"), contents["f\(writer).csv"])
        }
    }
}
