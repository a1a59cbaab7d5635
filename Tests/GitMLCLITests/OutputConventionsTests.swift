import Foundation
import XCTest

/// Conventions every command keeps: the documented exit codes, timestamps as ISO 8601 dates,
/// numbers with the digits that matter.
final class OutputConventionsTests: CLITestCase {
    /// Usage errors exit with the code `--help` documents (2), not ArgumentParser's 64.
    func testUsageErrorsExitTwo() throws {
        try run("git", "ml", "init")
        let missing = try run("git", "ml", "data", "add", expect: 2)
        XCTAssertTrue(missing.stderr.contains("Missing expected argument '<path>'"), missing.stderr)
        XCTAssertTrue(try run("git", "ml", "data", "add", "x.csv", "--bogus", expect: 2).stderr.contains("Unknown option '--bogus'"))
        try run("git-mlcommit", "--bogus", expect: 2)
        XCTAssertTrue(try run("git-ml", "--help").stdout.contains("2 usage error"))
        try run("git", "ml", "data", "add", "nothing-here.csv", expect: 3)
    }

    func testProfilesPrintTimestampsAsDatesAndWholeNumbersInFull() throws {
        try run("git", "ml", "init")
        try "id,at\n1234567,2026-01-01T00:00:00Z\n1234568,2026-03-01T12:00:00Z\n1234569,2026-06-01T00:00:00Z\n"
            .write(toFile: repo + "/t.csv", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "t.csv")
        let profile = try run("git", "ml", "data", "show", "t", "--profile").stdout
        XCTAssertTrue(profile.contains("min 1234567, median 1234568, max 1234569"), profile)
        XCTAssertTrue(profile.contains("min 2026-01-01T00:00:00Z, median 2026-03-01T12:00:00Z, max 2026-06-01T00:00:00Z"), profile)
        XCTAssertTrue(profile.contains("sd 76.063 days"), profile)
    }
}
