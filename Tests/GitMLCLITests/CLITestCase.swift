import Foundation
import XCTest

/// Runs the built `git-ml` / `git-mlcommit` binaries, as users do, in a temporary git repository.
class CLITestCase: XCTestCase {
    var repo: String!

    /// The folder holding the built executables (beside the test bundle).
    static let binaries: String = {
        var url = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("git-ml").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent("git-ml").path) {
            // The xctest bundle lives in .build/<triple>/debug/.
            url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        }
        return url.path
    }()

    override func setUpWithError() throws {
        repo = NSTemporaryDirectory() + "gitml-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try run("git", "init", "-q", "-b", "main")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: repo) }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs a command with the built binaries first on PATH (so `git ml` reaches ours).
    @discardableResult
    func run(_ args: String..., in directory: String? = nil, expect: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        try run(args, in: directory, expect: expect, file: file, line: line)
    }

    @discardableResult
    func run(_ args: [String], in directory: String? = nil, environment extra: [String: String] = [:], expect: Int32? = 0,
             file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory ?? repo)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = CLITestCase.binaries + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["GIT_AUTHOR_NAME"] = "Test"; env["GIT_AUTHOR_EMAIL"] = "test@example.com"
        env["GIT_COMMITTER_NAME"] = "Test"; env["GIT_COMMITTER_EMAIL"] = "test@example.com"
        env.merge(extra) { $1 }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let r = Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        if let expect, r.status != expect {
            XCTFail("\(args.joined(separator: " ")) exited \(r.status), expected \(expect)\nstdout: \(r.stdout)\nstderr: \(r.stderr)", file: file, line: line)
        }
        return r
    }

    /// Starts a command without waiting.
    func start(_ args: [String], in directory: String? = nil, environment extra: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory ?? repo)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = CLITestCase.binaries + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env.merge(extra) { $1 }
        p.environment = env
        p.standardOutput = Pipe()
        p.standardError = Pipe()
        try p.run()
        return p
    }

    /// Writes a deterministic CSV of `rows` rows into `directory` (the test's repository by
    /// default); `variant` changes some values.
    func writeCSV(_ name: String, rows: Int, variant: Int = 0, in directory: String? = nil) throws {
        var state: UInt64 = 42
        var text = "id,a,b,label\n"
        text.reserveCapacity(rows * 30)
        for i in 0..<rows {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let a = Double(state >> 40) / 16_777_216.0
            let changed = variant != 0 && i % 101 == 0
            text += "\(i),\(String(format: "%.6f", changed ? a + Double(variant) : a)),\(state % 1000),\(state % 19 == 0 ? 1 : 0)\n"
        }
        let path = (directory ?? repo) + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func sha256(_ name: String) throws -> String {
        String(try run("sha256sum", name).stdout.prefix(64))
    }

    /// Sets up sharing for this repository: a bare git repository as `origin`, GitML, and a
    /// shared-directory blob remote named "shared". Returns their paths and a path for a second
    /// clone; all three are removed when the test ends.
    func setUpSharing(defaultRemote: Bool = false) throws -> (bare: String, blobs: String, other: String) {
        let bare = repo + "-bare.git", blobs = repo + "-blobs", other = repo + "-b"
        addTeardownBlock { [bare, blobs, other].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try run("git", "init", "-q", "--bare", "-b", "main", bare)
        try run("git", "remote", "add", "origin", bare)
        try run("git", "ml", "init")
        if defaultRemote {
            try run("git", "ml", "remote", "add", "shared", blobs, "--default")
        } else {
            try run("git", "ml", "remote", "add", "shared", blobs)
        }
        return (bare, blobs, other)
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// The newest run's id prefix (12 hex digits), as `git ml` commands take it.
    func latestRunID() throws -> String {
        let log = try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]]
        return String((log[0]["id"] as! String).dropFirst(7).prefix(12))
    }

    /// `git ml init`, then versions of `name` from `<name>.csv` of `rows` rows, one per variant.
    func initWithVersions(of name: String, rows: Int, variants: [Int]) throws {
        try run("git", "ml", "init")
        for variant in variants {
            try writeCSV(name + ".csv", rows: rows, variant: variant)
            try run("git", "ml", "data", "add", name + ".csv", "--name", name, "--no-checks")
        }
    }

    /// Clones `bare` into `fresh`, pulls every version in `expected` (label → SHA-256 of its
    /// `<name>.csv`) from the blob remote "shared", and checks that fsck is clean and that each
    /// version checks out byte for byte.
    func checkAFreshClonePulls(_ expected: [String: String], from bare: String, into fresh: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        try run("git", "clone", "-q", bare, fresh, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: fresh)
        try run(["git", "ml", "pull", "shared"] + expected.keys.sorted(), in: fresh)
        try run("git", "ml", "fsck", in: fresh)
        for (label, digest) in expected.sorted(by: { $0.key < $1.key }) {
            try run("git", "ml", "data", "checkout", label, in: fresh)
            let name = String(label.prefix { $0 != "@" }) + ".csv"
            XCTAssertEqual(String(try run("sha256sum", name, in: fresh).stdout.prefix(64)), digest, label, file: file, line: line)
        }
    }
}
