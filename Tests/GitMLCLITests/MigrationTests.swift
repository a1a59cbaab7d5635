import Foundation
import XCTest

/// Upgrades (docs/RELIABILITY.md, "Upgrades"): a project written by an earlier release, frozen as
/// a fixture (Fixtures/migration/gitml-<release>-project.tar.gz, made by make-fixture.sh beside
/// it), is read by this build — fsck, checkout, diff and the gate; and the same project with a
/// format version newer than this build knows is refused, never misread.
final class MigrationTests: CLITestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/migration"

    /// The releases with a fixture: one per release that wrote a new on-disk format.
    static var releases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []).compactMap { name in
            guard name.hasPrefix("gitml-"), name.hasSuffix("-project.tar.gz") else { return nil }
            return String(name.dropFirst("gitml-".count).dropLast("-project.tar.gz".count))
        }.sorted()
    }

    /// Unpacks `release`'s fixture into this test's folder; returns the project and the checksums
    /// of its data versions as written (`<dataset>@<version>` → hex).
    private func unpack(_ release: String) throws -> (project: String, checksums: [String: String]) {
        try run("tar", "-xzf", MigrationTests.fixtures + "/gitml-\(release)-project.tar.gz", "-C", repo)
        let madeBy = try String(contentsOfFile: repo + "/made-by.txt", encoding: .utf8)
        XCTAssertTrue(madeBy.hasPrefix("git-ml \(release) "), madeBy)
        var checksums: [String: String] = [:]
        for line in try String(contentsOfFile: repo + "/checksums", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            checksums[String(fields[1])] = String(fields[0])
        }
        return (repo + "/project", checksums)
    }

    func testEveryEarlierReleasesProjectIsReadByThisBuild() throws {
        XCTAssertFalse(MigrationTests.releases.isEmpty, "no fixture in \(MigrationTests.fixtures)")
        for release in MigrationTests.releases {
            try FileManager.default.removeItem(atPath: repo)
            try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
            try checkReads(release)
        }
    }

    private func checkReads(_ release: String) throws {
        let (project, checksums) = try unpack(release)
        XCTAssertTrue(try run("git", "ml", "fsck", in: project).stdout.contains("no problems"), "\(release): fsck")
        // Checkout: the pinned versions (a fresh clone's files), then an older one, byte for byte.
        XCTAssertTrue(try run("git", "ml", "data", "status", in: project).stdout.contains("missing"))
        try run("git", "ml", "data", "checkout", in: project)
        XCTAssertEqual(try sha256(project + "/train.csv"), checksums["churn-train@v2"], release)
        XCTAssertEqual(try sha256(project + "/eval.csv"), checksums["churn-eval@v1"], release)
        try run("git", "ml", "data", "checkout", "churn-train@v1", in: project)
        XCTAssertEqual(try sha256(project + "/train.csv"), checksums["churn-train@v1"], release)
        try run("git", "ml", "data", "checkout", "churn-train@v2", in: project)
        // Diff of two data versions (every 50th of 1,200 rows changed) and of two revisions' runs.
        let dataDiff = try json(try run("git", "ml", "data", "diff", "churn-train@v1", "churn-train@v2", "--json", in: project).stdout)
        let rows = ((dataDiff as? [String: Any])?["table"] as? [String: Any])?["rows"] as? [String: Any]
        XCTAssertEqual(rows?["changed"] as? Int, 24, "\(release): \(dataDiff)")
        XCTAssertEqual(rows?["before"] as? Int, 1200, release)
        let diff = try run("git", "ml", "diff", "main", "candidate", in: project).stdout
        XCTAssertTrue(diff.contains("roc_auc: A "), diff)
        XCTAssertEqual((try json(try run("git", "ml", "log", "--json", in: project).stdout) as? [Any])?.count, 2, "\(release): both runs")
        // The gate: the candidate beats main's recorded champion, with signed attestations.
        let gate = try json(try run("git", "ml", "gate", "--base", "main", "--head", "candidate", "--json", in: project).stdout)
        XCTAssertEqual(((gate as? [[String: Any]])?.first)?["decision"] as? String, "promote", "\(release): \(gate)")
        XCTAssertTrue(try run("git", "ml", "promotions", "churn", in: project).stdout.contains("promote run"), release)
    }

    /// The newest fixture with a store and a lock from a future format: refused with the release
    /// to upgrade to (exit 3), and checkout writes nothing.
    func testAProjectWithANewerFormatIsRefusedWithTheReleaseToUpgradeTo() throws {
        let release = try XCTUnwrap(MigrationTests.releases.last)
        let (project, _) = try unpack(release)
        let current = try run("git-ml", "--version").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = current.split(separator: ".").compactMap { Int($0) }
        let message = { (found: Int) in
            "format version \(found) is newer than GitML \(current) reads (1); upgrade GitML to ≥ \(parts[0]).\(parts[1] + 1).0"
        }
        let lockPath = project + "/ml/lock.json"
        let lock = try String(contentsOfFile: lockPath, encoding: .utf8)
        try lock.replacingOccurrences(of: "\"format_version\": 1", with: "\"format_version\": 2")
            .write(toFile: lockPath, atomically: true, encoding: .utf8)
        XCTAssertTrue(try run("git", "ml", "data", "status", in: project, expect: 3).stderr.contains(message(2)))
        try lock.write(toFile: lockPath, atomically: true, encoding: .utf8)

        let packs = project + "/.git/ml/packs"
        for index in try FileManager.default.contentsOfDirectory(atPath: packs) where index.hasSuffix(".idx") {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: packs + "/" + index)))
            bytes[8] = 2   // the version word after the magic (docs/FORMAT.md, "Pack index")
            try Data(bytes).write(to: URL(fileURLWithPath: packs + "/" + index))
        }
        try? FileManager.default.removeItem(atPath: packs + "/multi-pack-index")
        let checkout = try run("git", "ml", "data", "checkout", in: project, expect: 3)
        XCTAssertTrue(checkout.stderr.contains(message(2)), checkout.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project + "/train.csv"))
    }
}
