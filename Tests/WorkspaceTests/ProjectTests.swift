import Foundation
import Records
import XCTest
@testable import Workspace

final class ProjectTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "workspace-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "init", "-q", dir]
        try git.run()
        git.waitUntilExit()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func testDatasetNamesAndSpecs() {
        for good in ["train", "churn-eval", "v2.data", "A_1"] { XCTAssertTrue(DatasetRecord.isValidName(good), good) }
        for bad in ["", "-x", "a/b", "a..b", "x.lock", "sp ace", ".hidden"] { XCTAssertFalse(DatasetRecord.isValidName(bad), bad) }
        XCTAssertTrue(Project.splitSpec("train@v3") == ("train", "v3"))
        XCTAssertTrue(Project.splitSpec("train") == ("train", nil))
        XCTAssertTrue(Project.splitSpec("t@sha256:abcd") == ("t", "sha256:abcd"))
    }

    func testOpeningBeforeInitSaysToRunInit() throws {
        XCTAssertThrowsError(try Project(discoveringFrom: dir)) { error in
            XCTAssertTrue("\(error)".contains("git ml init"), "\(error)")
        }
        _ = try Project.initialize(in: dir)
        XCTAssertTrue(try Project.initialize(in: dir).changes.isEmpty, "init is idempotent")
        XCTAssertNoThrow(try Project(discoveringFrom: dir))
    }

    func testRelativePathsStayInsideTheWorkingTree() throws {
        _ = try Project.initialize(in: dir)
        let project = try Project(discoveringFrom: dir)
        XCTAssertEqual(try project.relativePath("data/x.csv", cwd: dir), "data/x.csv")
        XCTAssertEqual(try project.relativePath("../x.csv", cwd: dir + "/data"), "x.csv")
        XCTAssertThrowsError(try project.relativePath("/etc/passwd", cwd: dir))
        XCTAssertThrowsError(try project.relativePath(".git/config", cwd: dir))
        XCTAssertThrowsError(try project.relativePath(".", cwd: dir))
    }

    func testConfigErrorsNameTheFileAndLine() throws {
        let path = dir + "/config.yaml"
        try "store:\n  compression_level: 7\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ProjectConfig.load(path: path).compressionLevel, 7)
        try "store:\n  compression_level: fast\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ProjectConfig.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("config.yaml:2: store.compression_level"), "\(error)")
        }
        try "store: [unclosed\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ProjectConfig.load(path: path))
        XCTAssertEqual(try ProjectConfig.load(path: dir + "/absent.yaml").compressionLevel, 1)
    }

    func testListFilesSkipsGitAndSorts() throws {
        let root = dir + "/tree"
        for f in ["b/2.txt", "a.txt", "b/1.txt", ".git/HEAD"] {
            let path = root + "/" + f
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "x".write(toFile: path, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(try Project.listFiles(in: root), ["a.txt", "b/1.txt", "b/2.txt"])
    }

    /// A run's preflight asks for both datasets' column names: parsed once per content and
    /// schema, then read from the cache (a CSV is otherwise parsed whole to learn its header).
    func testColumnNamesOfTextAreCachedByDigest() throws {
        _ = try Project.initialize(in: dir)
        let project = try Project(discoveringFrom: dir)
        try "id,x,label\n1,0.5,1\n2,0.25,0\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let version = try project.addDataset(relativePath: "t.csv", name: "t").version
        XCTAssertEqual(try project.columnNames(of: version), ["id", "x", "label"])
        let results = project.layout.cache + "/results"
        let cached = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: results).first { $0.hasPrefix("names-v1-") })
        // What the cache says is what a later call answers, without reading the data.
        try Data(#"["a","b","c"]"#.utf8).write(to: URL(fileURLWithPath: results + "/" + cached))
        project.releaseTables()
        XCTAssertEqual(try Project(discoveringFrom: dir).columnNames(of: version), ["a", "b", "c"])
    }
}
