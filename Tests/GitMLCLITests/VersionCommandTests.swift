import Foundation
import XCTest

/// `git ml version` and the refusal of on-disk formats newer than this build reads.
final class VersionCommandTests: CLITestCase {
    /// "0.1.0" → "0.2.0": a new format version ships only with a new minor release.
    private func releases() throws -> (current: String, next: String) {
        let current = try run("git-ml", "--version").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = current.split(separator: ".").compactMap { Int($0) }
        XCTAssertEqual(parts.count, 3, current)
        return (current, "\(parts[0]).\(parts[1] + 1).0")
    }

    func testVersionNamesReleaseCommitBuildAndFormats() throws {
        let (current, _) = try releases()
        let lines = try run("git", "ml", "version").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, "\(lines)")
        XCTAssertTrue(lines[0].hasPrefix("git-ml \(current) (libgit2 1."), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("commit: "), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("build: "), lines[2])
        #if arch(x86_64)
        XCTAssertTrue(["build: x86-64-v3, numeric profile x86_64-avx2-nofma-k2",
                       "build: baseline, numeric profile x86_64-baseline-nofma-k2"].contains(lines[2]), lines[2])
        #endif
        XCTAssertEqual(lines[3], "formats read and written: pack 1, pack index 1, multi-pack index 1, pack folder record 1, manifest 1, dataset record 1, run record 1, "
                       + "attestation 2, promotion 1, verdict 1, lock 1, model 2")
    }

    /// A pack index claiming a future format version is refused by checkout and fsck, naming
    /// the release to upgrade to; no bytes are written.
    func testAStoreFromANewerFormatIsRefusedWithTheReleaseToUpgradeTo() throws {
        let (current, next) = try releases()
        try run("git", "ml", "init")
        try writeCSV("d.csv", rows: 200)
        try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
        let packs = repo + "/.git/ml/packs"
        let index = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: packs).first { $0.hasSuffix(".idx") })
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: packs + "/" + index)))
        bytes[8] = 2
        try Data(bytes).write(to: URL(fileURLWithPath: packs + "/" + index))
        try FileManager.default.removeItem(atPath: repo + "/d.csv")
        let expected = "format version 2 is newer than GitML \(current) reads (1); upgrade GitML to ≥ \(next)"
        let checkout = try run("git", "ml", "data", "checkout", "d@v1", expect: 3)
        XCTAssertTrue(checkout.stderr.contains(expected), checkout.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: repo + "/d.csv"))
        let fsck = try run("git", "ml", "fsck", expect: 3)
        XCTAssertTrue((fsck.stdout + fsck.stderr).contains(expected), fsck.stdout + fsck.stderr)
    }

    /// A lock file from a future format is refused, not misread.
    func testALockFromANewerFormatIsRefused() throws {
        let (current, next) = try releases()
        try run("git", "ml", "init")
        try writeCSV("d.csv", rows: 200)
        try run("git", "ml", "data", "add", "d.csv", "--name", "d", "--no-checks")
        let lockPath = repo + "/ml/lock.json"
        let lock = try String(contentsOfFile: lockPath, encoding: .utf8)
        XCTAssertTrue(lock.contains("\"format_version\": 1"), lock)
        try lock.replacingOccurrences(of: "\"format_version\": 1", with: "\"format_version\": 5").write(toFile: lockPath, atomically: true, encoding: .utf8)
        let status = try run("git", "ml", "data", "status", expect: 3)
        XCTAssertTrue(status.stderr.contains("format version 5 is newer than GitML \(current) reads (1); upgrade GitML to ≥ \(next)"), status.stderr)
    }
}
