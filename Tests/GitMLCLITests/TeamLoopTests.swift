import Foundation
import XCTest

/// Two clones, a bare repository and a blob remote: what one teammate pushes, the other can
/// fetch, check, inspect and use — the first time, with the hooks installed.
final class TeamLoopTests: CLITestCase {
    /// A churn project shared through a bare `origin` and a default blob remote, hooks installed,
    /// with one committed run. Returns the bare repository and the path for a second clone.
    private func setUpTeam() throws -> (bare: String, other: String, run: String) {
        try setUpChurnProject()
        let (bare, _, other) = try setUpSharing(defaultRemote: true)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        try run("git", "ml", "hooks", "install")
        let id = try runAndCommit(ChurnProject.experiment(rounds: 25), message: "gbdt")
        return (bare, other, id)
    }

    private func remoteRefs(_ bare: String, _ prefix: String) throws -> [String] {
        try run("git", "for-each-ref", "--format=%(refname)", prefix, in: bare).stdout.split(separator: "\n").map(String.init)
    }

    /// `git ml push` with the pre-push hook installed succeeds the first time: the hook must not
    /// create the refs the atomic push is about to create.
    func testGitMLPushSucceedsTheFirstTimeWithTheHookInstalled() throws {
        let (bare, _, id) = try setUpTeam()
        try run("git", "ml", "push")
        XCTAssertEqual(try remoteRefs(bare, "refs/ml/datasets/").count, 2)
        XCTAssertTrue(try remoteRefs(bare, "refs/ml/runs/").contains { $0.contains(id) })
        XCTAssertEqual(try run("git", "rev-parse", "main", in: bare).stdout, try run("git", "rev-parse", "main").stdout)
    }

    /// A plain `git push` with the hook publishes the pinned datasets and the runs the pushed
    /// locks name (their models and predictions), so a fresh clone can judge the candidate.
    func testPlainGitPushPublishesTheCandidateRuns() throws {
        let (bare, other, id) = try setUpTeam()
        let push = try run("git", "push", "-q", "origin", "main")
        XCTAssertTrue(push.stderr.contains("published"), push.stderr)
        XCTAssertTrue(try remoteRefs(bare, "refs/ml/runs/").contains { $0.contains(id) }, "the candidate's run ref is on the remote")

        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", "--runs", in: other)
        let show = try run("git", "ml", "show", id, in: other)
        XCTAssertTrue(show.stdout.contains("artifact predictions/evaluation"), show.stdout)
        try run("git", "ml", "fsck", in: other)
        let predict = try run("git", "ml", "predict", id, "churn-eval@v1", in: other, expect: nil)
        XCTAssertEqual(predict.status, 0, predict.stderr)
    }

    /// In a fresh clone nothing is downloaded yet: fsck lists it as not fetched and exits 0;
    /// once pulled it is whole. Where a run was made, losing its artifacts is a problem.
    func testFsckTellsNotFetchedFromLost() throws {
        let (bare, other, id) = try setUpTeam()
        try run("git", "ml", "push")
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        let fresh = try run("git", "ml", "fsck", in: other)
        XCTAssertTrue(fresh.stdout.contains("not fetched: run \(id) model/seed-1"), fresh.stdout)
        XCTAssertTrue(fresh.stdout.contains("no problems"), fresh.stdout)
        XCTAssertFalse(fresh.stdout.contains("error:"), fresh.stdout)
        try run("git", "ml", "pull", "--runs", in: other)
        XCTAssertFalse(try run("git", "ml", "fsck", in: other).stdout.contains("not fetched: run"))

        let packs = repo + "/.git/ml/packs"
        for name in try FileManager.default.contentsOfDirectory(atPath: packs) { try FileManager.default.removeItem(atPath: packs + "/" + name) }
        let lost = try run("git", "ml", "fsck", expect: 1)
        XCTAssertTrue(lost.stdout.contains("error: run \(id) model/seed-1: is missing from the store, though the run was made here"), lost.stdout)
    }

    /// Any teammate's run, candidate or not, can be used from another clone: `predict` and
    /// `export` download its artifacts on demand, `git ml pull RUN` fetches one by id.
    func testAnyRunOfATeammateIsUsableFromAnotherClone() throws {
        let (bare, other, candidate) = try setUpTeam()
        try ChurnProject.experiment(rounds: 12, seeds: "[4]").write(toFile: repo + "/ml/experiments/churn-gbdt.yaml", atomically: true, encoding: .utf8)
        try run("git", "ml", "run", "churn-gbdt")
        let log = try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]]
        let side = String((log[0]["id"] as! String).dropFirst(7).prefix(12))
        XCTAssertNotEqual(side, candidate)
        try run("git", "checkout", "--", "ml/experiments/churn-gbdt.yaml")
        try run("git", "ml", "push")

        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", in: other)
        let predicted = try run("git", "ml", "predict", side, "churn-eval@v1", in: other)
        XCTAssertEqual(predicted.stdout.split(separator: "\n").count, 801, "a header and one score per row")
        try run("git", "ml", "export", candidate, "--output", other + "/exported", in: other)
        XCTAssertTrue(FileManager.default.fileExists(atPath: other + "/exported/manifest.json"))

        let third = other + "-c"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: third) }
        try run("git", "clone", "-q", bare, third, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: third)
        try run("git", "ml", "fetch", in: third)
        XCTAssertTrue(try run("git", "ml", "fsck", in: third).stdout.contains("not fetched: run \(side)"))
        try run("git", "ml", "pull", "shared", side, in: third)
        XCTAssertFalse(try run("git", "ml", "fsck", in: third).stdout.contains("not fetched: run \(side)"))
    }

    /// A branch made before `git ml remote add` pushes through the default branch's remote.
    func testABranchMadeBeforeTheRemoteWasAddedCanPush() throws {
        let bare = repo + "-bare.git", blobs = repo + "-blobs"
        addTeardownBlock { [bare, blobs].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try run("git", "init", "-q", "--bare", "-b", "main", bare)
        try run("git", "remote", "add", "origin", bare)
        try run("git", "ml", "init")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "init")
        try run("git", "branch", "early")
        try run("git", "ml", "remote", "add", "shared", blobs, "--default")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        try run("git", "checkout", "-q", "early")
        try writeCSV("d.csv", rows: 200)
        try run("git", "ml", "data", "add", "d.csv")
        try run("git", "mlcommit")
        XCTAssertTrue(try run("git", "ml", "remote", "list").stdout.contains("(from ml/config.yaml at refs/heads/main"))
        let push = try run("git", "ml", "push")
        XCTAssertTrue(push.stdout.contains("shared:"), push.stdout)
        XCTAssertTrue(try run("git", "for-each-ref", "refs/ml/datasets/", in: bare).stdout.contains("refs/ml/datasets/d/v1"))
    }

    /// An exec run's model files (a file and a directory) export byte for byte, from another
    /// clone too; predict says why it cannot score them.
    func testAnExecRunsModelExportsFromAnotherClone() throws {
        let (bare, other, _) = try setUpTeam()
        let script = ChurnProject.script + """
            os.makedirs(os.path.join(out, "model_dir", "nested"), exist_ok=True)
            with open(os.path.join(out, "model_dir", "nested", "weights.bin"), "wb") as f:
                f.write(bytes(range(256)))

            """
        try script.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try run("git", "add", "train.py")
        try run("git", "commit", "-qm", "script")
        try run("git", "ml", "exec", "--suite", "churn", "--input", "churn-train@v1", "--", "python3", "train.py")
        let record = (try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]])[0]
        let id = String((record["id"] as! String).dropFirst(7).prefix(12))
        XCTAssertEqual(Set((record["artifacts"] as! [String: Any]).keys),
                       ["predictions/evaluation", "predictions/validation", "model/model.json", "model/model_dir/nested/weights.bin"])
        try run("git", "ml", "push")

        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "fetch", in: other)
        let exported = try run("git", "ml", "export", id, "-o", other + "/out", in: other)
        XCTAssertTrue(exported.stdout.contains("2 model files"), exported.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: other + "/out/model_dir/nested/weights.bin")), Data((0..<256).map(UInt8.init)))
        let manifest = try json(try String(contentsOfFile: other + "/out/manifest.json", encoding: .utf8)) as! [String: Any]
        XCTAssertEqual(manifest["command"] as? [String], ["python3", "train.py"])
        XCTAssertEqual((manifest["files"] as! [[String: Any]]).count, 2)
        let predicted = try run("git", "ml", "predict", id, "churn-eval@v1", in: other, expect: 3)
        XCTAssertTrue(predicted.stderr.contains("was made by `git ml exec -- python3 train.py`"), predicted.stderr)
    }

    /// Fetched GitML refs live under refs/ml/remotes/, so `git branch -a` lists branches only;
    /// a clone set up by an older GitML (refs under refs/remotes/<r>/ml/) is migrated by
    /// `git ml init` without losing a version or run.
    func testFetchedRefsStayOutOfTheBranchListAndOldClonesMigrate() throws {
        let (bare, other, id) = try setUpTeam()
        try run("git", "ml", "push")
        try run("git", "clone", "-q", bare, other, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: other)
        try run("git", "ml", "pull", "--runs", in: other)
        let branches = try run("git", "branch", "-a", in: other).stdout
        XCTAssertFalse(branches.contains("ml/"), branches)
        XCTAssertTrue(try run("git", "for-each-ref", "refs/ml/remotes/origin/runs/", in: other).stdout.contains(id))

        // An older clone: the old refspec, and refs fetched under refs/remotes/origin/ml/.
        let old = other + "-old"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: old) }
        try run("git", "clone", "-q", bare, old, in: NSTemporaryDirectory())
        try run("git", "config", "--add", "remote.origin.fetch", "refs/ml/*:refs/remotes/origin/ml/*", in: old)
        try run("git", "fetch", "-q", "origin", in: old)
        XCTAssertTrue(try run("git", "branch", "-a", in: old).stdout.contains("ml/runs/"))
        let migrated = try run("git", "ml", "init", in: old)
        XCTAssertTrue(migrated.stdout.contains("from refs/remotes/*/ml/ to refs/ml/remotes/"), migrated.stdout)
        XCTAssertFalse(try run("git", "branch", "-a", in: old).stdout.contains("ml/"))
        let refspecs = try run("git", "config", "--get-all", "remote.origin.fetch", in: old).stdout
        XCTAssertFalse(refspecs.contains("refs/remotes/origin/ml/"), refspecs)
        XCTAssertTrue(refspecs.contains("refs/ml/runs/*:refs/ml/remotes/origin/runs/*"), refspecs)
        try run("git", "fetch", "-q", "origin", in: old)
        XCTAssertFalse(try run("git", "branch", "-a", in: old).stdout.contains("ml/"), "plain git fetch keeps them out too")
        try run("git", "ml", "pull", "--runs", in: old)
        XCTAssertTrue(try run("git", "ml", "show", id, in: old).stdout.contains("artifact predictions/evaluation"))
        XCTAssertFalse(try run("git", "ml", "fsck", in: old).stdout.contains("error:"))
    }

    /// A gated server whose blob remote lacks the candidate's files (the refs pushed with hooks
    /// skipped) refuses, naming the fix; `git ml push` then goes through.
    func testServerRefusalForMissingBlobsNamesGitMLPush() throws {
        try setUpChurnProject()
        let (bare, _, _) = try setUpSharing(defaultRemote: true)
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy and blob remote")
        try run("git", "ml", "hooks", "install", "--server", "--protect", "main", in: bare)
        try run("git", "ml", "push")
        try runAndCommit(ChurnProject.experiment(features: "tenure"), message: "tenure only")
        let refused = try run("git", "push", "--no-verify", "origin", "main", "refs/ml/runs/*:refs/ml/runs/*", expect: 1)
        XCTAssertTrue(refused.stderr.contains("run `git ml push` from the clone that has them"), refused.stderr)
        try run("git", "ml", "push")
        XCTAssertEqual(try run("git", "rev-parse", "main", in: bare).stdout, try run("git", "rev-parse", "main").stdout)
    }

    /// `git ml fsck --remote R` names the dataset versions and runs a directory remote lacks
    /// (exit 1) and says "complete" (exit 0) once they are pushed.
    func testFsckRemoteNamesWhatTheBlobRemoteLacks() throws {
        try setUpChurnProject()
        _ = try setUpSharing(defaultRemote: true)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "blob remote")
        try run("git", "ml", "push")
        XCTAssertTrue(try run("git", "ml", "fsck", "--remote", "shared").stdout.contains("against remote shared: complete"))
        try writeChurn("train.csv", rows: 1700, firstID: 1, seed: 3)
        try run("git", "ml", "data", "add", "train.csv", "--name", "churn-train")
        try run("git", "ml", "run", "churn-gbdt")
        let log = try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]]
        let id = String((log[0]["id"] as! String).dropFirst(7).prefix(12))
        let lacking = try run("git", "ml", "fsck", "--remote", "shared", expect: 1)
        XCTAssertTrue(lacking.stdout.contains("missing on shared: churn-train@v2"), lacking.stdout)
        XCTAssertTrue(lacking.stdout.contains("missing on shared: run \(id)"), lacking.stdout)
        XCTAssertFalse(lacking.stdout.contains("churn-eval@v1"), lacking.stdout)
        let report = try json(try run("git", "ml", "fsck", "--remote", "shared", "--json", expect: 1).stdout) as! [String: Any]
        XCTAssertEqual(report["complete"] as? Bool, false)
        try run("git", "ml", "push")
        XCTAssertTrue(try run("git", "ml", "fsck", "--remote", "shared").stdout.contains("complete"))
    }

    /// `git ml remote list` says which config each remote comes from; a remote only the local
    /// git config defines (`gitml.remote.<name>.url`) works where no ml/config.yaml names one.
    func testRemoteListSaysWhereEachRemoteComesFrom() throws {
        let attic = repo + "-attic", shared = repo + "-shared"
        addTeardownBlock { [attic, shared].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try run("git", "ml", "init")
        try run("git", "config", "gitml.remote.attic.url", attic)
        try run("git", "config", "gitml.defaultRemote", "attic")
        XCTAssertTrue(try run("git", "ml", "remote", "list").stdout.contains("attic\t\(attic)\t(default)\t(from the local git config (gitml.remote.*))"))
        try writeCSV("d.csv", rows: 200)
        try run("git", "ml", "data", "add", "d.csv")
        XCTAssertTrue(try run("git", "ml", "push").stdout.contains("attic:"))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: attic).isEmpty)
        try run("git", "ml", "remote", "add", "shared", shared, "--default")
        let listed = try run("git", "ml", "remote", "list").stdout
        XCTAssertTrue(listed.contains("shared\t\(shared)\t(default)\t(from ml/config.yaml (checked out))"), listed)
        XCTAssertTrue(listed.contains("attic\t\(attic)\t(from the local git config (gitml.remote.*))"), listed)
    }
}
