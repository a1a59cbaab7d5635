import Foundation
import XCTest

/// Two clones sharing data through a bare git repository and a shared-directory blob remote.
final class RemoteWorkflowTests: CLITestCase {
    func testTwoClonesShareDatasetsThroughGitAndABlobRemote() throws {
        let (bare, blobs, other) = try setUpSharing(defaultRemote: true)
        XCTAssertTrue(try run("git", "ml", "remote", "list").stdout.contains("shared\t\(blobs)\t(default)"))
        try writeCSV("data/train.csv", rows: 30_000)
        let v1 = try sha256("data/train.csv")
        try run("git", "ml", "data", "add", "data/train.csv")
        try run("git", "mlcommit", "-m", "train v1")
        let pushed = try run("git", "ml", "push").stdout
        XCTAssertTrue(pushed.contains("refs pushed to origin"), pushed)
        XCTAssertTrue(try run("git", "ls-remote", bare).stdout.contains("refs/ml/datasets/train/v1"))

        // Clone B: git clone + git ml fetch (versions, no bytes) + pull + checkout gives the same bytes.
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        XCTAssertTrue(try run("git", "ml", "fetch", in: other).stdout.contains("new versions: train@v1"))
        XCTAssertTrue(try run("git", "ml", "data", "log", "train", in: other).stdout.contains("train@v1"))
        XCTAssertTrue(try run("git", "ml", "fetch", in: other).stdout.contains("no new dataset versions"))
        let pulled = try run("git", "ml", "pull", in: other).stdout
        XCTAssertTrue(pulled.contains("objects downloaded"), pulled)
        try run("git", "ml", "data", "checkout", in: other)
        XCTAssertEqual(String(try run("sha256sum", "data/train.csv", in: other).stdout.prefix(64)), v1)

        // A publishes v2 (stored as deltas); B follows with git pull + git ml pull.
        try writeCSV("data/train.csv", rows: 30_000, variant: 4)
        let v2 = try sha256("data/train.csv")
        try run("git", "ml", "data", "add", "data/train.csv")
        try run("git", "mlcommit")
        let second = try run("git", "ml", "push").stdout
        XCTAssertTrue(second.hasPrefix("shared: "), second)
        try run("git", "pull", "-q", "--no-rebase", "origin", "main", in: other)
        try run("git", "ml", "pull", in: other)
        try run("git", "ml", "data", "checkout", in: other)
        XCTAssertEqual(String(try run("sha256sum", "data/train.csv", in: other).stdout.prefix(64)), v2)
        XCTAssertTrue(try run("git", "ml", "fsck", in: other).stdout.contains("no problems"))
        XCTAssertTrue(try run("git", "ml", "push").stdout.contains("0 of"), "nothing left to upload")
    }

    func testAVersionLabelThatMeansOtherDataIsAnError() throws {
        let (bare, _, other) = try setUpSharing()
        try writeCSV("x.csv", rows: 100)
        try run("git", "ml", "data", "add", "x.csv")
        try run("git", "mlcommit")
        try run("git", "ml", "push")
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "rm", "-q", "--cached", "ml/lock.json", in: other)
        try "x\n".write(toFile: other + "/x.csv", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "x.csv", in: other)  // a different x@v1
        let clash = try run("git", "ml", "pull", in: other, expect: 3)
        XCTAssertTrue(clash.stderr.contains("x@v1 means sha256:"), clash.stderr)
        XCTAssertTrue(try run("git", "ml", "pull", "nowhere", in: other, expect: 3).stderr.contains("no blob remote named 'nowhere'"))

        // Pushing it relabels the local version instead of overwriting the published v1.
        let pushed = try run("git", "ml", "push", in: other).stdout
        XCTAssertTrue(pushed.contains("x@v1 is taken on the remote by other data: your version is now x@v2"), pushed)
        let log = try run("git", "ml", "data", "log", "x", in: other).stdout
        XCTAssertTrue(log.contains("x@v2 (locked)") && log.contains("x@v1"), log)
        XCTAssertEqual(try run("git", "rev-parse", "refs/ml/datasets/x/v1", in: bare).stdout,
                       try run("git", "rev-parse", "refs/ml/datasets/x/v1").stdout, "the published v1 is untouched")
        XCTAssertTrue(try run("git", "ls-remote", bare).stdout.contains("refs/ml/datasets/x/v2"))
    }
}

final class PrePushHookTests: CLITestCase {
    func testPlainGitPushPublishesThePinnedDatasetsAndChainsTheOldHook() throws {
        let (bare, _, other) = try setUpSharing()
        // A hook the user had before: it must still run, with git's standard input.
        try "#!/bin/sh\ncat > \"$(git rev-parse --git-dir)/old-hook-saw\"\n".write(toFile: repo + "/.git/hooks/pre-push", atomically: true, encoding: .utf8)
        try run("chmod", "+x", ".git/hooks/pre-push")
        let installed = try run("git", "ml", "hooks", "install").stdout
        XCTAssertTrue(installed.contains("pre-push.local"), installed)
        XCTAssertTrue(try run("git", "ml", "hooks", "install").stdout.contains("nothing changed"))

        // Two commits pushed at once, pinning d@v1 then d@v2: both versions are published.
        try writeCSV("d.csv", rows: 5_000)
        try run("git", "ml", "data", "add", "d.csv")
        try run("git", "mlcommit")
        try writeCSV("d.csv", rows: 5_000, variant: 2)
        try run("git", "ml", "data", "add", "d.csv")
        try run("git", "mlcommit")
        let push = try run("git", "push", "-q", "origin", "main")
        XCTAssertTrue(push.stderr.contains("published d@v1, d@v2"), push.stderr)
        let remoteRefs = try run("git", "ls-remote", bare).stdout
        XCTAssertTrue(remoteRefs.contains("refs/ml/datasets/d/v1") && remoteRefs.contains("refs/ml/datasets/d/v2"), remoteRefs)
        XCTAssertTrue(try String(contentsOfFile: repo + "/.git/old-hook-saw", encoding: .utf8).contains("refs/heads/main"))

        // Nothing ML changed: the hook publishes nothing.
        try "readme\n".write(toFile: repo + "/README", atomically: true, encoding: .utf8)
        try run("git", "add", "README")
        try run("git", "commit", "-qm", "docs")
        XCTAssertFalse(try run("git", "push", "-q", "origin", "main").stderr.contains("published"))

        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", in: other)
        try run("git", "ml", "data", "checkout", in: other)
        XCTAssertEqual(String(try run("sha256sum", "d.csv", in: other).stdout.prefix(64)), try sha256("d.csv"))
    }

    func testAPushThatChangesNothingMLDoesNotStartGitML() throws {
        _ = try setUpSharing(defaultRemote: true)
        try run("git", "ml", "hooks", "install")
        try writeCSV("d.csv", rows: 500)
        try run("git", "ml", "data", "add", "d.csv")
        try run("git", "mlcommit")
        let first = try run("env", "GIT_TRACE=1", "git", "push", "-q", "origin", "main")
        XCTAssertTrue(first.stderr.contains("trace: exec: git-ml hook pre-push"), first.stderr)
        XCTAssertTrue(first.stderr.contains("published d@v1"), first.stderr)

        try "readme\n".write(toFile: repo + "/README", atomically: true, encoding: .utf8)
        try run("git", "add", "README")
        try run("git", "commit", "-qm", "docs")
        // …and starts no process but that `git rev-list`: a `cat` first on PATH would say it ran.
        let shims = NSTemporaryDirectory() + "/gitml-shims-\(UUID().uuidString)", started = shims + "/started"
        try FileManager.default.createDirectory(atPath: shims, withIntermediateDirectories: true)
        try "#!/bin/sh\necho cat >> '\(started)'\nexec /bin/cat \"$@\"\n".write(toFile: shims + "/cat", atomically: true, encoding: .utf8)
        try run("chmod", "+x", shims + "/cat")
        let path = shims + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let second = try run("env", "GIT_TRACE=1", "PATH=" + path, "git", "push", "-q", "origin", "main")
        XCTAssertTrue(second.stderr.contains("rev-list"), second.stderr)
        XCTAssertFalse(second.stderr.contains("git-ml"), second.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: started), "the hook's fast path started cat")
        // Nor does a new branch whose commits change nothing ML beyond what the remote's branches hold.
        try run("git", "checkout", "-qb", "docs")
        try "more\n".write(toFile: repo + "/README", atomically: true, encoding: .utf8)
        try run("git", "commit", "-qam", "more docs")
        let branch = try run("env", "GIT_TRACE=1", "git", "push", "-q", "origin", "docs")
        XCTAssertFalse(branch.stderr.contains("git-ml"), branch.stderr)
        try run("git", "checkout", "-q", "main")

        // A commit that changes the lock starts git-ml again.
        try writeCSV("d.csv", rows: 600)
        try run("git", "ml", "data", "add", "d.csv")
        try run("git", "mlcommit")
        let third = try run("env", "GIT_TRACE=1", "git", "push", "-q", "origin", "main")
        XCTAssertTrue(third.stderr.contains("published d@v2"), third.stderr)
    }

    func testTheRepositoryHookScriptIsTheOneInstalled() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = try String(contentsOf: source.appendingPathComponent("hooks/pre-push"), encoding: .utf8)
        try run("git", "ml", "init")
        try run("git", "ml", "hooks", "install")
        XCTAssertEqual(try String(contentsOfFile: repo + "/.git/hooks/pre-push", encoding: .utf8), script)
    }
}
