import BlobStore
import Foundation
import MotoSupport
import XCTest

/// README's team story ("Working as a team"), end to end and without a retry: a bare repository
/// with the server hooks, an S3 blob remote on loopback (moto), and two clones.
final class TeamStoryTests: CLITestCase {
    /// A predict command for `ChurnProject.script`'s model: the same logistic scores for any rows.
    static let predictScript = """
        import csv, json, math, os
        with open(os.path.join(os.environ["GITML_MODEL"], "model.json")) as f:
            w = json.load(f)
        with open(os.environ["GITML_PREDICT_INPUT"]) as f:
            rows = list(csv.DictReader(f))
        def x(r): return [1.0, float(r["usage"]), float(r["tenure"]) / 10, 1.0 if r["region"] == "north" else 0.0]
        with open(os.path.join(os.environ["GITML_OUTPUT"], "predictions.csv"), "w") as f:
            f.write("row,score\\n" + "".join(f"{i},{1 / (1 + math.exp(-sum(a * b for a, b in zip(w, x(r))))):.12f}\\n" for i, r in enumerate(rows)))
        print("scored", len(rows), "rows")

        """

    /// Starts moto, creates the team's bucket and puts its credentials in the environment the
    /// commands (and the server's hooks, through git) inherit. Returns the server and its endpoint.
    private func startS3() throws -> MotoServer {
        guard let binary = MotoServer.binary() else {
            throw XCTSkip("moto_server is not installed; set MOTO_SERVER (see RemoteS3Tests)")
        }
        let server = try MotoServer(binary: binary)
        try S3Remote(name: "team", bucket: "team-ml", endpoint: server.endpoint, addressing: .path, credentials: server.credentials).createBucket()
        setenv("AWS_ACCESS_KEY_ID", server.credentials.accessKeyID, 1)
        setenv("AWS_SECRET_ACCESS_KEY", server.credentials.secretAccessKey, 1)
        addTeardownBlock { unsetenv("AWS_ACCESS_KEY_ID"); unsetenv("AWS_SECRET_ACCESS_KEY") }
        return server
    }

    private func lastRunID(in directory: String? = nil) throws -> String {
        let log = try json(try run("git", "ml", "log", "--json", "-n", "1", in: directory).stdout) as! [[String: Any]]
        return String((log[0]["id"] as! String).dropFirst(7).prefix(12))
    }

    func testTheTeamStoryWorksTheFirstTime() throws {
        let s3 = try startS3()
        let bare = repo + "-bare.git", b = repo + "-b"
        addTeardownBlock { [bare, b].forEach { try? FileManager.default.removeItem(atPath: $0) } }

        // The server: a bare repository with GitML's hooks; main is protected.
        try run("git", "init", "-q", "--bare", "-b", "main", bare)
        try run("git", "ml", "hooks", "install", "--server", "--protect", "main", in: bare)

        // Clone A: the project, the S3 blob remote, the gate policy, the client hooks.
        try setUpChurnProject()
        try run("git", "remote", "add", "origin", bare)
        try run("git", "ml", "remote", "add", "shared", "s3://team-ml/churn", "--endpoint", s3.endpoint.absoluteString, "--path-style", "--default")
        try ChurnProject.policy.write(toFile: repo + "/ml/gate.yaml", atomically: true, encoding: .utf8)
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "gate policy and blob remote")
        try run("git", "ml", "hooks", "install")
        try run("git", "ml", "push")

        // A built-in run becomes main's candidate; `git ml push` publishes it and the server gates it.
        let builtin = try runAndCommit(ChurnProject.experiment(features: "usage, tenure, region"), message: "gbdt, all features")
        try run("git", "ml", "push")

        // An exec run with a declared predict command on a branch, published by a plain `git push`.
        try run("git", "checkout", "-qb", "exec-model")
        try ChurnProject.script.write(toFile: repo + "/train.py", atomically: true, encoding: .utf8)
        try TeamStoryTests.predictScript.write(toFile: repo + "/predict.py", atomically: true, encoding: .utf8)
        try run("git", "add", "train.py", "predict.py")
        try run("git", "commit", "-qm", "logistic regression in python")
        try run("git", "ml", "exec", "--suite", "churn", "--input", "churn-train@v1", "--predict-command", "python3 predict.py", "--", "python3", "train.py")
        let exec = try lastRunID()
        try run("git", "mlcommit", "-m", "python candidate", exec)
        let unpublished = try run("git", "ml", "fsck", "--remote", "shared", expect: 1)
        XCTAssertTrue(unpublished.stdout.contains("missing on shared: run \(exec)"), unpublished.stdout)
        let plain = try run("git", "push", "-q", "-u", "origin", "exec-model")
        XCTAssertTrue(plain.stderr.contains("published"), plain.stderr)
        XCTAssertTrue(try run("git", "ml", "fsck", "--remote", "shared").stdout.contains("complete"))
        try run("git", "ml", "fetch")
        let gateA = try run("git", "ml", "gate", "--base", "origin/main", "--json", expect: nil)
        let predictedA = try run("git", "ml", "predict", exec, "churn-eval@v1")
        let exportedA = repo + "-export"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: exportedA) }
        try run("git", "ml", "export", exec, "-o", exportedA)

        // Clone B, fresh: pull, check, inspect and use A's runs; the gate agrees.
        try run("git", "clone", "-q", bare, b, in: NSTemporaryDirectory())
        try run("git", "ml", "init", in: b)
        try run("git", "ml", "pull", in: b)
        XCTAssertTrue(try run("git", "ml", "promotions", "churn", in: b).stdout.contains(builtin), "the server recorded its decision")
        let fsck = try run("git", "ml", "fsck", in: b)
        XCTAssertTrue(fsck.stdout.contains("no problems"), fsck.stdout)
        XCTAssertTrue(try run("git", "ml", "show", exec, in: b).stdout.contains("artifact model/model.json"))
        XCTAssertTrue(try run("git", "ml", "show", builtin, in: b).stdout.contains("artifact predictions/evaluation"))
        try run("git", "checkout", "-q", "exec-model", in: b)
        let diff = try run("git", "ml", "diff", in: b)
        XCTAssertTrue(diff.stdout.contains("A run \(builtin)") && diff.stdout.contains("B run \(exec)"), diff.stdout)
        let predictedB = try run("git", "ml", "predict", exec, "churn-eval@v1", in: b)
        XCTAssertEqual(predictedB.stdout, predictedA.stdout, "B scores A's exec run exactly as A does")
        XCTAssertEqual(predictedB.stdout.split(separator: "\n").count, 801, "a header and one score per row")
        XCTAssertEqual(try run("git", "ml", "predict", builtin, "churn-eval@v1", in: b).stdout.split(separator: "\n").count, 801)
        XCTAssertTrue(try run("git", "ml", "export", exec, "-o", b + "/out-exec", in: b).stdout.contains("1 model file"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: b + "/out-exec/model.json")), try Data(contentsOf: URL(fileURLWithPath: exportedA + "/model.json")))
        try run("git", "ml", "export", builtin, "-o", b + "/out-builtin", in: b)
        XCTAssertTrue(FileManager.default.fileExists(atPath: b + "/out-builtin/manifest.json"))
        let gateB = try run("git", "ml", "gate", "--base", "origin/main", "--json", in: b, expect: nil)
        XCTAssertEqual(gateB.status, gateA.status, gateB.stderr)
        XCTAssertEqual(gateB.stdout, gateA.stdout, "B's gate verdict equals A's")
        XCTAssertFalse(gateA.stdout.isEmpty)
        _ = s3
    }
}
