import Foundation
import XCTest

/// Usage errors exit with the code `--help` documents (2), not ArgumentParser's 64.
final class ExitCodeTests: CLITestCase {
    func testUsageErrorsExitTwo() throws {
        try run("git", "ml", "init")
        let missing = try run("git", "ml", "data", "add", expect: 2)
        XCTAssertTrue(missing.stderr.contains("Missing expected argument '<path>'"), missing.stderr)
        XCTAssertTrue(try run("git", "ml", "data", "add", "x.csv", "--bogus", expect: 2).stderr.contains("Unknown option '--bogus'"))
        try run("git-mlcommit", "--bogus", expect: 2)
        XCTAssertTrue(try run("git-ml", "--help").stdout.contains("2 usage error"))
        try run("git", "ml", "data", "add", "nothing-here.csv", expect: 3)
    }
}
