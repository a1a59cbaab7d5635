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
        try run("git", "ml", "init")
        try writeCSV("d.csv", rows: 20_000)
        try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
        try writeCSV("d.csv", rows: 20_000, variant: 3)
        try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
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
}
