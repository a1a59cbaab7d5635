import Foundation
import XCTest

/// Branches that each change datasets merge without conflicts in files GitML writes; a real
/// conflict names both sides and how to choose.
final class BranchMergeTests: CLITestCase {
    func testBranchesThatEachAddADatasetMergeCleanly() throws {
        try run("git", "ml", "init")
        try writeCSV("a.csv", rows: 100)
        try run("git", "ml", "data", "add", "a.csv")
        try run("git", "mlcommit")
        try run("git", "checkout", "-q", "-b", "feature")
        try writeCSV("b.csv", rows: 100)
        try run("git", "ml", "data", "add", "b.csv")
        try run("git", "mlcommit")
        try run("git", "checkout", "-q", "main")
        try writeCSV("c.csv", rows: 100)
        try run("git", "ml", "data", "add", "c.csv")
        try run("git", "mlcommit")
        try run("git", "merge", "-q", "--no-edit", "feature")
        let ignored = try String(contentsOfFile: repo + "/.gitignore", encoding: .utf8)
        XCTAssertTrue(ignored.contains("b.csv") && ignored.contains("c.csv"), ignored)
        XCTAssertEqual(try run("git", "status", "--porcelain").stdout, "")
    }

    func testTheSameDatasetMovedTwoWaysNamesBothVersions() throws {
        try run("git", "ml", "init")
        try writeCSV("a.csv", rows: 100)
        try run("git", "ml", "data", "add", "a.csv")
        try run("git", "mlcommit")
        try run("git", "checkout", "-q", "-b", "feature")
        try writeCSV("a.csv", rows: 100, variant: 2)
        try run("git", "ml", "data", "add", "a.csv")
        try run("git", "mlcommit")
        try run("git", "checkout", "-q", "main")
        try writeCSV("a.csv", rows: 100, variant: 3)
        try run("git", "ml", "data", "add", "a.csv")
        try run("git", "mlcommit")
        let merge = try run("git", "merge", "--no-edit", "feature", expect: 1)
        let said = merge.stdout + merge.stderr
        XCTAssertTrue(said.contains("dataset a: ours v3 (sha256:"), said)
        XCTAssertTrue(said.contains("theirs v2 (sha256:"), said)
        XCTAssertTrue(said.contains("git ml data checkout NAME@vN"), said)
    }
}
