import Foundation
import XCTest

final class FaultTests: CLITestCase {
    func testBadInputGetsOneLineCauseAndExitCode3() throws {
        let outside = NSTemporaryDirectory() + "plain-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        XCTAssertTrue(try run("git-ml", "init", in: outside, expect: 3).stderr.contains("not a git repository"))
        XCTAssertTrue(try run("git", "ml", "data", "status", expect: 3).stderr.contains("git ml init"))
        try run("git", "ml", "init")
        XCTAssertTrue(try run("git", "ml", "data", "add", "nope.csv", expect: 3).stderr.contains("does not exist"))
        XCTAssertTrue(try run("git", "ml", "data", "add", "/etc/hostname", expect: 3).stderr.contains("outside the repository"))
        try writeCSV("x.csv", rows: 5)
        XCTAssertTrue(try run("git", "ml", "data", "add", "x.csv", "--name", "bad/name", expect: 3).stderr.contains("invalid dataset name"))
        XCTAssertTrue(try run("git", "ml", "data", "show", "ghost", expect: 3).stderr.contains("no dataset named"))
        try run("git", "ml", "data", "add", "x.csv")
        XCTAssertTrue(try run("git", "ml", "data", "checkout", "x@v7", expect: 3).stderr.contains("no version"))
        try "{\n  \"format_version\": 1,\n  \"datasets\": {,}\n}\n".write(toFile: repo + "/ml/lock.json", atomically: true, encoding: .utf8)
        let broken = try run("git", "ml", "data", "status", expect: 3)
        XCTAssertTrue(broken.stderr.contains("ml/lock.json") && broken.stderr.contains("line 3"), broken.stderr)
        try "store:\n  compression_level: 99\n".write(toFile: repo + "/ml/config.yaml", atomically: true, encoding: .utf8)
        XCTAssertTrue(try run("git", "ml", "data", "log", "x", expect: 3).stderr.contains("compression_level"))
    }

    func testKillDuringAddLeavesStoreConsistentAndOlderVersionsIntact() throws {
        try run("git", "ml", "init")
        try writeCSV("big.csv", rows: 20_000)
        try run("git", "ml", "data", "add", "big.csv")
        let v1Hash = try sha256("big.csv")
        try writeCSV("big.csv", rows: 1_500_000, variant: 5)
        for delay in [50_000, 150_000, 300_000, 600_000] as [useconds_t] {
            let add = try start(["git", "ml", "data", "add", "big.csv"])
            usleep(delay)
            kill(add.processIdentifier, SIGKILL)
            add.waitUntilExit()
            let fsck = try run("git", "ml", "fsck", "--json", expect: nil)
            XCTAssertEqual(fsck.status, 0, "fsck after kill at \(delay) µs: \(fsck.stdout)")
        }
        try run("git", "ml", "gc", "--grace-seconds", "0")
        try run("git", "ml", "data", "checkout", "big@v1")
        XCTAssertEqual(try sha256("big.csv"), v1Hash)
        let fsck = try json(try run("git", "ml", "fsck", "--json").stdout) as! [String: Any]
        XCTAssertEqual((fsck["warnings"] as? [Any])?.count, 0, "gc removed the leftovers")
    }

    func testAFlippedByteIsNamedByFsckAndCheckoutRefusesTheFile() throws {
        try run("git", "ml", "init")
        try writeCSV("d.csv", rows: 30_000)
        try run("git", "ml", "data", "add", "d.csv")
        let packs = repo + "/.git/ml/packs"
        let pack = try FileManager.default.contentsOfDirectory(atPath: packs).first { $0.hasSuffix(".pack") }!
        let handle = FileHandle(forUpdatingAtPath: packs + "/" + pack)!
        let size = handle.seekToEndOfFile()
        handle.seek(toFileOffset: size / 2)
        let byte = handle.readData(ofLength: 1)
        handle.seek(toFileOffset: size / 2)
        handle.write(Data([byte[0] ^ 0x01]))
        handle.closeFile()

        let fsck = try run("git", "ml", "fsck", expect: 1)
        XCTAssertTrue(fsck.stdout.contains("error: object sha256:"), fsck.stdout)
        XCTAssertTrue(fsck.stdout.contains("pack checksum mismatch"), fsck.stdout)
        try "kept".write(toFile: repo + "/d.csv", atomically: true, encoding: .utf8)
        let checkout = try run("git", "ml", "data", "checkout", "d@v1", expect: 3)
        XCTAssertTrue(checkout.stderr.contains("damaged"), checkout.stderr)
        XCTAssertEqual(try String(contentsOfFile: repo + "/d.csv", encoding: .utf8), "kept")
    }
}

final class DamagedIndexTests: CLITestCase {
    func testATruncatedIndexIsNamedByFsckAndOtherCommandsStillWork() throws {
        try run("git", "ml", "init")
        try writeCSV("d.csv", rows: 30_000)
        try run("git", "ml", "data", "add", "d.csv")
        let packs = repo + "/.git/ml/packs"
        let index = try FileManager.default.contentsOfDirectory(atPath: packs).first { $0.hasSuffix(".idx") }!
        try Data("GITMLIX".utf8).write(to: URL(fileURLWithPath: packs + "/" + index))
        let fsck = try run("git", "ml", "fsck", expect: 1)
        XCTAssertTrue(fsck.stdout.contains(index) && fsck.stdout.contains("not a GitML pack index"), fsck.stdout)
        XCTAssertTrue(try run("git", "ml", "data", "log", "d").stdout.contains("d@v1"))
        try FileManager.default.removeItem(atPath: repo + "/d.csv")
        let checkout = try run("git", "ml", "data", "checkout", "d@v1", expect: 3)
        XCTAssertTrue(checkout.stderr.contains("is not in the store"), checkout.stderr)
    }
}
