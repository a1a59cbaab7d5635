import Foundation
import XCTest

final class DatasetWorkflowTests: CLITestCase {
    func testAddStatusVersionsDiffCheckoutAndCommit() throws {
        let first = try run("git", "ml", "init")
        XCTAssertTrue(first.stdout.contains("ml/config.yaml"))
        XCTAssertTrue(try run("git", "ml", "init").stdout.contains("nothing changed"))

        try writeCSV("data/train.csv", rows: 40_000)
        let v1Hash = try sha256("data/train.csv")
        let add = try run("git", "ml", "data", "add", "data/train.csv", "--json")
        let record = try json(add.stdout) as! [String: Any]
        XCTAssertEqual(record["label"] as? String, "train@v1")
        XCTAssertEqual(record["digest"] as? String, "sha256:" + v1Hash)
        XCTAssertTrue(try String(contentsOfFile: repo + "/.gitignore", encoding: .utf8).contains("/data/train.csv"))
        XCTAssertTrue(try run("git", "ml", "data", "add", "data/train.csv").stdout.contains("unchanged"))
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("up to date"))

        try writeCSV("data/train.csv", rows: 40_000, variant: 1)
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("modified"))
        let v2 = try run("git", "ml", "data", "add", "data/train.csv")
        XCTAssertTrue(v2.stdout.hasPrefix("train@v2"), v2.stdout)
        XCTAssertTrue(v2.stdout.contains("as deltas"))
        let log = try json(try run("git", "ml", "data", "log", "train", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(log.map { $0["label"] as? String }, ["train@v2", "train@v1"])
        XCTAssertEqual(log[0]["parent"] as? String, "sha256:" + v1Hash)
        let diff = try json(try run("git", "ml", "data", "diff", "train@v1", "train@v2", "--json").stdout) as! [String: Any]
        XCTAssertEqual((diff["changed"] as? [Any])?.count, 1)

        try run("git", "mlcommit", "-m", "train v2")
        XCTAssertEqual(try run("git", "log", "-1", "--format=%s").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "train v2")
        XCTAssertTrue(try run("git", "show", "HEAD:ml/lock.json").stdout.contains("\"v2\""))

        try run("git", "ml", "data", "checkout", "train@v1")
        XCTAssertEqual(try sha256("data/train.csv"), v1Hash)
        XCTAssertTrue(try run("git", "ml", "data", "show", "train").stdout.contains("train@v1"))
        try FileManager.default.removeItem(atPath: repo + "/data/train.csv")
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("missing"))
        try run("git", "ml", "data", "checkout")
        XCTAssertEqual(try sha256("data/train.csv"), v1Hash)
        XCTAssertTrue(try run("git", "ml", "fsck").stdout.contains("no problems"))
    }

    func testDirectoryDatasetsTrackAddedAndRemovedFiles() throws {
        try run("git", "ml", "init")
        for i in 0..<30 { try writeCSV("images/part-\(i).csv", rows: 50 + i) }
        try run("git", "ml", "data", "add", "images")
        try FileManager.default.removeItem(atPath: repo + "/images/part-3.csv")
        try writeCSV("images/extra.csv", rows: 10)
        let status = try run("git", "ml", "data", "status", "--json").stdout
        XCTAssertTrue(status.contains("part-3.csv") && status.contains("extra.csv"), status)
        try run("git", "ml", "data", "checkout", "images@v1")
        XCTAssertTrue(FileManager.default.fileExists(atPath: repo + "/images/part-3.csv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: repo + "/images/extra.csv"))
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("up to date"))
    }

    func testStatusFastPathStillSeesEveryKindOfChange() throws {
        try run("git", "ml", "init")
        for i in 0..<40 { try writeCSV("d/sub\(i % 4)/f\(i).csv", rows: 20 + i) }
        try run("git", "ml", "data", "add", "d")
        Thread.sleep(forTimeInterval: 2.2)  // past the racy-clean window, so status may trust stat keys
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("up to date"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: repo + "/.git/ml/cache/clean-d"), "a clean snapshot was saved")
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("up to date"))
        // Same size, old mtime: only ctime and content differ.
        let oldTime = try FileManager.default.attributesOfItem(atPath: repo + "/d/sub1/f1.csv")[.modificationDate] as! Date
        try writeCSV("d/sub1/f1.csv", rows: 21, variant: 1)
        try FileManager.default.setAttributes([.modificationDate: oldTime], ofItemAtPath: repo + "/d/sub1/f1.csv")
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("sub1/f1.csv"))
        try writeCSV("d/sub1/f1.csv", rows: 21)
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("up to date"))
        try writeCSV("d/sub2/new.csv", rows: 3)
        XCTAssertTrue(try run("git", "ml", "data", "status").stdout.contains("sub2/new.csv"))
    }

    func testConcurrentAddsOfOneNameNeverShareAVersionNumber() throws {
        try run("git", "ml", "init")
        for i in 0..<4 { try writeCSV("d\(i).csv", rows: 2000, variant: i) }
        let processes = try (0..<4).map { try start(["git", "ml", "data", "add", "d\($0).csv", "--name", "shared"]) }
        processes.forEach { $0.waitUntilExit() }
        XCTAssertEqual(processes.map(\.terminationStatus), [0, 0, 0, 0])
        let log = try json(try run("git", "ml", "data", "log", "shared", "--json").stdout) as! [[String: Any]]
        XCTAssertEqual(Set(log.compactMap { $0["digest"] as? String }).count, 4)
        XCTAssertEqual(Set(log.compactMap { $0["version"] as? Int }), [1, 2, 3, 4])
        let ignored = try String(contentsOfFile: repo + "/.gitignore", encoding: .utf8)
        XCTAssertTrue((0..<4).allSatisfy { ignored.contains("/d\($0).csv") }, ignored)
    }

    func testLockMergeDriverResolvesIndependentDatasetChanges() throws {
        try run("git", "ml", "init")
        try writeCSV("a.csv", rows: 100)
        try run("git", "ml", "data", "add", "a.csv")
        try run("git", "mlcommit")
        try run("git", "checkout", "-q", "-b", "feature")
        try writeCSV("b.csv", rows: 100)
        try run("git", "ml", "data", "add", "b.csv")
        try run("git", "mlcommit")
        try run("git", "checkout", "-q", "main")
        try writeCSV("a.csv", rows: 100, variant: 2)
        try run("git", "ml", "data", "add", "a.csv")
        try run("git", "mlcommit")
        try run("git", "merge", "-q", "--no-edit", "feature")
        let lock = try json(try String(contentsOfFile: repo + "/ml/lock.json", encoding: .utf8)) as! [String: Any]
        let datasets = lock["datasets"] as! [String: [String: Any]]
        XCTAssertEqual(datasets["a"]?["version"] as? String, "v2")
        XCTAssertEqual(datasets["b"]?["version"] as? String, "v1")
    }

    func testPurgeRemovesTheBytesButKeepsDependentVersionsWhole() throws {
        try run("git", "ml", "init")
        try writeCSV("t.csv", rows: 60_000)
        try run("git", "ml", "data", "add", "t.csv")
        try writeCSV("t.csv", rows: 60_000, variant: 3)
        let v2Hash = try sha256("t.csv")
        try run("git", "ml", "data", "add", "t.csv")  // stored as deltas against v1
        let purge = try run("git", "ml", "data", "purge", "t@v1", "--reason", "erasure request")
        XCTAssertTrue(purge.stdout.contains("re-stored"), purge.stdout)
        let refused = try run("git", "ml", "data", "checkout", "t@v1", expect: 3)
        XCTAssertTrue(refused.stderr.contains("purged"))
        try FileManager.default.removeItem(atPath: repo + "/t.csv")
        try run("git", "ml", "data", "checkout", "t@v2")
        XCTAssertEqual(try sha256("t.csv"), v2Hash)
        XCTAssertTrue(try run("git", "ml", "data", "log", "t").stdout.contains("PURGED"))
        XCTAssertTrue(try run("git", "ml", "fsck").stdout.contains("no problems"))
    }
}
