import Foundation
import XCTest

/// `git ml doctor`: one ok/problem line per check, the fix with each problem, exit 1 on a problem.
final class DoctorCommandTests: CLITestCase {
    private func lines(_ result: Result) -> [String] { result.stdout.split(separator: "\n").map(String.init) }

    func testAHealthyProjectIsAllOK() throws {
        try run("git", "ml", "init")
        let blobs = repo + "/blobs"
        try run("git", "ml", "remote", "add", "shared", blobs, "--default")
        try run("git", "ml", "hooks", "install")
        let out = lines(try run("git", "ml", "doctor"))
        XCTAssertTrue(out.allSatisfy { $0.hasPrefix("ok       ") }, "\(out)")
        for subject in ["git-ml: \(CLITestCase.binaries)/git-ml", "git-mlcommit: ", "version: ", "cpu: ", "libraries: libgit2 1.",
                        "hook pre-push: installed", "hook pre-merge-commit: installed", "blob remote: shared (\(blobs)) answers"] {
            XCTAssertTrue(out.contains { $0.dropFirst(9).hasPrefix(subject) }, "no '\(subject)' in \(out)")
        }
    }

    /// libcurl is opened on the first HTTP request (CCurlLoader): doctor names its version, or the
    /// problem and the fix when it cannot be loaded, without probing the S3 remote (which needs
    /// it). (A push without libcurl: `DistTests.testReleaseInstallsInACleanDebianRootAndRunsTheDemo`,
    /// on the release, whose static Foundation calls libcurl through CCurlLoader.)
    func testDoctorNamesLibcurlOrWhatToInstall() throws {
        try run("git", "ml", "init")
        try run("git", "ml", "remote", "add", "s3", "s3://bucket/ml", "--endpoint", "http://127.0.0.1:9", "--path-style", "--default")
        let missing = ["GITML_CURL_LIBRARY": "libcurl-missing.so.4", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"]
        let installCurl = "install libcurl 7.62 or later (Debian: apt-get install libcurl4)"
        let healthy = lines(try run("git", "ml", "doctor", expect: nil))
        XCTAssertTrue(healthy.contains { $0.hasPrefix("ok       libraries: libgit2 1.") && $0.contains(", libcurl 7.") }, "\(healthy)")
        let problems = lines(try run(["git", "ml", "doctor"], environment: missing, expect: 1)).filter { $0.hasPrefix("problem  ") }
        XCTAssertTrue(problems.contains { $0.hasPrefix("problem  libraries: libgit2 1.") && $0.contains("libcurl cannot be loaded (libcurl-missing.so.4: cannot open")
            && $0.hasSuffix("— fix: " + installCurl) }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("problem  blob remote: s3 (s3://bucket/ml) not checked: libcurl cannot be loaded")
            && $0.hasSuffix("— fix: " + installCurl) }, "\(problems)")
    }

    func testMissingHooksUnreachableRemoteAndAnotherVersionAreProblemsWithTheirFix() throws {
        try run("git", "ml", "init")
        try Data("x".utf8).write(to: URL(fileURLWithPath: repo + "/afile"))
        try run("git", "ml", "remote", "add", "shared", repo + "/afile/blobs", "--default")
        let result = try run("git", "ml", "doctor", "--expect-version", "9.9.9", expect: 1)
        let problems = lines(result).filter { $0.hasPrefix("problem  ") }
        XCTAssertEqual(problems.count, 4, "\(lines(result))")
        XCTAssertTrue(problems.contains { $0.hasPrefix("problem  version: ") && $0.hasSuffix("but CI and the server run 9.9.9 — fix: install GitML 9.9.9 here, or the same release everywhere") }, "\(problems)")
        XCTAssertTrue(problems.contains("problem  hook pre-push: not installed — fix: git ml hooks install"), "\(problems)")
        XCTAssertTrue(problems.contains("problem  hook pre-merge-commit: not installed — fix: git ml hooks install"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("problem  blob remote: shared (") && $0.contains("— fix: check the URL") }, "\(problems)")
    }

    func testAForeignHookIsAProblemAndIsChainedOnceInstalled() throws {
        try run("git", "ml", "init")
        let hook = repo + "/.git/hooks/pre-push"
        try "#!/bin/sh\nexit 0\n".write(toFile: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let before = lines(try run("git", "ml", "doctor", expect: 1))
        XCTAssertTrue(before.contains("problem  hook pre-push: another hook that does not run GitML — fix: git ml hooks install (keeps it as pre-push.local and runs it too)"), "\(before)")
        try run("git", "ml", "hooks", "install")
        let after = lines(try run("git", "ml", "doctor"))
        XCTAssertTrue(after.contains("ok       hook pre-push: installed, chained with pre-push.local"), "\(after)")
    }

    func testServerHooksInABareRepository() throws {
        let bare = repo + "/server.git"
        try run("git", "init", "-q", "--bare", bare)
        try run("git", "ml", "hooks", "install", "--server", in: bare)
        let out = lines(try run("git", "ml", "doctor", in: bare))
        XCTAssertTrue(out.contains("ok       hook pre-receive: installed"), "\(out)")
        XCTAssertTrue(out.contains("ok       hook post-receive: installed"), "\(out)")
    }
}
